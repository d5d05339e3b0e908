import * as tf from '@tensorflow/tfjs';
import type { WeightSet } from './init';
import { linear } from './linear';
import type { ModelSpec } from './types';

/** Pools a sequence's per-step features [.., F] into one vector per note [batch, F]. */
export type TimePool = (seq: tf.Tensor3D, timeAxis: 0 | 1) => tf.Tensor2D;

/**
 * The pooling over time of spec.readout other than 'last' (which each model reads its own way):
 * mean, max, or attention: a learned score per step (attention.kernel [F, 1], attention.bias [1],
 * created only for that readout), softmax over the steps, the steps' features summed by those
 * weights. `timeAxis` 0 for time-major sequences [steps, batch, F], 1 for [batch, steps, F].
 */
export function timePool(spec: ModelSpec, features: number, set: WeightSet): TimePool {
  if (spec.readout !== 'attention') {
    return (seq, axis) => (spec.readout === 'max' ? tf.max(seq, axis) : tf.mean(seq, axis)) as tf.Tensor2D;
  }
  const w = set.dense('attention', features, 1);
  return (seq, axis) => {
    const [a, b, F] = seq.shape;
    const scores = tf.reshape(
      linear(tf.reshape(seq, [a * b, F]) as tf.Tensor2D, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D),
      [a, b],
    );
    // Softmax over the steps: along the last axis once the steps are there.
    const weights = axis === 1 ? tf.softmax(scores) : tf.transpose(tf.softmax(tf.transpose(scores)));
    return tf.sum(tf.mul(seq, tf.expandDims(weights, 2)), axis) as tf.Tensor2D;
  };
}
