import * as tf from '@tensorflow/tfjs';
import { assembleModel, classify, type Forward, type WeightSet } from './init';
import { activate, dropout, linear } from './linear';
import type { InputShape, Model, ModelSpec } from './types';

/**
 * A fully connected network over the flattened input: spec.layers hidden layers of spec.hidden
 * units (activation, then dropout), then the classifier. Weights: dense{n}.kernel/bias, fc.kernel/bias.
 */
export function buildMlp(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  const flat = shape.steps * shape.dims;
  const hidden = Array.from({ length: spec.layers }, (_, l) =>
    set.dense(`dense${l}`, l === 0 ? flat : spec.hidden, spec.hidden),
  );
  const fc = set.dense('fc', spec.layers > 0 ? spec.hidden : flat, classes);

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    let h = tf.reshape(x, [x.shape[0], flat]) as tf.Tensor2D;
    hidden.forEach((w, l) => {
      // Each hidden layer's dropout comes before the next layer (the head drops out the last).
      if (l > 0) h = dropout(h, spec.dropout, training);
      h = activate(linear(h, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D, l > 0), spec.activation);
    });
    // The embedding of an MLP with no hidden layer is its flattened input.
    return classify(h, fc, spec.layers > 0 ? spec.dropout : 0, training, spec.layers > 0);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
