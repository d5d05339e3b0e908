import * as tf from '@tensorflow/tfjs';
import { heapPointer, simdLoops, type SimdLoops } from '../simd';

// One LSTM step as tf ops is ~20 small kernels forward and ~6 backward besides its matMul; on
// wasm each costs more in the engine's bookkeeping than in arithmetic. These two kernels do a
// step's cell in one call each, calling wasm's own Add and Sigmoid straight, not through the
// engine. Their element-wise loops run in our own WebAssembly SIMD (../simd.wat) over the
// backend's heap where it can (H a multiple of 4), or else in JavaScript over heap views (as
// fast-split.ts does), ~8x slower. They run inside lstm-op.ts's custom-gradient op only, so they
// need no gradients of their own.
const CELL = 'TimbreLstmCell';
const CELL_GRAD = 'TimbreLstmCellGrad';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

// The SIMD loops for a cell of H units, if they run here.
function loopsFor(backend: WasmHeapBackend, H: number): SimdLoops | null {
  return H % 4 === 0 ? simdLoops(backend) : null;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

// One of wasm's own kernels, called straight, skipping the engine's bookkeeping: its SIMD Add over
// [32, 512] takes ~9 us where a JS loop takes ~70 us. The caller disposes the result.
function wasmKernel(backend: WasmHeapBackend, name: string, inputs: tf.NamedTensorInfoMap): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm')!;
  const args = { inputs, backend: backend as unknown as tf.KernelBackend, attrs: {} };
  return kernel.kernelFunc(args) as tf.TensorInfo;
}

// s = sigmoid(xp + mm), [B, 4H] in the internal gate order i, f, o, g (g's pre-activation
// doubled, see lstm-op.ts).
function gates(backend: WasmHeapBackend, xp: tf.TensorInfo, mm?: tf.TensorInfo): tf.TensorInfo {
  if (!mm) return wasmKernel(backend, 'Sigmoid', { x: xp });
  const z = wasmKernel(backend, 'Add', { a: xp, b: mm });
  const s = wasmKernel(backend, 'Sigmoid', { x: z });
  backend.disposeData(z.dataId);
  return s;
}

// c = f * c_prev + i * g (g = 2 * sg - 1), and 2c into u for tanh(c) = 2 * sigmoid(2c) - 1.
// Plain indexed loops: destructuring an element's gates costs more here than the arithmetic.
function newState(s: Float32Array, cPrev: Float32Array, c: Float32Array, u: Float32Array, H: number): void {
  for (let b = 0; b < c.length / H; b++)
    for (let j = 0; j < H; j++) {
      const r = b * 4 * H + j;
      const k = b * H + j;
      const v = s[r]! * (2 * s[r + 3 * H]! - 1) + s[r + H]! * cPrev[k]!;
      c[k] = v;
      u[k] = 2 * v;
    }
}

// h = o * tanh(c), from sc = sigmoid(2c).
function output(s: Float32Array, sc: Float32Array, h: Float32Array, H: number): void {
  for (let b = 0; b < h.length / H; b++)
    for (let j = 0; j < H; j++) h[b * H + j] = s[b * 4 * H + 2 * H + j]! * (2 * sc[b * H + j]! - 1);
}

// The tape's rows [P, K, F] (see `cell`).
function record(s: Float32Array, sc: Float32Array, cPrev: Float32Array, tape: Float32Array, H: number): void {
  for (let b = 0; b < cPrev.length / H; b++)
    for (let j = 0; j < H; j++) {
      const r = b * 4 * H + j;
      const k = b * H + j;
      const t = b * 6 * H + j;
      const i = s[r]!;
      const f = s[r + H]!;
      const o = s[r + 2 * H]!;
      const sg = s[r + 3 * H]!;
      const tc = 2 * sc[k]! - 1;
      tape[t] = i * (1 - i) * (2 * sg - 1);
      tape[t + H] = f * (1 - f) * cPrev[k]!;
      tape[t + 2 * H] = o * (1 - o) * tc;
      tape[t + 3 * H] = sg * (1 - sg) * 4 * i;
      tape[t + 4 * H] = o * (1 - tc * tc);
      tape[t + 5 * H] = f;
    }
}

// Forward step: inputs xp [B, 4H] (the step's input projection), mm = h_prev x W_h [B, 4H] and
// c [B, H] (both absent at the first step). Outputs c, h [B, H], and with attr record the step's
// tape [B, 6H]: P [4H], K [H], F [H] per row, where with D = s * (1 - s),
// P = D * [g, c_prev, tanh(c), 4i] (1 - g^2 = 4 D_g), K = o * (1 - tanh(c)^2) and F = f.
function cell(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const { xp, mm, c: cPrevInfo } = args.inputs;
  const [B, G] = xp!.shape as [number, number];
  const H = G / 4;
  const sInfo = gates(backend, xp!, mm);
  // Allocate every output before taking views: allocation may grow the heap and detach them.
  // h's buffer holds 2c until sigmoid(2c) is taken.
  const outs = [backend.makeOutput([B, H], 'float32'), backend.makeOutput([B, H], 'float32')];
  if (args.attrs!.record) outs.push(backend.makeOutput([B, 6 * H], 'float32'));
  const [cInfo, hInfo, tapeInfo] = outs as [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo?];
  const loops = loopsFor(backend, H);
  if (loops) {
    const at = (t?: tf.TensorInfo) => heapPointer(backend, t);
    loops.state(at(sInfo), at(cPrevInfo), at(cInfo), at(hInfo), B * H * 4, H * 4);
    const scInfo = wasmKernel(backend, 'Sigmoid', { x: hInfo });
    loops.output(at(sInfo), at(scInfo), at(cPrevInfo), at(hInfo), at(tapeInfo), B * H * 4, H * 4);
    backend.disposeData(sInfo.dataId);
    backend.disposeData(scInfo.dataId);
    return outs;
  }
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t);
  const cPrev = () => (cPrevInfo ? view(cPrevInfo) : new Float32Array(B * H));
  newState(view(sInfo), cPrev(), view(cInfo), view(hInfo), H);
  const scInfo = wasmKernel(backend, 'Sigmoid', { x: hInfo });
  output(view(sInfo), view(scInfo), view(hInfo), H);
  if (tapeInfo) record(view(sInfo), view(scInfo), cPrev(), view(tapeInfo), H);
  backend.disposeData(sInfo.dataId);
  backend.disposeData(scInfo.dataId);
  return outs;
}

// dz = [dc, dc, dh, dc] * P and dcOut = dc * F, with dc = dh * K + dcNext, row by row of the tape.
function gradRows(
  tape: Float32Array,
  dh: Float32Array,
  dcNext: Float32Array,
  dz: Float32Array,
  dcOut: Float32Array,
  H: number,
): void {
  for (let b = 0; b < dh.length / H; b++)
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const t = b * 6 * H + j;
      const z = b * 4 * H + j;
      const d = dh[k]!;
      const dc = d * tape[t + 4 * H]! + dcNext[k]!;
      dz[z] = dc * tape[t]!;
      dz[z + H] = dc * tape[t + H]!;
      dz[z + 2 * H] = d * tape[t + 2 * H]!;
      dz[z + 3 * H] = dc * tape[t + 3 * H]!;
      dcOut[k] = dc * tape[t + 5 * H]!;
    }
}

// dh = dOut + dhRec, either absent (as zeros).
function sum(size: number, a?: Float32Array, b?: Float32Array): Float32Array {
  const out = a ? a.slice() : new Float32Array(size);
  if (b) for (let k = 0; k < size; k++) out[k]! += b[k]!;
  return out;
}

// Backward step: from the tape [B, 6H] and dh's parts, dOut (the output's gradient; attr offset
// says where this step's starts in it) and dhRec (through the next step's matMul), and dcNext
// (the next step's dc * F, absent at the last step): dz [B, 4H] = [dc, dc, dh, dc] * P with
// dc = dh * K + dcNext, and with attr carry this step's dc * F for the step before.
function cellGrad(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const { tape, dOut, dhRec, dcNext } = args.inputs;
  const { offset, carry } = args.attrs as { offset: number; carry: boolean };
  const [B, H6] = tape!.shape as [number, number];
  const H = H6 / 6;
  const size = B * H;
  const outs = [backend.makeOutput([B, 4 * H], 'float32')];
  if (carry) outs.push(backend.makeOutput([B, H], 'float32'));
  const loops = loopsFor(backend, H);
  if (loops) {
    const at = (t?: tf.TensorInfo) => heapPointer(backend, t);
    const dOutAt = dOut ? at(dOut) + offset * 4 : 0;
    loops.grad(at(tape), dOutAt, at(dhRec), at(dcNext), at(outs[0]), at(outs[1]), size * 4, H * 4);
    return outs;
  }
  const view = (t?: tf.TensorInfo) => (t ? backend.typedArrayFromHeap(t) : undefined);
  const dh = sum(size, view(dOut)?.subarray(offset, offset + size), view(dhRec));
  const [dz, dcOut] = outs.map((t) => backend.typedArrayFromHeap(t)) as [Float32Array, Float32Array?];
  const dcIn = view(dcNext) ?? new Float32Array(size);
  gradRows(view(tape)!, dh, dcIn, dz, dcOut ?? new Float32Array(size), H);
  return outs;
}

/** Whether the fused cell's loops run in SIMD here for a cell of H units (on the wasm backend). */
export function lstmCellSimdHere(H: number): boolean {
  return tf.getBackend() === 'wasm' && loopsFor(tf.backend() as unknown as WasmHeapBackend, H) !== null;
}

/** Whether the fused LSTM cell kernels run here (the wasm backend), registering them the first time. */
export function lstmKernelsHere(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!tf.getKernel(CELL, 'wasm')) {
    tf.registerKernel({ kernelName: CELL, backendName: 'wasm', kernelFunc: cell as tf.KernelFunc });
    tf.registerKernel({ kernelName: CELL_GRAD, backendName: 'wasm', kernelFunc: cellGrad as tf.KernelFunc });
  }
  return true;
}

// Inputs of a kernel call without the absent ones.
function present(inputs: Record<string, tf.Tensor | undefined>): tf.NamedTensorMap {
  return Object.fromEntries(Object.entries(inputs).filter(([, t]) => t)) as tf.NamedTensorMap;
}

/** A forward step (wasm only): c, h and, when `record`, the step's tape; see `cell` above. */
export function lstmCellKernel(
  xp: tf.Tensor,
  mm: tf.Tensor | undefined,
  c: tf.Tensor | undefined,
  record: boolean,
): tf.Tensor[] {
  return tf.engine().runKernel(CELL, present({ xp, mm, c }), { record }) as tf.Tensor[];
}

/** A backward step (wasm only): dz and, when `carry`, dc * F; see `cellGrad` above. */
export function lstmCellGradKernel(
  tape: tf.Tensor,
  dOut: tf.Tensor | undefined,
  offset: number,
  dhRec: tf.Tensor | undefined,
  dcNext: tf.Tensor | undefined,
  carry: boolean,
): tf.Tensor[] {
  const inputs = present({ tape, dOut, dhRec, dcNext });
  return tf.engine().runKernel(CELL_GRAD, inputs, { offset, carry }) as tf.Tensor[];
}
