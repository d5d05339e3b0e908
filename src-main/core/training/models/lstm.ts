import * as tf from '@tensorflow/tfjs';
import { assembleModel, classify, type Forward, WeightSet } from './init';
import { dropout } from './linear';
import { lstmDirection } from './lstm-op';
import { timePool } from './readout';
import type { InputShape, Model, ModelSpec } from './types';

interface DirectionWeights {
  kernel: tf.Variable;
  recurrent: tf.Variable;
  bias: tf.Variable;
  recurrentBias: tf.Variable;
}

/** A stack of LSTM layers and the readout over their top layer: the recurrent part of lstm, blstm and crnn. */
export interface LstmStack {
  /** Values the readout gives per note. */
  readonly features: number;
  /** The readout [batch, features] of a time-major sequence [steps, batch, dims]. */
  read(seq: tf.Tensor3D, training: boolean): tf.Tensor2D;
}

/**
 * spec.layers LSTM layers (both directions when `bidirectional`) over `dims` inputs, with PyTorch's
 * init and dropout between layers, and the readout spec.readout. Weights: lstm.l{n}[_reverse].*,
 * then attention.* for that readout; their recurrent_bias (b_hh) after all of the model's other
 * weights (see UniformOptions.foldedInto). `inputGrad` asks for the first layer's input gradient
 * (when its input is not data, as behind the CRNN's convolutions).
 */
export function lstmStack(
  spec: ModelSpec,
  dims: number,
  bidirectional: boolean,
  set: WeightSet,
  inputGrad = false,
): LstmStack {
  const H = spec.hidden;
  const directions = bidirectional ? ['', '_reverse'] : [''];
  const bound = 1 / Math.sqrt(H);
  const layers: DirectionWeights[][] = [];
  for (let l = 0; l < spec.layers; l++) {
    const inputSize = l === 0 ? dims : H * directions.length;
    layers.push(
      directions.map((d) => ({
        kernel: set.uniform(`lstm.l${l}${d}.kernel`, [inputSize, 4 * H], bound),
        recurrent: set.uniform(`lstm.l${l}${d}.recurrent_kernel`, [H, 4 * H], bound),
        // PyTorch's two biases b_ih and b_hh, each uniform(±1/sqrt(H)) and each trained. One variable
        // holding their sum computes the same but learns at half their rate under Adam, whose step
        // is ~lr whatever the gradient's scale: both take that step, so their sum moves twice as far.
        bias: set.uniform(`lstm.l${l}${d}.bias`, [4 * H], bound),
        recurrentBias: set.uniform(`lstm.l${l}${d}.recurrent_bias`, [4 * H], bound, {
          foldedInto: `lstm.l${l}${d}.bias`,
        }),
      })),
    );
  }
  const features = H * directions.length;
  const pool = spec.readout === 'last' ? undefined : timePool(spec, features, set);

  const read = (input: tf.Tensor3D, training: boolean): tf.Tensor2D => {
    let seq = input;
    let out: tf.Tensor2D | undefined;
    layers.forEach((dirs, l) => {
      const top = l === layers.length - 1;
      const outputLast = top && !pool;
      const outs = dirs.map((w, d) =>
        lstmDirection(
          seq,
          w.kernel as tf.Tensor2D,
          w.recurrent as tf.Tensor2D,
          tf.add(w.bias, w.recurrentBias),
          {
            reverse: d === 1,
            outputLast,
            inputGrad: l > 0 || inputGrad,
          },
        ),
      );
      if (outputLast) {
        out = (outs.length === 1 ? outs[0] : tf.concat(outs, 1)) as tf.Tensor2D;
        return;
      }
      const joined = (outs.length === 1 ? outs[0] : tf.concat(outs, 2)) as tf.Tensor3D;
      if (!top) {
        // PyTorch's LSTM dropout: on every layer's output except the last.
        seq = dropout(joined, spec.dropout, training);
        return;
      }
      out = pool!(joined, 0);
    });
    return out!;
  };
  return { features, read };
}

/**
 * A stacked LSTM (spec.type 'lstm') or bidirectional LSTM ('blstm') with PyTorch's semantics
 * (nn.LSTM(batch_first=True, dropout) followed by nn.Linear on the readout), over the fast
 * hand-written LSTM op. Weights: lstm.l{n}[_reverse].{kernel [in, 4H], recurrent_kernel [H, 4H],
 * bias [4H] = b_ih}, gates i, f, g, o; attention.* for that readout; fc.kernel [features, classes],
 * fc.bias; then lstm.l{n}[_reverse].recurrent_bias [4H] = b_hh.
 */
export function buildRecurrent(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  const stack = lstmStack(spec, shape.dims, spec.type === 'blstm', set);
  const fc = set.dense('fc', stack.features, classes);

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    // Time-major inside: each step's slice is then one contiguous block.
    const seq = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
    return classify(stack.read(seq, training), fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
