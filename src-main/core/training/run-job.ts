// What the runner trains and what it tells: a run's job, resolved once, and its events.
import type { FeatureCacheInfo } from '../../shared/features';
import type { BackendName, RunStatus, TrainConfig } from '../../shared/training';
import type { ProgressFn } from '../../shared/types';
import type { TrainerEvent, TrainJob } from './protocol';

/**
 * A run as the API resolved it for the queue, looked up once: the queue trains it from this alone
 * and never asks the API (or reloads the run) for more.
 */
export interface RunJob {
  runId: number;
  config: TrainConfig;
  /** The data set the run trains on, recorded with its final evaluations. */
  datasetId: number | null;
  datasetFingerprint: string;
  /** Folder of the run's models. */
  modelDir: string;
  backend?: BackendName;
  /** Continue after this committed epoch. */
  resumeFrom?: TrainJob['resumeFrom'];
  /**
   * Computes (or finds) the run's feature cache, when the run comes to train (a queued run may
   * wait long); rejects with the reason the run cannot train on its data set.
   */
  features: (onProgress: ProgressFn) => Promise<FeatureCacheInfo>;
  /**
   * Asked after each committed epoch whether the run should stop early (its sweep's rule); the
   * reason is recorded with the run, which ends 'stopped' and keeps what it logged.
   */
  afterEpoch?: (epoch: number) => string | null;
}

/** A run's event, as the queue forwards it to the shells. */
export type RunEvent = { runId: number } & (
  | Exclude<TrainerEvent, { type: 'epoch' }>
  | (Extract<TrainerEvent, { type: 'epoch' }> & { dbSeconds: number })
  | { type: 'features'; done: number; total: number }
  | { type: 'ended'; status: RunStatus; error: string | null }
);
