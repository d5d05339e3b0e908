import type { Worker } from 'node:worker_threads';
import type { FeatureCacheInfo } from '../../shared/features';
import type { BackendName, RunStatus, TrainConfig } from '../../shared/training';
import type { ProgressFn } from '../../shared/types';
import type { RunRepo } from '../store/runs';
import { pruneModelFolders, type PruneRule } from './model-dirs';
import type { TrainerEvent, TrainerRequest, TrainJob } from './protocol';
import { siblingModule, startWorker } from '../workers';

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
}

/** A run's event, as the queue forwards it to the shells. */
export type RunEvent = { runId: number } & (
  | Exclude<TrainerEvent, { type: 'epoch' }>
  | (Extract<TrainerEvent, { type: 'epoch' }> & { dbSeconds: number })
  | { type: 'features'; done: number; total: number }
  | { type: 'ended'; status: RunStatus; error: string | null }
);

const workerUrl = siblingModule(import.meta.url, 'train-worker');

/**
 * Trains queued runs one at a time, each in its own worker thread, and is the only writer of
 * what they record: every epoch is committed to SQLite as soon as the worker reports it.
 */
export class TrainingQueue {
  private readonly pending: RunJob[] = [];
  private active?: { runId: number; worker?: Worker; cancel: Int32Array };
  private readonly waiters = new Map<number, ((status: RunStatus) => void)[]>();
  private closed = false;

  constructor(
    private readonly runs: RunRepo,
    private readonly emit: (e: RunEvent) => void,
    /** Called whenever the training run or the waiting ones change. */
    private readonly onChange: () => void = () => {},
  ) {}

  /** The run training now, if any, and the ids waiting. */
  state(): { active: number | null; queued: number[] } {
    return { active: this.active?.runId ?? null, queued: this.pending.map((p) => p.runId) };
  }

  /** Puts a run in the queue; it starts when the runs before it have ended. */
  enqueue(job: RunJob): void {
    this.pending.push(job);
    this.pump();
    this.onChange();
  }

  /** Resolves with the run's final status once it ends. */
  wait(runId: number): Promise<RunStatus> {
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  /** Cancels a queued run at once, or a training one within one batch. Returns false if neither. */
  cancel(runId: number): boolean {
    const i = this.pending.findIndex((p) => p.runId === runId);
    if (i >= 0) {
      this.pending.splice(i, 1);
      this.finish(runId, 'cancelled', null);
      this.onChange();
      return true;
    }
    if (this.active?.runId === runId) {
      Atomics.store(this.active.cancel, 0, 1);
      return true;
    }
    return false;
  }

  /**
   * Stops the queue for good (the app is closing): the training run is stopped and marked
   * interrupted, so it can be resumed later; queued runs are cancelled.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.splice(0)) this.finish(p.runId, 'cancelled', null);
    const active = this.active;
    if (active) {
      this.finish(active.runId, 'interrupted', null);
      await active.worker?.terminate();
    }
  }

  private pump(): void {
    if (this.active || this.closed) return;
    const next = this.pending.shift();
    if (!next) return;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    this.active = { runId: next.runId, cancel };
    void this.run(next, cancel).finally(() => {
      this.active = undefined;
      this.pump();
      this.onChange();
    });
  }

  private async run(p: RunJob, cancel: Int32Array): Promise<void> {
    const { runId } = p;
    let cache: FeatureCacheInfo;
    try {
      cache = await p.features((progress) =>
        this.emit({ runId, type: 'features', done: progress.done, total: progress.total }),
      );
    } catch (err) {
      this.finish(
        runId,
        'failed',
        `Could not compute the features: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (Atomics.load(cancel, 0) === 1) return this.finish(runId, 'cancelled', null);
    const job: TrainJob = {
      runId,
      config: p.config,
      cache,
      modelDir: p.modelDir,
      backend: p.backend,
      resumeFrom: p.resumeFrom,
      cancelFlag: cancel.buffer as SharedArrayBuffer,
    };
    await new Promise<void>((resolve) => {
      const worker = startWorker(workerUrl);
      this.active!.worker = worker;
      let ended = false;
      // The run ends with its last message; the queue moves on without waiting for the thread to exit.
      const end = (
        status: Exclude<RunStatus, 'queued' | 'running'>,
        error: string | null,
        last?: { epoch: number; dir: string },
      ) => {
        if (ended) return;
        ended = true;
        if (!this.closed) this.finish(runId, status, error, last);
        void worker.terminate();
        resolve();
      };
      worker.on('message', (e: TrainerEvent) => {
        if (ended || this.closed) return;
        try {
          this.handle(p, job, e, end);
        } catch (err) {
          // A failed write must not go unnoticed: stop the run and say why.
          end('failed', `Could not record the run: ${err instanceof Error ? err.message : String(err)}`);
          void worker.terminate();
        }
      });
      worker.on('error', (err) => end('failed', `The training worker crashed: ${err.message}`));
      worker.on('exit', (code) =>
        end('failed', `The training worker stopped unexpectedly (exit code ${code}).`),
      );
      worker.postMessage({ type: 'start', job } satisfies TrainerRequest);
    });
  }

  private handle(
    run: RunJob,
    job: TrainJob,
    e: TrainerEvent,
    end: (
      s: 'finished' | 'failed' | 'cancelled',
      error: string | null,
      last?: { epoch: number; dir: string },
    ) => void,
  ): void {
    const { runId } = run;
    switch (e.type) {
      case 'ready':
        this.runs.start(runId, e.backend, e.version);
        break;
      case 'epoch': {
        const t0 = performance.now();
        // The epoch and the folders saved after it, in one transaction: at every instant the
        // database points at whole folders, and a kill before the commit loses only this epoch.
        this.runs.recordEpoch(runId, e.metrics, e.confusion, e.predicted, {
          checkpoint: e.checkpointDir,
          best: e.bestDir,
        });
        // Only now can the folders the database no longer points at go (the committed epoch's
        // checkpoint is the one a resume needs). Not later epochs': the worker may be writing them.
        this.prune(runId, job.modelDir, { kinds: ['best', 'checkpoint'], upTo: e.metrics.epoch });
        // How long committing took, so the benchmark can tell the database's share of an epoch.
        this.emit({ runId, ...e, dbSeconds: (performance.now() - t0) / 1000 });
        return;
      }
      case 'evaluation': {
        const preds = e.noteStrs.map((noteStr, i) => ({
          noteStr,
          trueFamily: e.truth[i]!,
          predicted: e.predicted[i]!,
          probabilities: e.probabilities.subarray(i * e.labels.length, (i + 1) * e.labels.length),
        }));
        this.runs.recordEvaluation({
          runId,
          weights: e.weights,
          epoch: e.epoch,
          modelDir: e.modelDir,
          datasetId: run.datasetId,
          datasetFingerprint: run.datasetFingerprint,
          split: e.split,
          loss: e.loss,
          accuracy: e.accuracy,
          perClass: e.perClass,
          confusion: e.confusion,
          labels: e.labels,
          predictions: preds,
        });
        break;
      }
      case 'done':
        // The last folder, the end of the run and (finished) forgetting its checkpoint: one transaction.
        end(e.status, null, e.lastDir ? { epoch: e.lastEpoch, dir: e.lastDir } : undefined);
        // The worker has written its last folder: whatever the database does not point at can go.
        this.prune(runId, job.modelDir, { tmpOf: () => true });
        break;
      case 'failed':
        end('failed', e.reason);
        break;
    }
    this.emit({ runId, ...e });
  }

  /** Removes the run's folders the database no longer points at; a failure only costs disk space. */
  private prune(runId: number, modelDir: string, rule: Omit<PruneRule, 'keep'>): void {
    try {
      pruneModelFolders(modelDir, { ...rule, keep: this.runs.modelDirs(runId) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.emit({ runId, type: 'log', message: `Could not remove old model folders: ${reason}` });
    }
  }

  private finish(
    runId: number,
    status: Exclude<RunStatus, 'queued' | 'running'>,
    error: string | null,
    last?: { epoch: number; dir: string },
  ): void {
    try {
      this.runs.end(runId, status, error, last);
    } catch (err) {
      // The database refused the write (found damaged, disk full): the run still ends here, and
      // whoever waits on it hears why instead of the process dying on an uncaught throw.
      const why = err instanceof Error ? err.message : String(err);
      error = error
        ? `${error} Also, the end could not be recorded: ${why}`
        : `The end could not be recorded: ${why}`;
      if (status === 'finished') status = 'failed';
    }
    this.emit({ runId, type: 'ended', status, error });
    for (const resolve of this.waiters.get(runId) ?? []) resolve(status);
    this.waiters.delete(runId);
  }
}
