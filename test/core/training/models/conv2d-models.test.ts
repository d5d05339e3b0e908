import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, selectBackend } from '../../../../src-main/core/training/backend';
import { buildModel, validateSpec } from '../../../../src-main/core/training/models/build';
import { im2col2d, maxPool2 } from '../../../../src-main/core/training/models/conv2d';
import { makeOptimizer, trainStep, type StepBatch } from '../../../../src-main/core/training/step';
import type { Model, ModelSpec } from '../../../../src-main/core/training/models/types';
import { relativeError } from './reference';

// 16 steps of 16 bands: averaged to 8 x 8, then two blocks' 2x2 pools leave 2 x 2.
const SHAPE = { steps: 16, dims: 16 };

function spec(type: string, extra: Partial<ModelSpec> = {}): ModelSpec {
  return { type, hidden: 4, layers: 2, dropout: 0.1, activation: 'relu', readout: 'mean', ...extra };
}

/** 16 notes of 4 classes; class k lifts bands 4k..4k+3 at every step: separable by any model. */
function toyBatch(): StepBatch {
  const y = Int32Array.from({ length: 16 }, (_, i) => i % 4);
  const noise = tf.tidy(() =>
    tf.randomNormal([16, SHAPE.steps, SHAPE.dims], 0, 0.3, 'float32', 3).dataSync(),
  );
  const x = new Float32Array(noise);
  for (let n = 0; n < 16; n++)
    for (let t = 0; t < SHAPE.steps; t++)
      for (const b of [0, 1, 2, 3].map((i) => 4 * y[n]! + i))
        x[(n * SHAPE.steps + t) * SHAPE.dims + b]! += 1.5;
  return { x, y };
}

const input = (batch: number) =>
  tf.tensor3d(
    Array.from({ length: batch * SHAPE.steps * SHAPE.dims }, (_, i) => Math.sin(i * 0.7)),
    [batch, SHAPE.steps, SHAPE.dims],
  );

const shapes = (m: Model) => m.namedWeights().map((w) => `${w.name} ${w.tensor.shape.join('x')}`);

const LEARNERS: ModelSpec[] = [
  spec('cnn2d'),
  spec('cnn2d', { readout: 'last', activation: 'tanh' }),
  spec('cnn2d', { readout: 'attention' }),
  spec('crnn', { hidden: 6, layers: 1, readout: 'max' }),
  spec('crnn', { hidden: 6, layers: 2, readout: 'last' }),
  spec('crnn', { hidden: 6, layers: 1, readout: 'attention' }),
  spec('lstm', { hidden: 6, readout: 'attention' }),
  spec('blstm', { hidden: 6, layers: 1, readout: 'attention' }),
  spec('gru', { hidden: 6, readout: 'attention' }),
  spec('bgru', { hidden: 6, layers: 1, readout: 'attention' }),
  spec('cnn', { hidden: 6, readout: 'attention' }),
];

describe.each(availableBackends())('2-D CNN, CRNN and attention readouts on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  // Every kind on wasm (what the app trains on); on cpu, slow for convolutions, the two new models once.
  const learners =
    backend === 'wasm'
      ? LEARNERS
      : LEARNERS.filter((s) => s.readout === 'attention' && s.type.startsWith('c'));
  it.each(learners.map((s) => [`${s.type} (${s.readout}, ${s.activation})`, s] as const))(
    '%s learns a toy problem without leaking tensors',
    (_, s) => {
      const model = buildModel(s, SHAPE, 1, 4);
      const optimizer = makeOptimizer(tf, { optimizer: 'adam', lr: 0.02, momentum: 0 });
      const batch = toyBatch();
      const losses = [trainStep(tf, model, optimizer, batch).loss];
      // Adam's slots exist after the first step; every later step must leave the count as it was.
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 24; i++) losses.push(trainStep(tf, model, optimizer, batch).loss);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
      optimizer.dispose();
      model.dispose();
    },
  );
});

describe('the 2-D models and the attention readout on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('a cnn2d names its weights, doubles its filters per block and exposes its readout as the embedding', () => {
    const model = buildModel(spec('cnn2d', { layers: 3, readout: 'attention' }), SHAPE, 1, 11);
    expect(shapes(model)).toEqual([
      'conv0.kernel 9x4',
      'conv0.bias 4',
      'conv1.kernel 36x8',
      'conv1.bias 8',
      'conv2.kernel 72x16',
      'conv2.bias 16',
      // One step and one band left of 16 x 16: 16 filters per step.
      'attention.kernel 16x1',
      'attention.bias 1',
      'fc.kernel 16x11',
      'fc.bias 11',
    ]);
    const count = model.variables.reduce((n, v) => n + v.size, 0);
    expect(count).toBe(36 + 4 + 288 + 8 + 1152 + 16 + 17 + 187);
    tf.tidy(() => {
      const x = input(3);
      const embedding = model.embed(x);
      expect(embedding.shape).toEqual([3, 16]);
      // The logits are the dense head on the embedding (no dropout outside training).
      const [kernel, bias] = [model.namedWeights().at(-2)!.tensor, model.namedWeights().at(-1)!.tensor];
      const head = tf.add(tf.matMul(embedding, kernel), bias);
      expect(relativeError(model.apply(x, false), head)).toBeLessThan(1e-5);
    });
    model.dispose();
  });

  it('a crnn names its conv and LSTM weights; the same seed builds the same weights and outputs', () => {
    const s = spec('crnn', { hidden: 5, layers: 2, readout: 'last' });
    const [a, b, c] = [1, 1, 2].map((seed) => buildModel(s, SHAPE, seed, 3));
    expect(shapes(a!)).toEqual([
      'conv0.kernel 9x16',
      'conv0.bias 16',
      'conv1.kernel 144x32',
      'conv1.bias 32',
      // 2 steps of 2 bands x 32 filters left.
      'lstm.l0.kernel 64x20',
      'lstm.l0.recurrent_kernel 5x20',
      'lstm.l0.bias 20',
      'lstm.l1.kernel 5x20',
      'lstm.l1.recurrent_kernel 5x20',
      'lstm.l1.bias 20',
      'fc.kernel 5x3',
      'fc.bias 3',
      'lstm.l0.recurrent_bias 20',
      'lstm.l1.recurrent_bias 20',
    ]);
    expect(a!.getWeights()).toEqual(b!.getWeights());
    expect(a!.getWeights()).not.toEqual(c!.getWeights());
    tf.tidy(() => {
      expect(a!.apply(input(2), false).arraySync()).toEqual(b!.apply(input(2), false).arraySync());
      expect(a!.embed(input(2)).shape).toEqual([2, 5]);
    });
    // Weights round-trip into a model of another seed, which then answers the same.
    c!.setWeights(a!.getWeights());
    expect(c!.getWeights()).toEqual(a!.getWeights());
    tf.tidy(() => {
      expect(c!.apply(input(2), false).arraySync()).toEqual(a!.apply(input(2), false).arraySync());
    });
    [a, b, c].forEach((m) => m!.dispose());
  });

  it('attention with a zero score weighs every step alike: the mean readout', () => {
    for (const type of ['lstm', 'bgru', 'cnn2d', 'crnn', 'cnn']) {
      const attention = buildModel(spec(type, { readout: 'attention', hidden: 4 }), SHAPE, 5, 3);
      const mean = buildModel(spec(type, { readout: 'mean', hidden: 4 }), SHAPE, 5, 3);
      const weights = attention.getWeights();
      mean.setWeights(
        Object.fromEntries(Object.entries(weights).filter(([name]) => !name.startsWith('attention.'))),
      );
      tf.tidy(() => {
        const x = input(2);
        // With its initial score the weighting differs from the mean (a little: few steps).
        expect(relativeError(attention.embed(x), mean.embed(x)), type).toBeGreaterThan(1e-5);
        attention.setWeights({ 'attention.kernel': new Float32Array(weights['attention.kernel']!.length) });
        expect(relativeError(attention.embed(x), mean.embed(x)), type).toBeLessThan(1e-6);
      });
      attention.dispose();
      mean.dispose();
    }
  });

  it('refuses inputs too small to pool', () => {
    expect(() => validateSpec(spec('cnn2d', { layers: 4 }), SHAPE)).toThrow(
      /a 2-D CNN with 4 blocks needs at least 32 time steps and 32 values per step, the input has 16 x 16/,
    );
    expect(() => validateSpec(spec('crnn'), { steps: 100, dims: 3 })).toThrow(/a CRNN with 2 blocks needs/);
    expect(() => validateSpec(spec('cnn2d', { hidden: 129 }), SHAPE)).toThrow(/hidden/);
  });
});

describe('2-D im2col convolution on cpu', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('matches tf.conv2d and its gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
      const r = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 7);
      const ours = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.reshape(
              tf.matMul(tf.reshape(im2col2d(xx as tf.Tensor4D, 3), [60, 27]), tf.reshape(ww, [27, 4])),
              [2, 5, 6, 4],
            ),
            r,
          ),
        );
      const stock = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'), r));
      const [a, b] = [tf.grads(ours)([x, w]), tf.grads(stock)([x, w])];
      expect(relativeError(ours(x, w), stock(x, w))).toBeLessThan(1e-5);
      a.forEach((g, i) => expect(relativeError(g, b[i]!)).toBeLessThan(1e-5));
    });
  });
});

describe('the wasm kernels of the 2-D convolution and pooling', () => {
  // A tensor of `shape` whose value i is f(i): inputs and weights that differ everywhere.
  const filled = (shape: [number, number, number, number], f: (i: number) => number) =>
    tf.tensor4d(
      Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => f(i)),
      shape,
    );
  // Value and input gradient of a 3x3 and a 5x1 im2col and a 2x2 and a 2x1 max pool, with the
  // backend's path (tf ops on cpu): on wasm, in our SIMD (the pooling where C is a multiple of 4)
  // or else JavaScript.
  function run(): number[][] {
    return tf.tidy(() => {
      const x = filled([2, 5, 7, 3], (i) => Math.sin(i * 1.3));
      const r = filled([2, 5, 7, 27], (i) => Math.cos(i * 0.3));
      const q = filled([2, 2, 3, 3], (i) => Math.cos(i));
      const conv = (a: tf.Tensor) => tf.sum(tf.mul(im2col2d(a as tf.Tensor4D, 3), r));
      const pool = (a: tf.Tensor) => tf.sum(tf.mul(maxPool2(a as tf.Tensor4D), q));
      // The 1-D CNN's: 5 x 1 taps and windows of 2 x 1 (over H only).
      const r1 = filled([2, 5, 7, 15], (i) => Math.cos(i * 0.3));
      const conv1 = (a: tf.Tensor) => tf.sum(tf.mul(im2col2d(a as tf.Tensor4D, [5, 1]), r1));
      const q1 = filled([2, 2, 7, 3], (i) => Math.cos(i * 0.3));
      const pool1 = (a: tf.Tensor) => tf.sum(tf.mul(maxPool2(a as tf.Tensor4D, 1), q1));
      // Frames wide enough for the block copy im2col makes of the 1-D CNN's (160 raw samples).
      const wide = filled([2, 6, 1, 40], (i) => Math.sin(i * 0.7));
      const rw = filled([2, 6, 1, 200], (i) => Math.cos(i * 0.11));
      const convWide = (a: tf.Tensor) => tf.sum(tf.mul(im2col2d(a as tf.Tensor4D, [5, 1]), rw));
      // Channels in fours (the SIMD pooling's) and values with ties: each window's first maximum.
      const x8 = filled([2, 5, 7, 8], (i) => Math.round(Math.sin(i * 1.3) * 2));
      const r8 = filled([2, 5, 7, 72], (i) => Math.cos(i * 0.07));
      const conv8 = (a: tf.Tensor) => tf.sum(tf.mul(im2col2d(a as tf.Tensor4D, 3), r8));
      const q8 = filled([2, 2, 3, 8], (i) => Math.cos(i));
      const pool8 = (a: tf.Tensor) => tf.sum(tf.mul(maxPool2(a as tf.Tensor4D), q8));
      const q81 = filled([2, 2, 7, 8], (i) => Math.cos(i * 0.3));
      const pool81 = (a: tf.Tensor) => tf.sum(tf.mul(maxPool2(a as tf.Tensor4D, 1), q81));
      return [
        ...[conv, pool, conv1, pool1].flatMap((f) => [f(x), tf.grad(f)(x)]),
        ...[conv8, pool8, pool81].flatMap((f) => [f(x8), tf.grad(f)(x8)]),
        convWide(wide),
        tf.grad(convWide)(wide),
      ].map((t) => Array.from(t.dataSync()));
    });
  }

  it('match the tf ops they stand for (cpu), values and gradients', async () => {
    await selectBackend('cpu');
    const stock = run();
    await selectBackend('wasm');
    const ours = run();
    ours.forEach((values, i) => {
      expect(values.length).toBe(stock[i]!.length);
      values.forEach((v, j) => expect(Math.abs(v - stock[i]![j]!)).toBeLessThan(1e-4));
    });
  });
});
