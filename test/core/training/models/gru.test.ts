import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, selectBackend } from '../../../../src-main/core/training/backend';
import { buildModel } from '../../../../src-main/core/training/models/build';
import { gruDirection } from '../../../../src-main/core/training/models/gru-op';
import type { Model, ModelSpec } from '../../../../src-main/core/training/models/types';
import { lossAndGrads } from './reference';

// Small shapes: the point is exactness against tfjs-layers, not speed.
const T = 7;
const B = 4;
const I = 3;
const H = 5;
const CLASSES = 11;

type GruCell = ReturnType<typeof tf.layers.gruCell>;
type GruCellArgs = Parameters<typeof tf.layers.gruCell>[0];
const StockGruCell = tf.layers.gruCell({ units: 1 }).constructor as new (args: GruCellArgs) => GruCell;

/**
 * tfjs-layers' GRUCell with Keras' reset_after=True, which tfjs-layers 4.22 refuses ("GRUCell does
 * not support reset_after parameter set to true"): Keras' GRUCell.call for reset_after, line by line.
 * Gates z, r, h; bias [2, 3H] = [input bias; recurrent bias]. The RNN loop, goBackwards,
 * Bidirectional and the gradients (autodiff through every step) are tfjs-layers' own.
 */
class ResetAfterGruCell extends StockGruCell {
  constructor(args: GruCellArgs) {
    super({ ...args, resetAfter: undefined, recurrentActivation: 'sigmoid' });
  }
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as number[];
    const u = this.units;
    this.kernel = this.addWeight('kernel', [shape.at(-1)!, 3 * u], undefined, this.kernelInitializer);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [u, 3 * u],
      undefined,
      this.recurrentInitializer,
    );
    this.bias = this.addWeight('bias', [2, 3 * u], undefined, this.biasInitializer);
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    return tf.tidy(() => {
      const [x, hPrev] = inputs as [tf.Tensor2D, tf.Tensor2D];
      const [inputBias, recurrentBias] = tf.unstack(this.bias.read());
      const [xz, xr, xh] = tf.split(
        tf.add(tf.matMul(x, this.kernel.read() as tf.Tensor2D), inputBias!),
        3,
        1,
      );
      const inner = tf.add(tf.matMul(hPrev, this.recurrentKernel.read() as tf.Tensor2D), recurrentBias!);
      const [hz, hr, hh] = tf.split(inner, 3, 1);
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const candidate = tf.tanh(tf.add(xh!, tf.mul(r, hh!)));
      const h = tf.add(tf.mul(z, hPrev), tf.mul(tf.sub(1, z), candidate));
      return [h, h];
    });
  }
}

type Gru = ReturnType<typeof tf.layers.gru>;
type GruArgs = Parameters<typeof tf.layers.gru>[0];
const StockGru = tf.layers.gru({ units: 1 }).constructor as new (args: GruArgs) => Gru;

/**
 * tfjs-layers' GRU layer around the reset-after cell. A layer class of its own, registered, because
 * Bidirectional clones its layer from the layer's config, and a plain tf.layers.rnn({ cell }) config
 * cannot be cloned twice in tfjs-layers 4.22 (the first clone replaces the cell's config by the cell).
 */
class ResetAfterGru extends StockGru {
  static className = 'TimbreTestResetAfterGRU';
  constructor(args: GruArgs) {
    super(args);
    (this as unknown as { cell: GruCell }).cell = new ResetAfterGruCell(args);
  }
}
tf.serialization.registerClass(
  ResetAfterGru as unknown as tf.serialization.SerializableConstructor<ResetAfterGru>,
);

function stockGru(goBackwards = false): tf.RNN {
  return new ResetAfterGru({ units: H, returnSequences: true, goBackwards });
}

// Our gate order (r, z, n) to Keras' (z, r, h), on the last axis.
function keras(w: tf.Tensor): tf.Tensor {
  const [r, z, n] = tf.split(w, 3, w.rank - 1);
  return tf.concat([z!, r!, n!], w.rank - 1);
}

/** Our per-direction tensors (kernel, recurrent kernel, b_ih, b_hh) in the stock cell's layout. */
function toStockLayout(ours: tf.Tensor[]): tf.Tensor[] {
  const [kernel, recurrent, bias, recurrentBias] = ours;
  return [keras(kernel!), keras(recurrent!), tf.stack([keras(bias!), keras(recurrentBias!)])];
}

/** Our model's tensors (weights or their gradients) in the stock network's weight order. */
function stockOrder(model: Model, ours: tf.Tensor[]): tf.Tensor[] {
  const dirs = model.spec.layers * (model.spec.type === 'bgru' ? 2 : 1);
  const out = Array.from({ length: dirs }, (_, d) => toStockLayout(ours.slice(4 * d, 4 * d + 4)));
  return [...out.flat(), ...ours.slice(4 * dirs)];
}

// The readouts over a stock layer's [batch, steps, features] output; 'last' is PyTorch's out[:, -1, :].
// (attention has no stock layer: conv2d-models.test.ts checks it against mean.)
const READOUTS: Partial<Record<ModelSpec['readout'], (y: tf.Tensor) => tf.Tensor>> = {
  last: (y) => tf.squeeze(tf.slice(y, [0, T - 1, 0], [-1, 1, -1]), [1]),
  mean: (y) => tf.mean(y, 1),
  max: (y) => tf.max(y, 1),
};

/** The same network as a GRU Model, of stock tfjs layers holding the Model's weights. */
function stockNet(model: Model): { variables: tf.Variable[]; logits: (x: tf.Tensor3D) => tf.Tensor2D } {
  const { spec } = model;
  const bidirectional = spec.type === 'bgru';
  const layers = Array.from({ length: spec.layers }, () =>
    bidirectional ? tf.layers.bidirectional({ layer: stockGru(), mergeMode: 'concat' }) : stockGru(),
  );
  const dense = tf.layers.dense({ units: model.classes });
  const logits = (x: tf.Tensor3D): tf.Tensor2D => {
    const y = layers.reduce((seq: tf.Tensor, layer) => layer.apply(seq) as tf.Tensor, x);
    return dense.apply(READOUTS[spec.readout]!(y)) as tf.Tensor2D;
  };
  tf.tidy(() => logits(tf.zeros([1, T, I])));
  const all = [...layers, dense].flatMap((layer) => layer.trainableWeights);
  tf.tidy(() => {
    const ours = stockOrder(
      model,
      model.namedWeights().map((w) => w.tensor),
    );
    expect(all.map((w) => w.shape)).toEqual(ours.map((w) => w.shape));
    all.forEach((w, i) => w.write(ours[i]!));
  });
  return { variables: all.map((w) => w.read() as tf.Variable), logits };
}

/** max |a - b| over every element. */
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function spec(type: 'gru' | 'bgru', readout: ModelSpec['readout']): ModelSpec {
  return { type, hidden: H, layers: 2, dropout: 0, activation: 'tanh', readout };
}

// Through the registry, as the trainer builds it.
const build = (s: ModelSpec, seed: number): Model => buildModel(s, { steps: T, dims: I }, seed, CLASSES);

// The largest gradient difference seen per backend, printed for the record.
const worst: Record<string, number> = {};

describe.each(availableBackends())('hand-written GRU against tfjs-layers on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
    worst[backend] = 0;
  });
  const record = (diff: number) => (worst[backend] = Math.max(worst[backend]!, diff));

  const bools = [false, true];
  it.each(bools.flatMap((reverse) => bools.map((last) => [reverse, last])))(
    'one direction (reverse %s, last output only %s): outputs and gradients',
    (reverse, outputLast) => {
      tf.tidy(() => {
        const x = tf.variable(tf.randomNormal([B, T, I], 0, 1, 'float32', 1));
        const ws = [[I, 3 * H], [H, 3 * H], [3 * H], [3 * H]].map((shape, i) =>
          tf.variable(tf.randomNormal(shape, 0, 0.5, 'float32', 2 + i)),
        );
        const weights = tf.randomNormal(outputLast ? [B, H] : [B, T, H], 0, 1, 'float32', 9);
        const [kernel, recurrent, bias, recurrentBias] = ws as [
          tf.Variable<tf.Rank.R2>,
          tf.Variable<tf.Rank.R2>,
          tf.Variable<tf.Rank.R1>,
          tf.Variable<tf.Rank.R1>,
        ];
        const ours = () => {
          const out = gruDirection(
            tf.transpose(x, [1, 0, 2]) as tf.Tensor3D,
            { kernel, recurrent, bias, recurrentBias },
            { reverse, outputLast, inputGrad: true },
          );
          return outputLast ? out : tf.transpose(out, [1, 0, 2]);
        };
        const layer = stockGru(reverse);
        layer.apply(tf.zeros([1, T, I]));
        layer.setWeights(toStockLayout(ws));
        const stock = () => {
          // goBackwards returns its outputs in processing order; put them back in time order.
          let seq = layer.apply(x) as tf.Tensor;
          if (reverse) seq = tf.reverse(seq, 1);
          return outputLast ? tf.reshape(tf.slice(seq, [0, T - 1, 0], [-1, 1, -1]), [B, H]) : seq;
        };
        expect(maxAbsDiff(ours(), stock())).toBeLessThan(1e-5);

        const stockVars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const a = lossAndGrads(() => tf.sum(tf.mul(ours(), weights)), [x, ...ws]);
        const b = lossAndGrads(() => tf.sum(tf.mul(stock(), weights)), [x, ...stockVars]);
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-4);
        const diffs = [a.grads[0]!, ...toStockLayout(a.grads.slice(1))].map((g, i) =>
          maxAbsDiff(g, b.grads[i]!),
        );
        diffs.forEach((d) => expect(d).toBeLessThan(1e-4));
        record(Math.max(...diffs));
      });
    },
  );

  it.each([
    ['gru', 'last'],
    ['gru', 'max'],
    ['bgru', 'last'],
    ['bgru', 'mean'],
  ] as const)('a 2-layer %s with readout %s: logits and every gradient match', (type, readout) => {
    const model = build(spec(type, readout), 7);
    tf.tidy(() => {
      const stock = stockNet(model);
      const x = tf.randomNormal([B, T, I], 0, 1, 'float32', 8) as tf.Tensor3D;
      const y = tf.oneHot(tf.tensor1d([0, 3, 10, 3], 'int32'), CLASSES);
      expect(maxAbsDiff(model.apply(x, false), stock.logits(x))).toBeLessThan(1e-5);
      const ce = (logits: (v: tf.Tensor3D) => tf.Tensor2D) => () =>
        tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar;
      const a = lossAndGrads(
        ce((v) => model.apply(v, true)),
        model.variables,
      );
      const b = lossAndGrads(ce(stock.logits), stock.variables);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      const diffs = stockOrder(model, a.grads).map((g, i) => maxAbsDiff(g, b.grads[i]!));
      const names = stock.variables.map((v) => v.name);
      diffs.forEach((d, i) => expect(d, names[i]).toBeLessThan(1e-4));
      // Not a vacuous match: every gradient is in use, but for the top reverse direction's recurrent
      // kernel under 'last', which reads that direction after ONE step from a zero state (its bias,
      // fc.kernel and fc.bias come after it).
      const idle = type === 'bgru' && readout === 'last' ? [names.length - 4] : [];
      b.grads.forEach((g, i) => {
        const size = tf.max(tf.abs(g)).dataSync()[0]!;
        if (idle.includes(i)) expect(size, names[i]).toBe(0);
        else expect(size, names[i]).toBeGreaterThan(1e-4);
      });
      record(Math.max(...diffs));
    });
    model.dispose();
  });

  it('prints the largest gradient difference measured', () => {
    console.log(
      `GRU gradients on ${backend}: max |ours - tfjs-layers| = ${worst[backend]!.toExponential(2)}`,
    );
    expect(worst[backend]).toBeLessThan(1e-4);
  });
});
