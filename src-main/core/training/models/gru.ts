import * as tf from '@tensorflow/tfjs';
import { gruDirection, type GruWeights } from './gru-op';
import { assembleModel, classify, type Forward, WeightSet } from './init';
import { dropout } from './linear';
import { timePool } from './readout';
import type { InputShape, Model, ModelSpec } from './types';

// One layer's directions: [forward] or [forward, reverse].
type GruLayer = GruWeights[];

function gruLayers(spec: ModelSpec, dims: number, directions: string[], set: WeightSet): GruLayer[] {
  const H = spec.hidden;
  // PyTorch's nn.GRU init: every weight and both biases uniform in ±1/sqrt(H).
  const bound = 1 / Math.sqrt(H);
  return Array.from({ length: spec.layers }, (_, l) =>
    directions.map((d) => {
      const name = `gru.l${l}${d}`;
      return {
        kernel: set.uniform(`${name}.kernel`, [l === 0 ? dims : H * directions.length, 3 * H], bound),
        recurrent: set.uniform(`${name}.recurrent_kernel`, [H, 3 * H], bound),
        bias: set.uniform(`${name}.bias`, [3 * H], bound),
        recurrentBias: set.uniform(`${name}.recurrent_bias`, [3 * H], bound),
      } as GruLayer[number];
    }),
  );
}

// The directions' outputs side by side (a lone direction as it is: concat would copy it).
function join(outs: tf.Tensor[], axis: number): tf.Tensor {
  return outs.length === 1 ? outs[0]! : tf.concat(outs, axis);
}

function build(bidirectional: boolean, spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet) {
  const directions = bidirectional ? ['', '_reverse'] : [''];
  const layers = gruLayers(spec, shape.dims, directions, set);
  const pool = timePool(spec, spec.hidden * directions.length, set);
  const fc = set.dense('fc', spec.hidden * directions.length, classes);
  const top = layers.length - 1;
  // readout 'last' asks the top layer for its last position only (PyTorch's out[:, -1, :]).
  const lastOnly = spec.readout === 'last';

  const forward = (x: tf.Tensor3D, training: boolean): Forward => {
    // Time-major inside: each step's slice is then one contiguous block.
    let seq = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
    for (let l = 0; l < top; l++) {
      const outs = layers[l]!.map((w, d) =>
        gruDirection(seq, w, { reverse: d === 1, outputLast: false, inputGrad: l > 0 }),
      );
      // Dropout on every layer's output but the last, as nn.GRU(dropout=...) does.
      seq = dropout(join(outs, 2) as tf.Tensor3D, spec.dropout, training);
    }
    const outs = layers[top]!.map((w, d) =>
      gruDirection(seq, w, { reverse: d === 1, outputLast: lastOnly, inputGrad: top > 0 }),
    );
    // 'last' for a BGRU: the forward direction after every step beside the reverse after ONE,
    // exactly as the BLSTM reads out.
    const features = lastOnly ? (join(outs, 1) as tf.Tensor2D) : pool(join(outs, 2) as tf.Tensor3D, 0);
    return classify(features, fc, spec.dropout, training);
  };
  return assembleModel(spec, shape, classes, set, forward);
}

/**
 * A stacked GRU (model type 'gru') with PyTorch's semantics, nn.GRU(batch_first=True, dropout)
 * then nn.Linear on the readout, over the hand-written GRU op (gru-op.ts). Weights:
 * gru.l{n}.{kernel [in, 3H], recurrent_kernel [H, 3H], bias [3H] = b_ih, recurrent_bias [3H] = b_hh},
 * gates r, z, n; then fc.kernel [H, classes], fc.bias.
 */
export function buildGru(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  return build(false, spec, shape, classes, set);
}

/**
 * A stacked bidirectional GRU (model type 'bgru'): as buildGru with gru.l{n}_reverse.* weights
 * for the backward direction, the two directions' outputs joined on every layer.
 */
export function buildBgru(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model {
  return build(true, spec, shape, classes, set);
}
