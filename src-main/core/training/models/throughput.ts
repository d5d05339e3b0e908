import * as tf from '@tensorflow/tfjs';
import { buildModel } from './build';
import { makeOptimizer, trainStep, type OptimizerConfig } from '../step';
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
  options: { warmup?: number; seed?: number; optimizer?: OptimizerConfig } = {},
): Throughput {
  const seed = options.seed ?? 0;
  const model = buildModel(spec, shape, seed);
  const optimizer = makeOptimizer(tf, options.optimizer ?? { optimizer: 'adam', lr: 0.0008, momentum: 0 });
  const noise = tf.randomNormal([batch, shape.steps, shape.dims], 0, 1, 'float32', seed);
  const data = {
    x: noise.dataSync() as Float32Array,
    y: Int32Array.from({ length: batch }, (_, i) => i % model.classes),
  };
  noise.dispose();
  try {
    // The trainer's own step, so the speed measured is the speed the app trains at.
    for (let i = 0; i < (options.warmup ?? 2); i++) trainStep(tf, model, optimizer, data);
    const start = performance.now();
    for (let i = 0; i < steps; i++) trainStep(tf, model, optimizer, data);
    const ms = performance.now() - start;
    return {
      backend: tf.getBackend(),
      batch,
      steps,
      samplesPerSecond: (steps * batch * 1000) / ms,
      msPerStep: ms / steps,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
