import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import { errorKind } from '../errors';
import { heapPointer, simdLoops } from './simd';

/** The tfjs backends training can run on, fastest first. */
export type BackendName = 'node' | 'wasm' | 'cpu';

/** The backend a run uses, as recorded with the run. */
export interface SelectedBackend {
  name: BackendName;
  /** e.g. "tfjs-core 4.22.0, tfjs-backend-wasm 4.22.0 (simd, 1 thread)". */
  version: string;
  tf: typeof tfType;
}

/** A backend that was asked for by name but cannot run on this machine. */
export const BackendUnavailableError = errorKind('BackendUnavailableError', 'bad-argument');
export type BackendUnavailableError = InstanceType<typeof BackendUnavailableError>;

const require = createRequire(import.meta.url);
// Which tfjs backend each of our names registers under.
const TF_NAMES: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
let wasmLoading: Promise<string> | undefined;

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// tfjs loads on the first selectBackend (a training or evaluating thread), never on import: the
// CLI, the server and the app's main process list backends without paying for it.
let tfLoading: Promise<typeof tfType> | undefined;
function loadTf(): Promise<typeof tfType> {
  tfLoading ??= import('@tensorflow/tfjs');
  return tfLoading;
}

// The packages of the node backend, in the order tried: on a machine with a CUDA GPU and
// tfjs-node-gpu installed, training runs on the GPU; both register the same 'tensorflow' backend.
const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

async function loadNode(tf: typeof tfType): Promise<string> {
  const failures: string[] = [];
  for (const name of NODE_PACKAGES) {
    if (!installed(name)) continue;
    try {
      // Both are CommonJS packages; required by a name in a variable, which the bundler leaves be.
      require(name);
    } catch (err) {
      failures.push(`${name} did not load: ${reason(err)}`);
      continue;
    }
    // tfjs-node registers into its own copy of tfjs-core when npm did not dedupe them.
    if (!tf.findBackendFactory(TF_NAMES.node)) {
      failures.push(
        `${name} loaded but registered no backend with @tensorflow/tfjs ${tf.version_core}: their versions must match`,
      );
      continue;
    }
    return `${name.slice('@tensorflow/'.length)} ${packageVersion(name)}`;
  }
  throw new BackendUnavailableError(
    failures.length
      ? `the node backend could not start: ${failures.join('; ')}`
      : 'the node backend needs @tensorflow/tfjs-node (or tfjs-node-gpu), which is not installed',
  );
}

function installed(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

async function loadWasm(): Promise<string> {
  // setWasmPaths must run once, before the backend first initialises.
  wasmLoading ??= (async () => {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dist = path.join(
        path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
        'dist',
      );
      wasm.setWasmPaths(dist + path.sep);
      return `tfjs-backend-wasm ${wasm.version_wasm}`;
    } catch (err) {
      wasmLoading = undefined;
      throw new BackendUnavailableError(
        `the wasm backend needs @tensorflow/tfjs-backend-wasm, which did not load: ${reason(err)}`,
        { cause: err },
      );
    }
  })();
  return wasmLoading;
}

async function activate(tf: typeof tfType, name: BackendName): Promise<string> {
  const detail =
    name === 'node'
      ? await loadNode(tf)
      : name === 'wasm'
        ? await loadWasm()
        : `tfjs-backend-cpu ${packageVersion('@tensorflow/tfjs-backend-cpu')}`;
  let ok = false;
  try {
    ok = await tf.setBackend(TF_NAMES[name]);
    await tf.ready();
  } catch (err) {
    throw new BackendUnavailableError(`the ${name} backend failed to start: ${reason(err)}`, { cause: err });
  }
  if (!ok || tf.getBackend() !== TF_NAMES[name]) {
    throw new BackendUnavailableError(`the ${name} backend failed to start (tfjs kept ${tf.getBackend()})`);
  }
  if (name === 'wasm') {
    replaceWasmKernel(tf, 'Identity', sharedIdentity);
    replaceWasmKernel(tf, 'Transpose', simdTranspose);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `${detail} (${simd ? 'simd' : 'no simd'}, 1 thread)`;
  }
  return detail;
}

type IdentityArgs = { inputs: { x: tfType.TensorInfo }; backend: { incRef(dataId: tfType.DataId): void } };

// tfjs keeps every tensor a gradient will need (a recorded kernel's inputs, a customGrad's saves)
// through the Identity kernel, and tfjs-backend-wasm's Identity copies: a training step copied
// megabytes it never changes (an LSTM step 600 tapes, a CNN step its im2col matrices). Tensors
// never change after they are made, and the wasm backend counts references to its data (its own
// Reshape shares data this way), so this Identity shares the data, as tfjs-backend-cpu's does.
function sharedIdentity(stock: tfType.KernelFunc): tfType.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as IdentityArgs;
    const { x } = inputs;
    if (x.dtype === 'string') return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

type TransposeArgs = {
  inputs: { x: tfType.TensorInfo };
  backend: { makeOutput(shape: number[], dtype: 'float32'): tfType.TensorInfo };
  attrs: { perm: number[] };
};

// wasm's Transpose takes ~5 ns an element (a CNN's [3200, 800] im2col matrix, turned for its
// weight gradient: 15 ms). Ours (simd.wat) turns 4x4 blocks with SIMD shuffles, for the 2-D float
// transposes of our gradients (both sides multiples of 4); other transposes go to wasm's.
function simdTranspose(stock: tfType.KernelFunc): tfType.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as TransposeArgs;
    const { x } = inputs;
    const [rows, cols] = x.shape as [number, number];
    const plain = x.dtype === 'float32' && x.shape.length === 2 && attrs.perm[0] === 1 && rows * cols > 0;
    const loops = plain && rows % 4 === 0 && cols % 4 === 0 ? simdLoops(backend) : null;
    if (!loops) return stock(args);
    const out = backend.makeOutput([cols, rows], 'float32');
    loops.transpose(heapPointer(backend, x), heapPointer(backend, out), rows, cols);
    return out;
  };
}

// Marks our kernels, so that a second start of the backend (or a second copy of this module over
// the same tfjs) does not wrap them again.
const OURS = Symbol.for('timbre-workbench.kernel');

// Puts our kernel in place of one of wasm's, once per thread (it stays registered with tfjs).
function replaceWasmKernel(
  tf: typeof tfType,
  name: string,
  ours: (stock: tfType.KernelFunc) => tfType.KernelFunc,
): void {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel || OURS in kernel.kernelFunc) return;
  const kernelFunc = Object.assign(ours(kernel.kernelFunc), { [OURS]: true });
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...kernel, kernelFunc });
}

/** The backends whose packages are installed, fastest first, without loading any of them. */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  if (NODE_PACKAGES.some(installed)) out.push('node');
  if (installed('@tensorflow/tfjs-backend-wasm')) out.push('wasm');
  out.push('cpu');
  return out;
}

/**
 * Makes the fastest available backend current: tfjs-node (its GPU build where installed), else
 * wasm, else cpu. A forced
 * backend that cannot load throws BackendUnavailableError instead of falling back.
 */
export async function selectBackend(forced?: BackendName): Promise<SelectedBackend> {
  const order: BackendName[] = forced ? [forced] : ['node', 'wasm', 'cpu'];
  const failures: string[] = [];
  const tf = await loadTf();
  for (const name of order) {
    try {
      const detail = await activate(tf, name);
      return { name, version: `tfjs-core ${tf.version_core}, ${detail}`, tf };
    } catch (err) {
      if (forced) throw err;
      failures.push(reason(err));
    }
  }
  throw new BackendUnavailableError(`no tfjs backend could start: ${failures.join('; ')}`);
}
