import * as tf from '@tensorflow/tfjs';
import { CNN_POOL, cnnSteps } from './cnn-shape';
import { splitLast } from './fast-split';
import { assembleModel, classify, type Forward, type WeightSet } from './init';
import { activate, dropout, linear } from './linear';
import { timePool } from './readout';
import type { InputShape, Model, ModelSpec } from './types';

/** Taps of every convolution (odd: 'same' padding keeps the length). */
export const CNN_KERNEL = 5;

/**
 * im2col for a 1-D convolution over time with 'same' zero padding: x [B, T, C] ->
 * [B, T, k * C], tap j (offset j - (k-1)/2) in columns j*C..(j+1)*C. A plain matMul then
 * convolves: wasm has no Conv2DBackpropFilter, and this needs only slices, pads and concats.
 */
export function im2col1d(x: tf.Tensor3D, k: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const p = (k - 1) / 2;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const padded = tf.pad(args[0] as tf.Tensor3D, [
      [0, 0],
      [p, p],
      [0, 0],
    ]);
    const taps = Array.from({ length: k }, (_, j) => tf.slice(padded, [0, j, 0], [B, T, C]));
    const value = tf.concat(taps, 2);
    // The gradient adds each tap's columns back at its offset (concat's own gradient is slow on wasm).
    const gradFunc = (dy: tf.Tensor): tf.Tensor =>
      tf.tidy(() => {
        const parts = splitLast(dy, k).map((d, j) =>
          tf.pad(d, [
            [0, 0],
            [j, 2 * p - j],
            [0, 0],
          ]),
        );
        return tf.slice(tf.addN(parts), [0, p, 0], [B, T, C]);
      });
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor3D;
}

/**
 * spec.layers blocks of [1-D convolution over time (spec.hidden filters, CNN_KERNEL taps),
 * activation, max pool by CNN_POOL], a readout over time (see ModelSpec.readout), dropout and the
 * classifier. Weights: conv{n}.kernel [k * channels_in, filters] (im2col layout), conv{n}.bias, fc.*.
 */
export function buildCnn(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  // The registry's cnn shapeProblem has been asked: some steps are left after pooling.
  const left = cnnSteps(shape.steps, spec.layers);
  const convs = Array.from({ length: spec.layers }, (_, l) =>
    set.dense(`conv${l}`, CNN_KERNEL * (l === 0 ? shape.dims : spec.hidden), spec.hidden),
  );
  const features = spec.readout === 'last' ? left * spec.hidden : spec.hidden;
  const pool = spec.readout === 'last' ? undefined : timePool(spec, spec.hidden, set);
  const fc = set.dense('fc', features, classes);

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    const B = x.shape[0];
    let h = x;
    convs.forEach((w, l) => {
      const [, T, C] = h.shape;
      const cols = tf.reshape(im2col1d(h, CNN_KERNEL), [B * T, CNN_KERNEL * C]) as tf.Tensor2D;
      const y = activate(
        linear(cols, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D, l > 0),
        spec.activation,
      );
      const pooled = tf.maxPool(
        tf.reshape(y, [B, T, 1, spec.hidden]) as tf.Tensor4D,
        [CNN_POOL, 1],
        [CNN_POOL, 1],
        'valid',
      );
      h = tf.reshape(pooled, [B, Math.floor(T / CNN_POOL), spec.hidden]) as tf.Tensor3D;
      if (l < convs.length - 1) h = dropout(h, spec.dropout, training);
    });
    const readout = pool ? pool(h, 1) : (tf.reshape(h, [B, features]) as tf.Tensor2D);
    return classify(readout, fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
