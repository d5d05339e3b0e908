import type { FeatureConfig } from './features';

export const MODEL_TYPES = ['mlp', 'cnn', 'lstm', 'blstm'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];
export const BACKENDS = ['node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const RUN_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The network. Defaults are the seed LSTM's. */
export interface ModelSpec {
  type: ModelType;
  /** Hidden units per layer (LSTM state size; MLP width; CNN channels of the last block). Default 128; 1 to 4096. */
  hidden: number;
  /** Recurrent / dense / conv layers. Default 3; 1 to 8. */
  layers: number;
  /** Dropout between layers and before the classifier. Default 0; 0 to 0.9. */
  dropout: number;
  /** Activation of MLP and CNN layers. Default relu. */
  activation: 'relu' | 'tanh';
  /** What the classifier reads from a sequence: the last step (the seed), or mean / max over steps. */
  readout: 'last' | 'mean' | 'max';
}

/** Everything a run is configured with. */
export interface TrainConfig {
  model: ModelSpec;
  features: FeatureConfig;
  /** Default adam (PyTorch defaults: betas 0.9/0.999, eps 1e-8). */
  optimizer: 'adam' | 'sgd';
  /** Learning rate. Default 0.0008; above 0, at most 10. */
  lr: number;
  /** SGD momentum. Default 0.9; 0 to 0.999. */
  momentum: number;
  /** L2 weight decay added to gradients, as PyTorch's optimizers do. Default 0; 0 to 1. */
  weightDecay: number;
  /** Notes per batch. Default 32; 1 to 4096. */
  batch: number;
  /** Default 20; 1 to 10000. */
  epochs: number;
  /** Stop after this many epochs without a better validation accuracy (ties: lower loss); 0 = never. Default 0. */
  patience: number;
  /** Seeds weights, shuffling and dropout. Default 0. */
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

/** Names of the built-in presets. */
export const PRESET_NAMES = ['seed-lstm', 'seed-blstm', 'seed-fc', 'seed-cnn', 'logmel-lstm'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
