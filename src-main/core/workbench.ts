import { trainingOptions } from './training/options';
import type { TrainingOptions } from '../shared/train-schema';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATASET_NAME, SPLITS } from '../shared/constants';
import type {
  AppInfo,
  EpochPredictions,
  NoteAudio,
  NoteHistory,
  PredictionSet,
  PresetInfo,
  ReportFiles,
  ReportFormat,
  ReportFormatInfo,
  QueueState,
  RenderRequest,
  RunEdit,
  RunEventPayload,
  RunRequest,
  WorkbenchApi,
  WorkbenchEvent,
} from '../shared/contract';
import type { FeatureConfig } from '../shared/features';
import type { DatasetSummary, ProgressFn } from '../shared/types';
import type {
  BackendName,
  Evaluation,
  PresetName,
  RunDetail,
  RunSummary,
  TrainConfig,
} from '../shared/training';
import { DatasetError, scanNsynth } from './datasets/nsynth-scan';
import { errorKind } from './errors';
import { renderDataset, type RenderSummary } from './datasets/render/render-dataset';
import { ensureFeatureCache } from './features/cache';
import { validateFeatureConfig } from './features/config';
import { homePaths, timbreHome, type HomePaths } from './paths';
import { ensureDir } from './fs-safe';
import { withFileLock } from './file-lock';
import { openDatabase, type Db } from './store/database';
import { DatasetRepo } from './store/datasets';
import { RunRepo } from './store/runs';
import { PRESETS, resolveTrainConfig } from './training/config';
import { availableBackends } from './training/backend';
import { evaluateInWorker, TrainingQueue, type RunEvent } from './training/runner';
import { loadModelDir } from './training/model-io';
import { cleanModelFolders, nextFreeRunFolder } from './training/model-dirs';
import { PredictionReader } from './predictions';
import { collectReport } from './reports/collect';
import { renderReport } from './reports/export';
import { REPORT_MIME, reportFormat, reportFormatInfo } from './reports/registry';
import { reportHtml } from './reports/html';
import packageJson from '../../package.json';

/** A reference to a data set, a run or a method that matches none. */
export const NotFoundError = errorKind('NotFoundError', 'not-found');
export type NotFoundError = InstanceType<typeof NotFoundError>;

/** A request that does not fit the run's state (resume a finished run, delete a training one). */
export const RunStateError = errorKind('RunStateError', 'conflict');
export type RunStateError = InstanceType<typeof RunStateError>;

export type { RunRequest };

/** The file name a report of these runs is offered under: `timbre-run-3.html`, `timbre-runs-3-4.pdf`. */
export function reportFileName(ids: number[], format: ReportFormat): string {
  const listed = `${ids.slice(0, 5).join('-')}${ids.length > 5 ? '-etc' : ''}`;
  return `timbre-run${ids.length > 1 ? 's' : ''}-${listed}${reportFormat(format).extensions[0] ?? ''}`;
}

/** The media type of each report format (from the format registry). */
export { REPORT_MIME };

export interface WorkbenchOptions {
  /** TIMBRE_HOME; default from the environment or the per-user app-data folder. */
  home?: string;
  /** Which shell the app runs in, as appInfo reports it. Default `cli`. */
  shell?: AppInfo['shell'];
  /** Preset of the default data set; `tiny` for tests. Default: TIMBRE_DEFAULT_PRESET or `default`. */
  defaultPreset?: 'tiny' | 'default';
}

/** The app's behaviour in one object, over one TIMBRE_HOME; every shell calls this. */
export class Workbench implements WorkbenchApi {
  readonly paths: HomePaths;
  readonly db: Db;
  readonly datasets: DatasetRepo;
  readonly runs: RunRepo;
  readonly queue: TrainingQueue;
  private readonly predictions: PredictionReader;
  private readonly listeners = new Set<(event: WorkbenchEvent) => void>();
  private readonly defaultPreset: 'tiny' | 'default';
  private readonly shell: AppInfo['shell'];
  private defaultDataset?: Promise<DatasetSummary>;

  constructor(options: WorkbenchOptions = {}) {
    this.paths = homePaths(ensureDir(options.home ?? timbreHome(), 'TIMBRE_HOME'));
    // A backup at most daily from one-shot CLI commands, at each start (hourly at most) of the app and `serve`.
    this.db = openDatabase(this.paths.database, {
      backupAfterHours: (options.shell ?? 'cli') === 'cli' ? 24 : 1,
    });
    this.datasets = new DatasetRepo(this.db);
    this.runs = new RunRepo(this.db);
    this.predictions = new PredictionReader(this.db, this.datasets);
    // Runs left "running" by a process that is gone were interrupted (crash, kill, power loss);
    // what such processes left half-written in the models folder goes.
    this.runs.markInterrupted();
    cleanModelFolders(this.paths.models, this.runs);
    this.queue = new TrainingQueue(
      this.runs,
      this.paths.models,
      (runId, onProgress) => this.runFeatures(runId, onProgress),
      (event) => this.onRunEvent(event),
      () => this.emit({ type: 'queue', state: this.queue.state() }),
    );
    this.shell = options.shell ?? 'cli';
    const preset = options.defaultPreset ?? process.env.TIMBRE_DEFAULT_PRESET;
    this.defaultPreset = preset === 'tiny' ? 'tiny' : 'default';
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    return this.datasets.list();
  }

  async getDataset(ref: string | number): Promise<DatasetSummary> {
    const found = this.datasets.find(ref);
    if (!found) {
      throw new NotFoundError(`No data set "${ref}". \`timbre dataset list\` shows the registered ones.`);
    }
    return found;
  }

  async importDataset(root: string, name?: string): Promise<DatasetSummary> {
    const abs = path.resolve(root);
    // Checked before the scan, which can take minutes on a large data set.
    const taken = name ? this.datasets.find(name) : undefined;
    if (taken && taken.root !== abs) {
      throw new DatasetError(
        `The name "${name}" is taken by the data set at ${taken.root}; choose another name.`,
      );
    }
    const scan = await scanNsynth(abs, { onProgress: this.progress('import') });
    const saved = this.datasets.save({
      name: name ?? this.datasets.find(abs)?.name ?? this.uniqueName(path.basename(abs)),
      root: abs,
      fingerprint: scan.fingerprint,
      notes: scan.notes,
      splits: scan.splits,
      skipped: scan.skipped,
    });
    this.emit({ type: 'datasets' });
    return saved;
  }

  /** Renders a data set from SoundFonts into a folder (it is not registered: import it for that). */
  async renderDataset(request: RenderRequest): Promise<RenderSummary> {
    return renderDataset({ ...request, onProgress: this.progress('render') });
  }

  async ensureDefaultDataset(): Promise<DatasetSummary> {
    // One render at a time, however many callers ask at once.
    this.defaultDataset ??= this.makeDefaultDataset().finally(() => (this.defaultDataset = undefined));
    return this.defaultDataset;
  }

  async buildFeatures(ref: string | number, config: Partial<FeatureConfig> = {}) {
    const dataset = await this.getDataset(ref);
    return this.featureCache(dataset, validateFeatureConfig(config), this.progress('features'));
  }

  /** The feature cache of a data set for a checked configuration, computed on first use. */
  private featureCache(dataset: DatasetSummary, config: FeatureConfig, onProgress: ProgressFn) {
    return ensureFeatureCache({
      featuresRoot: this.paths.features,
      source: { fingerprint: dataset.fingerprint, notes: this.datasets.notes(dataset.id) },
      config,
      onProgress,
    });
  }

  async appInfo(): Promise<AppInfo> {
    const last = this.db
      .prepare<[], { backend: string }>(
        'SELECT backend FROM runs WHERE backend IS NOT NULL ORDER BY started_at DESC LIMIT 1',
      )
      .get();
    return {
      version: packageJson.version,
      home: this.paths.home,
      database: this.paths.database,
      backend: last?.backend ?? null,
      backends: availableBackends(),
      shell: this.shell,
    };
  }

  async listPresets(): Promise<PresetInfo[]> {
    return Object.entries(PRESETS).map(([name, p]) => ({ name: name as PresetName, ...p }));
  }

  async trainingOptions(): Promise<TrainingOptions> {
    return trainingOptions();
  }

  async validateRun(request: RunRequest): Promise<TrainConfig> {
    const config = resolveTrainConfig(request.preset, request.overrides);
    if (request.dataset !== undefined) await this.getDataset(request.dataset);
    return config;
  }

  async updateRun(id: number, edit: RunEdit): Promise<RunDetail> {
    await this.getRun(id);
    this.runs.update(id, edit);
    return this.getRun(id);
  }

  async queueState(): Promise<QueueState> {
    return this.queue.state();
  }

  /** Creates a run from a preset and overrides and queues it; it trains when the runs before it end. */
  async createRun(request: RunRequest): Promise<RunSummary> {
    const config = resolveTrainConfig(request.preset, request.overrides);
    const dataset =
      request.dataset === undefined
        ? await this.ensureDefaultDataset()
        : await this.getDataset(request.dataset);
    const id = this.runs.create({
      name:
        request.name ??
        `${request.preset ?? 'seed-lstm'} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      config,
      preset: request.preset ?? 'seed-lstm',
      datasetId: dataset.id,
      datasetFingerprint: dataset.fingerprint,
      appVersion: packageJson.version,
      minId: nextFreeRunFolder(this.paths.models),
    });
    this.queue.enqueue(id, { backend: request.backend });
    return this.runs.summary(id)!;
  }

  /**
   * Continues an interrupted (or cancelled) run from its last committed epoch. The run is claimed
   * atomically: of several processes resuming it at once, one trains it, the others are refused.
   */
  async resumeRun(id: number, backend?: BackendName): Promise<RunSummary> {
    await this.getRun(id);
    const run = this.runs.claim(id, (run) => {
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
    if (!run) throw new NotFoundError(`No run ${id}. \`timbre runs list\` shows them.`);
    const done = run.epochsDone;
    const best = run.history.find((h) => h.epoch === run.bestEpoch);
    const bestModel = run.models.find((m) => m.kind === 'best');
    this.queue.enqueue(id, {
      backend: backend ?? (run.backend as BackendName | null) ?? undefined,
      resumeFrom:
        done > 0
          ? {
              epoch: done,
              bestValLoss: best?.valLoss ?? null,
              bestValAccuracy: best?.valAccuracy ?? null,
              bestEpoch: run.bestEpoch,
              bestDir: bestModel?.dir ?? null,
            }
          : undefined,
    });
    return this.runs.summary(id)!;
  }

  /** Cancels a queued or training run. */
  async cancelRun(id: number): Promise<boolean> {
    return this.queue.cancel(id);
  }

  /** Resolves with the run's record once it has ended. */
  async waitForRun(id: number): Promise<RunDetail> {
    const run = await this.getRun(id);
    if (run.status === 'queued' || run.status === 'running') await this.queue.wait(id);
    return this.getRun(id);
  }

  /** Every run, newest first. */
  async listRuns(): Promise<RunSummary[]> {
    return this.runs.list();
  }

  /** Everything a run recorded. */
  async getRun(id: number): Promise<RunDetail> {
    const run = this.runs.get(id);
    if (!run) throw new NotFoundError(`No run ${id}. \`timbre runs list\` shows them.`);
    return run;
  }

  /** Several runs for comparing, in the order asked (null for an unknown id), each with only its newest validation confusion. */
  async getRuns(ids: number[]): Promise<(RunDetail | null)[]> {
    return ids.map((id) => this.runs.get(id, { confusions: 'last' }) ?? null);
  }

  /** Deletes a run that is not training, with its saved models. */
  async deleteRun(id: number): Promise<void> {
    await this.getRun(id);
    // Checked and deleted in one statement: a run another process resumes meanwhile stays.
    if (!this.runs.remove(id, { idleOnly: true })) {
      const run = await this.getRun(id);
      throw new RunStateError(`Run ${id} is ${run.status}; cancel it before deleting it.`);
    }
    fs.rmSync(this.queue.modelDir(id), { recursive: true, force: true });
  }

  /**
   * Evaluates a saved model (a run's best weights, or a model folder) on a split of a data set
   * and records the evaluation: the seed's test mode.
   */
  async testModel(request: {
    model: string | number;
    dataset?: string | number;
    split?: 'train' | 'valid' | 'test';
    backend?: BackendName;
  }): Promise<Evaluation & { backend: string }> {
    let modelDir: string;
    let runId: number | null = null;
    if (typeof request.model === 'number' || /^\d+$/.test(request.model)) {
      const run = await this.getRun(Number(request.model));
      const best = run.models.find((m) => m.kind === 'best') ?? run.models.find((m) => m.kind === 'last');
      if (!best) throw new RunStateError(`Run ${run.id} has no saved model yet.`);
      modelDir = best.dir;
      runId = run.id;
    } else {
      modelDir = path.resolve(request.model);
    }
    const { meta } = loadModelDir(modelDir);
    const dataset =
      request.dataset === undefined
        ? await this.ensureDefaultDataset()
        : await this.getDataset(request.dataset);
    const cache = await this.buildFeatures(dataset.id, meta.topology.features as Partial<FeatureConfig>);
    const split = request.split ?? 'test';
    const ev = await evaluateInWorker({ modelDir, cache, split, backend: request.backend, batch: 64 });
    const id = this.runs.recordEvaluation({
      runId,
      weights: 'external',
      epoch: ev.epoch,
      modelDir,
      datasetId: dataset.id,
      datasetFingerprint: dataset.fingerprint,
      split,
      loss: ev.loss,
      accuracy: ev.accuracy,
      perClass: ev.perClass,
      confusion: ev.confusion,
      labels: ev.labels,
      predictions: ev.noteStrs.map((noteStr, i) => ({
        noteStr,
        trueFamily: ev.truth[i]!,
        predicted: ev.predicted[i]!,
        probabilities: ev.probabilities.subarray(i * ev.labels.length, (i + 1) * ev.labels.length),
      })),
    });
    const recorded = this.runs.evaluation(id)!;
    return { ...recorded, backend: ev.backend };
  }

  async listPredictions(
    runId: number,
    split: 'valid' | 'test' = 'test',
    weights: 'best' | 'last' = 'best',
  ): Promise<PredictionSet> {
    return this.predictions.predictions(await this.getRun(runId), split, weights);
  }

  async noteAudio(runId: number, split: 'train' | 'valid' | 'test', noteStr: string): Promise<NoteAudio> {
    return this.predictions.audio(await this.getRun(runId), split, noteStr);
  }

  async noteHistory(runId: number, noteStr: string): Promise<NoteHistory> {
    return this.predictions.history(await this.getRun(runId), noteStr);
  }

  async epochPredictions(runId: number, epoch: number): Promise<EpochPredictions> {
    return this.predictions.epoch(await this.getRun(runId), epoch);
  }

  /** A report's HTML without its audio clips, for printing. */
  async printableReportHtml(ids: number[]): Promise<string> {
    return reportHtml(await collectReport(this, ids, { audio: false }));
  }

  /** The registered report formats (core/reports/registry.ts), as plain data for the shells. */
  async listReportFormats(): Promise<ReportFormatInfo[]> {
    return reportFormatInfo();
  }

  /** A report as file contents named `timbre-run-<ids>.<ext>`, for shells that save it themselves. */
  async exportReport(ids: number[], format: ReportFormat): Promise<ReportFiles> {
    const { mime } = reportFormat(format);
    const files = await renderReport(this, ids, format, reportFileName(ids, format));
    return {
      format,
      files: files.map((f) => ({
        name: path.basename(f.path),
        mime,
        base64: Buffer.from(f.content).toString('base64'),
      })),
    };
  }

  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops training (the running run becomes interrupted) and closes the database. */
  async close(): Promise<void> {
    await this.queue.close();
    this.db.close();
  }

  /** The feature cache a run trains on, computed on first use. */
  private async runFeatures(runId: number, onProgress: ProgressFn) {
    const run = await this.getRun(runId);
    if (run.datasetId === null) throw new NotFoundError(`The data set of run ${runId} was deleted.`);
    const dataset = await this.getDataset(run.datasetId);
    if (dataset.fingerprint !== run.datasetFingerprint) {
      throw new RunStateError(
        `The data set "${dataset.name}" changed since run ${runId} was created (its fingerprint differs).`,
      );
    }
    return this.featureCache(dataset, run.config.features, onProgress);
  }

  private async makeDefaultDataset(): Promise<DatasetSummary> {
    const usable = () => {
      const found = this.datasets.find(DEFAULT_DATASET_NAME);
      return found && fs.existsSync(found.root) ? found : undefined;
    };
    const ready = usable();
    if (ready) return ready;
    const dir = this.paths.defaultDataset;
    ensureDir(this.paths.datasets, 'The data sets folder');
    // Several processes may start on a fresh home at once (the app and two `timbre train`): one
    // renders, into a temporary folder renamed into place, while the others wait for it.
    const what = 'rendering the default data set';
    const onWait = (who: string) =>
      this.emit({ type: 'log', message: `Waiting for ${who}, which is ${what}.` });
    return withFileLock(`${dir}.lock`, { what, onWait }, async () => {
      const done = usable();
      if (done) return done;
      if (!SPLITS.every((s) => fs.existsSync(path.join(dir, `nsynth-${s}`, 'examples.json')))) {
        this.emit({ type: 'log', message: `Rendering the default data set into ${dir} (once).` });
        // Under the lock, any other temporary render is a dead process's.
        for (const entry of fs.readdirSync(this.paths.datasets)) {
          if (entry.startsWith(`${path.basename(dir)}.tmp-`))
            fs.rmSync(path.join(this.paths.datasets, entry), { recursive: true, force: true });
        }
        const tmp = `${dir}.tmp-${process.pid}`;
        await this.renderDataset({ out: tmp, preset: this.defaultPreset });
        // A render an earlier version left half done in place.
        if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
      }
      return this.importDataset(dir, DEFAULT_DATASET_NAME);
    });
  }

  private uniqueName(base: string): string {
    let name = base || 'dataset';
    for (let i = 2; this.datasets.find(name); i++) name = `${base}-${i}`;
    return name;
  }

  /** Forwards a run's event to listeners without its bulky parts (predictions stay in the database). */
  private onRunEvent(e: RunEvent): void {
    let payload: RunEventPayload | undefined;
    switch (e.type) {
      case 'features':
      case 'log':
      case 'ended':
      case 'batch':
        payload = e;
        break;
      case 'ready':
        payload = { type: 'ready', backend: e.backend, version: e.version };
        break;
      case 'epoch':
        payload = { type: 'epoch', metrics: e.metrics, confusion: e.confusion, dbSeconds: e.dbSeconds };
        break;
      case 'evaluation':
        payload = {
          type: 'evaluation',
          weights: e.weights,
          split: e.split,
          accuracy: e.accuracy,
          loss: e.loss,
        };
        break;
    }
    if (payload) {
      const { runId: _, ...rest } = payload as RunEventPayload & { runId?: number };
      this.emit({ type: 'run', runId: e.runId, event: rest as RunEventPayload });
    }
  }

  private progress(task: string): ProgressFn {
    return (progress) => this.emit({ type: 'progress', task, progress });
  }

  private emit(event: WorkbenchEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
