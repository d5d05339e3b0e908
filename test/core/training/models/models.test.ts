import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src-main/core/training/backend';
import {
  buildModel,
  InvalidModelSpecError,
  validateSpec,
} from '../../../../src-main/core/training/models/build';
import { im2col1d } from '../../../../src-main/core/training/models/cnn';
import { splitLast, unstackLeading } from '../../../../src-main/core/training/models/fast-split';
import { measureThroughput } from '../../../../src-main/core/training/models/throughput';
import { makeOptimizer, trainStep, type StepBatch } from '../../../../src-main/core/training/step';
import type { ModelSpec } from '../../../../src-main/core/training/models/types';
import { relativeError } from './reference';

const SHAPE = { steps: 8, dims: 6 };

function spec(type: ModelSpec['type'], extra: Partial<ModelSpec> = {}): ModelSpec {
  return { type, hidden: 8, layers: 2, dropout: 0.1, activation: 'relu', readout: 'last', ...extra };
}

/**
 * 16 notes of 4 classes, as the feature cache gives a batch; class k lifts feature k at every
 * step: separable by any model.
 */
function toyBatch(): StepBatch {
  const y = Int32Array.from({ length: 16 }, (_, i) => i % 4);
  const x = tf.tidy(() => {
    const lift = tf.reshape(tf.oneHot(tf.tensor1d(y, 'int32'), SHAPE.dims), [16, 1, SHAPE.dims]);
    const noise = tf.randomNormal([16, SHAPE.steps, SHAPE.dims], 0, 0.3, 'float32', 3);
    return tf.add(noise, tf.mul(lift, 1.5));
  });
  const batch = { x: x.dataSync() as Float32Array, y };
  x.dispose();
  return batch;
}

const adam = (lr: number) => makeOptimizer(tf, { optimizer: 'adam', lr, momentum: 0 });
const sgd = (lr: number, momentum = 0) => makeOptimizer(tf, { optimizer: 'sgd', lr, momentum });

const TYPES: ModelSpec[] = [
  spec('mlp'),
  spec('cnn', { readout: 'mean' }),
  spec('cnn', { readout: 'last', activation: 'tanh' }),
  spec('lstm'),
  spec('blstm', { readout: 'max' }),
];

describe.each(['wasm', 'cpu'] as const)('models on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(TYPES.map((s) => [`${s.type} (${s.readout}, ${s.activation})`, s] as const))(
    '%s learns a toy problem without leaking tensors',
    (_, s) => {
      const model = buildModel(s, SHAPE, 1);
      const optimizer = adam(0.02);
      const batch = toyBatch();
      const step = () => trainStep(tf, model, optimizer, batch).loss;
      const losses = [step()];
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) losses.push(step());
      // Adam's slots exist after the first step; every later step must leave the count as it was.
      expect(tf.memory().numTensors).toBe(tensors);
      for (let i = 0; i < 14; i++) losses.push(step());
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
      optimizer.dispose();
      model.dispose();
    },
  );

  it('trains with SGD + momentum and weight decay', () => {
    const model = buildModel(spec('cnn', { readout: 'max' }), SHAPE, 2);
    const optimizer = sgd(0.1, 0.9);
    const batch = toyBatch();
    const losses = Array.from(
      { length: 15 },
      () => trainStep(tf, model, optimizer, batch, { weightDecay: 1e-3 }).loss,
    );
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
    model.dispose();
  });

  it("applies weight decay as PyTorch's SGD does: w -= lr * (grad + decay * w)", () => {
    const [plain, decayed] = [0, 0.5].map((decay) => {
      const model = buildModel(spec('mlp', { dropout: 0 }), SHAPE, 3);
      trainStep(tf, model, sgd(0.1), toyBatch(), { weightDecay: decay });
      const w = model.getWeights();
      model.dispose();
      return w;
    });
    const initial = buildModel(spec('mlp', { dropout: 0 }), SHAPE, 3);
    for (const [name, w0] of Object.entries(initial.getWeights())) {
      const expected = Array.from(w0, (v, i) => plain[name]![i]! - 0.1 * 0.5 * v);
      expect(Array.from(decayed[name]!).every((v, i) => Math.abs(v - expected[i]!) < 1e-6)).toBe(true);
    }
    initial.dispose();
  });

  it('measures throughput without leaking', () => {
    const before = tf.memory().numTensors;
    const r = measureThroughput(spec('lstm'), SHAPE, 4, 2, { warmup: 1 });
    expect(r).toMatchObject({ backend, batch: 4, steps: 2 });
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the fast split kernels agree with tf.unstack and tf.split', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 3, 8]);
      unstackLeading(x).forEach((t, i) => expect(relativeError(t, tf.unstack(x)[i]!)).toBe(0));
      splitLast(x, 4).forEach((t, i) => expect(relativeError(t, tf.split(x, 4, 2)[i]!)).toBe(0));
    });
  });
});

describe('determinism and weights', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('the same seed gives the same weights and outputs, another seed does not', () => {
    for (const s of TYPES) {
      const [a, b, c] = [1, 1, 2].map((seed) => buildModel(s, SHAPE, seed));
      expect(a!.getWeights()).toEqual(b!.getWeights());
      expect(a!.getWeights()).not.toEqual(c!.getWeights());
      tf.tidy(() => {
        const x = tf.randomNormal([3, SHAPE.steps, SHAPE.dims], 0, 1, 'float32', 4) as tf.Tensor3D;
        expect(a!.apply(x, false).arraySync()).toEqual(b!.apply(x, false).arraySync());
      });
      [a, b, c].forEach((m) => m!.dispose());
    }
  });

  it('names every weight and round-trips them through getWeights/setWeights', () => {
    const a = buildModel(spec('blstm'), SHAPE, 1);
    const b = buildModel(spec('blstm'), SHAPE, 9);
    expect(a.namedWeights().map((w) => `${w.name} ${w.tensor.shape.join('x')}`)).toEqual([
      'lstm.l0.kernel 6x32',
      'lstm.l0.recurrent_kernel 8x32',
      'lstm.l0.bias 32',
      'lstm.l0_reverse.kernel 6x32',
      'lstm.l0_reverse.recurrent_kernel 8x32',
      'lstm.l0_reverse.bias 32',
      'lstm.l1.kernel 16x32',
      'lstm.l1.recurrent_kernel 8x32',
      'lstm.l1.bias 32',
      'lstm.l1_reverse.kernel 16x32',
      'lstm.l1_reverse.recurrent_kernel 8x32',
      'lstm.l1_reverse.bias 32',
      'fc.kernel 16x11',
      'fc.bias 11',
      // PyTorch's b_hh, after the others (see init.ts, UniformOptions.added).
      'lstm.l0.recurrent_bias 32',
      'lstm.l0_reverse.recurrent_bias 32',
      'lstm.l1.recurrent_bias 32',
      'lstm.l1_reverse.recurrent_bias 32',
    ]);
    b.setWeights(a.getWeights());
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(() => b.setWeights({ 'fc.bias': [1, 2] })).toThrow(/needs 11 values/);
    expect(() => b.setWeights({ nope: [1] })).toThrow(/no weight named "nope"/);
    a.dispose();
    b.dispose();
  });

  it('rejects specs and inputs it cannot build', () => {
    expect(() => validateSpec(spec('lstm', { hidden: 0 }), SHAPE)).toThrow(InvalidModelSpecError);
    expect(() => validateSpec(spec('cnn', { layers: 4 }), SHAPE)).toThrow(/at least 16 time steps/);
    expect(() => validateSpec(spec('mlp', { dropout: 1 }), SHAPE)).toThrow(/dropout/);
    const model = buildModel(spec('mlp'), SHAPE, 1);
    expect(() => model.apply(tf.zeros([2, 7, 6]) as tf.Tensor3D, false)).toThrow(
      /expects input \[batch, 8, 6\]/,
    );
    model.dispose();
  });
});

describe('im2col convolution on cpu', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('matches tf.conv1d and its gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
      const w = tf.randomNormal([5, 3, 4], 0, 1, 'float32', 6) as tf.Tensor3D;
      const r = tf.randomNormal([2, 9, 4], 0, 1, 'float32', 7);
      const ours = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.reshape(
              tf.matMul(tf.reshape(im2col1d(xx as tf.Tensor3D, 5), [18, 15]), tf.reshape(ww, [15, 4])),
              [2, 9, 4],
            ),
            r,
          ),
        );
      const stock = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv1d(xx as tf.Tensor3D, ww as tf.Tensor3D, 1, 'same'), r));
      const [a, b] = [tf.grads(ours)([x, w]), tf.grads(stock)([x, w])];
      expect(relativeError(ours(x, w), stock(x, w))).toBeLessThan(1e-5);
      a.forEach((g, i) => expect(relativeError(g, b[i]!)).toBeLessThan(1e-5));
    });
  });
});

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

// On machines where tfjs-node is present it is (rightly) chosen; these check the fallback.
describe.skipIf(installed('@tensorflow/tfjs-node'))('selectBackend without tfjs-node', () => {
  it('falls back past the missing tfjs-node and records versions', async () => {
    const chosen = await selectBackend();
    expect(chosen.name).not.toBe('node');
    expect(chosen.version).toMatch(/^tfjs-core 4\.\d+\.\d+, /);
    expect(chosen.tf.getBackend()).toBe(chosen.name === 'node' ? 'tensorflow' : chosen.name);
  });

  it('refuses a forced backend that cannot load, saying what is missing', async () => {
    await expect(selectBackend('node')).rejects.toThrow(/needs @tensorflow\/tfjs-node/);
    const wasm = await selectBackend('wasm');
    expect(wasm.version).toMatch(/tfjs-backend-wasm 4\.\d+\.\d+ \((no )?simd, 1 thread\)/);
  });
});
