import type * as tfType from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/training';
import type { Model } from './models/types';

type Tf = typeof tfType;

/** The optimiser settings of a run. */
export type OptimizerConfig = Pick<TrainConfig, 'optimizer' | 'lr' | 'momentum'>;

/**
 * Adam with PyTorch's defaults (beta1 0.9, beta2 0.999, eps 1e-8; tfjs scales eps by the bias
 * correction slightly differently, which matters only while v is ~eps²) or SGD with momentum.
 * AdamW is the same Adam: trainStep decays the weights itself (`decoupled`).
 */
export function makeOptimizer(tf: Tf, c: OptimizerConfig): tfType.Optimizer {
  switch (c.optimizer) {
    case 'adam':
    case 'adamw':
      return tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
    case 'sgd':
      return c.momentum > 0 ? tf.train.momentum(c.lr, c.momentum) : tf.train.sgd(c.lr);
    default:
      // Validation refuses other words; a new one must be written here, never trained as another.
      throw new Error(`no optimizer "${String(c.optimizer satisfies never)}"`);
  }
}

/**
 * Mean softmax cross-entropy of logits [batch, classes] against integer labels [batch]; with
 * `smoothing` s, against targets (1 - s) one-hot + s / classes, as PyTorch's label_smoothing.
 */
export function crossEntropy(
  tf: Tf,
  logits: tfType.Tensor2D,
  labels: tfType.Tensor1D,
  smoothing = 0,
): tfType.Scalar {
  return tf.tidy(() => {
    const int = labels.dtype === 'int32' ? labels : (tf.cast(labels, 'int32') as tfType.Tensor1D);
    const onehot = tf.oneHot(int, logits.shape[1]);
    return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, smoothing) as tfType.Scalar;
  });
}

/**
 * Softmax cross-entropy against soft targets [batch, classes] (smoothed by `smoothing` as
 * crossEntropy does), each note's loss weighed by its target's class weight when given: the mean
 * sum(w l) / sum(w), as PyTorch's CrossEntropyLoss(weight=...); the plain mean otherwise.
 */
export function weightedCrossEntropy(
  tf: Tf,
  logits: tfType.Tensor2D,
  targets: tfType.Tensor2D,
  smoothing = 0,
  classWeights?: Float32Array,
): tfType.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const smoothed = smoothing > 0 ? targets.mul(1 - smoothing).add(smoothing / classes) : targets;
    const perNote = tf.neg(tf.sum(tf.mul(smoothed, tf.logSoftmax(logits)), 1));
    if (!classWeights) return tf.mean(perNote) as tfType.Scalar;
    const w = tf.sum(tf.mul(targets, tf.tensor1d(classWeights)), 1);
    return tf.div(tf.sum(tf.mul(perNote, w)), tf.sum(w)) as tfType.Scalar;
  });
}

type WithRate = tfType.Optimizer & { learningRate: number; setLearningRate?: (lr: number) => void };

/** Sets an optimizer's learning rate for its next steps (SGD keeps it as a tensor, Adam as a number). */
export function setLearningRate(optimizer: tfType.Optimizer, lr: number): void {
  const o = optimizer as WithRate;
  if (o.learningRate === lr) return;
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** An optimizer's learning rate now. */
export function learningRateOf(optimizer: tfType.Optimizer): number {
  return (optimizer as WithRate).learningRate;
}

/** What a step does besides the plain update (each off by default). */
export interface StepAids {
  /** Added as weightDecay * w to each gradient (PyTorch's weight_decay), or with `decoupled`... */
  weightDecay?: number;
  /** ...the weights shrunk by lr * weightDecay (the optimizer's rate now) before the update instead (PyTorch's AdamW). */
  decoupled?: boolean;
  /** Gradients scaled down to this global norm when above it (PyTorch's clip_grad_norm_). */
  clip?: number;
  /** Label smoothing of the training loss. */
  labelSmoothing?: number;
  /**
   * Weight of each class in the loss (class balance): the loss is sum(w l) / sum(w) over the batch,
   * w the weight of each note's target, as PyTorch's CrossEntropyLoss(weight=...).
   */
  classWeights?: Float32Array;
}

/** A batch as the feature cache gives it: x is batch x steps x dims, y each note's class. */
export interface StepBatch {
  x: Float32Array;
  y: Int32Array;
  /** Soft targets, batch x classes (mixup), instead of y's one-hot ones; y still counts accuracy. */
  targets?: Float32Array | null;
}

/**
 * One optimisation step on a batch (the one the trainer runs); returns the batch's mean loss,
 * before the update, and its count of correct predictions. In PyTorch's order: the gradients are
 * clipped, then the weight decay is added to them (not to the loss), or with `decoupled` the
 * weights shrink, then the optimiser updates.
 */
export function trainStep(
  tf: Tf,
  model: Model,
  optimizer: tfType.Optimizer,
  batch: StepBatch,
  aids: StepAids = {},
): { loss: number; correct: number } {
  const { labelSmoothing = 0, classWeights } = aids;
  const { steps, dims } = model.inputShape;
  const count = batch.y.length;
  let correct: tfType.Scalar | undefined;
  const loss = tf.tidy((): tfType.Scalar => {
    const x = tf.tensor3d(batch.x, [count, steps, dims]);
    const y = tf.tensor1d(batch.y, 'int32');
    const classes = model.classes;
    const targets = batch.targets ? tf.tensor2d(batch.targets, [count, classes]) : undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, true);
      correct = tf.keep(tf.equal(tf.argMax(logits, 1), y).sum() as tfType.Scalar);
      if (!targets && !classWeights) return crossEntropy(tf, logits, y, labelSmoothing);
      const soft = targets ?? (tf.oneHot(y, classes).toFloat() as tfType.Tensor2D);
      return weightedCrossEntropy(tf, logits, soft, labelSmoothing, classWeights);
    }, model.variables);
    applyStep(tf, model, optimizer, grads, aids);
    return value as tfType.Scalar;
  });
  const result = { loss: loss.dataSync()[0]!, correct: correct!.dataSync()[0]! };
  loss.dispose();
  correct!.dispose();
  return result;
}

/**
 * The update of a step from its gradients (by variable name), in PyTorch's order: clipped to the
 * global norm, then the weight decay added to them, or with `decoupled` the weights shrunk, then
 * the optimiser's step. Call inside tf.tidy.
 */
export function applyStep(
  tf: Tf,
  model: Model,
  optimizer: tfType.Optimizer,
  grads: tfType.NamedTensorMap,
  aids: StepAids = {},
): void {
  const { weightDecay = 0, decoupled = false, clip = 0 } = aids;
  if (clip > 0) {
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))));
    // clip / (norm + 1e-6), at most 1: only a norm above the limit is scaled.
    const scale = tf.minimum(tf.div(clip, tf.add(norm, 1e-6)), 1);
    for (const n of names) grads[n] = tf.mul(grads[n]!, scale);
  }
  if (weightDecay > 0 && !decoupled) {
    for (const v of model.variables) grads[v.name] = grads[v.name]!.add(v.mul(weightDecay));
  }
  if (weightDecay > 0 && decoupled) {
    const keep = 1 - learningRateOf(optimizer) * weightDecay;
    for (const v of model.variables) v.assign(v.mul(keep));
  }
  optimizer.applyGradients(grads);
}

/**
 * The loss weight of each note of a batch: its target's class weight (soft targets: their mix of
 * the weights), 1 without class weights. Their sum is the denominator of the whole batch's loss.
 */
export function noteWeights(batch: StepBatch, classes: number, classWeights?: Float32Array): Float64Array {
  const n = batch.y.length;
  const w = new Float64Array(n).fill(1);
  if (!classWeights) return w;
  for (let i = 0; i < n; i++) {
    if (!batch.targets) {
      w[i] = classWeights[batch.y[i]!]!;
      continue;
    }
    let s = 0;
    for (let c = 0; c < classes; c++) s += batch.targets[i * classes + c]! * classWeights[c]!;
    w[i] = s;
  }
  return w;
}

/**
 * The gradients of one part of a batch (data-parallel training): the loss is this part's
 * sum(w l) over the whole batch's sum(w), `denominator`, so the parts' gradients and losses add
 * up to the whole batch's. Writes the gradients, in `model.variables` order, into `out`; returns
 * the part's share of the loss and its correct predictions.
 */
export function partGradients(
  tf: Tf,
  model: Model,
  part: StepBatch,
  denominator: number,
  out: Float32Array,
  aids: StepAids = {},
): { loss: number; correct: number } {
  const { labelSmoothing = 0, classWeights } = aids;
  const count = part.y.length;
  if (count === 0) {
    out.fill(0);
    return { loss: 0, correct: 0 };
  }
  const { steps, dims } = model.inputShape;
  const classes = model.classes;
  return tf.tidy(() => {
    const x = tf.tensor3d(part.x, [count, steps, dims]);
    const y = tf.tensor1d(part.y, 'int32');
    const targets = part.targets
      ? tf.tensor2d(part.targets, [count, classes])
      : (tf.oneHot(y, classes).toFloat() as tfType.Tensor2D);
    const weights = classWeights ? tf.sum(tf.mul(targets, tf.tensor1d(classWeights)), 1) : undefined;
    let correct: tfType.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, true);
      correct = tf.keep(tf.equal(tf.argMax(logits, 1), y).sum() as tfType.Scalar);
      const smoothed =
        labelSmoothing > 0 ? targets.mul(1 - labelSmoothing).add(labelSmoothing / classes) : targets;
      const perNote = tf.neg(tf.sum(tf.mul(smoothed, tf.logSoftmax(logits)), 1));
      const total = weights ? tf.sum(tf.mul(perNote, weights)) : tf.sum(perNote);
      return tf.div(total, denominator) as tfType.Scalar;
    }, model.variables);
    // One read of every gradient: their values flattened end to end.
    const flat = tf.concat(model.variables.map((v) => grads[v.name]!.reshape([-1])));
    out.set(flat.dataSync() as Float32Array);
    const right = correct!.dataSync()[0]!;
    correct!.dispose();
    return { loss: value.dataSync()[0]!, correct: right };
  });
}

/**
 * Applies flattened gradients (`model.variables` order, as partGradients writes them) as one
 * step with the run's aids: what every data-parallel replica does with the averaged gradients.
 */
export function applyFlatGradients(
  tf: Tf,
  model: Model,
  optimizer: tfType.Optimizer,
  flat: Float32Array,
  aids: StepAids = {},
): void {
  tf.tidy(() => {
    const grads: tfType.NamedTensorMap = {};
    let at = 0;
    for (const v of model.variables) {
      grads[v.name] = tf.tensor(flat.subarray(at, at + v.size), v.shape);
      at += v.size;
    }
    applyStep(tf, model, optimizer, grads, aids);
  });
}
