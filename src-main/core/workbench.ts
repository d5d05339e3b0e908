import type {
  AppInfo,
  ClusterWorkerInfo,
  DatasetSplitBy,
  EpochPredictions,
  NoteAudio,
  NoteHistory,
  PredictionSet,
  PresetInfo,
  QueueState,
  RenderRequest,
  ReportFiles,
  ReportFormat,
  ReportFormatInfo,
  RunEdit,
  RunWorkerShare,
  RunRequest,
  WorkbenchEvent,
} from '../shared/contract';
import type { FeatureConfig } from '../shared/features';
import type { PackedRuns } from '../shared/run-list';
import type { PackedColumns, SavedView } from '../shared/run-views';
import type {
  CurveMetric,
  GroupComparison,
  GroupCurve,
  GroupMatrix,
  GroupRequest,
  HardNotes,
  NoteAcrossRuns,
  RunSelection,
} from '../shared/group-compare';
import type { SweepDetail, SweepExtension, SweepPlan, SweepSpec, SweepSummary } from '../shared/sweeps';
import type { TrainingOptions } from '../shared/train-schema';
import type {
  BackendName,
  Evaluation,
  RunDetail,
  RunListFilter,
  RunSummary,
  TrainConfig,
} from '../shared/training';
import type { DatasetSummary } from '../shared/types';
import type { ClusterHub } from './cluster/hub';
import type { RenderSummary } from './datasets/render/render-dataset';
import type { TestModelRequest, WorkbenchLocalApi } from './local-api';
import { makeEmbeddingMap, storedEmbeddingMap } from './embedding/embedding-map';
import type { EmbeddingMap } from '../shared/embedding';
import { readNoteAudio } from './note-audio';
import { PredictionReader } from './predictions';
import type { ExportOptions, ExportResult } from './reports/export';
import { reportFormatInfo } from './reports/registry';
import { backupSettled } from './store/backup';
import { RunWorkerRepo } from './store/run-workers';
import { availableBackends } from './training/backend';
import { PRESETS } from './training/config';
import { trainingOptions } from './training/options';
import { WorkbenchDatasets } from './workbench/datasets';
import { WorkbenchGroups } from './workbench/groups';
import { openHome, runOf, type Home } from './workbench/home';
import { WorkbenchReports } from './workbench/reports';
import { WorkbenchRuns, type QueueMode } from './workbench/runs';
import { WorkbenchSweeps } from './workbench/sweeps';
import { WorkbenchViews } from './workbench/views';
import { testModel } from './workbench/test-model';
import packageJson from '../../package.json';

export { NotFoundError, RunStateError } from './workbench/home';
export { reportFileName } from './workbench/reports';
/** The media type of each report format (from the format registry). */
export { REPORT_MIME } from './reports/registry';
export type { RunRequest };

/** How a Workbench is opened. */
export interface WorkbenchOptions {
  /** TIMBRE_HOME; default from the environment or the per-user app-data folder. */
  home?: string;
  /** Which shell the app runs in, as appInfo reports it. Default `cli`. */
  shell?: AppInfo['shell'];
  /** Preset of the default data set; `tiny` for tests. Default: TIMBRE_DEFAULT_PRESET or `default`. */
  defaultPreset?: 'tiny' | 'default';
  /**
   * How this process takes part in the lasting queue (default 'run'): 'run' trains it when no
   * other process does (the app, `timbre serve`, `timbre queue run`); 'watch' only shows it
   * (one-shot CLI commands); 'own' trains the runs it creates or resumes at once, outside the
   * queue (`timbre train`).
   */
  queue?: QueueMode;
  /**
   * Cluster mode (docs/cluster.md): with a Redis URL and queue 'run', the queue's runs go to
   * `timbre worker` processes through BullMQ instead of training here.
   */
  redis?: string;
}

/**
 * The app's behaviour in one object over one TIMBRE_HOME; every shell calls it. Its only public
 * members are WorkbenchLocalApi's (the WorkbenchApi contract and the in-process extras): the
 * database, the repositories and the queue are private to it and its parts in workbench/.
 */
export class Workbench implements WorkbenchLocalApi {
  readonly #home: Home;
  readonly #datasets: WorkbenchDatasets;
  readonly #runs: WorkbenchRuns;
  readonly #sweeps: WorkbenchSweeps;
  readonly #groups: WorkbenchGroups;
  readonly #reports: WorkbenchReports;
  readonly #views: WorkbenchViews;
  readonly #predictions: PredictionReader;
  readonly #runWorkers: RunWorkerRepo;
  readonly #listeners = new Set<(event: WorkbenchEvent) => void>();
  readonly #shell: AppInfo['shell'];

  constructor(options: WorkbenchOptions = {}) {
    this.#shell = options.shell ?? 'cli';
    this.#home = openHome(options.home, this.#shell, this.#listeners);
    const preset = options.defaultPreset ?? process.env.TIMBRE_DEFAULT_PRESET;
    this.#datasets = new WorkbenchDatasets(this.#home, preset === 'tiny' ? 'tiny' : 'default');
    this.#runs = new WorkbenchRuns(this.#home, this.#datasets, options.queue, options.redis);
    this.#sweeps = new WorkbenchSweeps(this.#home, this.#datasets, this.#runs);
    this.#groups = new WorkbenchGroups(this.#home);
    this.#reports = new WorkbenchReports(this.#home, this.#sweeps);
    this.#views = new WorkbenchViews(this.#home);
    this.#predictions = new PredictionReader(this.#home.runs.predictions, this.#home.datasets);
    this.#runWorkers = new RunWorkerRepo(this.#home.db);
  }

  async appInfo(): Promise<AppInfo> {
    return {
      version: packageJson.version,
      home: this.#home.paths.home,
      database: this.#home.paths.database,
      backend: this.#home.runs.lastBackend(),
      backends: availableBackends(),
      shell: this.#shell,
    };
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    return this.#datasets.list();
  }

  async getDataset(ref: string | number): Promise<DatasetSummary> {
    return this.#datasets.get(ref);
  }

  async importDataset(root: string, name?: string): Promise<DatasetSummary> {
    return this.#datasets.import(root, name);
  }

  async renderDataset(request: RenderRequest): Promise<RenderSummary> {
    return this.#datasets.render(request);
  }

  async ensureDefaultDataset(splitBy?: DatasetSplitBy): Promise<DatasetSummary> {
    return this.#datasets.ensureDefault(splitBy);
  }

  async buildFeatures(ref: string | number, config: Partial<FeatureConfig> = {}) {
    return this.#datasets.buildFeatures(ref, config);
  }

  async listPresets(): Promise<PresetInfo[]> {
    return Object.entries(PRESETS).map(([name, p]) => ({ name, ...p }));
  }

  async trainingOptions(): Promise<TrainingOptions> {
    return trainingOptions();
  }

  async validateRun(request: RunRequest): Promise<TrainConfig> {
    return this.#runs.validate(request);
  }

  async planSweep(spec: SweepSpec): Promise<SweepPlan> {
    return this.#sweeps.plan(spec);
  }

  async createSweep(spec: SweepSpec, dataset?: string | number): Promise<SweepSummary> {
    return this.#sweeps.create(spec, dataset);
  }

  async listSweeps(): Promise<SweepSummary[]> {
    return this.#sweeps.list();
  }

  async getSweep(id: number): Promise<SweepDetail> {
    return this.#sweeps.get(id);
  }

  async pauseSweep(id: number): Promise<SweepSummary> {
    return this.#sweeps.pause(id);
  }

  async resumeSweep(id: number): Promise<SweepSummary> {
    return this.#sweeps.resume(id);
  }

  async cancelSweep(id: number): Promise<SweepSummary> {
    return this.#sweeps.cancel(id);
  }

  async extendSweep(id: number, extension: SweepExtension): Promise<SweepSummary> {
    return this.#sweeps.extend(id, extension);
  }

  async createRun(request: RunRequest): Promise<RunSummary> {
    return this.#runs.create(request);
  }

  async compareGroups(request: GroupRequest): Promise<GroupComparison> {
    return this.#groups.compare(request);
  }

  async groupCurves(
    groups: number[][],
    metric: CurveMetric,
    options?: { runs?: boolean },
  ): Promise<GroupCurve[]> {
    return this.#groups.curves(groups, metric, options?.runs ?? true);
  }

  async groupMatrices(groups: number[][]): Promise<(GroupMatrix | null)[]> {
    return this.#groups.matrices(groups);
  }

  async hardNotes(select: RunSelection, limit?: number): Promise<HardNotes> {
    return this.#groups.hardNotes(select, limit);
  }

  async noteAcrossRuns(select: RunSelection, noteStr: string): Promise<NoteAcrossRuns> {
    return this.#groups.noteAcross(select, noteStr);
  }

  async listRuns(filter: RunListFilter = {}): Promise<PackedRuns> {
    return this.#home.runs.packed(filter);
  }

  async runColumns(keys: string[], filter: RunListFilter = {}): Promise<PackedColumns> {
    return this.#views.runColumns(keys, filter);
  }

  async listViews(): Promise<SavedView[]> {
    return this.#views.list();
  }

  async saveView(view: SavedView): Promise<SavedView[]> {
    return this.#views.save(view);
  }

  async deleteView(name: string): Promise<SavedView[]> {
    return this.#views.remove(name);
  }

  async getRun(id: number): Promise<RunDetail> {
    return runOf(this.#home, id);
  }

  async getRuns(ids: number[]): Promise<(RunDetail | null)[]> {
    return ids.map((id) => this.#home.runs.get(id, { confusions: 'last' }) ?? null);
  }

  async updateRun(id: number, edit: RunEdit): Promise<RunDetail> {
    return this.#runs.update(id, edit);
  }

  async deleteRun(id: number): Promise<void> {
    this.#runs.delete(id);
  }

  async cancelRun(id: number): Promise<boolean> {
    return this.#runs.cancel(id);
  }

  async resumeRun(id: number, backend?: BackendName): Promise<RunSummary> {
    return this.#runs.resume(id, backend);
  }

  clusterHub(): ClusterHub | undefined {
    return this.#runs.cluster;
  }

  async waitForRun(id: number): Promise<RunDetail> {
    return this.#runs.wait(id);
  }

  async runModelFolder(id: number): Promise<string> {
    runOf(this.#home, id);
    return this.#runs.modelFolder(id);
  }

  async queueState(): Promise<QueueState> {
    return this.#runs.state();
  }

  async pauseQueue(): Promise<QueueState> {
    return this.#runs.setPaused(true);
  }

  async resumeQueue(): Promise<QueueState> {
    return this.#runs.setPaused(false);
  }

  async moveInQueue(id: number, index: number): Promise<QueueState> {
    return this.#runs.move(id, index);
  }

  async setRunsAtOnce(n: number): Promise<QueueState> {
    return this.#runs.setRunsAtOnce(n);
  }

  async clusterWorkers(): Promise<ClusterWorkerInfo[] | null> {
    return this.#runs.cluster?.workersNow() ?? null;
  }

  async runWorkers(id: number): Promise<RunWorkerShare[]> {
    const run = runOf(this.#home, id);
    return this.#runWorkers.shares(id, run.epochsDone);
  }

  async testModel(request: TestModelRequest): Promise<Evaluation & { backend: string }> {
    return testModel(this.#home, this.#datasets, request);
  }

  async listPredictions(
    runId: number,
    split: 'valid' | 'test' = 'test',
    weights: 'best' | 'last' = 'best',
  ): Promise<PredictionSet> {
    return this.#predictions.predictions(runOf(this.#home, runId), split, weights);
  }

  async noteAudio(runId: number, split: 'train' | 'valid' | 'test', noteStr: string): Promise<NoteAudio> {
    return readNoteAudio(this.#home.datasets, runOf(this.#home, runId), split, noteStr);
  }

  async embeddingMap(runId: number): Promise<EmbeddingMap | null> {
    return storedEmbeddingMap(runOf(this.#home, runId));
  }

  async makeEmbeddingMap(runId: number): Promise<EmbeddingMap> {
    const run = runOf(this.#home, runId);
    return makeEmbeddingMap(run, this.#datasets, this.#home.progress(`embedding-map ${run.id}`));
  }

  async noteHistory(runId: number, noteStr: string): Promise<NoteHistory> {
    return this.#predictions.history(runOf(this.#home, runId), noteStr);
  }

  async epochPredictions(runId: number, epoch: number): Promise<EpochPredictions> {
    return this.#predictions.epoch(runOf(this.#home, runId), epoch);
  }

  async listReportFormats(): Promise<ReportFormatInfo[]> {
    return reportFormatInfo();
  }

  async exportReport(ids: number[], format: ReportFormat): Promise<ReportFiles> {
    return this.#reports.files(ids, format);
  }

  async exportSweepReport(id: number, format: ReportFormat): Promise<ReportFiles> {
    return this.#reports.sweepFiles(id, format);
  }

  async exportGroupReport(request: GroupRequest, format: ReportFormat): Promise<ReportFiles> {
    return this.#reports.groupFiles(this, request, format);
  }

  async writeGroupReport(
    request: GroupRequest,
    format: ReportFormat,
    out: string,
    options?: Pick<ExportOptions, 'chromium' | 'now'>,
  ): Promise<ExportResult> {
    return this.#reports.writeGroup(this, request, format, out, options);
  }

  async printableGroupReportHtml(request: GroupRequest): Promise<string> {
    return this.#reports.printableGroupHtml(this, request);
  }

  async writeReport(
    of: number[] | { sweep: number },
    format: ReportFormat,
    out: string,
    options?: ExportOptions,
  ): Promise<ExportResult> {
    return Array.isArray(of)
      ? this.#reports.write(of, format, out, options)
      : this.#reports.writeSweep(of.sweep, format, out, options);
  }

  async printableReportHtml(ids: number[]): Promise<string> {
    return this.#reports.printableHtml(ids);
  }

  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(options: { finishBackup?: boolean } = {}): Promise<void> {
    if (options.finishBackup) await backupSettled(this.#home.db);
    await this.#runs.close();
    this.#home.db.close();
  }
}
