import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from '../../../../src-main/core/training/step';
import type { Model } from '../../../../src-main/core/training/models/types';

/** max |a - b| / max |b|: the relative error the gradient checks allow 1e-4 of. */
export function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    const scale = tf.max(tf.abs(b)).dataSync()[0]!;
    return diff / Math.max(scale, 1e-6);
  });
}

/** A stock tfjs-layers LSTM with PyTorch's gate activations (tfjs defaults to hardSigmoid). */
export function stockLstm(units: number, returnSequences: boolean, goBackwards = false): tf.layers.Layer {
  return tf.layers.lstm({ units, returnSequences, goBackwards, recurrentActivation: 'sigmoid' });
}

/**
 * The same network as a recurrent Model, built from stock tfjs layers with the Model's weights
 * (an LSTM layer's one bias holds our bias + recurrent_bias). `stockIndex[i]` is the stock variable
 * whose gradient the Model's i-th weight must have (both biases have their sum's).
 */
export function stockRecurrent(model: Model): {
  variables: tf.Variable[];
  stockIndex: number[];
  logits: (x: tf.Tensor3D) => tf.Tensor2D;
} {
  const { spec, inputShape } = model;
  const layers: tf.layers.Layer[] = [];
  for (let l = 0; l < spec.layers; l++) {
    const cell = stockLstm(spec.hidden, true);
    layers.push(
      spec.type === 'blstm' ? tf.layers.bidirectional({ layer: cell as tf.RNN, mergeMode: 'concat' }) : cell,
    );
  }
  const dense = tf.layers.dense({ units: model.classes });
  const logits = (x: tf.Tensor3D): tf.Tensor2D => {
    let y = x as tf.Tensor;
    for (const layer of layers) y = layer.apply(y) as tf.Tensor;
    const T = inputShape.steps;
    const features =
      spec.readout === 'last'
        ? tf.reshape(tf.slice(y, [0, T - 1, 0], [-1, 1, -1]), [x.shape[0], -1])
        : spec.readout === 'mean'
          ? tf.mean(y, 1)
          : tf.max(y, 1);
    return dense.apply(features) as tf.Tensor2D;
  };
  // Build every layer, then copy the Model's weights in order, the two biases summed.
  tf.tidy(() => logits(tf.zeros([1, inputShape.steps, inputShape.dims])));
  const all = [...layers, dense].flatMap((layer) => layer.trainableWeights);
  const ours = model.namedWeights();
  const own = ours.filter((w) => !w.name.endsWith('.recurrent_bias'));
  if (all.length !== own.length) throw new Error(`stock net has ${all.length} weights, model ${own.length}`);
  const byName = new Map(ours.map((w) => [w.name, w.tensor]));
  all.forEach((w, i) => {
    const name = own[i]!.name;
    const extra = name.endsWith('.bias') ? byName.get(name.replace(/\.bias$/, '.recurrent_bias')) : undefined;
    w.write(extra ? tf.add(own[i]!.tensor, extra) : own[i]!.tensor);
  });
  const stockIndex = ours.map((w) =>
    own.findIndex((o) => o.name === w.name.replace(/\.recurrent_bias$/, '.bias')),
  );
  return { variables: all.map((w) => w.read() as tf.Variable), stockIndex, logits };
}

/** Loss and gradients of every variable, in `variables` order. */
export function lossAndGrads(
  loss: () => tf.Scalar,
  variables: tf.Variable[],
): { loss: number; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(loss, variables);
  const result = { loss: value.dataSync()[0]!, grads: variables.map((v) => grads[v.name]!) };
  value.dispose();
  return result;
}

/** Cross-entropy of a network's logits. */
export function ceLoss(
  logits: (x: tf.Tensor3D) => tf.Tensor2D,
  x: tf.Tensor3D,
  y: tf.Tensor1D,
): () => tf.Scalar {
  return () => crossEntropy(tf, logits(x), y);
}
