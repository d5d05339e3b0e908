import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/training';
import { DataParallel } from '../data-parallel';
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

/** The seed's optimizer: Adam at 0.0008. */
const SEED_OPTIMIZER: OptimizerConfig = { optimizer: 'adam', lr: 0.0008, momentum: 0 };

/** A batch of random inputs (from `seed`) with every class in turn as its labels. */
function randomBatch(shape: InputShape, batch: number, classes: number, seed: number) {
  const noise = tf.randomNormal([batch, shape.steps, shape.dims], 0, 1, 'float32', seed);
  const data = {
    x: noise.dataSync() as Float32Array,
    y: Int32Array.from({ length: batch }, (_, i) => i % classes),
  };
  noise.dispose();
  return data;
}

/** Runs `step` `steps` times and says how fast that was. */
function timed(batch: number, steps: number, step: () => void): Throughput {
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ms = performance.now() - start;
  return {
    backend: tf.getBackend(),
    batch,
    steps,
    samplesPerSecond: (steps * batch * 1000) / ms,
    msPerStep: ms / steps,
  };
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
  const optimizer = makeOptimizer(tf, options.optimizer ?? SEED_OPTIMIZER);
  const data = randomBatch(shape, batch, model.classes, seed);
  try {
    // The trainer's own step, so the speed measured is the speed the app trains at.
    for (let i = 0; i < (options.warmup ?? 2); i++) trainStep(tf, model, optimizer, data);
    return timed(batch, steps, () => trainStep(tf, model, optimizer, data));
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

// tfjs's backend names, as our settings spell them.
const OUR_NAMES: Record<string, BackendName> = { tensorflow: 'node', wasm: 'wasm', cpu: 'cpu' };

/** A model trained data-parallel on `workers` threads (this one leading), timed on demand. */
export interface ParallelThroughput {
  /** Times `steps` steps after `warmup` untimed ones, as measureThroughput does. */
  measure(steps: number, warmup?: number): Throughput;
  /** The leader's time per timed step so far, ms: copying the batch in, its own part's gradients, waiting for the others', summing them, applying the step. */
  profile(): { step: number; copyIn: number; part: number; wait: number; sum: number; apply: number };
  close(): Promise<void>;
}

/**
 * measureThroughput's twin for data-parallel training: the trainer's own split step across
 * `workers` threads on the current backend (this thread is the first), on random data.
 */
export async function parallelThroughput(
  spec: ModelSpec,
  shape: InputShape,
  batch: number,
  workers: number,
  options: { seed?: number; optimizer?: OptimizerConfig } = {},
): Promise<ParallelThroughput> {
  const seed = options.seed ?? 0;
  const model = buildModel(spec, shape, seed);
  const optimizerConfig = options.optimizer ?? SEED_OPTIMIZER;
  const optimizer = makeOptimizer(tf, optimizerConfig);
  const data = randomBatch(shape, batch, model.classes, seed);
  let group: DataParallel;
  try {
    group = await DataParallel.start(tf, {
      workers,
      model,
      optimizer,
      optimizerConfig,
      aids: {},
      seed,
      maxBatch: batch,
      backend: OUR_NAMES[tf.getBackend()],
    });
  } catch (err) {
    optimizer.dispose();
    model.dispose();
    throw err;
  }
  // A new thread's wasm code is compiled lazily and optimised in the background: a few steps first.
  for (let i = 0; i < 3; i++) group.step(data);
  const sums = { steps: 0, total: 0, copyIn: 0, part: 0, wait: 0, sum: 0, apply: 0 };
  return {
    profile() {
      const per = (ms: number) => Number((ms / Math.max(1, sums.steps)).toFixed(1));
      return {
        step: per(sums.total),
        copyIn: per(sums.copyIn),
        part: per(sums.part),
        wait: per(sums.wait),
        sum: per(sums.sum),
        apply: per(sums.apply),
      };
    },
    measure(steps, warmup = 1) {
      for (let i = 0; i < warmup; i++) group.step(data);
      const before = { ...group.timings };
      const result = timed(batch, steps, () => group.step(data));
      for (const k of Object.keys(sums) as (keyof typeof sums)[]) sums[k] += group.timings[k] - before[k];
      return result;
    },
    async close() {
      await group.close();
      optimizer.dispose();
      model.dispose();
    },
  };
}
