import { SIMD_WASM } from './simd-wasm';

/**
 * simd.wat's functions. Pointers are byte offsets in the wasm backend's heap (0: a tensor of
 * zeros); the LSTM cell's n is B * H * 4 and h is H * 4 (bytes).
 */
export interface SimdLoops {
  transpose(src: number, dst: number, rows: number, cols: number): void;
  im2col(
    x: number,
    cols: number,
    B: number,
    H: number,
    W: number,
    C: number,
    kh: number,
    kw: number,
    back: number,
  ): void;
  maxpool(
    x: number,
    y: number,
    dx: number,
    B: number,
    H: number,
    W: number,
    C: number,
    pw: number,
    back: number,
  ): void;
  state(s: number, cPrev: number, c: number, u: number, n: number, h: number): void;
  output(s: number, sc: number, cPrev: number, hOut: number, tape: number, n: number, h: number): void;
  grad(
    tape: number,
    dOut: number,
    dhRec: number,
    dcNext: number,
    dz: number,
    dcOut: number,
    n: number,
    h: number,
  ): void;
}

// A tensor as the backend sees it.
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

// What is needed here of tfjs-backend-wasm's backend.
interface WasmHeapBackend {
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  /** The backend's Emscripten module: its exports hold the heap's WebAssembly.Memory. */
  wasm?: { asm?: { memory?: unknown } };
}

// The parts of the WebAssembly API used here (our types are Node's, which leave it to the DOM's).
interface WasmApi {
  Memory: abstract new (...args: never[]) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const loopsOf = new WeakMap<object, SimdLoops | null>();

/**
 * Our SIMD loops over a wasm backend's own memory, instantiated once per backend (so once per
 * thread); null where they cannot be (a backend without that memory, a WebAssembly without SIMD).
 */
export function simdLoops(wasmBackend: object): SimdLoops | null {
  const backend = wasmBackend as WasmHeapBackend;
  let loops = loopsOf.get(backend);
  if (loops !== undefined) return loops;
  loops = null;
  const memory = backend.wasm?.asm?.memory;
  if (memory instanceof Wasm.Memory) {
    try {
      const bytes = Uint8Array.from(atob(SIMD_WASM), (ch) => ch.charCodeAt(0));
      const instance = new Wasm.Instance(new Wasm.Module(bytes), { env: { memory } });
      loops = instance.exports as unknown as SimdLoops;
    } catch {
      loops = null;
    }
  }
  loopsOf.set(backend, loops);
  return loops;
}

/** A tensor's byte offset in the backend's heap (0, zeros, for an absent one). */
export function heapPointer(wasmBackend: object, t?: TensorInfo): number {
  return t ? (wasmBackend as WasmHeapBackend).typedArrayFromHeap(t).byteOffset : 0;
}
