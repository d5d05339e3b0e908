import * as tf from '@tensorflow/tfjs';
import { convFrontEnd } from './conv2d';
import { assembleModel, classify, type Forward, type WeightSet } from './init';
import { timePool } from './readout';
import type { InputShape, Model, ModelSpec } from './types';

/** Filters of each block of a cnn2d: spec.hidden in the first, doubling block by block. */
export function cnn2dFilters(spec: ModelSpec): number[] {
  return Array.from({ length: spec.layers }, (_, l) => spec.hidden * 2 ** l);
}

/**
 * A 2-D CNN over (time x bands), e.g. log-mel frames, averaged over 2x2 cells: spec.layers blocks of [3x3 convolution,
 * activation, 2x2 max pool] (filters: cnn2dFilters), each step's bands and filters side by side,
 * a readout over the steps left (mean, max or attention; 'last' reads them all, flattened),
 * dropout and the classifier. Weights: conv{n}.kernel [9 * channels_in, filters] (im2col
 * layout), conv{n}.bias, attention.* for that readout, fc.*.
 */
export function buildCnn2d(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  // The registry's cnn2d shapeProblem has been asked: some steps and bands are left after pooling.
  const front = convFrontEnd(set, 'conv', cnn2dFilters(spec), shape.steps, shape.dims, spec.activation);
  const pool = spec.readout === 'last' ? undefined : timePool(spec, front.dims, set);
  const features = pool ? front.dims : front.steps * front.dims;
  const fc = set.dense('fc', features, classes);

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    const h = front.forward(x);
    const readout = pool ? pool(h, 1) : (tf.reshape(h, [x.shape[0], features]) as tf.Tensor2D);
    return classify(readout, fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
