import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm's Slice/SplitV/Unpack kernels first copy the WHOLE input out of the wasm heap
// (readSync) for every piece, so cutting a [100, 32, 512] tensor into its 100 steps costs ~200 ms.
// These two kernels copy only the pieces, straight from heap views, like its own Concat does.
// They run inside custom-gradient ops only, so they need no gradients of their own.
const UNSTACK = 'TimbreUnstackLeading';
const SPLIT = 'TimbreSplitLast';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function unstackKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const n = x.shape[0]!;
  const shape = x.shape.slice(1);
  // Allocate every output first: allocation may grow the heap, which detaches earlier views.
  const outs = Array.from({ length: n }, () => backend.makeOutput(shape, 'float32'));
  const src = backend.typedArrayFromHeap(x);
  const size = src.length / n;
  outs.forEach((out, i) => backend.typedArrayFromHeap(out).set(src.subarray(i * size, (i + 1) * size)));
  return outs;
}

function splitKernel(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const x = args.inputs.x!;
  const backend = args.backend as WasmHeapBackend;
  const parts = args.attrs!.parts as number;
  const width = x.shape[x.shape.length - 1]!;
  const w = width / parts;
  const outs = Array.from({ length: parts }, () =>
    backend.makeOutput([...x.shape.slice(0, -1), w], 'float32'),
  );
  const src = backend.typedArrayFromHeap(x);
  const rows = src.length / width;
  outs.forEach((out, p) => {
    const dst = backend.typedArrayFromHeap(out);
    for (let r = 0; r < rows; r++) dst.set(src.subarray(r * width + p * w, r * width + p * w + w), r * w);
  });
  return outs;
}

function onWasm(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!tf.getKernel(UNSTACK, 'wasm')) {
    tf.registerKernel({
      kernelName: UNSTACK,
      backendName: 'wasm',
      kernelFunc: unstackKernel as tf.KernelFunc,
    });
    tf.registerKernel({ kernelName: SPLIT, backendName: 'wasm', kernelFunc: splitKernel as tf.KernelFunc });
  }
  return true;
}

/** Splits a float32 tensor along its first axis into x.shape[0] tensors (tf.unstack, fast on wasm). */
export function unstackLeading(x: tf.Tensor): tf.Tensor[] {
  if (x.dtype !== 'float32' || !onWasm()) return tf.unstack(x);
  return tf.engine().runKernel<tf.Tensor[]>(UNSTACK, { x });
}

/** Splits a float32 tensor along its last axis into `parts` equal tensors (tf.split, fast on wasm). */
export function splitLast(x: tf.Tensor, parts: number): tf.Tensor[] {
  if (x.dtype !== 'float32' || !onWasm()) return tf.split(x, parts, x.rank - 1);
  return tf.engine().runKernel<tf.Tensor[]>(SPLIT, { x }, { parts });
}
