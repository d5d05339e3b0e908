import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { availableBackends, selectBackend } from '../../../../src-main/core/training/backend';
import { buildModel } from '../../../../src-main/core/training/models/build';
import { makeOptimizer, trainStep } from '../../../../src-main/core/training/step';
import type { Model, ModelSpec } from '../../../../src-main/core/training/models/types';

const SHAPE = { steps: 6, dims: 4 };

function spec(type: 'gru' | 'bgru', extra: Partial<ModelSpec> = {}): ModelSpec {
  return { type, hidden: 5, layers: 2, dropout: 0.1, activation: 'tanh', readout: 'last', ...extra };
}

/** Weights and eval-mode logits of a freshly built model on the current backend. */
function snapshot(model: Model): { weights: Record<string, Float32Array>; logits: number[][] } {
  const logits = tf.tidy(() => {
    const x = tf.tensor3d(
      Array.from({ length: 3 * SHAPE.steps * SHAPE.dims }, (_, i) => Math.sin(i)),
      [3, SHAPE.steps, SHAPE.dims],
    );
    return model.apply(x, false).arraySync();
  });
  const weights = model.getWeights();
  model.dispose();
  return { weights, logits };
}

/** 16 notes of 4 classes; class k lifts feature k at every step: separable by any model. */
function toyBatch(): { x: Float32Array; y: Int32Array } {
  const y = Int32Array.from({ length: 16 }, (_, i) => i % 4);
  const noise = tf.tidy(() =>
    tf.randomNormal([16, SHAPE.steps, SHAPE.dims], 0, 0.3, 'float32', 3).dataSync(),
  );
  const x = new Float32Array(noise);
  for (let n = 0; n < 16; n++) {
    for (let t = 0; t < SHAPE.steps; t++) x[(n * SHAPE.steps + t) * SHAPE.dims + y[n]!]! += 1.5;
  }
  return { x, y };
}

describe.each(availableBackends())('GRU models training on %s', (backend) => {
  it.each(['gru', 'bgru'] as const)(
    "%s learns a toy problem with the trainer's step, leaks no tensors, drops out only while training",
    async (type) => {
      await selectBackend(backend);
      const model = buildModel(
        spec(type, { dropout: 0.2, readout: type === 'gru' ? 'mean' : 'last' }),
        SHAPE,
        1,
      );
      const optimizer = makeOptimizer(tf, { optimizer: 'adam', lr: 0.02, momentum: 0 });
      const batch = toyBatch();
      const losses = [trainStep(tf, model, optimizer, batch).loss];
      // Adam's slots exist after the first step; every later step must leave the count as it was.
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 19; i++) losses.push(trainStep(tf, model, optimizer, batch).loss);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]!);
      tf.tidy(() => {
        const x = tf.tensor3d(batch.x, [16, SHAPE.steps, SHAPE.dims]);
        const [a, b, c] = [false, false, true].map((training) => model.apply(x, training).arraySync());
        expect(b).toEqual(a);
        expect(c).not.toEqual(a);
      });
      optimizer.dispose();
      model.dispose();
    },
  );
});

describe('GRU weights', () => {
  it.each(['gru', 'bgru'] as const)(
    '%s: the same seed gives the same weights on every backend, another seed does not',
    async (type) => {
      const runs: {
        backend: string;
        seed1: ReturnType<typeof snapshot>;
        seed2: ReturnType<typeof snapshot>;
      }[] = [];
      for (const backend of availableBackends()) {
        await selectBackend(backend);
        const seed1 = snapshot(buildModel(spec(type), SHAPE, 1));
        const seed2 = snapshot(buildModel(spec(type), SHAPE, 2));
        runs.push({ backend, seed1, seed2 });
      }
      expect(runs.map((r) => r.backend)).toEqual(expect.arrayContaining(['cpu', 'wasm']));
      const [first, ...others] = runs;
      expect(first!.seed2.weights).not.toEqual(first!.seed1.weights);
      for (const other of others) {
        expect(other.seed1.weights).toEqual(first!.seed1.weights);
        expect(other.seed2.weights).toEqual(first!.seed2.weights);
        // Same weights, so the same function up to the backends' float rounding.
        const diff = Math.max(
          ...other.seed1.logits.flat().map((v, i) => Math.abs(v - first!.seed1.logits.flat()[i]!)),
        );
        expect(diff).toBeLessThan(1e-5);
      }
    },
  );

  it("names every weight as PyTorch's nn.GRU holds it, in Keras layout", async () => {
    await selectBackend('cpu');
    const model = buildModel(spec('bgru'), SHAPE, 1);
    expect(model.namedWeights().map((w) => `${w.name} ${w.tensor.shape.join('x')}`)).toEqual([
      'gru.l0.kernel 4x15',
      'gru.l0.recurrent_kernel 5x15',
      'gru.l0.bias 15',
      'gru.l0.recurrent_bias 15',
      'gru.l0_reverse.kernel 4x15',
      'gru.l0_reverse.recurrent_kernel 5x15',
      'gru.l0_reverse.bias 15',
      'gru.l0_reverse.recurrent_bias 15',
      'gru.l1.kernel 10x15',
      'gru.l1.recurrent_kernel 5x15',
      'gru.l1.bias 15',
      'gru.l1.recurrent_bias 15',
      'gru.l1_reverse.kernel 10x15',
      'gru.l1_reverse.recurrent_kernel 5x15',
      'gru.l1_reverse.bias 15',
      'gru.l1_reverse.recurrent_bias 15',
      'fc.kernel 10x11',
      'fc.bias 11',
    ]);
    // PyTorch's init: every GRU weight uniform in ±1/sqrt(hidden).
    const bound = 1 / Math.sqrt(5);
    for (const w of model.namedWeights().filter((n) => n.name.startsWith('gru.'))) {
      const values = Array.from(w.tensor.dataSync());
      expect(Math.max(...values.map(Math.abs)), w.name).toBeLessThanOrEqual(bound);
    }
    model.dispose();
  });

  it('rejects GRU specs out of range with the schema-wide message', () => {
    expect(() => buildModel(spec('gru', { layers: 9 }), SHAPE, 1)).toThrow(/layers/);
    expect(() => buildModel(spec('bgru', { hidden: 0 }), SHAPE, 1)).toThrow(/hidden/);
  });
});
