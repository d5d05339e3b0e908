import type { Worker } from 'node:worker_threads';
import type { FeatureCacheInfo } from '../../shared/features';
import type { EndStatus, RunStatus } from '../../shared/training';
import { notePredictions, type RunRepo } from '../store/runs';
import { pruneModelFolders, type PruneRule } from './model-dirs';
import type { TrainerEvent, TrainerRequest, TrainJob } from './protocol';
import type { RunEvent, RunJob } from './run-job';
import { siblingModule, startWorker } from '../workers';

export type { RunEvent, RunJob } from './run-job';

const workerUrl = siblingModule(import.meta.url, 'train-worker');

/** A run training in this process. */
interface ActiveRun {
  runId: number;
  worker?: Worker;
  cancel: Int32Array;
  /** Why it is being stopped early, once its rule said so. */
  stopReason?: string;
  /** Its worker is training (after its features were computed and the backend started). */
  started?: boolean;
}

/**
 * Trains runs, each in its own worker thread, as many at once as it is given, and is the only
 * writer of what they record: every epoch is committed to SQLite as soon as the worker reports
 * it. What to train and when is its callers' (the queue's driver, or a shell training one run).
 */
export class Runner {
  private readonly active = new Map<number, ActiveRun>();
  private readonly waiters = new Map<number, ((status: RunStatus) => void)[]>();
  private closed = false;

  constructor(
    private readonly runs: RunRepo,
    private readonly emit: (e: RunEvent) => void,
    /** Called whenever a run starts or ends here. */
    private readonly onChange: () => void = () => {},
  ) {}

  /** The runs training in this process, in the order they started. */
  activeIds(): number[] {
    return [...this.active.keys()];
  }

  /** How many runs train here now. */
  get size(): number {
    return this.active.size;
  }

  /** Whether a run of this process is still preparing (computing features, starting) or training. */
  statusOf(runId: number): 'preparing' | 'running' | undefined {
    const active = this.active.get(runId);
    return active && (active.started ? 'running' : 'preparing');
  }

  /** Whether the run trains in this process. */
  has(runId: number): boolean {
    return this.active.has(runId);
  }

  /** Trains a run now; the caller has claimed it (its status is 'preparing', owned by this process). */
  train(job: RunJob): void {
    if (this.closed || this.active.has(job.runId)) return;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    this.active.set(job.runId, { runId: job.runId, cancel });
    this.onChange();
    void this.run(job, cancel).finally(() => {
      this.active.delete(job.runId);
      if (!this.closed) this.onChange();
    });
  }

  /** Resolves with the run's final status once it ends here. */
  wait(runId: number): Promise<RunStatus> {
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  /** Cancels a run training here within one batch; false when it does not train here. */
  cancel(runId: number): boolean {
    const active = this.active.get(runId);
    if (!active) return false;
    Atomics.store(active.cancel, 0, 1);
    return true;
  }

  /**
   * Stops the runner for good (the app is closing): each run training here is stopped, and
   * `leave(runId)` records what becomes of it (back in the queue, or interrupted); waiters hear
   * the status it is left in.
   */
  async close(leave: (runId: number) => RunStatus): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopping: Promise<unknown>[] = [];
    for (const active of this.active.values()) {
      Atomics.store(active.cancel, 0, 1);
      let status: RunStatus = 'interrupted';
      try {
        status = leave(active.runId);
      } catch {
        // The database refused (damaged, closed): the next start finds the run's process gone.
      }
      this.settle(active.runId, status);
      if (active.worker) stopping.push(active.worker.terminate());
    }
    await Promise.all(stopping);
  }

  private async run(p: RunJob, cancel: Int32Array): Promise<void> {
    const { runId } = p;
    let cache: FeatureCacheInfo;
    try {
      cache = await p.features((progress) =>
        this.emit({ runId, type: 'features', done: progress.done, total: progress.total }),
      );
    } catch (err) {
      if (this.closed) return;
      this.finish(
        runId,
        'failed',
        `Could not compute the features: ${err instanceof Error ? err.message : String(err)}`,
      );
      return;
    }
    if (this.closed) return;
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
      this.active.get(runId)!.worker = worker;
      let ended = false;
      // The run ends with its last message; the queue moves on without waiting for the thread to exit.
      const end = (status: EndStatus, error: string | null, last?: { epoch: number; dir: string }) => {
        if (ended) return;
        ended = true;
        // A run stopped by its sweep's rule ends 'stopped', saying why.
        const stopReason = this.active.get(runId)?.stopReason;
        if (status === 'cancelled' && stopReason) [status, error] = ['stopped', stopReason];
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
        this.active.get(runId)!.started = true;
        this.onChange();
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
        this.askToStop(run, e.metrics.epoch);
        return;
      }
      case 'evaluation': {
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
          predictions: notePredictions(e.noteStrs, e.truth, e.predicted, e.probabilities, e.labels.length),
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

  /** Asks the run's early-stopping rule after a committed epoch; stops the run within a batch if it says so. */
  private askToStop(run: RunJob, epoch: number): void {
    const active = this.active.get(run.runId);
    if (!run.afterEpoch || !active || active.stopReason) return;
    let reason: string | null;
    try {
      reason = run.afterEpoch(epoch);
    } catch (err) {
      // The rule could not be asked (the database refused a read): the run goes on.
      const why = err instanceof Error ? err.message : String(err);
      this.emit({ runId: run.runId, type: 'log', message: `Early stopping was not decided: ${why}` });
      return;
    }
    if (reason === null) return;
    active.stopReason = reason;
    Atomics.store(active.cancel, 0, 1);
    this.emit({ runId: run.runId, type: 'log', message: `Stopping: ${reason}` });
  }

  private finish(
    runId: number,
    status: EndStatus,
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
    this.settle(runId, status);
  }

  /** Tells whoever waits on the run the status it ended (or was left) in. */
  private settle(runId: number, status: RunStatus): void {
    for (const resolve of this.waiters.get(runId) ?? []) resolve(status);
    this.waiters.delete(runId);
  }
}
