import type * as tf from '@tensorflow/tfjs';

/**
 * What network to train. One shape of spec for every type; a field a type has no use for is ignored.
 * The seed study's LSTM is { type: 'lstm', hidden: 128, layers: 3, dropout: 0, readout: 'last' }.
 */
export interface ModelSpec {
  type: 'mlp' | 'cnn' | 'lstm' | 'blstm';
  /** Units per hidden layer (mlp), filters per conv block (cnn), LSTM state size per direction. 1-4096. */
  hidden: number;
  /** Hidden layers (mlp), conv blocks (cnn, 1-4), stacked LSTM layers (1-8). */
  layers: number;
  /** Drop rate between layers and before the classifier while training, 0 (off) to <1. */
  dropout: number;
  /** Hidden-layer activation of mlp and cnn; the LSTM cell is always sigmoid/tanh. */
  activation: 'relu' | 'tanh';
  /**
   * How a sequence becomes one vector for the classifier. lstm/blstm: 'last' is PyTorch's
   * out[:, -1, :] (for a blstm: the forward direction after all steps joined with the backward
   * direction after ONE step, as the seed did), 'mean'/'max' pool the top layer over time.
   * cnn: 'mean'/'max' pool over time, 'last' flattens every position. mlp: ignored (flattens).
   */
  readout: 'last' | 'mean' | 'max';
}

/** Shape of one example: `steps` time steps of `dims` features. */
export interface InputShape {
  steps: number;
  dims: number;
}

/** One trainable tensor under a stable, human-readable name (what gets saved). */
export interface NamedWeight {
  name: string;
  tensor: tf.Variable;
}

/** A built network: its variables and a forward pass from [batch, steps, dims] to logits. */
export interface Model {
  readonly spec: ModelSpec;
  readonly inputShape: InputShape;
  readonly classes: number;
  /** Every trainable variable, in namedWeights() order. */
  readonly variables: tf.Variable[];
  /** Logits [batch, classes] of x [batch, steps, dims]; `training` turns dropout on. */
  apply(x: tf.Tensor3D, training: boolean): tf.Tensor2D;
  /** Variables with their names, e.g. "lstm.l0.kernel", for tf.io-style saving. */
  namedWeights(): NamedWeight[];
  /** A copy of every weight's values by name. */
  getWeights(): Record<string, Float32Array>;
  /** Overwrites weights by name; every name must be known and every length must match. */
  setWeights(weights: Record<string, Float32Array | number[]>): void;
  /** Frees the variables. */
  dispose(): void;
}
