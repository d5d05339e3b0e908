import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src-main/core/training/backend';
import { buildModel } from '../../../../src-main/core/training/models/build';
import type { Model, ModelSpec } from '../../../../src-main/core/training/models/types';
import { makeOptimizer, trainStep } from '../../../../src-main/core/training/step';

const SHAPE = { steps: 5, dims: 3 };
const SPEC: ModelSpec = {
  type: 'lstm',
  hidden: 4,
  layers: 1,
  dropout: 0,
  activation: 'relu',
  readout: 'last',
};

// The bias the gates see: every weight of the layer whose name ends in "bias" summed (b_ih + b_hh).
function gateBias(model: Model): Float32Array {
  const parts = model.namedWeights().filter((w) => /^lstm\.l0\.(recurrent_)?bias$/.test(w.name));
  const sum = new Float32Array(parts[0]!.tensor.size);
  for (const p of parts) p.tensor.dataSync().forEach((v, i) => (sum[i]! += v));
  return sum;
}

describe('LSTM biases as PyTorch keeps them (b_ih and b_hh)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it("each bias takes Adam's step, so the gates' bias moves 2 x lr on the first step, as PyTorch's does", () => {
    // Adam's first step is lr * g / (|g| + eps) = ±lr per element: PyTorch moves b_ih and b_hh so
    // each, their sum by 2 lr. One summed bias moved it by lr: the seed-lstm learned slower than
    // PyTorch from the same start on the same batches (docs/parity.md).
    const lr = 0.01;
    const model = buildModel(SPEC, SHAPE, 3, 4);
    const optimizer = makeOptimizer(tf, { optimizer: 'adam', lr, momentum: 0 });
    const before = gateBias(model);
    const x = Float32Array.from({ length: 8 * SHAPE.steps * SHAPE.dims }, (_, i) => Math.sin(i * 1.7));
    trainStep(tf, model, optimizer, { x, y: Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]) });
    const moved = gateBias(model).map((v, i) => Math.abs(v - before[i]!));
    for (const m of moved) expect(m).toBeCloseTo(2 * lr, 4);
    optimizer.dispose();
    model.dispose();
  });

  it('a model saved with one summed bias (before recurrent_bias) loads as the same model', () => {
    const a = buildModel(SPEC, SHAPE, 1, 4);
    const b = buildModel(SPEC, SHAPE, 2, 4);
    const old = a.getWeights();
    const hh = old['lstm.l0.recurrent_bias']!;
    old['lstm.l0.bias'] = old['lstm.l0.bias']!.map((v, i) => v + hh[i]!);
    delete old['lstm.l0.recurrent_bias'];
    b.setWeights(old);
    expect(Array.from(b.getWeights()['lstm.l0.recurrent_bias']!)).toEqual([...Array<number>(16).fill(0)]);
    tf.tidy(() => {
      const x = tf.randomNormal([2, SHAPE.steps, SHAPE.dims], 0, 1, 'float32', 5) as tf.Tensor3D;
      const diff = tf.max(tf.abs(tf.sub(a.apply(x, false), b.apply(x, false)))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-6);
    });
    a.dispose();
    b.dispose();
  });
});
