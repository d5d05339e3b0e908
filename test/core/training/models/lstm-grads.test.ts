import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src-main/core/training/backend';
import { buildModel } from '../../../../src-main/core/training/models/build';
import { lstmCellSimdHere } from '../../../../src-main/core/training/models/lstm-kernels';
import { lstmDirection } from '../../../../src-main/core/training/models/lstm-op';
import type { ModelSpec } from '../../../../src-main/core/training/models/types';
import { ceLoss, lossAndGrads, relativeError, stockLstm, stockRecurrent } from './reference';

// Small shapes: the point is exactness against tfjs-layers, not speed.
const T = 8;
const B = 4;
const I = 6;

// On wasm, 5 units run the fused cell's JavaScript loops and 8 its SIMD loops (H a multiple of 4).
describe.each([
  ['cpu', 5],
  ['wasm', 5],
  ['wasm', 8],
] as const)('hand-written LSTM gradients on %s, %i units', (backend, H) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ])('one direction (reverse %s, last output only %s) matches tf.layers.lstm', (reverse, outputLast) => {
    tf.tidy(() => {
      const x = tf.variable(tf.randomNormal([B, T, I], 0, 1, 'float32', 1));
      const kernel = tf.variable(tf.randomNormal([I, 4 * H], 0, 0.5, 'float32', 2));
      const recurrent = tf.variable(tf.randomNormal([H, 4 * H], 0, 0.5, 'float32', 3));
      const bias = tf.variable(tf.randomNormal([4 * H], 0, 0.5, 'float32', 4));
      const weights = outputLast
        ? tf.randomNormal([B, H], 0, 1, 'float32', 5)
        : tf.randomNormal([B, T, H], 0, 1, 'float32', 5);

      const ours = () => {
        const out = lstmDirection(
          tf.transpose(x, [1, 0, 2]) as tf.Tensor3D,
          kernel as tf.Tensor2D,
          recurrent as tf.Tensor2D,
          bias as tf.Tensor1D,
          {
            reverse,
            outputLast,
            inputGrad: true,
          },
        );
        return tf.sum(tf.mul(outputLast ? out : tf.transpose(out, [1, 0, 2]), weights)) as tf.Scalar;
      };
      const layer = stockLstm(H, true, reverse);
      layer.apply(tf.zeros([1, T, I]));
      layer.setWeights([kernel, recurrent, bias]);
      const stockVars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const stock = () => {
        // goBackwards returns its outputs in processing order; put them back in time order.
        let seq = layer.apply(x) as tf.Tensor;
        if (reverse) seq = tf.reverse(seq, 1);
        const out = outputLast ? tf.reshape(tf.slice(seq, [0, T - 1, 0], [-1, 1, -1]), [B, H]) : seq;
        return tf.sum(tf.mul(out, weights)) as tf.Scalar;
      };

      const a = lossAndGrads(ours, [x, kernel, recurrent, bias]);
      const b = lossAndGrads(stock, [x, ...stockVars]);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(b.loss)));
      a.grads.forEach((g, i) => expect(relativeError(g, b.grads[i]!)).toBeLessThan(1e-4));
      tf.dispose([x, kernel, recurrent, bias]);
    });
  });

  it.each([
    ['lstm', 'last'],
    ['lstm', 'max'],
    ['blstm', 'last'],
    ['blstm', 'mean'],
  ] as const)('a 2-layer %s model with readout %s matches the same net of stock layers', (type, readout) => {
    const spec: ModelSpec = { type, hidden: H, layers: 2, dropout: 0, activation: 'tanh', readout };
    const model = buildModel(spec, { steps: T, dims: I }, 7);
    tf.tidy(() => {
      const stock = stockRecurrent(model);
      const x = tf.randomNormal([B, T, I], 0, 1, 'float32', 8) as tf.Tensor3D;
      const y = tf.tensor1d([0, 3, 10, 3], 'int32');
      const a = lossAndGrads(
        ceLoss((v) => model.apply(v, true), x, y),
        model.variables,
      );
      const b = lossAndGrads(ceLoss(stock.logits, x, y), stock.variables);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4 * b.loss);
      const names = model.namedWeights().map((w) => w.name);
      a.grads.forEach((g, i) =>
        expect(relativeError(g, b.grads[stock.stockIndex[i]!]!), names[i]).toBeLessThan(1e-4),
      );
    });
    model.dispose();
  });
});

describe('hand-written LSTM on wasm', () => {
  const H = 8;
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it("runs the cell's loops in SIMD where H is a multiple of 4, in JavaScript elsewhere", () => {
    expect(lstmCellSimdHere(8)).toBe(true);
    expect(lstmCellSimdHere(128)).toBe(true);
    expect(lstmCellSimdHere(5)).toBe(false);
  });

  // The cpu and wasm runs above check the values of both paths; this checks that wasm takes its own.
  it.each([
    [false, false],
    [true, true],
  ])(
    'runs each step as one fused kernel each way (reverse %s, last output only %s), leaving no buffer behind',
    async (reverse, outputLast) => {
      const x = tf.randomNormal([T, B, I], 0, 1, 'float32', 1) as tf.Tensor3D;
      const weights = [
        tf.variable(tf.randomNormal([I, 4 * H], 0, 0.5, 'float32', 2)),
        tf.variable(tf.randomNormal([H, 4 * H], 0, 0.5, 'float32', 3)),
        tf.variable(tf.randomNormal([4 * H], 0, 0.5, 'float32', 4)),
      ] as const;
      const [kernel, recurrent, bias] = weights;
      const before = tf.backend().numDataIds();
      const info = await tf.profile(() => {
        const loss = () =>
          tf.sum(
            lstmDirection(x, kernel as tf.Tensor2D, recurrent as tf.Tensor2D, bias as tf.Tensor1D, {
              reverse,
              outputLast,
              inputGrad: true,
            }),
          ) as tf.Scalar;
        const { value, grads } = tf.variableGrads(loss, [...weights]);
        tf.dispose([value, ...Object.values(grads)]);
      });
      const count = (name: string) => info.kernels.filter((k) => k.name === name).length;
      const steps = reverse && outputLast ? 1 : T;
      expect(count('TimbreLstmCell')).toBe(steps);
      expect(count('TimbreLstmCellGrad')).toBe(steps);
      expect(count('Sigmoid')).toBe(0);
      expect(tf.backend().numDataIds()).toBe(before);
      tf.dispose([x, ...weights]);
    },
  );
});
