import fs from 'node:fs';
import path from 'node:path';
import { MAX_RUNS_AT_ONCE, type QueueState, type RunEdit, type RunRequest } from '../../shared/contract';
import {
  isActive,
  type BackendName,
  type RunDetail,
  type RunStatus,
  type RunSummary,
  type TrainConfig,
} from '../../shared/training';
import { errorKind } from '../errors';
import { resolveTrainConfig } from '../training/config';
import { cleanModelFolders, nextFreeRunFolder } from '../training/model-dirs';
import { ClusterHub } from '../cluster/hub';
import { withoutWaiting } from '../store/database';
import { QueueDriver, type TrainsRuns } from '../training/queue-driver';
import { Runner } from '../training/runner';
import type { WorkbenchDatasets } from './datasets';
import { runEventOf } from './events';
import { jobOf, resumePoint } from './run-jobs';
import { noSuchRun, RunStateError, runOf, type Home } from './home';
import packageJson from '../../../package.json';

/** A value out of its allowed range (runs at once, a queue position). */
export const QueueArgumentError = errorKind('QueueArgumentError', 'bad-argument');

/**
 * How a process takes part in the lasting queue: 'run' trains it (when no other process does),
 * 'watch' only shows it, 'own' trains the runs it creates or resumes itself, at once and outside
 * the queue (`timbre train`), and shows the queue.
 */
export type QueueMode = 'run' | 'watch' | 'own';

/** A run as `create` records it: its configuration, where it comes from, and how it is named. */
export interface NewRunRequest {
  config: TrainConfig;
  preset: string;
  name: string;
  datasetId: number;
  datasetFingerprint: string;
  backend?: BackendName;
  sweep?: { id: number; trial: number; replicate: number };
}

const POLL_MS = 100;

/** The Workbench's runs: creating, queueing, resuming, cancelling, editing and deleting them. */
export class WorkbenchRuns {
  private readonly runner: TrainsRuns & Pick<Runner, 'has' | 'wait' | 'close'>;
  private readonly driver: QueueDriver;
  /** In cluster mode, the runner that hands the queue's runs to workers. */
  readonly cluster?: ClusterHub;

  constructor(
    private readonly home: Home,
    private readonly datasets: WorkbenchDatasets,
    private readonly mode: QueueMode = 'run',
    /** Cluster mode's Redis URL: the queue's runs go to workers through it (docs/cluster.md). */
    redis?: string,
  ) {
    // Runs outside the queue left "running" by a process that is gone were interrupted (crash,
    // kill, power loss); the queue's are put back by whoever runs it. What such processes left
    // half-written in the models folder goes.
    home.runs.markInterrupted();
    cleanModelFolders(home.paths.models, home.runs);
    this.runner =
      redis && mode === 'run'
        ? (this.cluster = new ClusterHub(
            home,
            redis,
            (id) => this.modelFolder(id),
            () => this.driver.nudge(),
            (id) => jobOf(home, datasets, id, this.modelFolder(id)),
          ))
        : new Runner(
            home.runs,
            (event) => {
              const forwarded = runEventOf(event);
              if (forwarded) home.emit(forwarded);
            },
            () => this.driver.nudge(),
          );
    this.driver = new QueueDriver(
      { queue: home.queue, lease: home.lease, withoutWaiting: (write) => withoutWaiting(home.db, write) },
      this.runner,
      (id) => jobOf(home, datasets, id, this.modelFolder(id)),
      (state) => home.emit({ type: 'queue', state }),
      { mode: mode === 'run' ? 'run' : 'watch' },
      (message) => home.emit({ type: 'log', message }),
    );
    this.driver.start();
  }

  /** Checks a run request without creating anything; the full configuration. */
  validate(request: RunRequest): TrainConfig {
    const config = resolveTrainConfig(request.preset, request.overrides);
    if (request.dataset !== undefined) this.datasets.get(request.dataset);
    return config;
  }

  /** Creates a run from a preset and overrides and queues it (or, owning its runs, trains it now). */
  async create(request: RunRequest): Promise<RunSummary> {
    const config = resolveTrainConfig(request.preset, request.overrides);
    const dataset =
      request.dataset === undefined
        ? await this.datasets.ensureDefault()
        : this.datasets.get(request.dataset);
    const preset = request.preset ?? 'seed-lstm';
    const [id] = this.record([
      {
        config,
        preset,
        name: request.name ?? `${preset} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
        datasetId: dataset.id,
        datasetFingerprint: dataset.fingerprint,
        backend: request.backend,
      },
    ]);
    this.look();
    return this.home.runs.summary(id!)!;
  }

  /**
   * Records runs, all in one transaction: into the lasting queue, in order; or (owning its runs)
   * preparing in this process, which trains them at once. Returns their ids; the caller looks at
   * the queue (`look`) once its own transaction, if any, has committed.
   */
  record(requests: NewRunRequest[]): number[] {
    const own = this.mode === 'own';
    const ids = this.home.transaction(() => {
      const minId = nextFreeRunFolder(this.home.paths.models);
      const ids = requests.map((r) =>
        this.home.runs.create({
          ...r,
          appVersion: packageJson.version,
          minId,
          status: own ? 'preparing' : 'queued',
          ownerPid: own ? process.pid : null,
        }),
      );
      if (!own) this.home.queue.enqueueAll(ids);
      return ids;
    });
    if (own) for (const id of ids) this.trainHere(id);
    return ids;
  }

  /**
   * Continues an interrupted, cancelled or stopped run from its last committed epoch, first in the
   * queue. The run is claimed atomically: of several processes resuming it at once, one wins.
   */
  resume(id: number, backend?: BackendName): RunSummary {
    runOf(this.home, id);
    const own = this.mode === 'own';
    const run = this.home.transaction(() => {
      const run = this.home.runs.claim(
        id,
        (run) => {
          if (run.status !== 'interrupted' && run.status !== 'cancelled' && run.status !== 'stopped') {
            throw new RunStateError(
              `Run ${id} is ${run.status}; only an interrupted, cancelled or stopped run can be resumed.`,
            );
          }
          resumePoint(run);
        },
        own ? { status: 'preparing', pid: process.pid } : { status: 'queued' },
      );
      if (run && backend) this.home.runs.setBackend(id, backend);
      if (run && !own) this.home.queue.enqueue(id, { first: true });
      return run;
    });
    if (!run) throw noSuchRun(id);
    if (own) this.trainHere(id);
    else this.look();
    return this.home.runs.summary(id)!;
  }

  /** Cancels a queued, preparing or training run; false when it is none of these. */
  cancel(id: number): boolean {
    if (this.runner.cancel(id)) return true;
    const done = this.home.queue.cancel(id);
    if (done === 'cancelled')
      this.home.emit({ type: 'run', runId: id, event: { type: 'ended', status: 'cancelled', error: null } });
    this.driver.changed();
    return done !== 'not-queued';
  }

  /** The run's record once it has ended, wherever it trains (here or in the process running the queue). */
  async wait(id: number): Promise<RunDetail> {
    let run = runOf(this.home, id);
    while (isActive(run.status)) {
      await (this.runner.has(id) ? this.runner.wait(id) : new Promise((r) => setTimeout(r, POLL_MS)));
      run = runOf(this.home, id);
      // Closed while it trained here: it is back in the queue (or interrupted); nobody here trains it.
      if (this.closed && isActive(run.status)) return run;
    }
    return run;
  }

  /** Looks at the queue now: starts what waits (if this process runs it) and publishes the change. */
  look(): void {
    this.driver.tick();
  }

  /** The training queue now. */
  state(): QueueState {
    return this.driver.state();
  }

  /** Pauses (no run starts; those training go on) or resumes the whole queue. */
  setPaused(paused: boolean): QueueState {
    this.home.queue.setPaused(paused);
    this.driver.tick();
    return this.state();
  }

  /** Moves a waiting run to `index` in the queue (0: first). */
  move(id: number, index: number): QueueState {
    runOf(this.home, id);
    if (!Number.isInteger(index) || index < 0)
      throw new QueueArgumentError('A queue position is a whole number from 0.');
    if (!this.home.queue.move(id, index)) throw new RunStateError(`Run ${id} is not waiting in the queue.`);
    this.driver.changed();
    return this.state();
  }

  /** Sets how many runs of the queue train at once. */
  setRunsAtOnce(n: number): QueueState {
    if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS_AT_ONCE)
      throw new QueueArgumentError(`Runs at once is a whole number from 1 to ${MAX_RUNS_AT_ONCE}.`);
    this.home.queue.setRunsAtOnce(n);
    this.driver.tick();
    return this.state();
  }

  /** Edits a run's name, notes or tags. */
  update(id: number, edit: RunEdit): RunDetail {
    runOf(this.home, id);
    this.home.runs.update(id, edit);
    this.home.emit({ type: 'run', runId: id, event: { type: 'changed' } });
    return runOf(this.home, id);
  }

  /** Deletes a run that is not queued or training, with its saved models. */
  delete(id: number): void {
    runOf(this.home, id);
    // Checked and deleted in one statement: a run another process resumes meanwhile stays.
    if (!this.home.runs.remove(id, { idleOnly: true })) {
      const run = runOf(this.home, id);
      throw new RunStateError(`Run ${id} is ${run.status}; cancel it before deleting it.`);
    }
    fs.rmSync(this.modelFolder(id), { recursive: true, force: true });
    this.home.emit({ type: 'run', runId: id, event: { type: 'changed' } });
  }

  /** Folder of a run's saved models (it may not exist). */
  modelFolder(id: number): string {
    return path.join(this.home.paths.models, String(id));
  }

  private closed = false;

  /**
   * Stops training here, leaving the queue as it was: a run of the queue training here waits
   * again (it resumes from its last committed epoch in the next process that runs the queue), a
   * run trained outside the queue is interrupted; the lease goes.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runner.close((id): RunStatus => {
      if (this.home.queue.requeue(id)) return 'queued';
      this.home.runs.end(id, 'interrupted');
      return 'interrupted';
    });
    this.driver.close();
  }

  /** Trains a run this process has claimed (preparing, owned by it), outside the queue. */
  private trainHere(id: number): void {
    const job = jobOf(this.home, this.datasets, id, this.modelFolder(id));
    if (job) this.runner.train(job);
  }
}
