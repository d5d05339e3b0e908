// Where one training step of our LSTM spends its time on the wasm backend (issue 6): the small
// per-step matMuls, the rest of the kernels, and the matMuls' speed in GFLOP/s.
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../src-main/core/training/models/types';

/** A step's time by kind of kernel. */
export interface StepProfile {
  step_ms: number;
  kernels: number;
  /** The step's matMuls: how many, their time, their work (GFLOP) and its rate. */
  matmul: { calls: number; ms: number; gflop: number; gflop_per_s: number };
  other_ms: number;
}

// Wrappers around other kernels (custom gradients, composite ops): their time is their children's.
const COMPOSITE = (name: string) => name === 'unnamed scope' || name.endsWith('__op');

function flops(inputShapes: number[][]): number {
  const [a, b] = inputShapes as [number[], number[]];
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1);
  return 2 * batch * a[a.length - 2]! * a[a.length - 1]! * b[b.length - 1]!;
}

/** Profiles one training step of a model at a shape and batch (after a warm-up step). */
export async function profileStep(
  spec: ModelSpec,
  shape: { steps: number; dims: number },
  batch: number,
): Promise<StepProfile> {
  const { buildModel } = await import('../../src-main/core/training/models/index');
  const { makeOptimizer, trainStep } = await import('../../src-main/core/training/step');
  const model = buildModel(spec, shape, 0);
  const optimizer = makeOptimizer(tf, { optimizer: 'adam', lr: 0.0008, momentum: 0 });
  const noise = tf.randomNormal([batch, shape.steps, shape.dims], 0, 1, 'float32', 0);
  // The trainer's own step, on a batch as the feature cache gives it.
  const data = {
    x: noise.dataSync() as Float32Array,
    y: Int32Array.from({ length: batch }, (_, i) => i % model.classes),
  };
  noise.dispose();
  try {
    trainStep(tf, model, optimizer, data);
    const t0 = performance.now();
    trainStep(tf, model, optimizer, data);
    const stepMs = performance.now() - t0;
    const info = await tf.profile(() => void trainStep(tf, model, optimizer, data));
    const leaves = info.kernels.filter((k) => !COMPOSITE(k.name));
    const mm = leaves.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul');
    const ms = (ks: typeof leaves) => ks.reduce((s, k) => s + Number(k.kernelTimeMs || 0), 0);
    const mmMs = ms(mm);
    const mmFlops = mm.reduce((s, k) => s + flops(k.inputShapes), 0);
    return {
      step_ms: Number(stepMs.toFixed(1)),
      kernels: leaves.length,
      matmul: {
        calls: mm.length,
        ms: Number(mmMs.toFixed(1)),
        gflop: Number((mmFlops / 1e9).toFixed(3)),
        gflop_per_s: Number((mmFlops / mmMs / 1e6).toFixed(1)),
      },
      other_ms: Number((ms(leaves) - mmMs).toFixed(1)),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

// The shapes matMulPeak and matMulPeakTogether time.
const PEAK_SHAPES = [
  [3200, 800, 64],
  [3200, 160, 512],
  [512, 512, 512],
] as const;

/**
 * The fastest matMul rate of this backend on one thread here, GFLOP/s: the best of a few shapes
 * our models multiply (a 5-tap conv's im2col by 64 filters, an LSTM's input projection, a square).
 */
export function matMulPeak(): { gflop_per_s: number; shape: string } {
  let best = { gflop_per_s: 0, shape: '' };
  for (const [m, k, n] of PEAK_SHAPES) {
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
    // Not tf.tidy(() => ....dataSync()): tidy walks a returned typed array element by element.
    const once = () => {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    };
    once();
    const reps = Math.max(3, Math.round(3e9 / (2 * m * k * n)));
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      once();
      times.push(performance.now() - t0);
    }
    a.dispose();
    b.dispose();
    // The fastest repetition: the rate the kernel reaches when nothing else gets in its way.
    const rate = (2 * m * k * n) / Math.min(...times) / 1e6;
    if (rate > best.gflop_per_s)
      best = { gflop_per_s: Number(rate.toFixed(1)), shape: `${m}x${k} by ${k}x${n}` };
  }
  return best;
}

// A worker's part of matMulPeakTogether: its own wasm backend, then the same matMuls as matMulPeak
// once every thread is ready (a barrier on shared memory), each shape's fastest repetition posted.
const TOGETHER_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const tf = require(workerData.tfjs);
const wasm = require(workerData.wasm);
(async () => {
  wasm.setWasmPaths(workerData.wasmDist);
  await tf.setBackend('wasm');
  await tf.ready();
  const ready = new Int32Array(workerData.barrier);
  const rates = [];
  for (const [round, [m, k, n]] of workerData.shapes.entries()) {
    const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
    const b = tf.randomNormal([k, n], 0, 1, 'float32', 2);
    const once = () => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
    once();
    // Every thread has counted itself in for this shape: the count only grows, so none waits forever.
    Atomics.add(ready, 0, 1);
    for (let seen; (seen = Atomics.load(ready, 0)) < workerData.threads * (round + 1); ) Atomics.wait(ready, 0, seen, 5);
    let fastest = Infinity;
    const reps = Math.max(3, Math.round(3e9 / (2 * m * k * n)));
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      once();
      fastest = Math.min(fastest, performance.now() - t0);
    }
    a.dispose();
    b.dispose();
    rates.push((2 * m * k * n) / fastest / 1e6);
  }
  parentPort.postMessage(rates);
})();
`;

/**
 * The backend's matMul rate with `threads` threads multiplying at once, GFLOP/s summed over them:
 * each thread times the same shapes as matMulPeak, all starting each shape together; the shape of
 * the highest sum. Below `threads` x matMulPeak when the cores share what the kernel needs.
 */
export async function matMulPeakTogether(
  threads: number,
): Promise<{ gflop_per_s: number; per_thread: number[]; shape: string }> {
  const { Worker } = await import('node:worker_threads');
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  // Resolved from the project, as the bench's own imports are, and handed over as paths.
  const modules = {
    tfjs: require.resolve('@tensorflow/tfjs'),
    wasm: require.resolve('@tensorflow/tfjs-backend-wasm'),
    wasmDist:
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') +
      path.sep,
  };
  const barrier = new SharedArrayBuffer(4);
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number[]>((resolve, reject) => {
          const w = new Worker(TOGETHER_WORKER, {
            eval: true,
            workerData: { barrier, threads, shapes: PEAK_SHAPES, ...modules },
          });
          w.once('message', (r: number[]) => {
            resolve(r);
            void w.terminate();
          });
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`a matMul thread exited with code ${code}`)));
        }),
    ),
  );
  let best = { gflop_per_s: 0, per_thread: [] as number[], shape: '' };
  PEAK_SHAPES.forEach(([m, k, n], i) => {
    const each = rates.map((r) => Number(r[i]!.toFixed(1)));
    const sum = each.reduce((s, v) => s + v, 0);
    if (sum > best.gflop_per_s)
      best = { gflop_per_s: Number(sum.toFixed(1)), per_thread: each, shape: `${m}x${k} by ${k}x${n}` };
  });
  return best;
}
