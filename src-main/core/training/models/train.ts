import * as tf from '@tensorflow/tfjs';
import type { Model } from './types';

/** Which optimiser, with PyTorch's meaning of every field. */
export interface OptimizerSpec {
  kind: 'adam' | 'sgd';
  /** Learning rate; the seed used Adam at 0.0008. */
  lr: number;
  /** SGD momentum (PyTorch's, no dampening), default 0; ignored by Adam. */
  momentum?: number;
}

/**
 * Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8; tfjs scales eps by the bias
 * correction slightly differently, which matters only while v is ~eps²) or SGD with momentum.
 */
export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec.kind === 'adam') return tf.train.adam(spec.lr, 0.9, 0.999, 1e-8);
  const momentum = spec.momentum ?? 0;
  return momentum > 0 ? tf.train.momentum(spec.lr, momentum) : tf.train.sgd(spec.lr);
}

/** Mean softmax cross-entropy of logits [batch, classes] against integer labels [batch]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
  });
}

/**
 * One optimisation step on a batch; returns its loss (before the update). `weightDecay` adds
 * weightDecay * w to each gradient before the optimiser sees it, as PyTorch's weight_decay does.
 */
export function trainStep(
  model: Model,
  optimizer: tf.Optimizer,
  x: tf.Tensor3D,
  y: tf.Tensor1D,
  weightDecay = 0,
): number {
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.apply(x, true), y), model.variables);
    if (weightDecay > 0) {
      for (const v of model.variables) grads[v.name] = tf.add(grads[v.name]!, tf.mul(v, weightDecay));
    }
    optimizer.applyGradients(grads);
    return value;
  });
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/** Logits of x with dropout off, for evaluation. */
export function predict(model: Model, x: tf.Tensor3D): tf.Tensor2D {
  return model.apply(x, false);
}
