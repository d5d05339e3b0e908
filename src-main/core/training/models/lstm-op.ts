import * as tf from '@tensorflow/tfjs';
import { splitLast, unstackLeading } from './fast-split';
import { lstmCellGradKernel, lstmCellKernel, lstmKernelsHere } from './lstm-kernels';

/** How one direction of one LSTM layer runs. */
export interface LstmDirectionOptions {
  /** Walk the sequence from its last step to its first (the backward half of a BLSTM). */
  reverse: boolean;
  /**
   * Return only the output at the last position, [batch, hidden], instead of every step,
   * [steps, batch, hidden]. For a reverse direction that output comes after ONE step (it is
   * PyTorch's out[:, -1, H:]), so only that step is computed.
   */
  outputLast: boolean;
  /** Compute the gradient of the input (false for the first layer, whose input is data). */
  inputGrad: boolean;
}

// Weights arrive in PyTorch's gate order (i, f, g, o), Keras layout ([in, 4H]). Inside, the order
// is (i, f, o, g) and the g columns are doubled so that ONE sigmoid over [B, 4H] yields every gate:
// tanh(z) = 2 * sigmoid(2z) - 1, and wasm's tanh is ~8x slower than its sigmoid.
function toInternal(w: tf.Tensor, gScale: number): tf.Tensor {
  const [i, f, g, o] = splitLast(w, 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.concat([i, f, o, gScale === 1 ? g : tf.mul(g, gScale)], w.rank - 1);
}

function fromInternal(w: tf.Tensor): tf.Tensor {
  const [i, f, o, g] = splitLast(w, 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return tf.concat([i, f, g, o], w.rank - 1);
}

// Steps in the order they are processed, as positions in the sequence.
function positions(steps: number, reverse: boolean): number[] {
  return Array.from({ length: steps }, (_, k) => (reverse ? steps - 1 - k : k));
}

// The state each step starts from, stacked in position order: zeros for the first processed step.
function previous(states: tf.Tensor[], reverse: boolean): tf.Tensor {
  const zeros = tf.zerosLike(states[0]!);
  const shifted = reverse ? [...states.slice(1), zeros] : [zeros, ...states.slice(0, -1)];
  return tf.concat(shifted, 0);
}

// One forward step at position t: mm = h_prev x W_h and c_prev (none at the first step) to the
// new state, and when recording the step's tape, what backpropagation needs of it.
type CellStep = (
  t: number,
  mm: tf.Tensor | undefined,
  cPrev: tf.Tensor | undefined,
) => { c: tf.Tensor; h: tf.Tensor; tape: tf.Tensor[] };

// One backward step at position t (`last`: the last one processed forward), from its tape and dh's
// part through the next step's matMul: dz, and when `carry` dc * f for the step before.
type CellGradStep = (
  t: number,
  last: boolean,
  tape: tf.Tensor[],
  dhRec: tf.Tensor | undefined,
  dcNext: tf.Tensor | undefined,
  carry: boolean,
) => { dz: tf.Tensor; dc?: tf.Tensor };

// The cell as tf ops (every backend but wasm), over xw [n, B, 4H], every step's input projection.
// The tape: dz = [dc, dc, dh, dc] * P and dc = dh * K + dc_next * F, where with D = s * (1 - s),
// P = D * [g, c_prev, tanh(c), 4i] (1 - g^2 = 4 D_g), K = o * (1 - tanh(c)^2) and F = f.
function opsCell(xw: tf.Tensor, record: boolean): CellStep {
  const xp = unstackLeading(xw);
  // Scalars made once: a number operand would upload a new scalar tensor in every op.
  const [one, two, four] = [1, 2, 4].map((v) => tf.scalar(v)) as [tf.Scalar, tf.Scalar, tf.Scalar];
  return (t, mm, cPrev) => {
    const s = tf.sigmoid(mm ? tf.add(xp[t]!, mm) : xp[t]!);
    const [i, f, o, sg] = splitLast(s, 4) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const g = tf.sub(tf.mul(sg, two), one);
    const c = cPrev ? tf.add(tf.mul(f, cPrev), tf.mul(i, g)) : tf.mul(i, g);
    const tc = tf.sub(tf.mul(tf.sigmoid(tf.mul(c, two)), two), one);
    const h = tf.mul(o, tc);
    if (!record) return { c, h, tape: [] };
    const m = tf.concat([g, cPrev ?? tf.zerosLike(c), tc, tf.mul(i, four)], 1);
    const P = tf.mul(tf.mul(s, tf.sub(one, s)), m);
    const K = tf.sub(o, tf.mul(h, tc)); // o * (1 - tc^2), as h = o * tc
    return { c, h, tape: [P, K, f] };
  };
}

function opsCellGrad(dy: tf.Tensor, outputLast: boolean): CellGradStep {
  const dys = outputLast ? [] : unstackLeading(dy);
  return (t, last, [P, K, F], dhRec, dcNext, carry) => {
    const dOut = outputLast ? (last ? dy : undefined) : dys[t];
    const dh = dOut && dhRec ? tf.add(dOut, dhRec) : (dOut ?? dhRec!);
    const dc = dcNext ? tf.add(tf.mul(dh, K!), dcNext) : tf.mul(dh, K!);
    const dz = tf.mul(tf.concat([dc, dc, dh, dc], 1), P!);
    return { dz, dc: carry ? tf.mul(dc, F!) : undefined };
  };
}

// The same cell as one kernel per step each way (wasm), with the tape as one [B, 6H] tensor per
// step; the backward one reads its step's output gradient straight out of dy by offset.
function fusedCell(xw: tf.Tensor, record: boolean): CellStep {
  const xp = unstackLeading(xw);
  return (t, mm, cPrev) => {
    const [c, h, tape] = lstmCellKernel(xp[t]!, mm, cPrev, record) as [tf.Tensor, tf.Tensor, tf.Tensor?];
    return { c, h, tape: tape ? [tape] : [] };
  };
}

function fusedCellGrad(dy: tf.Tensor, outputLast: boolean): CellGradStep {
  const size = outputLast ? 0 : dy.shape[1]! * dy.shape[2]!;
  return (t, last, [tape], dhRec, dcNext, carry) => {
    const dOut = outputLast && !last ? undefined : dy;
    const [dz, dc] = lstmCellGradKernel(tape!, dOut, t * size, dhRec, dcNext, carry) as [
      tf.Tensor,
      tf.Tensor?,
    ];
    return { dz, dc };
  };
}

/**
 * One direction of one LSTM layer over a time-major input [steps, batch, in], with PyTorch's
 * equations and zero initial state; backpropagation through time is written by hand.
 * kernel [in, 4H], recurrent [H, 4H], bias [4H] (b_ih + b_hh), gates in order i, f, g, o.
 */
export function lstmDirection(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrent: tf.Tensor2D,
  bias: tf.Tensor1D,
  opts: LstmDirectionOptions,
): tf.Tensor {
  const [T, B, I] = x.shape;
  const H = recurrent.shape[0];
  // Inside a customGrad forward the tape is off, so whether gradients will be asked for is read here.
  const recording = tf.engine().state.gradientDepth > 0;
  const oneStep = opts.reverse && opts.outputLast;

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, kIn, rIn, bIn] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const xs = oneStep ? tf.slice(xIn!, [T - 1, 0, 0], [1, B, I]) : xIn!;
    const n = xs.shape[0]!;
    // Every step's input projection in one large matMul, then cut into steps.
    const xw = tf.fused.matMul({
      a: tf.reshape(xs, [n * B, I]),
      b: toInternal(kIn!, 2),
      bias: toInternal(bIn!, 2),
    });
    const cell = (lstmKernelsHere() ? fusedCell : opsCell)(tf.reshape(xw, [n, B, 4 * H]), recording);
    const wh = toInternal(rIn!, 2);
    const tapes: tf.Tensor[][] = [];
    const Hs: tf.Tensor[] = [];
    let h: tf.Tensor | undefined;
    let c: tf.Tensor | undefined;
    for (const t of positions(n, opts.reverse)) {
      const step = cell(t, h && tf.matMul(h, wh), c);
      ({ c, h } = step);
      tapes[t] = step.tape;
      Hs[t] = h;
    }
    const value = opts.outputLast ? h! : tf.stack(Hs);
    // Per-step tapes beat one over stacked steps in the backward pass: no stacking and unstacking,
    // and the step's data is still in cache.
    if (recording) save([xs, kIn!, rIn!, ...tapes.flat(), ...Hs]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      tf.tidy(() => backward(dy, saved, x.shape, opts));
    return { value, gradFunc };
  });
  return op(x, kernel, recurrent, bias);
}

// Backpropagation through time from the per-step factors the forward pass saved.
function backward(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  [T, B, I]: [number, number, number],
  opts: LstmDirectionOptions,
): tf.Tensor[] {
  const [xs, kernel, recurrent] = saved as tf.Tensor[];
  const n = xs!.shape[0]!;
  const rows = n * B;
  const order = positions(n, opts.reverse);
  // Each position's tape (as many tensors at every position), in position order, then each h.
  const per = (saved.length - 3 - n) / n;
  const tape = (t: number) => saved.slice(3 + t * per, 3 + (t + 1) * per);
  const Hs = saved.slice(3 + n * per);
  const grad = (lstmKernelsHere() ? fusedCellGrad : opsCellGrad)(dy, opts.outputLast);
  const whT = tf.transpose(toInternal(recurrent!, 1));

  const dz: tf.Tensor[] = [];
  let dhRec: tf.Tensor | undefined;
  let dcNext: tf.Tensor | undefined;
  for (let k = n - 1; k >= 0; k--) {
    const t = order[k]!;
    const step = grad(t, k === n - 1, tape(t), dhRec, dcNext, k > 0);
    dz[t] = step.dz;
    // Plain matMuls against explicitly transposed weights: wasm's transposed matMul is ~10x slower.
    if (k > 0) [dhRec, dcNext] = [tf.matMul(step.dz, whT), step.dc];
  }

  // Weight gradients of all steps as one large matMul each.
  const dZ = tf.concat(dz, 0);
  const hPrev = previous(Hs, opts.reverse);
  const xs2 = tf.reshape(xs!, [rows, xs!.shape[2]!]);
  // dW^T = dZ^T x: a fresh dZ as matMul's right operand would cost XNNPACK a 4H-wide weight
  // packing (~10 ms); x and h as right operands are narrower.
  const dZt = tf.transpose(dZ);
  const dKernel = fromInternal(tf.transpose(tf.matMul(dZt, xs2)));
  const dRecurrent = fromInternal(tf.transpose(tf.matMul(dZt, hPrev)));
  // Summing rows of dZ^T, not columns of dZ: wasm reduces a leading axis by transposing first.
  const dBias = fromInternal(tf.sum(dZt, 1));
  if (!opts.inputGrad) return [tf.zeros([T, B, I]), dKernel, dRecurrent, dBias];
  const dx = tf.reshape(tf.matMul(dZ, tf.transpose(toInternal(kernel!, 1))), [n, B, I]);
  return [n < T ? tf.concat([tf.zeros([T - n, B, I]), dx], 0) : dx, dKernel, dRecurrent, dBias];
}
