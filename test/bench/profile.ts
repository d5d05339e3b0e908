// Where one training step of our LSTM spends its time on the wasm backend (issue 6): the small
// per-step matMuls, the rest of the kernels, and the matMuls' speed in GFLOP/s.
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../src-main/core/training/models/types';

/** A step's time by kind of kernel. */
export interface StepProfile {
  step_ms: number;
  kernels: number;
  matmul: { calls: number; ms: number; gflop_per_s: number };
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
        gflop_per_s: Number((mmFlops / mmMs / 1e6).toFixed(1)),
      },
      other_ms: Number((ms(leaves) - mmMs).toFixed(1)),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
