import type * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../../shared/training';

export type { ModelSpec };

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
  /**
   * The last hidden layer of x [batch, steps, dims] in evaluation mode, [batch, embeddingSize]: what
   * the classifier reads (the readout before the dropout and dense head), e.g. for the embedding map.
   */
  embed(x: tf.Tensor3D): tf.Tensor2D;
  /** Variables with their names, e.g. "lstm.l0.kernel", for tf.io-style saving. */
  namedWeights(): NamedWeight[];
  /** A copy of every weight's values by name. */
  getWeights(): Record<string, Float32Array>;
  /** Overwrites weights by name; every name must be known and every length must match. */
  setWeights(weights: Record<string, Float32Array | number[]>): void;
  /** Frees the variables. */
  dispose(): void;
}
