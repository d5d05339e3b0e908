import * as tf from '@tensorflow/tfjs';
import { splitLast, unstackLeading } from './fast-split';

/** How one direction of one GRU layer runs (as LstmDirectionOptions). */
export interface GruDirectionOptions {
  /** Walk the sequence from its last step to its first (the backward half of a BGRU). */
  reverse: boolean;
  /**
   * Return only the output at the last position, [batch, hidden], instead of every step,
   * [steps, batch, hidden]. For a reverse direction that output comes after ONE step (PyTorch's
   * out[:, -1, H:]), so only that step is computed.
   */
  outputLast: boolean;
  /** Compute the gradient of the input (false for the first layer, whose input is data). */
  inputGrad: boolean;
}

/** A GRU direction's weights: gates r, z, n in PyTorch's order, Keras layout ([in, 3H]). */
export interface GruWeights {
  kernel: tf.Tensor2D;
  recurrent: tf.Tensor2D;
  /** b_ih [3H]. */
  bias: tf.Tensor1D;
  /** b_hh [3H]: kept apart from b_ih because b_hn sits inside r * (...). */
  recurrentBias: tf.Tensor1D;
}

// Steps in the order they are processed, as positions in the sequence.
function positions(steps: number, reverse: boolean): number[] {
  return Array.from({ length: steps }, (_, k) => (reverse ? steps - 1 - k : k));
}

// Gates r, z, n of a [.., 3H] tensor, n doubled so that tanh(a) = 2 * sigmoid(2a) - 1 needs no
// extra multiply per step (wasm's tanh is ~8x slower than its sigmoid).
function gates(w: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const [r, z, n] = splitLast(w, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
  return [r, z, tf.mul(n, 2)];
}

/**
 * One direction of one GRU layer over a time-major input [steps, batch, in], zero initial state,
 * with backpropagation through time written by hand. The equations are PyTorch's nn.GRU (= Keras'
 * GRU with reset_after=True), r applied AFTER the recurrent product:
 *   r = σ(x W_ir + b_ir + h W_hr + b_hr),  z = σ(x W_iz + b_iz + h W_hz + b_hz),
 *   n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h.
 */
export function gruDirection(x: tf.Tensor3D, w: GruWeights, opts: GruDirectionOptions): tf.Tensor {
  const [T, B, I] = x.shape;
  const H = w.recurrent.shape[0];
  // Inside a customGrad forward the tape is off, so whether gradients will be asked for is read here.
  const recording = tf.engine().state.gradientDepth > 0;
  const oneStep = opts.reverse && opts.outputLast;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, kIn, rIn, bIn, rbIn] = args as tf.Tensor[];
    const save = args[5] as tf.GradSaveFunc;
    const xs = oneStep ? tf.slice(xIn!, [T - 1, 0, 0], [1, B, I]) : xIn!;
    const n = xs.shape[0]!;
    const x2 = tf.reshape(xs, [n * B, I]);
    // b_hr and b_hz join the input projections; b_hn stays with h W_hn.
    const [br, bz, bn] = gates(bIn!);
    const [rbr, rbz, rbn] = gates(rbIn!);
    const [kr, kz, kn] = gates(kIn!);
    // One recurrent matMul per step for all three gates: one [H, 3H] beats two narrower ones.
    const wh = tf.concat(gates(rIn!), 1) as tf.Tensor2D;
    const whBias = tf.concat([tf.zeros([2 * H]), rbn], 0);
    // Every step's input projections in three large matMuls, then cut into steps.
    const project = (k: tf.Tensor, b: tf.Tensor) =>
      unstackLeading(tf.reshape(tf.fused.matMul({ a: x2, b: k as tf.Tensor2D, bias: b }), [n, B, H]));
    const [xR, xZ, xN] = [project(kr, tf.add(br, rbr)), project(kz, tf.add(bz, rbz)), project(kn, bn)];
    // Per step, what backpropagation needs, with dh the gradient of the step's output:
    // d(pre-activations of x) = [dh, dh, dh] * P, d(pre-activations of h) = [dh, dh, dh] * Q,
    // d(h_prev) via the gate z = dh * z. With g = (1 - z)(1 - n^2) and hn = h W_hn + b_hn:
    // P = [g hn r(1 - r), (h_prev - n) z(1 - z), g] and Q = P * [1, 1, r].
    const P: tf.Tensor[] = [];
    const Q: tf.Tensor[] = [];
    const Z: tf.Tensor[] = [];
    const Hs: tf.Tensor[] = [];
    // Scalars made once: a number operand would upload a new scalar tensor in every op.
    const [half, one, two] = [0.5, 1, 2].map((v) => tf.scalar(v)) as [tf.Scalar, tf.Scalar, tf.Scalar];
    let h: tf.Tensor | undefined;
    for (const t of positions(n, opts.reverse)) {
      // hn2 = 2 (h W_hn + b_hn); with no state yet it is 2 b_hn alone, and h W_hr = h W_hz = 0.
      const [hr, hz, hn2] = h
        ? (splitLast(tf.fused.matMul({ a: h as tf.Tensor2D, b: wh, bias: whBias }), 3) as tf.Tensor[])
        : [undefined, undefined, rbn];
      const r = tf.sigmoid(hr ? tf.add(xR[t]!, hr) : xR[t]!);
      const z = tf.sigmoid(hz ? tf.add(xZ[t]!, hz) : xZ[t]!);
      const s = tf.sigmoid(tf.add(xN[t]!, tf.mul(r, hn2)));
      const cand = tf.sub(tf.mul(s, two), one);
      const hPrev = h;
      // h' = n + z (h - n): one multiply fewer than (1 - z) n + z h.
      const diff = hPrev ? tf.sub(hPrev, cand) : tf.neg(cand);
      h = tf.add(cand, tf.mul(z, diff));
      Hs[t] = h;
      if (recording) {
        const oneMinusZ = tf.sub(one, z);
        // g = (1 - z)(1 - n^2); the half below undoes hn2's doubling.
        const g = tf.mul(oneMinusZ, tf.sub(one, tf.mul(cand, cand)));
        const dR = tf.mul(tf.mul(g, tf.mul(hn2, half)), tf.mul(r, tf.sub(one, r)));
        const dZ = tf.mul(diff, tf.mul(z, oneMinusZ));
        P[t] = tf.concat([dR, dZ, g], 1);
        Q[t] = tf.concat([dR, dZ, tf.mul(g, r)], 1);
        Z[t] = z;
      }
    }
    const value = opts.outputLast ? h! : tf.stack(Hs);
    if (recording) save([xs, kIn!, rIn!, ...P, ...Q, ...Z, ...Hs]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => backward(dy, saved, x.shape, opts));
    return { value, gradFunc };
  });
  return op(x, w.kernel, w.recurrent, w.bias, w.recurrentBias);
}

// Backpropagation through time from the per-step factors the forward pass saved.
function backward(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  [T, B, I]: [number, number, number],
  opts: GruDirectionOptions,
): tf.Tensor[] {
  const [xs, kernel, recurrent] = saved as tf.Tensor[];
  const n = xs!.shape[0]!;
  const order = positions(n, opts.reverse);
  const [Ps, Qs, Zs, Hs] = [0, 1, 2, 3].map((j) => saved.slice(3 + j * n, 3 + (j + 1) * n));
  const dys = opts.outputLast ? [] : unstackLeading(dy);
  // Plain matMuls against explicitly transposed weights: wasm's transposed matMul is ~10x slower.
  const whT = tf.transpose(recurrent!);

  const dX: tf.Tensor[] = [];
  const dH: tf.Tensor[] = [];
  let dhRec: tf.Tensor | undefined;
  for (let k = n - 1; k >= 0; k--) {
    const t = order[k]!;
    const dOut = opts.outputLast ? (k === n - 1 ? dy : undefined) : dys[t];
    const dh = dOut && dhRec ? tf.add(dOut, dhRec) : (dOut ?? dhRec!);
    const dh3 = tf.concat([dh, dh, dh], 1);
    dX[t] = tf.mul(dh3, Ps![t]!);
    dH[t] = tf.mul(dh3, Qs![t]!);
    if (k > 0) dhRec = tf.add(tf.matMul(dH[t]!, whT), tf.mul(dh, Zs![t]!));
  }

  // Weight gradients of all steps as one large matMul each; dW^T = dG^T x keeps the fresh
  // gradient off matMul's right side, where XNNPACK would pack it first (see lstm-op).
  const dXAll = tf.concat(dX, 0);
  const dXt = tf.transpose(dXAll);
  const dHt = tf.transpose(tf.concat(dH, 0));
  const zeros = tf.zerosLike(Hs![0]!);
  const hPrev = tf.concat(opts.reverse ? [...Hs!.slice(1), zeros] : [zeros, ...Hs!.slice(0, -1)], 0);
  const dKernel = tf.transpose(tf.matMul(dXt, tf.reshape(xs!, [n * B, I])));
  const dRecurrent = tf.transpose(tf.matMul(dHt, hPrev));
  // Summing rows of the transposes: wasm reduces a leading axis by transposing first.
  const grads = [dKernel, dRecurrent, tf.sum(dXt, 1), tf.sum(dHt, 1)];
  if (!opts.inputGrad) return [tf.zeros([T, B, I]), ...grads];
  const dx = tf.reshape(tf.matMul(dXAll, tf.transpose(kernel!)), [n, B, I]);
  return [n < T ? tf.concat([tf.zeros([T - n, B, I]), dx], 0) : dx, ...grads];
}
