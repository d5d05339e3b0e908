import * as tf from '@tensorflow/tfjs';
import { assembleModel, WeightSet } from './init';
import { dropout, linear } from './linear';
import { lstmDirection } from './lstm-op';
import type { InputShape, Model, ModelSpec } from './types';

interface DirectionWeights {
  kernel: tf.Variable;
  recurrent: tf.Variable;
  bias: tf.Variable;
}

/**
 * A stacked LSTM (spec.type 'lstm') or bidirectional LSTM ('blstm') with PyTorch's semantics
 * (nn.LSTM(batch_first=True, dropout) followed by nn.Linear on the readout), over the fast
 * hand-written LSTM op. Weights: lstm.l{n}[_reverse].{kernel [in, 4H], recurrent_kernel [H, 4H],
 * bias [4H] = b_ih + b_hh}, gates i, f, g, o; then fc.kernel [features, classes], fc.bias.
 */
export function buildRecurrent(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  const H = spec.hidden;
  const directions = spec.type === 'blstm' ? ['', '_reverse'] : [''];
  const bound = 1 / Math.sqrt(H);
  const layers: DirectionWeights[][] = [];
  for (let l = 0; l < spec.layers; l++) {
    const inputSize = l === 0 ? shape.dims : H * directions.length;
    layers.push(
      directions.map((d) => ({
        kernel: set.uniform(`lstm.l${l}${d}.kernel`, [inputSize, 4 * H], bound),
        recurrent: set.uniform(`lstm.l${l}${d}.recurrent_kernel`, [H, 4 * H], bound),
        // PyTorch keeps two biases, each uniform(±1/sqrt(H)); one bias holding their sum is equivalent.
        bias: set.uniform(`lstm.l${l}${d}.bias`, [4 * H], bound, 2),
      })),
    );
  }
  const fc = set.dense('fc', H * directions.length, classes);

  const forward = (x: tf.Tensor3D, training: boolean): tf.Tensor2D => {
    // Time-major inside: each step's slice is then one contiguous block.
    let seq = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
    let features: tf.Tensor2D | undefined;
    layers.forEach((dirs, l) => {
      const top = l === layers.length - 1;
      const outputLast = top && spec.readout === 'last';
      const outs = dirs.map((w, d) =>
        lstmDirection(seq, w.kernel as tf.Tensor2D, w.recurrent as tf.Tensor2D, w.bias as tf.Tensor1D, {
          reverse: d === 1,
          outputLast,
          inputGrad: l > 0,
        }),
      );
      if (outputLast) {
        features = (outs.length === 1 ? outs[0] : tf.concat(outs, 1)) as tf.Tensor2D;
        return;
      }
      const joined = (outs.length === 1 ? outs[0] : tf.concat(outs, 2)) as tf.Tensor3D;
      if (!top) {
        // PyTorch's LSTM dropout: on every layer's output except the last.
        seq = dropout(joined, spec.dropout, training);
        return;
      }
      features = (spec.readout === 'mean' ? tf.mean(joined, 0) : tf.max(joined, 0)) as tf.Tensor2D;
    });
    const readout = dropout(features!, spec.dropout, training);
    return linear(readout, fc.kernel as tf.Tensor2D, fc.bias as tf.Tensor1D);
  };
  return assembleModel(spec, shape, classes, set, forward);
}
