import * as tf from '@tensorflow/tfjs';
import { CNN_POOL, cnnSteps } from './cnn-shape';
import {
  col2imKernel,
  conv2dKernelsHere,
  im2colKernel,
  maxPoolGradKernel,
  maxPoolKernel,
} from './conv2d-kernels';
import { splitLast } from './fast-split';
import type { WeightSet } from './init';
import { activate, linear } from './linear';

/** Taps of every 2-D convolution on each axis (odd: 'same' padding keeps the size). */
export const CONV2D_KERNEL = 3;

/**
 * im2col for a 2-D convolution with 'same' zero padding: x [B, H, W, C] -> [B, H, W, kh*kw*C],
 * tap (i, j) in columns (i*kw + j)*C.. of each pixel; `k` is kh = kw, or [kh, kw] ([k, 1]: a 1-D
 * convolution over H). A plain matMul then convolves: wasm has no Conv2DBackpropFilter. The
 * gradient adds each tap's columns back at its offset; `inputGrad` false (the input is data)
 * gives zeros instead.
 */
export function im2col2d(x: tf.Tensor4D, k: number | [number, number], inputGrad = true): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [ph, pw] = [(kh - 1) / 2, (kw - 1) / 2];
  const fast = conv2dKernelsHere();
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    if (fast) {
      const gradFunc = (dy: tf.Tensor): tf.Tensor =>
        inputGrad ? col2imKernel(dy, kh, kw) : tf.zeros([B, H, W, C]);
      return { value: im2colKernel(input, kh, kw), gradFunc };
    }
    const padded = tf.pad(input, [
      [0, 0],
      [ph, ph],
      [pw, pw],
      [0, 0],
    ]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) taps.push(tf.slice(padded, [0, i, j, 0], [B, H, W, C]));
    const value = tf.concat(taps, 3);
    const gradFunc = (dy: tf.Tensor): tf.Tensor =>
      tf.tidy(() => {
        if (!inputGrad) return tf.zeros([B, H, W, C]);
        const parts = splitLast(dy, kh * kw).map((d, t) => {
          const [i, j] = [Math.floor(t / kw), t % kw];
          return tf.pad(d, [
            [0, 0],
            [i, 2 * ph - i],
            [j, 2 * pw - j],
            [0, 0],
          ]);
        });
        return tf.slice(tf.addN(parts), [0, ph, pw, 0], [B, H, W, C]);
      });
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * Max pooling over windows of 2 x `pw` (2, or 1: over H only), stride the window, of x
 * [B, H, W, C] ('valid': an odd last row or column is dropped).
 */
export function maxPool2(x: tf.Tensor4D, pw: 1 | 2 = 2): tf.Tensor4D {
  if (!conv2dKernelsHere()) return tf.maxPool(x, [CNN_POOL, pw], [CNN_POOL, pw], 'valid');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    (args[1] as tf.GradSaveFunc)([input]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => maxPoolGradKernel(saved[0]!, dy, pw);
    // Over H only, wasm's own pooling is the faster forward (its gradient is the slow part).
    const value =
      pw === 1 ? tf.maxPool(input, [CNN_POOL, 1], [CNN_POOL, 1], 'valid') : maxPoolKernel(input, pw);
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

/** A stack of 2-D conv blocks over (time x bands): what it keeps of an input [steps, bands]. */
export interface ConvFrontEnd {
  /** Time steps left after the blocks' pooling. */
  readonly steps: number;
  /** Values per step left: bands left x filters of the last block. */
  readonly dims: number;
  /** x [B, steps, bands] -> [B, steps', bands' * filters], bands and filters of a step side by side. */
  forward(x: tf.Tensor3D): tf.Tensor3D;
}

/**
 * The input of `steps` x `bands` averaged over 2x2 cells, then blocks of [3x3 convolution
 * ('same'), activation, 2x2 max pool], one block per entry of `filters`. Weights: {prefix}{n}.kernel [9 * channels_in,
 * filters] (im2col layout, taps row-major over time then bands), {prefix}{n}.bias.
 */
export function convFrontEnd(
  set: WeightSet,
  prefix: string,
  filters: readonly number[],
  steps: number,
  bands: number,
  activation: 'relu' | 'tanh',
): ConvFrontEnd {
  const k = CONV2D_KERNEL;
  const weights = filters.map((f, l) =>
    set.dense(`${prefix}${l}`, k * k * (l === 0 ? 1 : filters[l - 1]!), f),
  );
  const last = filters.at(-1)!;
  const left = { steps: cnnSteps(steps, filters.length + 1), bands: cnnSteps(bands, filters.length + 1) };
  return {
    steps: left.steps,
    dims: left.bands * last,
    forward: (x) => {
      const B = x.shape[0];
      // The data averaged over 2x2 cells first (no gradient needed): a quarter of the work after.
      let h = tf.avgPool(tf.reshape(x, [B, steps, bands, 1]) as tf.Tensor4D, CNN_POOL, CNN_POOL, 'valid');
      weights.forEach((w, l) => {
        const [, H, W, C] = h.shape;
        const cols = tf.reshape(im2col2d(h, k, l > 0), [B * H * W, k * k * C]) as tf.Tensor2D;
        const y = activate(linear(cols, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D, l > 0), activation);
        h = maxPool2(tf.reshape(y, [B, H, W, filters[l]!]) as tf.Tensor4D);
      });
      return tf.reshape(h, [B, left.steps, left.bands * last]) as tf.Tensor3D;
    },
  };
}
