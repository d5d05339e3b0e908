// The class-balanced loss against PyTorch's definition, and tiny runs with every augmentation and
// each class balance, trained by the app on the tiny set it renders.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, weightedCrossEntropy } from '../../../src-main/core/training/step';
import { Workbench } from '../../../src-main/core/workbench';
import { describeOptimizer } from '../../../src-main/core/reports/describe';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

describe('the class-weighted loss', () => {
  const logits = tf.tensor2d([
    [2, 0.5, -1],
    [0.1, 0.2, 0.3],
    [-1, 3, 0],
  ]);
  const labels = [0, 2, 1];
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D;
  const logSoftmax = logits.logSoftmax().arraySync() as number[][];

  it("is PyTorch's CrossEntropyLoss(weight): sum of w[y] x loss over sum of w[y]", () => {
    const w = Float32Array.from([0.5, 2, 1]);
    const losses = labels.map((y, i) => -logSoftmax[i]![y]!);
    const want =
      losses.reduce((s, l, i) => s + w[labels[i]!]! * l, 0) / labels.reduce((s, y) => s + w[y]!, 0);
    expect(weightedCrossEntropy(tf, logits, onehot, 0, w).dataSync()[0]).toBeCloseTo(want, 5);
  });

  it('is the plain cross-entropy without weights, smoothing included', () => {
    const y = tf.tensor1d(labels, 'int32');
    for (const s of [0, 0.1]) {
      expect(weightedCrossEntropy(tf, logits, onehot, s).dataSync()[0]).toBeCloseTo(
        crossEntropy(tf, logits, y, s).dataSync()[0]!,
        5,
      );
    }
  });

  it("takes mixup's soft targets: the mixed loss is the mix of the two losses", () => {
    const soft = tf.tensor2d([
      [0.7, 0.3, 0],
      [0, 0.4, 0.6],
      [0.2, 0.8, 0],
    ]);
    const want =
      [0, 1, 2]
        .map((i) => {
          const t = (soft.arraySync() as number[][])[i]!;
          return -t.reduce((s, v, c) => s + v * logSoftmax[i]![c]!, 0);
        })
        .reduce((a, b) => a + b) / 3;
    expect(weightedCrossEntropy(tf, logits, soft).dataSync()[0]).toBeCloseTo(want, 5);
  });
});

describe('runs with augmentation and class balance', () => {
  let wb: Workbench;
  let cleanup: () => void;
  let dataset: number;
  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    wb = new Workbench({ home: t.dir });
    dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
  });
  afterAll(async () => {
    await wb.close();
    cleanup();
  });

  const base = {
    epochs: 2,
    batch: 16,
    model: { hidden: 16, layers: 1 },
    features: { seconds: 0.5, nMels: 16, maxPerFamily: 3 },
  };

  it('trains with every augmentation and class weights, evaluates over 3 clips, records them and describes them', async () => {
    const aug = {
      shift: 0.5,
      gain: 6,
      pitch: 2,
      timeMasks: 2,
      timeMaskWidth: 5,
      freqMasks: 2,
      freqMaskWidth: 4,
      mixup: 0.3,
      balance: 'weights' as const,
      evalClips: 3,
    };
    // Standardized features: under logmel-mlp's per-clip scaling a gain would change nothing.
    const run = await wb.createRun({
      preset: 'logmel-mlp',
      overrides: { ...base, ...aug, features: { ...base.features, normalization: 'standard' } },
      dataset,
      backend: 'cpu',
    });
    const done = await wb.waitForRun(run.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('finished');
    expect(done.history.map((h) => h.epoch)).toEqual([1, 2]);
    for (const h of done.history) {
      expect(Number.isFinite(h.trainLoss)).toBe(true);
      expect(h.valAccuracy).not.toBeNull();
    }
    expect(done.config).toMatchObject(aug);
    expect(done.params).toMatchObject(aug);
    expect(done.testAccuracy).not.toBeNull();
    expect(describeOptimizer(done)).toBe(
      'adam lr 0.0008, balance weights, augmented: start +0.5 s, gain ±6 dB, pitch ±2 st, 2 time masks ≤5, 2 freq masks ≤4, mixup 0.3, evaluated over 3 clips, last 5 epochs averaged',
    );
    // The saved model reads the 0.5 s window (32 steps of hop 256), though its features were
    // computed over 1.09 s (the random start's 0.5 s, and the 0.5 s played back 2 semitones faster); `timbre test` can evaluate it on features of 0.5 s.
    const best = done.models.find((m) => m.kind === 'best')!;
    const topology = JSON.parse(fs.readFileSync(path.join(best.dir, 'model.json'), 'utf8')).modelTopology;
    expect(topology.features.seconds).toBe(0.5);
    expect(topology.inputShape.steps).toBe(32);
    const tested = await wb.testModel({ model: best.dir, dataset, split: 'test', backend: 'cpu' });
    expect(tested.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('trains with family-balanced sampling, and the same seed gives the same losses, dropout included', async () => {
    const train = async () => {
      const run = await wb.createRun({
        preset: 'logmel-mlp',
        overrides: {
          ...base,
          model: { ...base.model, dropout: 0.3 },
          balance: 'sampling',
          pitch: 1,
          timeMasks: 1,
        },
        dataset,
        backend: 'cpu',
      });
      const done = await wb.waitForRun(run.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe('finished');
      return done;
    };
    const first = await train();
    expect((await train()).history.map((h) => h.trainLoss)).toEqual(first.history.map((h) => h.trainLoss));
    // The pitch shift reads a longer clip than the model: `timbre test` on the saved model reads
    // it as the run's own test did (the same clip, cut the same way, the same normalization), so
    // it finds the same accuracy, confusion and loss.
    const best = first.models.find((m) => m.kind === 'best')!;
    const topology = JSON.parse(fs.readFileSync(path.join(best.dir, 'model.json'), 'utf8')).modelTopology;
    expect(topology.features.seconds).toBe(0.5);
    expect(topology.cacheFeatures.seconds).toBeGreaterThan(0.5);
    const tested = await wb.testModel({ model: best.dir, dataset, split: 'test', backend: 'cpu' });
    expect(tested.accuracy).toBe(first.testAccuracy);
    const own = first.evaluations.find((e) => e.split === 'test' && e.weights === 'best')!;
    expect(tested.confusion).toEqual(own.confusion);
    expect(tested.loss).toBeCloseTo(own.loss, 6);
  });
});
