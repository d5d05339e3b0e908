// The training aids of issue 14: learning-rate schedules, gradient clipping, AdamW's decoupled weight
// decay and label smoothing, each against what PyTorch's own does; and one tiny run with all of them.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/core/training/backend';
import { buildModel } from '../../../src-main/core/training/models/build';
import type { ModelSpec } from '../../../src-main/core/training/models/types';
import { learningRateAt, type ScheduleConfig } from '../../../src-main/core/training/schedule';
import {
  crossEntropy,
  learningRateOf,
  makeOptimizer,
  setLearningRate,
  trainStep,
  type StepBatch,
} from '../../../src-main/core/training/step';
import { Workbench } from '../../../src-main/core/workbench';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

const rates = (c: ScheduleConfig, perEpoch: number) =>
  Array.from({ length: c.epochs * perEpoch }, (_, s) => learningRateAt(c, s, perEpoch));

describe('learning-rate schedules', () => {
  const base: ScheduleConfig = { lr: 0.01, schedule: 'constant', warmup: 0, epochs: 4 };

  it('keeps the rate constant, or steps it x0.1 at half and three quarters of the run', () => {
    expect(new Set(rates(base, 5))).toEqual(new Set([0.01]));
    const step = rates({ ...base, schedule: 'step' }, 5);
    expect(step.slice(0, 10).every((r) => r === 0.01)).toBe(true);
    expect(step.slice(10, 15).every((r) => Math.abs(r - 0.001) < 1e-15)).toBe(true);
    expect(step.slice(15).every((r) => Math.abs(r - 0.0001) < 1e-15)).toBe(true);
  });

  it('follows a cosine from the rate down towards 0', () => {
    const r = rates({ ...base, schedule: 'cosine' }, 5);
    expect(r[0]).toBe(0.01);
    // Halfway: half the rate (PyTorch's CosineAnnealingLR with T_max the run's steps).
    expect(r[10]).toBeCloseTo(0.005, 12);
    expect(r.at(-1)!).toBeCloseTo(0.005 * (1 + Math.cos((Math.PI * 19) / 20)), 12);
    for (let i = 1; i < r.length; i++) expect(r[i]!).toBeLessThan(r[i - 1]!);
  });

  it('runs one cycle as PyTorch OneCycleLR: up from lr/25 over 30 % of the steps, down to lr/250000', () => {
    const r = rates({ ...base, epochs: 10, schedule: 'onecycle' }, 10);
    // PyTorch's steps: the peak at step 0.3 x 100 - 1, the end at step 99.
    expect(r[0]).toBeCloseTo(0.01 / 25, 12);
    expect(r[29]).toBeCloseTo(0.01, 12);
    expect(r.indexOf(Math.max(...r))).toBe(29);
    expect(r[14.5 | 0]).toBeLessThan(0.01);
    expect(r.at(-1)!).toBeCloseTo(0.01 / 25 / 1e4, 15);
    expect(r[29 + 35]).toBeCloseTo((0.01 + 0.01 / 25 / 1e4) / 2, 12);
  });

  it('warms up linearly over its epochs, then runs the schedule over the steps left; a step always gets the same rate', () => {
    const c: ScheduleConfig = { ...base, epochs: 3, warmup: 1, schedule: 'cosine' };
    const r = rates(c, 4);
    expect(r.slice(0, 4)).toEqual([0.0025, 0.005, 0.0075, 0.01]);
    expect(r[4]).toBe(0.01);
    expect(r.slice(4).every((x, i, a) => i === 0 || x < a[i - 1]!)).toBe(true);
    // As a resumed run computes it, from the step alone.
    expect(learningRateAt(c, 9, 4)).toBe(r[9]);
    // Warm-up as long as the run: nothing but warm-up.
    expect(rates({ ...c, warmup: 5 }, 2)).toEqual([1, 2, 3, 4, 5, 6].map((k) => (0.01 * k) / 6));
  });
});

const SHAPE = { steps: 4, dims: 5 };
const spec: ModelSpec = {
  type: 'mlp',
  hidden: 6,
  layers: 1,
  dropout: 0,
  activation: 'relu',
  readout: 'last',
};

function batch(): StepBatch {
  const y = Int32Array.from({ length: 8 }, (_, i) => i % 3);
  const x = Float32Array.from({ length: 8 * SHAPE.steps * SHAPE.dims }, (_, i) => Math.sin(i * 1.7) * 2);
  return { x, y };
}

type Weights = Record<string, Float32Array>;

/** The Euclidean distance between two sets of weights. */
const norm = (a: Weights, b: Weights) =>
  Math.sqrt(Object.keys(a).reduce((s, k) => s + a[k]!.reduce((t, x, i) => t + (x - b[k]![i]!) ** 2, 0), 0));

describe('step aids', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it("clips the gradients' global norm as clip_grad_norm_: SGD then moves the weights lr x clip", () => {
    const moved = (clip: number) => {
      const model = buildModel(spec, SHAPE, 5);
      const before = model.getWeights();
      trainStep(tf, model, makeOptimizer(tf, { optimizer: 'sgd', lr: 0.1, momentum: 0 }), batch(), { clip });
      const d = norm(model.getWeights(), before);
      model.dispose();
      return d;
    };
    const free = moved(0);
    expect(free).toBeGreaterThan(0.01);
    expect(moved(0.05)).toBeCloseTo(0.1 * 0.05, 5);
    // A limit above the norm changes nothing.
    expect(moved(1000)).toBeCloseTo(free, 6);
  });

  it("decays AdamW's weights by lr x decay before the Adam update, not through the gradients", () => {
    const after = (optimizer: 'adam' | 'adamw', weightDecay: number) => {
      const model = buildModel(spec, SHAPE, 6);
      const opt = makeOptimizer(tf, { optimizer, lr: 0.01, momentum: 0 });
      trainStep(tf, model, opt, batch(), { weightDecay, decoupled: optimizer === 'adamw' });
      const w = model.getWeights();
      model.dispose();
      return w;
    };
    const initial = buildModel(spec, SHAPE, 6).getWeights();
    const plain = after('adam', 0);
    const decoupled = after('adamw', 0.5);
    for (const k of Object.keys(initial)) {
      const worst = Math.max(
        ...decoupled[k]!.map((w, i) => Math.abs(w - (plain[k]![i]! - initial[k]![i]! * 0.01 * 0.5))),
      );
      expect(worst).toBeLessThan(1e-6);
    }
    // Coupled (Adam's weight_decay), the decay goes through Adam's scaling: another result.
    const coupled = after('adam', 0.5);
    expect(norm(coupled, decoupled)).toBeGreaterThan(1e-4);
  });

  it("smooths the training targets as PyTorch's label_smoothing", () => {
    const logits = tf.tensor2d([
      [2, 0.5, -1],
      [0, 1, 3],
    ]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const s = 0.2;
    const logp = tf.logSoftmax(logits).arraySync() as number[][];
    const expected =
      [0, 2]
        .map((t, i) => -logp[i]!.reduce((sum, lp, k) => sum + ((k === t ? 1 - s : 0) + s / 3) * lp, 0))
        .reduce((a, b) => a + b) / 2;
    expect(crossEntropy(tf, logits, labels, s).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(crossEntropy(tf, logits, labels, 0).dataSync()[0]).toBeCloseTo(
      -(logp[0]![0]! + logp[1]![2]!) / 2,
      5,
    );
  });

  it('sets the rate of Adam and of SGD for their next steps', () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const opt = makeOptimizer(tf, { optimizer, lr: 0.1, momentum: 0 });
      setLearningRate(opt, 0.02);
      expect(learningRateOf(opt)).toBe(0.02);
    }
    // SGD moves by the new rate.
    const model = buildModel(spec, SHAPE, 7);
    const [a, b] = [0.1, 0.02].map((lr) => {
      const m = buildModel(spec, SHAPE, 7);
      const before = m.getWeights();
      const opt = makeOptimizer(tf, { optimizer: 'sgd', lr: 0.1, momentum: 0 });
      setLearningRate(opt, lr);
      trainStep(tf, m, opt, batch());
      const d = norm(m.getWeights(), before);
      m.dispose();
      return d;
    });
    expect(b! / a!).toBeCloseTo(0.2, 5);
    model.dispose();
  });
});

describe('a run with every aid', () => {
  let wb: Workbench;
  let cleanup: () => void;
  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    wb = new Workbench({ home: t.dir });
  });
  afterAll(async () => {
    await wb.close();
    cleanup();
  });

  it('trains with one-cycle after a warm-up, clipping, AdamW and label smoothing, and records them', async () => {
    const dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
    const run = await wb.createRun({
      preset: 'logmel-mlp',
      overrides: {
        epochs: 3,
        batch: 16,
        model: { hidden: 16, layers: 1 },
        features: { seconds: 0.5, nMels: 16, maxPerFamily: 3 },
        optimizer: 'adamw',
        weightDecay: 0.01,
        schedule: 'onecycle',
        warmup: 1,
        clip: 1,
        labelSmoothing: 0.1,
      },
      dataset,
      backend: 'cpu',
    });
    const done = await wb.waitForRun(run.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('finished');
    expect(done.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    for (const h of done.history) expect(Number.isFinite(h.trainLoss)).toBe(true);
    expect(done.config).toMatchObject({
      optimizer: 'adamw',
      schedule: 'onecycle',
      warmup: 1,
      clip: 1,
      labelSmoothing: 0.1,
    });
    expect(done.params).toMatchObject({ schedule: 'onecycle', warmup: 1, clip: 1, labelSmoothing: 0.1 });
  });
});
