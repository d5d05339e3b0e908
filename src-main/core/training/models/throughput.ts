import * as tf from '@tensorflow/tfjs';
import { buildModel } from './build';
import { makeOptimizer, trainStep, type OptimizerSpec } from './train';
import type { InputShape, ModelSpec } from './types';

/** Training speed of one model on the current backend. */
export interface Throughput {
  /** tfjs's name of the backend measured ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
  batch: number;
  /** Timed training steps (after the warm-up ones). */
  steps: number;
  samplesPerSecond: number;
  msPerStep: number;
}

/**
 * Times `steps` training steps (after `warmup` untimed ones) of a freshly built model on random
 * data with the current backend, Adam at the seed's 0.0008 unless told otherwise.
 */
export function measureThroughput(
  spec: ModelSpec,
  shape: InputShape,
  batch: number,
  steps: number,
  options: { warmup?: number; seed?: number; optimizer?: OptimizerSpec } = {},
): Throughput {
  const seed = options.seed ?? 0;
  const model = buildModel(spec, shape, seed);
  const optimizer = makeOptimizer(options.optimizer ?? { kind: 'adam', lr: 0.0008 });
  const x = tf.randomNormal([batch, shape.steps, shape.dims], 0, 1, 'float32', seed) as tf.Tensor3D;
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % model.classes),
    'int32',
  );
  try {
    for (let i = 0; i < (options.warmup ?? 2); i++) trainStep(model, optimizer, x, y);
    const start = performance.now();
    for (let i = 0; i < steps; i++) trainStep(model, optimizer, x, y);
    const ms = performance.now() - start;
    return {
      backend: tf.getBackend(),
      batch,
      steps,
      samplesPerSecond: (steps * batch * 1000) / ms,
      msPerStep: ms / steps,
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
