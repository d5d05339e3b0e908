import fs from 'node:fs';
import path from 'node:path';
import type { QueueState, RunEdit, RunRequest } from '../../shared/contract';
import type { BackendName, RunDetail, RunSummary, TrainConfig } from '../../shared/training';
import type { ProgressFn } from '../../shared/types';
import { resolveTrainConfig } from '../training/config';
import { cleanModelFolders, nextFreeRunFolder } from '../training/model-dirs';
import type { TrainJob } from '../training/protocol';
import { TrainingQueue, type RunJob } from '../training/runner';
import type { WorkbenchDatasets } from './datasets';
import { runEventOf } from './events';
import { noSuchRun, NotFoundError, RunStateError, runOf, type Home } from './home';
import packageJson from '../../../package.json';

/** What a run's job is made from. */
type RunRef = Pick<RunDetail, 'id' | 'config' | 'datasetId' | 'datasetFingerprint'>;

/** The Workbench's runs: creating, queueing, resuming, cancelling, editing and deleting them. */
export class WorkbenchRuns {
  private readonly queue: TrainingQueue;

  constructor(
    private readonly home: Home,
    private readonly datasets: WorkbenchDatasets,
  ) {
    // Runs left "running" by a process that is gone were interrupted (crash, kill, power loss);
    // what such processes left half-written in the models folder goes.
    home.runs.markInterrupted();
    cleanModelFolders(home.paths.models, home.runs);
    this.queue = new TrainingQueue(
      home.runs,
      (event) => {
        const forwarded = runEventOf(event);
        if (forwarded) home.emit(forwarded);
      },
      () => home.emit({ type: 'queue', state: this.queue.state() }),
    );
  }

  /** Checks a run request without creating anything; the full configuration. */
  validate(request: RunRequest): TrainConfig {
    const config = resolveTrainConfig(request.preset, request.overrides);
    if (request.dataset !== undefined) this.datasets.get(request.dataset);
    return config;
  }

  /** Creates a run from a preset and overrides and queues it. */
  async create(request: RunRequest): Promise<RunSummary> {
    const config = resolveTrainConfig(request.preset, request.overrides);
    const dataset =
      request.dataset === undefined
        ? await this.datasets.ensureDefault()
        : this.datasets.get(request.dataset);
    const id = this.home.runs.create({
      name:
        request.name ??
        `${request.preset ?? 'seed-lstm'} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      config,
      preset: request.preset ?? 'seed-lstm',
      datasetId: dataset.id,
      datasetFingerprint: dataset.fingerprint,
      appVersion: packageJson.version,
      minId: nextFreeRunFolder(this.home.paths.models),
    });
    const run = { id, config, datasetId: dataset.id, datasetFingerprint: dataset.fingerprint };
    this.queue.enqueue(this.job(run, request.backend));
    return this.home.runs.summary(id)!;
  }

  /**
   * Continues an interrupted (or cancelled) run from its last committed epoch. The run is claimed
   * atomically: of several processes resuming it at once, one trains it, the others are refused.
   */
  resume(id: number, backend?: BackendName): RunSummary {
    runOf(this.home, id);
    const run = this.home.runs.claim(id, (run) => {
      if (run.status !== 'interrupted' && run.status !== 'cancelled') {
        throw new RunStateError(
          `Run ${id} is ${run.status}; only an interrupted or cancelled run can be resumed.`,
        );
      }
      const done = run.epochsDone;
      const checkpoint = run.models.find((m) => m.kind === 'checkpoint' && m.epoch === done);
      if (done > 0 && (!checkpoint || !fs.existsSync(checkpoint.dir))) {
        throw new RunStateError(`Run ${id} has no checkpoint of epoch ${done} to resume from.`);
      }
    });
    if (!run) throw noSuchRun(id);
    const done = run.epochsDone;
    const best = run.history.find((h) => h.epoch === run.bestEpoch);
    const resumeFrom: TrainJob['resumeFrom'] =
      done > 0
        ? {
            epoch: done,
            bestValLoss: best?.valLoss ?? null,
            bestValAccuracy: best?.valAccuracy ?? null,
            bestEpoch: run.bestEpoch,
            bestDir: run.models.find((m) => m.kind === 'best')?.dir ?? null,
          }
        : undefined;
    this.queue.enqueue(
      this.job(run, backend ?? (run.backend as BackendName | null) ?? undefined, resumeFrom),
    );
    return this.home.runs.summary(id)!;
  }

  /** Cancels a queued or training run; false when it is neither. */
  cancel(id: number): boolean {
    return this.queue.cancel(id);
  }

  /** The run's record once it has ended. */
  async wait(id: number): Promise<RunDetail> {
    const run = runOf(this.home, id);
    if (run.status === 'queued' || run.status === 'running') await this.queue.wait(id);
    return runOf(this.home, id);
  }

  /** The training queue now. */
  state(): QueueState {
    return this.queue.state();
  }

  /** Edits a run's name, notes or tags. */
  update(id: number, edit: RunEdit): RunDetail {
    runOf(this.home, id);
    this.home.runs.update(id, edit);
    return runOf(this.home, id);
  }

  /** Deletes a run that is not training, with its saved models. */
  delete(id: number): void {
    runOf(this.home, id);
    // Checked and deleted in one statement: a run another process resumes meanwhile stays.
    if (!this.home.runs.remove(id, { idleOnly: true })) {
      const run = runOf(this.home, id);
      throw new RunStateError(`Run ${id} is ${run.status}; cancel it before deleting it.`);
    }
    fs.rmSync(this.modelFolder(id), { recursive: true, force: true });
  }

  /** Folder of a run's saved models (it may not exist). */
  modelFolder(id: number): string {
    return path.join(this.home.paths.models, String(id));
  }

  /** Stops the queue: the training run becomes interrupted, queued ones cancelled. */
  close(): Promise<void> {
    return this.queue.close();
  }

  /**
   * Everything the queue needs to train a run, resolved once from its record. Only the feature
   * cache waits until the run comes to train; a data set re-imported meanwhile fails the run.
   */
  private job(run: RunRef, backend?: BackendName, resumeFrom?: TrainJob['resumeFrom']): RunJob {
    return {
      runId: run.id,
      config: run.config,
      datasetId: run.datasetId,
      datasetFingerprint: run.datasetFingerprint,
      modelDir: this.modelFolder(run.id),
      backend,
      resumeFrom,
      features: (onProgress) => this.features(run, onProgress),
    };
  }

  /** The feature cache a run trains on, computed on first use. */
  private async features(run: RunRef, onProgress: ProgressFn) {
    if (run.datasetId === null) throw new NotFoundError(`The data set of run ${run.id} was deleted.`);
    const dataset = this.datasets.get(run.datasetId);
    if (dataset.fingerprint !== run.datasetFingerprint) {
      throw new RunStateError(
        `The data set "${dataset.name}" changed since run ${run.id} was created (its fingerprint differs).`,
      );
    }
    return this.datasets.featureCache(dataset, run.config.features, onProgress);
  }
}
