import type * as tfType from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/training';
import type { Model } from './models/types';

type Tf = typeof tfType;

/** The optimiser settings of a run. */
export type OptimizerConfig = Pick<TrainConfig, 'optimizer' | 'lr' | 'momentum'>;

/**
 * Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8; tfjs scales eps by the bias
 * correction slightly differently, which matters only while v is ~eps²) or SGD with momentum.
 */
export function makeOptimizer(tf: Tf, c: OptimizerConfig): tfType.Optimizer {
  switch (c.optimizer) {
    case 'adam':
      return tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
    case 'sgd':
      return c.momentum > 0 ? tf.train.momentum(c.lr, c.momentum) : tf.train.sgd(c.lr);
    default:
      // Validation refuses other words; a new one must be written here, never trained as another.
      throw new Error(`no optimizer "${String(c.optimizer satisfies never)}"`);
  }
}

/** Mean softmax cross-entropy of logits [batch, classes] against integer labels [batch]. */
export function crossEntropy(tf: Tf, logits: tfType.Tensor2D, labels: tfType.Tensor1D): tfType.Scalar {
  return tf.tidy(() => {
    const int = labels.dtype === 'int32' ? labels : (tf.cast(labels, 'int32') as tfType.Tensor1D);
    const onehot = tf.oneHot(int, logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as tfType.Scalar;
  });
}

/** A batch as the feature cache gives it: x is batch x steps x dims, y each note's class. */
export interface StepBatch {
  x: Float32Array;
  y: Int32Array;
}

/**
 * One optimisation step on a batch (the one the trainer runs); returns the batch's mean loss,
 * before the update, and its count of correct predictions. `weightDecay` adds weightDecay * w to
 * each gradient before the optimiser sees it, as PyTorch's weight_decay does (not to the loss).
 */
export function trainStep(
  tf: Tf,
  model: Model,
  optimizer: tfType.Optimizer,
  batch: StepBatch,
  weightDecay = 0,
): { loss: number; correct: number } {
  const { steps, dims } = model.inputShape;
  const count = batch.y.length;
  let correct: tfType.Scalar | undefined;
  const loss = tf.tidy((): tfType.Scalar => {
    const x = tf.tensor3d(batch.x, [count, steps, dims]);
    const y = tf.tensor1d(batch.y, 'int32');
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, true);
      correct = tf.keep(tf.equal(tf.argMax(logits, 1), y).sum() as tfType.Scalar);
      return crossEntropy(tf, logits, y);
    }, model.variables);
    if (weightDecay > 0) {
      for (const v of model.variables) grads[v.name] = grads[v.name]!.add(v.mul(weightDecay));
    }
    optimizer.applyGradients(grads);
    return value as tfType.Scalar;
  });
  const result = { loss: loss.dataSync()[0]!, correct: correct!.dataSync()[0]! };
  loss.dispose();
  correct!.dispose();
  return result;
}
