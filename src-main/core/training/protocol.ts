import type { RunEventPayload } from '../../shared/contract';
import type { FeatureCacheInfo } from '../../shared/features';
import type { BackendName, ClassMetrics, EpochMetrics, TrainConfig } from '../../shared/training';
import type { ReplicaJob } from './data-parallel';

/** Everything a training worker needs for one run. */
export interface TrainJob {
  runId: number;
  config: TrainConfig;
  cache: FeatureCacheInfo;
  /** Folder of this run's models: `best-<epoch>/`, `last-<epoch>/`, `checkpoint-<epoch>/`. */
  modelDir: string;
  backend?: BackendName;
  /** Continue after this committed epoch, from `checkpoint-<epoch>/`. */
  resumeFrom?: {
    epoch: number;
    bestValLoss: number | null;
    bestValAccuracy: number | null;
    bestEpoch: number | null;
    /** The best weights' folder the database points at (older runs: `best/`), if any. */
    bestDir: string | null;
  };
  /** Per-batch progress messages at most this often. Default 250 ms. */
  progressMs?: number;
  /** Set to 1 by the owner to cancel; read by the worker before every batch. */
  cancelFlag: SharedArrayBuffer;
}

/** Evaluating a saved model on one split of a feature cache. */
export interface EvaluateJob {
  modelDir: string;
  cache: FeatureCacheInfo;
  split: 'train' | 'valid' | 'test';
  backend?: BackendName;
  batch: number;
}

/** Owner -> worker. */
export type TrainerRequest =
  | { type: 'start'; job: TrainJob }
  | { type: 'evaluate'; job: EvaluateJob }
  /** One more thread of a data-parallel run, started by the run's own training thread. */
  | { type: 'replica'; job: ReplicaJob };

/** A model evaluated on one split, with every note's prediction. */
export interface EvaluationMessage {
  weights: 'best' | 'last' | 'external';
  epoch: number | null;
  modelDir: string;
  split: 'train' | 'valid' | 'test';
  loss: number;
  accuracy: number;
  confusion: number[][];
  perClass: ClassMetrics[];
  labels: string[];
  noteStrs: string[];
  truth: Int32Array;
  predicted: Uint8Array;
  /** notes x classes, row-major. */
  probabilities: Float32Array;
}

/** Worker -> owner. */
export type TrainerEvent =
  | { type: 'ready'; backend: BackendName; version: string }
  | Extract<RunEventPayload, { type: 'batch' }>
  | {
      type: 'epoch';
      metrics: EpochMetrics;
      confusion: number[][] | null;
      predicted: Uint8Array | null;
      /** Written whole before this message; the owner records it with the epoch. */
      checkpointDir: string;
      /** Written whole before this message if the epoch is the new best, else null. */
      bestDir: string | null;
    }
  | ({ type: 'evaluation' } & EvaluationMessage)
  | { type: 'done'; status: 'finished' | 'cancelled'; lastDir: string | null; lastEpoch: number }
  | { type: 'failed'; reason: string }
  | { type: 'log'; message: string };
