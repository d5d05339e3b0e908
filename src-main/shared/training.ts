import type { FeatureConfig } from './features';

/** A registered model type's id (mlp, cnn, lstm, blstm, ...): core's model registry lists them. */
export type ModelType = string;
export const BACKENDS = ['node', 'wasm', 'cpu'] as const;
/** The words of the fixed choices; shared/train-fields.ts offers exactly these. */
export const ACTIVATIONS = ['relu', 'tanh'] as const;
export const READOUTS = ['last', 'mean', 'max', 'attention'] as const;
export const OPTIMIZERS = ['adam', 'adamw', 'sgd'] as const;
/** How the loss weighs families of unequal size: not at all, by class weights, or by sampling. */
export const BALANCES = ['none', 'weights', 'sampling'] as const;
/** How the learning rate moves over a run (core/training/schedule.ts). */
export const SCHEDULES = ['constant', 'step', 'cosine', 'onecycle'] as const;
export type BackendName = (typeof BACKENDS)[number];
/**
 * A run's life: queued, preparing (computing its features), running; then finished, failed,
 * cancelled, stopped (early, by its sweep's rule, keeping what it logged) or interrupted (its
 * process died or quit while it trained outside the queue).
 */
export const RUN_STATUSES = [
  'queued',
  'preparing',
  'running',
  'finished',
  'failed',
  'cancelled',
  'stopped',
  'interrupted',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** The statuses of a run the queue holds: waiting, computing its features, or training. */
export const ACTIVE_STATUSES = ['queued', 'preparing', 'running'] as const;
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];
/** How a run ended. */
export type EndStatus = Exclude<RunStatus, ActiveStatus>;
/** Whether a run is queued, preparing or training (not ended). */
export const isActive = (status: RunStatus): status is ActiveStatus =>
  (ACTIVE_STATUSES as readonly string[]).includes(status);

/**
 * The epochs a run's last model averages the weights of (`averageLast`), when it ended after
 * `lastEpoch`: the span from epochs - averageLast + 1 that it reached, or null when that is under
 * two epochs (averaging off, or an early stop before the span).
 */
export function averagedEpochs(
  c: { epochs: number; averageLast?: number },
  lastEpoch: number,
): { from: number; to: number } | null {
  const from = averageStart(c);
  return lastEpoch > from ? { from, to: lastEpoch } : null;
}

/** The first epoch whose weights a run's last model averages (`averageLast`; runs before it: none but the last). */
export function averageStart(c: { epochs: number; averageLast?: number }): number {
  return Math.max(1, c.epochs - (c.averageLast ?? 1) + 1);
}

/**
 * What network to train. One shape of spec for every type; a field a type has no use for is ignored.
 * Ranges, defaults and labels: shared/train-fields.ts; per-type narrowing: core's model registry.
 */
export interface ModelSpec {
  type: ModelType;
  /** Units per hidden layer (mlp), filters per conv block (cnn), recurrent state size per direction. */
  hidden: number;
  /** Hidden layers (mlp), conv blocks (cnn), stacked recurrent layers. */
  layers: number;
  /** Drop rate between layers and before the classifier while training. */
  dropout: number;
  /** Hidden-layer activation of mlp and cnn; recurrent cells keep their own. */
  activation: (typeof ACTIVATIONS)[number];
  /**
   * How a sequence becomes one vector for the classifier. Recurrent: 'last' is PyTorch's
   * out[:, -1, :] (for a bidirectional model: the forward direction after all steps joined with the
   * backward direction after ONE step, as the seed did), 'mean'/'max' pool the top layer over time.
   * cnn, cnn2d: 'mean'/'max' pool over time, 'last' flattens every position. 'attention' weighs the
   * steps by a learned score's softmax over time (recurrent models, cnn, cnn2d, crnn). mlp: ignored (flattens).
   */
  readout: (typeof READOUTS)[number];
}

/** Everything a run is configured with; each field's range, default and help: shared/train-fields.ts. */
export interface TrainConfig {
  model: ModelSpec;
  features: FeatureConfig;
  /** Adam (PyTorch defaults: betas 0.9/0.999, eps 1e-8), AdamW (Adam with decoupled weight decay) or SGD. */
  optimizer: (typeof OPTIMIZERS)[number];
  /** Learning rate (the peak, under a schedule). */
  lr: number;
  /** How the learning rate moves over the run. */
  schedule: (typeof SCHEDULES)[number];
  /** Epochs of linear warm-up from 0 to the learning rate before the schedule; 0 = none. */
  warmup: number;
  /** SGD momentum. */
  momentum: number;
  /** L2 weight decay added to gradients, as PyTorch's optimizers do; with AdamW, decoupled. */
  weightDecay: number;
  /** The largest global norm of a step's gradients (scaled down above it); 0 = no clipping. */
  clip: number;
  /** Share of each target spread over all families (0 = plain one-hot targets). */
  labelSmoothing: number;
  /**
   * Augmentation (core/features/augment.ts), each 0 = off, drawn from the run's seed: a training
   * clip starts up to `shift` seconds after `start` (valid and test at `start`).
   */
  shift: number;
  /** Random gain of each training note, uniform within ± this many dB. */
  gain: number;
  /**
   * Random pitch shift of each training note by resampling, uniform within ± this many semitones
   * (raw and log-mel features; MFCC ignores it).
   */
  pitch: number;
  /** SpecAugment: masks over time per training note, each up to `timeMaskWidth` steps wide. */
  timeMasks: number;
  timeMaskWidth: number;
  /** SpecAugment: masks over the bands / coefficients per training note (log-mel, MFCC), each up to `freqMaskWidth` wide. */
  freqMasks: number;
  freqMaskWidth: number;
  /** Mixup's alpha: each batch mixed with a shuffle of itself by λ ~ Beta(alpha, alpha). */
  mixup: number;
  /** Clips per note averaged at evaluation (with a random start: spread over its range); 1 = the clip at start. */
  evalClips: number;
  /**
   * Weight averaging: the last model is the mean of the weights after each of the run's last this
   * many epochs (of epochs - averageLast + 1 .. epochs, as far as the run got); 1 = off.
   */
  averageLast: number;
  /** 'weights': the loss weighs each family by the inverse of its share of the train notes; 'sampling': batches drawn family-balanced. */
  balance: (typeof BALANCES)[number];
  /** Notes per batch. */
  batch: number;
  /**
   * Threads the run trains on (data-parallel): each batch split across them, their gradients
   * averaged into one step, the same results as one thread within float rounding; 1 to 16.
   */
  workers: number;
  /** Passes over the train split. */
  epochs: number;
  /** Stop after this many epochs without a better validation accuracy (ties: lower loss); 0 = never. */
  patience: number;
  /** Seeds weights, shuffling and dropout. */
  seed: number;
}

/** One epoch as the trainer reports it and the store keeps it. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  samplesPerSecond: number;
}

/** Precision, recall and F1 of one family. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** A model evaluated on one split. */
export interface Evaluation {
  id: number;
  runId: number | null;
  weights: 'best' | 'last' | 'external';
  epoch: number | null;
  modelDir: string;
  datasetId: number | null;
  datasetFingerprint: string;
  split: 'train' | 'valid' | 'test';
  loss: number;
  accuracy: number;
  perClass: ClassMetrics[];
  confusion: number[][];
  labels: string[];
  createdAt: string;
}

/** Which runs `listRuns` answers: every run, or one sweep's (`sweep: null` means every run). */
export interface RunListFilter {
  sweep?: number | null;
  /** Only the newest this many (the runs table's first screen, shown before the whole list). */
  first?: number;
}

/** A run as the runs table lists it. */
export interface RunSummary {
  id: number;
  name: string;
  status: RunStatus;
  preset: string | null;
  model: ModelType;
  representation: string;
  lr: number;
  batch: number;
  hidden: number;
  layers: number;
  optimizer: string;
  epochs: number;
  epochsDone: number;
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  testAccuracy: number | null;
  backend: string | null;
  datasetId: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  tags: string[];
  /** The sweep that created the run, if any. */
  sweepId: number | null;
}

/** Everything a run recorded. */
export interface RunDetail extends RunSummary {
  notes: string;
  error: string | null;
  backendVersion: string | null;
  appVersion: string;
  seed: number;
  datasetFingerprint: string;
  config: TrainConfig;
  params: Record<string, string | number | boolean>;
  history: EpochMetrics[];
  /** Validation confusion matrix per epoch, in epoch order. */
  confusions: { epoch: number; matrix: number[][] }[];
  evaluations: Evaluation[];
  models: { kind: 'best' | 'last' | 'checkpoint'; epoch: number; dir: string }[];
}

/**
 * A preset's name: the built-in ones (logmel-mlp, seed-lstm, seed-blstm, seed-fc, seed-cnn, logmel-lstm), then
 * those model types declare (seed-gru ...). listPresets() gives them; core/training/config.ts holds them.
 */
export type PresetName = string;
