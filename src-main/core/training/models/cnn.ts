import * as tf from '@tensorflow/tfjs';
import { CNN_POOL, cnnSteps } from './cnn-shape';
import { im2col2d, maxPool2 } from './conv2d';
import { assembleModel, classify, type Forward, type WeightSet } from './init';
import { activate, dropout, linear } from './linear';
import { timePool } from './readout';
import type { InputShape, Model, ModelSpec } from './types';

/** Taps of every convolution (odd: 'same' padding keeps the length). */
export const CNN_KERNEL = 5;

/**
 * im2col for a 1-D convolution over time with 'same' zero padding: x [B, T, C] ->
 * [B, T, k * C], tap j (offset j - (k-1)/2) in columns j*C..(j+1)*C. A plain matMul then
 * convolves: wasm has no Conv2DBackpropFilter. The 2-D one's with a k x 1 window (on wasm, its
 * heap kernels: slices, pads and concats took a fifth of a step there); `inputGrad` false (the input is
 * data) gives zeros for its gradient.
 */
export function im2col1d(x: tf.Tensor3D, k: number, inputGrad = true): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const cols = im2col2d(tf.reshape(x, [B, T, 1, C]) as tf.Tensor4D, [k, 1], inputGrad);
  return tf.reshape(cols, [B, T, k * C]) as tf.Tensor3D;
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
      const cols = tf.reshape(im2col1d(h, CNN_KERNEL, l > 0), [B * T, CNN_KERNEL * C]) as tf.Tensor2D;
      const y = activate(
        linear(cols, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D, l > 0),
        spec.activation,
      );
      const pooled = maxPool2(tf.reshape(y, [B, T, 1, spec.hidden]) as tf.Tensor4D, 1);
      h = tf.reshape(pooled, [B, Math.floor(T / CNN_POOL), spec.hidden]) as tf.Tensor3D;
      if (l < convs.length - 1) h = dropout(h, spec.dropout, training);
    });
    const readout = pool ? pool(h, 1) : (tf.reshape(h, [B, features]) as tf.Tensor2D);
    return classify(readout, fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
