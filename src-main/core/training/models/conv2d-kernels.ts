import * as tf from '@tensorflow/tfjs';
import { heapPointer, simdLoops, type SimdLoops } from '../simd';

// tfjs-backend-wasm has no gradient of Conv2D's filter, and its Slice and Pad copy whole tensors
// out of the heap: im2col by slices and the max pool's gradient cost seconds a batch there (2-D),
// or a fifth of a step (the 1-D CNN, a conv over H with W = 1: 28 of 100 ms, 9 with these).
// These four kernels work straight on the heap: in our WebAssembly (../simd.wat) where it loads
// (the pooling where C is a multiple of 4), else in JavaScript over heap views (as fast-split.ts
// does), ~4x slower (logmel-cnn2d: ~30 ms of an ~80 ms step at batch 32). They run inside
// custom-gradient ops only (conv2d.ts), so they need no gradients of their own.
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

// Taps of a convolution over H and W (odd: 'same' padding keeps the size).
function taps(attrs: tf.NamedAttrMap | undefined): [number, number] {
  return [attrs!.kh as number, attrs!.kw as number];
}

// x [B, H, W, C] -> [B, H, W, kh*kw*C], tap (i, j) of pixel (h, w) = x[h + i - ph, w + j - pw] or 0.
function im2col(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const [kh, kw] = taps(args.attrs);
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const info = backend.makeOutput([B, H, W, kh * kw * C], 'float32');
  const loops = simdLoops(backend);
  if (loops && B * H * W * C > 0) {
    loops.im2col(heapPointer(backend, x), heapPointer(backend, info), B, H, W, C, kh, kw, 0);
    return info;
  }
  const out = backend.typedArrayFromHeap(info);
  const src = backend.typedArrayFromHeap(x);
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let i = 0; i < kh; i++) {
          const hh = h + i - ph;
          for (let j = 0; j < kw; j++, o += C) {
            const ww = w + j - pw;
            if (hh < 0 || hh >= H || ww < 0 || ww >= W) out.fill(0, o, o + C);
            else {
              const s = ((b * H + hh) * W + ww) * C;
              // Wide pixels (the 1-D CNN's frames) as one block copy; a loop beats it for a few values.
              if (C >= 32) out.set(src.subarray(s, s + C), o);
              else for (let c = 0; c < C; c++) out[o + c] = src[s + c]!;
            }
          }
        }
  return info;
}

// The gradient of im2col: each tap's columns added back at the pixel they were read from.
function col2im(args: KernelArgs): tf.TensorInfo {
  const dy = args.inputs.dy!;
  const backend = args.backend as WasmHeapBackend;
  const [kh, kw] = taps(args.attrs);
  const [B, H, W] = dy.shape as [number, number, number, number];
  const C = dy.shape[3]! / (kh * kw);
  const info = backend.makeOutput([B, H, W, C], 'float32');
  const dx = backend.typedArrayFromHeap(info);
  dx.fill(0);
  const loops = simdLoops(backend);
  if (loops && B * H * W * C > 0) {
    loops.im2col(heapPointer(backend, info), heapPointer(backend, dy), B, H, W, C, kh, kw, 1);
    return info;
  }
  const src = backend.typedArrayFromHeap(dy);
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let i = 0; i < kh; i++) {
          const hh = h + i - ph;
          for (let j = 0; j < kw; j++, o += C) {
            const ww = w + j - pw;
            if (hh < 0 || hh >= H || ww < 0 || ww >= W) continue;
            const d = ((b * H + hh) * W + ww) * C;
            for (let c = 0; c < C; c++) dx[d + c]! += src[o + c]!;
          }
        }
  return info;
}

// Visits each window of 2 x `pw` (2 or 1) of x [B, H, W, C] ('valid': a last odd row or column is
// left out), with the flat index in x of the window's maximum (the first of equal ones, as
// tf.maxPool's gradient).
function eachWindowMax(
  x: Float32Array,
  shape: number[],
  pw: number,
  visit: (out: number, at: number) => void,
): void {
  const [B, H, W, C] = shape as [number, number, number, number];
  const [H2, W2] = [Math.floor(H / 2), Math.floor(W / pw)];
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H2; h++)
      for (let w = 0; w < W2; w++)
        for (let c = 0; c < C; c++, o++) {
          const a = ((b * H + 2 * h) * W + pw * w) * C + c;
          let at = a;
          if (pw === 2) {
            if (x[a + C]! > x[at]!) at = a + C;
            if (x[a + W * C]! > x[at]!) at = a + W * C;
            if (x[a + W * C + C]! > x[at]!) at = a + W * C + C;
          } else if (x[a + W * C]! > x[at]!) at = a + W * C;
          visit(o, at);
        }
}

// Our SIMD pooling, for pooled outputs (y or dy [B, H/2, W/pw, C]) of 4 channels or a multiple
// and not empty.
function poolLoops(backend: WasmHeapBackend, pooled: tf.TensorInfo): SimdLoops | null {
  const size = pooled.shape.reduce((a, b) => a * b, 1);
  return pooled.shape[3]! % 4 === 0 && size > 0 ? simdLoops(backend) : null;
}

function maxPool(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const pw = args.attrs!.pw as number;
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const info = backend.makeOutput([B, Math.floor(H / 2), Math.floor(W / pw), C], 'float32');
  const loops = poolLoops(backend, info);
  if (loops) {
    loops.maxpool(heapPointer(backend, x), heapPointer(backend, info), 0, B, H, W, C, pw, 0);
    return info;
  }
  const out = backend.typedArrayFromHeap(info);
  const src = backend.typedArrayFromHeap(x);
  eachWindowMax(src, x.shape, pw, (o, at) => (out[o] = src[at]!));
  return info;
}

function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const backend = args.backend as WasmHeapBackend;
  const info = backend.makeOutput(x.shape, 'float32');
  const dx = backend.typedArrayFromHeap(info);
  dx.fill(0);
  const pw = args.attrs!.pw as number;
  const loops = poolLoops(backend, dy);
  if (loops) {
    const [B, H, W, C] = x.shape as [number, number, number, number];
    const at = (t: tf.TensorInfo) => heapPointer(backend, t);
    loops.maxpool(at(x), at(dy), at(info), B, H, W, C, pw, 1);
    return info;
  }
  const src = backend.typedArrayFromHeap(x);
  const d = backend.typedArrayFromHeap(dy);
  eachWindowMax(src, x.shape, pw, (o, at) => (dx[at] = d[o]!));
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

/** im2col of x [B, H, W, C] with kh x kw taps and 'same' zero padding (wasm only). */
export function im2colKernel(x: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  return tf.engine().runKernel(IM2COL, { x }, { kh, kw }) as tf.Tensor4D;
}

/** The gradient of im2colKernel for dy [B, H, W, kh*kw*C] (wasm only). */
export function col2imKernel(dy: tf.Tensor, kh: number, kw: number): tf.Tensor4D {
  return tf.engine().runKernel(COL2IM, { dy }, { kh, kw }) as tf.Tensor4D;
}

/** Max pool over windows of 2 x pw (2 or 1), stride the window, 'valid', of x [B, H, W, C] (wasm only). */
export function maxPoolKernel(x: tf.Tensor4D, pw: number): tf.Tensor4D {
  return tf.engine().runKernel(POOL, { x }, { pw }) as tf.Tensor4D;
}

/** The gradient of maxPoolKernel: dy to each window's maximum in x (wasm only). */
export function maxPoolGradKernel(x: tf.Tensor, dy: tf.Tensor, pw: number): tf.Tensor4D {
  return tf.engine().runKernel(POOL_GRAD, { x, dy }, { pw }) as tf.Tensor4D;
}
