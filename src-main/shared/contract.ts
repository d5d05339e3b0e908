import type { FeatureCacheInfo, FeatureConfig } from './features';
import type {
  BackendName,
  EpochMetrics,
  Evaluation,
  PresetName,
  RunDetail,
  RunListFilter,
  RunStatus,
  RunSummary,
  TrainConfig,
} from './training';
import type { TrainingOptions } from './train-schema';
import type { SweepDetail, SweepExtension, SweepPlan, SweepSpec, SweepSummary } from './sweeps';
import type { NotePrediction, PredictionSet, NoteAudio, NoteHistory, EpochPredictions } from './predictions';
import type { DatasetSummary, Progress } from './types';
import type { EmbeddingMap } from './embedding';
import type { PackedRuns } from './run-list';
import type { PackedColumns, SavedView } from './run-views';
import type {
  CurveMetric,
  GroupComparison,
  GroupCurve,
  GroupMatrix,
  GroupRequest,
  HardNotes,
  NoteAcrossRuns,
  RunSelection,
} from './group-compare';

export type { NotePrediction, PredictionSet, NoteAudio, NoteHistory, EpochPredictions };

/** What a training run reports while it lives, as the shells forward it to windows. */
export type RunEventPayload =
  | { type: 'features'; done: number; total: number }
  | { type: 'ready'; backend: BackendName; version: string }
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      batches: number;
      loss: number;
      accuracy: number;
      samplesPerSecond: number;
    }
  | { type: 'epoch'; metrics: EpochMetrics; confusion: number[][] | null; dbSeconds: number }
  | {
      type: 'evaluation';
      weights: Evaluation['weights'];
      split: Evaluation['split'];
      accuracy: number;
      loss: number;
    }
  | { type: 'log'; message: string }
  | { type: 'ended'; status: RunStatus; error: string | null }
  /** Its name, notes or tags were edited, or it was deleted (by any window or process of this app). */
  | { type: 'changed' };

/** Something the app reports while it works; shells forward these to their windows. */
export type WorkbenchEvent =
  | { type: 'progress'; task: string; progress: Progress }
  | { type: 'log'; message: string }
  | { type: 'run'; runId: number; event: RunEventPayload }
  | { type: 'queue'; state: QueueState }
  | { type: 'datasets' }
  /**
   * Sent by a window's own bridge, never by the app: its event stream dropped ('lost'; events may be
   * missed until it is back) or came back ('restored': reload what is shown, it may have changed).
   */
  | { type: 'connection'; state: 'lost' | 'restored' };

/** Options of `renderDataset` as a shell sends them. */
export interface RenderRequest {
  out: string;
  preset?: 'tiny' | 'default';
  seed?: number;
  soundfonts?: string[];
  /** 'instrument' (default, as NSynth) or 'soundfont' (valid and test from a held-out font). */
  splitBy?: DatasetSplitBy;
  /** With splitBy 'soundfont': the held-out font's name; default the one with the most test families. */
  heldOutFont?: string;
}

/** How a rendered data set's instruments go to splits (see RenderRequest). */
export type DatasetSplitBy = 'instrument' | 'soundfont';

/** A deep partial of TrainConfig, as forms and flags give it. */
export type TrainOverrides = Partial<Omit<TrainConfig, 'model' | 'features'>> & {
  model?: Partial<TrainConfig['model']>;
  features?: Partial<TrainConfig['features']>;
};

/** What a new run is made of: a preset, overrides, a data set (default: the built-in one). */
export interface RunRequest {
  preset?: string;
  overrides?: TrainOverrides;
  dataset?: string | number;
  name?: string;
  backend?: BackendName;
}

/** A built-in preset as the New run form offers it. */
export interface PresetInfo {
  name: PresetName;
  description: string;
  config: TrainConfig;
}

/** Who runs the lasting queue of this TIMBRE_HOME (one process at a time holds its lease). */
export type QueueRunner =
  { kind: 'here' } | { kind: 'elsewhere'; pid: number; host: string; since: string } | { kind: 'nobody' };

/** The training queue: what prepares or trains now, what waits, and its settings. */
export interface QueueState {
  /** The first run preparing or training (the one the status strip follows), or null. */
  active: number | null;
  /** Every run preparing (computing its features) or training, in the queue's order. */
  training: { runId: number; status: 'preparing' | 'running' }[];
  /** The runs waiting, first to start first. */
  queued: number[];
  /** No run starts until the queue is resumed (those training go on). */
  paused: boolean;
  /** How many runs train at once. */
  runsAtOnce: number;
  /** Who runs the queue: this process, another one (this one only shows it), or none now. */
  runner: QueueRunner;
  /** Runs this process found waiting when it began to run the queue: an earlier session left them. */
  carriedOver: number;
}

/** A cluster worker as the hub knows it from its claims, reports and heartbeats (docs/cluster.md). */
export interface ClusterWorkerInfo {
  /** The worker process's id at the hub: host:pid:random, fresh each start. */
  id: string;
  host: string;
  /** The backend it trains on (its last run's, or its --backend), null until it says. */
  backend: string | null;
  /** Its machine's cores, null until its first heartbeat. */
  cores: number | null;
  /** How many runs it trains at once (its --runs-at-once), null until its first heartbeat. */
  runsAtOnce: number | null;
  /** The runs it holds now, each with the epoch it trains. */
  runs: { runId: number; epoch: number }[];
  /** When the hub last heard from it (ISO time). */
  lastSeen: string;
  /** 'alive': heard within three heartbeats; 'silent': not since; 'left': it said it stopped. */
  state: 'alive' | 'silent' | 'left';
}

/** Which cluster worker trained which epochs of a run, on which backend (local runs have none). */
export interface RunWorkerShare {
  fromEpoch: number;
  /** The last epoch it committed, or null if it committed none (yet). */
  toEpoch: number | null;
  worker: string;
  host: string;
  backend: string | null;
  takenAt: string;
}

/** The most runs the queue may train at once. */
export const MAX_RUNS_AT_ONCE = 64;

/** Facts about the app the status strip shows. */
export interface AppInfo {
  version: string;
  home: string;
  database: string;
  /** The backend the last run used on this machine, if any. */
  backend: string | null;
  /** The backends whose packages are installed here, fastest first (a run may still fail to start one). */
  backends: BackendName[];
  shell: 'electron' | 'browser' | 'cli';
}

/**
 * A report format's id: `html`, `md`, `csv` ... The formats are a registry in core
 * (core/reports/registry.ts); shells learn them from listReportFormats().
 */
export type ReportFormat = string;

/** A report format as menus, help texts and file dialogs show it. */
export interface ReportFormatInfo {
  /** What exportReport and `timbre report --format` take. */
  id: ReportFormat;
  /** Its name in a menu: "Markdown", "CSV (3 files)". */
  label: string;
  /** File extensions with their dot; the first is the one a report is named with. */
  extensions: readonly string[];
  /** Media type of its files. */
  mime: string;
  /** What the report holds, in a sentence or two (help texts, tooltips). */
  description: string;
}

/** A report ready to save: one file, or three for CSV (runs, epochs, predictions). */
export interface ReportFiles {
  format: ReportFormat;
  files: { name: string; mime: string; base64: string }[];
}

/** Editable fields of a run. */
export interface RunEdit {
  name?: string;
  notes?: string;
  tags?: string[];
}

/**
 * The one contract every shell (Electron IPC, browser bridge, CLI, tests) goes through, and all a
 * window can reach. Shells in the Workbench's own process use WorkbenchLocalApi (core/local-api.ts):
 * this plus what no window may call (writing files where told, waiting for a run, closing).
 */
export interface WorkbenchApi {
  /** Version, TIMBRE_HOME, database file, last backend. */
  appInfo(): Promise<AppInfo>;
  /** Every registered data set. */
  listDatasets(): Promise<DatasetSummary[]>;
  /** One data set by id, name or root folder; rejects with a clear message when none matches. */
  getDataset(ref: string | number): Promise<DatasetSummary>;
  /** Scans an NSynth json/wav root and registers it (again, if already known: its notes are replaced). */
  importDataset(root: string, name?: string): Promise<DatasetSummary>;
  /**
   * Renders the default data set into TIMBRE_HOME and registers it, unless that was done before;
   * with 'soundfont', its cross-SoundFont twin (named default-by-soundfont).
   */
  ensureDefaultDataset(splitBy?: DatasetSplitBy): Promise<DatasetSummary>;
  /** Computes (or finds) the feature cache of a data set for a feature configuration. */
  buildFeatures(
    ref: string | number,
    config?: Partial<FeatureConfig>,
  ): Promise<FeatureCacheInfo & { built: boolean }>;
  /** The built-in presets with their full configurations. */
  listPresets(): Promise<PresetInfo[]>;
  /** Every training setting (range, default, label, help), the model types and the feature representations. */
  trainingOptions(): Promise<TrainingOptions>;
  /** Checks a run request without creating anything; resolves with the full configuration. */
  validateRun(request: RunRequest): Promise<TrainConfig>;
  /** Checks a sweep without creating anything; resolves with its counts and the runs it would create. */
  planSweep(spec: SweepSpec): Promise<SweepPlan>;
  /** Creates a run and queues it; it trains when the runs before it end. */
  createRun(request: RunRequest): Promise<RunSummary>;
  /** Creates a sweep and queues all its runs (on the given data set, default the built-in one). */
  createSweep(spec: SweepSpec, dataset?: string | number): Promise<SweepSummary>;
  /** Every sweep, newest first, with its runs counted by status and its best run so far. */
  listSweeps(): Promise<SweepSummary[]>;
  /** One sweep with its spec and every run. */
  getSweep(id: number): Promise<SweepDetail>;
  /** Pauses a sweep: its waiting runs wait; those training go on. */
  pauseSweep(id: number): Promise<SweepSummary>;
  /** Resumes a paused sweep. */
  resumeSweep(id: number): Promise<SweepSummary>;
  /** Cancels a sweep: its waiting runs are cancelled, its training ones stopped. */
  cancelSweep(id: number): Promise<SweepSummary>;
  /** Adds runs to a sweep: more random trials, or more seeds per configuration. */
  extendSweep(id: number, extension: SweepExtension): Promise<SweepSummary>;
  /** Groups of runs compared: statistics per group, every pair tested, points and importance of settings. */
  compareGroups(request: GroupRequest): Promise<GroupComparison>;
  /**
   * Each group's curve of a per-epoch metric: mean with its spread per epoch, and its runs' series
   * (left empty with `runs: false`: most of the answer, drawn only on request).
   */
  groupCurves(groups: number[][], metric: CurveMetric, options?: { runs?: boolean }): Promise<GroupCurve[]>;
  /** Each group's mean confusion matrix (row shares), null for a group without any. */
  groupMatrices(groups: number[][]): Promise<(GroupMatrix | null)[]>;
  /** The test notes the selected runs get wrong most often, worst first (at most `limit`, default 200). */
  hardNotes(select: RunSelection, limit?: number): Promise<HardNotes>;
  /** One test note across the selected runs: what each predicted. */
  noteAcrossRuns(select: RunSelection, noteStr: string): Promise<NoteAcrossRuns>;
  /** Every run, or one sweep's runs, newest first, packed (`unpackRuns` of shared/run-list.ts reads them). */
  listRuns(filter?: RunListFilter): Promise<PackedRuns>;
  /** Extra columns of the runs table (settings, metrics, notes, configuration) for every run or a sweep's, packed (`unpackColumns` of shared/run-views.ts reads them). */
  runColumns(keys: string[], filter?: Pick<RunListFilter, 'sweep'>): Promise<PackedColumns>;
  /** The runs table's saved views, by name. */
  listViews(): Promise<SavedView[]>;
  /** Saves a view of the runs table (replacing the one of the same name); resolves with every view. */
  saveView(view: SavedView): Promise<SavedView[]>;
  /** Deletes a saved view by name; resolves with the views left. */
  deleteView(name: string): Promise<SavedView[]>;
  /** Everything a run recorded. */
  getRun(id: number): Promise<RunDetail>;
  /** Several runs for a comparison, in the order asked (null for an unknown id); validation confusions reduced to the newest. */
  getRuns(ids: number[]): Promise<(RunDetail | null)[]>;
  /** Edits a run's name, notes or tags. */
  updateRun(id: number, edit: RunEdit): Promise<RunDetail>;
  /** Deletes a run that is not queued or training, with its saved models. */
  deleteRun(id: number): Promise<void>;
  /** Cancels a queued or training run. */
  cancelRun(id: number): Promise<boolean>;
  /** Continues an interrupted or cancelled run from its last committed epoch. */
  resumeRun(id: number, backend?: BackendName): Promise<RunSummary>;
  /** The training queue now. */
  queueState(): Promise<QueueState>;
  /** Pauses the whole queue: no run starts until it is resumed (those training go on). */
  pauseQueue(): Promise<QueueState>;
  /** Resumes the whole queue. */
  resumeQueue(): Promise<QueueState>;
  /** Moves a waiting run to a place in the queue (0: first). */
  moveInQueue(id: number, index: number): Promise<QueueState>;
  /** Sets how many runs of the queue train at once (1 to MAX_RUNS_AT_ONCE). */
  setRunsAtOnce(n: number): Promise<QueueState>;
  /** Cluster mode's workers as the hub knows them, alive first; null when this workbench runs no cluster. */
  clusterWorkers(): Promise<ClusterWorkerInfo[] | null>;
  /** Which cluster workers trained which epochs of a run, in order (empty for a run trained here). */
  runWorkers(id: number): Promise<RunWorkerShare[]>;
  /** Every note of a finished run's split (default test) with its prediction, by the best (default) or last weights. */
  listPredictions(runId: number, split?: 'valid' | 'test', weights?: 'best' | 'last'): Promise<PredictionSet>;
  /** The audio of one note of the data set a run trained on. */
  noteAudio(runId: number, split: 'train' | 'valid' | 'test', noteStr: string): Promise<NoteAudio>;
  /** A finished run's embedding map (its test notes' last hidden layer in 2-D), or null if none was made yet. */
  embeddingMap(runId: number): Promise<EmbeddingMap | null>;
  /** Makes (in a worker thread, once; progress as 'embedding-map <id>' events) and stores a finished run's embedding map. */
  makeEmbeddingMap(runId: number): Promise<EmbeddingMap>;
  /** A validation note's predicted family after each epoch of a run. */
  noteHistory(runId: number, noteStr: string): Promise<NoteHistory>;
  /** Every validation note's predicted family after one epoch of a run (a per-epoch confusion matrix's notes). */
  epochPredictions(runId: number, epoch: number): Promise<EpochPredictions>;
  /** The formats a report can be written in, in the order menus list them. */
  listReportFormats(): Promise<ReportFormatInfo[]>;
  /** A report of runs in a format (an id from listReportFormats), as file contents to save. */
  exportReport(ids: number[], format: ReportFormat): Promise<ReportFiles>;
  /** A sweep's report (search space, every run, configurations, the best) in a format, as file contents to save. */
  exportSweepReport(id: number, format: ReportFormat): Promise<ReportFiles>;
  /** A report of groups of runs (groups, pairs, parallel coordinates, hard notes) in a format, as file contents to save. */
  exportGroupReport(request: GroupRequest, format: ReportFormat): Promise<ReportFiles>;
  /** Listens to events; returns the function that stops listening. */
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}

/** The API's method names that a shell forwards (everything but subscribe). */
export type ApiMethod = Exclude<keyof WorkbenchApi, 'subscribe'>;

/** Every forwarded method, for shells that build their bridges from the contract. */
export const API_METHODS = [
  'appInfo',
  'listDatasets',
  'getDataset',
  'importDataset',
  'ensureDefaultDataset',
  'buildFeatures',
  'listPresets',
  'trainingOptions',
  'validateRun',
  'planSweep',
  'createRun',
  'createSweep',
  'listSweeps',
  'getSweep',
  'pauseSweep',
  'resumeSweep',
  'cancelSweep',
  'extendSweep',
  'compareGroups',
  'groupCurves',
  'groupMatrices',
  'hardNotes',
  'noteAcrossRuns',
  'listRuns',
  'runColumns',
  'listViews',
  'saveView',
  'deleteView',
  'getRun',
  'getRuns',
  'updateRun',
  'deleteRun',
  'cancelRun',
  'resumeRun',
  'queueState',
  'pauseQueue',
  'resumeQueue',
  'moveInQueue',
  'setRunsAtOnce',
  'clusterWorkers',
  'runWorkers',
  'listPredictions',
  'noteAudio',
  'embeddingMap',
  'makeEmbeddingMap',
  'noteHistory',
  'epochPredictions',
  'listReportFormats',
  'exportReport',
  'exportSweepReport',
  'exportGroupReport',
] as const satisfies readonly ApiMethod[];

/** An error as it crosses from the app to a window: its class name and readable message. */
export interface ApiErrorBody {
  name: string;
  message: string;
}

/** The bridge the Electron preload exposes as `window.timbre`. */
export interface ElectronBridge {
  invoke(
    method: ApiMethod,
    args: unknown[],
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: ApiErrorBody }>;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** Asks where to save with the native dialog and writes the files there; resolves with the path, or null when cancelled. */
  saveFiles(files: ReportFiles['files']): Promise<string | null>;
}
