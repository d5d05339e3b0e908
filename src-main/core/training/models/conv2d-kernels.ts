import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm has no gradient of Conv2D's filter, and its Slice and Pad copy whole tensors
// out of the heap: im2col by slices and the 2x2 max pool's gradient cost seconds a batch there.
// These four kernels work straight on heap views (as fast-split.ts does), a few loops each. They
// run inside custom-gradient ops only (conv2d.ts), so they need no gradients of their own.
const IM2COL = 'TimbreIm2col2d';
const COL2IM = 'TimbreCol2im2d';
const POOL = 'TimbreMaxPool2';
const POOL_GRAD = 'TimbreMaxPool2Grad';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

// x [B, H, W, C] -> [B, H, W, k*k*C], tap (i, j) of pixel (h, w) = x[h + i - p, w + j - p] or 0.
function im2col(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const k = args.attrs!.k as number;
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const info = backend.makeOutput([B, H, W, k * k * C], 'float32');
  const out = backend.typedArrayFromHeap(info);
  const src = backend.typedArrayFromHeap(x);
  const p = (k - 1) / 2;
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let i = 0; i < k; i++) {
          const hh = h + i - p;
          for (let j = 0; j < k; j++, o += C) {
            const ww = w + j - p;
            if (hh < 0 || hh >= H || ww < 0 || ww >= W) out.fill(0, o, o + C);
            else {
              const s = ((b * H + hh) * W + ww) * C;
              for (let c = 0; c < C; c++) out[o + c] = src[s + c]!;
            }
          }
        }
  return info;
}

// The gradient of im2col: each tap's columns added back at the pixel they were read from.
function col2im(args: KernelArgs): tf.TensorInfo {
  const dy = args.inputs.dy!;
  const backend = args.backend as WasmHeapBackend;
  const k = args.attrs!.k as number;
  const [B, H, W] = dy.shape as [number, number, number, number];
  const C = dy.shape[3]! / (k * k);
  const info = backend.makeOutput([B, H, W, C], 'float32');
  const dx = backend.typedArrayFromHeap(info);
  const src = backend.typedArrayFromHeap(dy);
  dx.fill(0);
  const p = (k - 1) / 2;
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let i = 0; i < k; i++) {
          const hh = h + i - p;
          for (let j = 0; j < k; j++, o += C) {
            const ww = w + j - p;
            if (hh < 0 || hh >= H || ww < 0 || ww >= W) continue;
            const d = ((b * H + hh) * W + ww) * C;
            for (let c = 0; c < C; c++) dx[d + c]! += src[o + c]!;
          }
        }
  return info;
}

// Visits each 2x2 window of x [B, H, W, C] ('valid': a last odd row or column is left out), with
// the flat index in x of the window's maximum (the first of equal ones, as tf.maxPool's gradient).
function eachWindowMax(x: Float32Array, shape: number[], visit: (out: number, at: number) => void): void {
  const [B, H, W, C] = shape as [number, number, number, number];
  const [H2, W2] = [Math.floor(H / 2), Math.floor(W / 2)];
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H2; h++)
      for (let w = 0; w < W2; w++)
        for (let c = 0; c < C; c++, o++) {
          const a = ((b * H + 2 * h) * W + 2 * w) * C + c;
          let at = a;
          if (x[a + C]! > x[at]!) at = a + C;
          if (x[a + W * C]! > x[at]!) at = a + W * C;
          if (x[a + W * C + C]! > x[at]!) at = a + W * C + C;
          visit(o, at);
        }
}

function maxPool(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const info = backend.makeOutput([B, Math.floor(H / 2), Math.floor(W / 2), C], 'float32');
  const out = backend.typedArrayFromHeap(info);
  const src = backend.typedArrayFromHeap(x);
  eachWindowMax(src, x.shape, (o, at) => (out[o] = src[at]!));
  return info;
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const backend = args.backend as WasmHeapBackend;
  const info = backend.makeOutput(x.shape, 'float32');
  const dx = backend.typedArrayFromHeap(info);
  dx.fill(0);
  const src = backend.typedArrayFromHeap(x);
  const d = backend.typedArrayFromHeap(dy);
  eachWindowMax(src, x.shape, (o, at) => (dx[at] = d[o]!));
  return info;
}

/** Whether the kernels run here (the wasm backend), registering them the first time. */
export function conv2dKernelsHere(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!tf.getKernel(IM2COL, 'wasm')) {
    for (const [kernelName, kernelFunc] of [
      [IM2COL, im2col],
      [COL2IM, col2im],
      [POOL, maxPool],
      [POOL_GRAD, maxPoolGrad],
    ] as const)
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
  return true;
}

/** im2col of x [B, H, W, C] with k x k taps and 'same' zero padding (wasm only). */
export function im2colKernel(x: tf.Tensor4D, k: number): tf.Tensor4D {
  return tf.engine().runKernel(IM2COL, { x }, { k }) as tf.Tensor4D;
}

/** The gradient of im2colKernel for dy [B, H, W, k*k*C] (wasm only). */
export function col2imKernel(dy: tf.Tensor, k: number): tf.Tensor4D {
  return tf.engine().runKernel(COL2IM, { dy }, { k }) as tf.Tensor4D;
}

/** 2x2 max pool, stride 2, 'valid', of x [B, H, W, C] (wasm only). */
export function maxPoolKernel(x: tf.Tensor4D): tf.Tensor4D {
  return tf.engine().runKernel(POOL, { x }) as tf.Tensor4D;
}

/** The gradient of maxPoolKernel: dy to each window's maximum in x (wasm only). */
export function maxPoolGradKernel(x: tf.Tensor, dy: tf.Tensor): tf.Tensor4D {
  return tf.engine().runKernel(POOL_GRAD, { x, dy }) as tf.Tensor4D;
}
