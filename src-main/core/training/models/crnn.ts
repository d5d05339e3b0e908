import * as tf from '@tensorflow/tfjs';
import { CRNN_FILTERS } from './cnn-shape';
import { convFrontEnd } from './conv2d';
import { assembleModel, classify, type Forward, type WeightSet } from './init';
import { lstmStack } from './lstm';
import type { InputShape, Model, ModelSpec } from './types';

/**
 * A CRNN: the 2-D convolutional front end of cnn2d (blocks CRNN_FILTERS, ReLU) over (time x
 * bands), each remaining step's bands and filters as one vector, then spec.layers LSTM layers of
 * spec.hidden units (the lstm type's op and semantics), its readout, dropout and the classifier.
 * Weights: conv{n}.*, lstm.l{n}.*, attention.* for that readout, fc.*.
 */
export function buildCrnn(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  const front = convFrontEnd(set, 'conv', CRNN_FILTERS, shape.steps, shape.dims, 'relu');
  const stack = lstmStack(spec, front.dims, false, set, true);
  const fc = set.dense('fc', stack.features, classes);

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    const seq = tf.transpose(front.forward(x), [1, 0, 2]) as tf.Tensor3D;
    return classify(stack.read(seq, training), fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
