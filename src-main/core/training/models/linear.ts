import * as tf from '@tensorflow/tfjs';

/**
 * x [rows, in] times kernel [in, out] plus bias [out], with gradients formed from explicitly
 * transposed operands (tfjs's own matMul gradient uses transposed matMuls, ~10x slower on wasm).
 * `inputGrad` false skips the input's gradient (returns zeros) where the input is data.
 */
export function linear(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  inputGrad = true,
): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, kIn, bIn] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    save([xIn!, kIn!]);
    const value = tf.add(tf.matMul(xIn!, kIn!), bIn!) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => {
        const [xs, ks] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dyT = tf.transpose(dy as tf.Tensor2D);
        const dx = inputGrad ? tf.matMul(dy as tf.Tensor2D, tf.transpose(ks)) : tf.zerosLike(xs);
        // dW = x^T dy, with the narrower of x and dy as the matMul's right operand: XNNPACK packs
        // that operand afresh every call (a CNN's [3200, 800] im2col matrix: ~25 ms), while a 2-D
        // transpose is cheap (simd.wat: ~1 ms). So dW^T = dy^T x where dy is the wider (an LSTM's
        // 4H gates, see lstm-op), x^T dy where x is (im2col, a log-mel MLP's input).
        const [inWidth, outWidth] = [xs.shape[1], ks.shape[1]];
        const dKernel =
          outWidth < inWidth
            ? tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)
            : tf.transpose(tf.matMul(dyT, xs));
        return [dx, dKernel, tf.sum(dyT, 1)];
      });
    return { value, gradFunc };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

/** tanh as 2 * sigmoid(2x) - 1: a few cheap ops beat wasm's one slow tanh (~8x slower than sigmoid). */
export function fastTanh<T extends tf.Tensor>(x: T): T {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as T;
}

/** The hidden-layer activation a spec names. */
export function activate<T extends tf.Tensor>(x: T, kind: 'relu' | 'tanh'): T {
  return kind === 'relu' ? (tf.relu(x) as T) : fastTanh(x);
}

// The seed of the training step running on this thread, which the trainer sets (null: tfjs's own
// random); each dropout of the step draws its mask from it and its place in the step.
let stepSeed: number | null = null;
let dropoutsInStep = 0;

/**
 * Seeds the dropout masks of the steps that follow: the trainer gives each step a seed made of the
 * run's seed, the epoch and the batch, so a run drops the same units however often it is trained
 * or resumed. null: unseeded.
 */
export function seedDropout(seed: number | null): void {
  stepSeed = seed;
  dropoutsInStep = 0;
}

/** Inverted dropout while training (rate 0 or not training: x itself), seeded as seedDropout says. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean): T {
  if (!(training && rate > 0)) return x;
  const seed = stepSeed === null ? undefined : (stepSeed + Math.imul(++dropoutsInStep, 2654435761)) >>> 0;
  return tf.dropout(x, rate, undefined, seed) as T;
}
