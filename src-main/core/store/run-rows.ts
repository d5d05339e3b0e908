import type { Split } from '../../shared/constants';
import type {
  ClassMetrics,
  EpochMetrics,
  Evaluation,
  RunStatus,
  RunSummary,
  TrainConfig,
} from '../../shared/training';
import { PACKED_CONFIG_FIELDS, runOfPacked, type PackedRun } from '../../shared/run-list';

/** A `runs` row as SQLite returns it. */
export interface RunRow {
  id: number;
  name: string;
  notes: string;
  tags: string;
  status: RunStatus;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  backend: string | null;
  backend_version: string | null;
  app_version: string;
  seed: number;
  dataset_id: number | null;
  dataset_fingerprint: string;
  feature_config: string;
  config: string;
  preset: string | null;
  best_epoch: number | null;
  best_val_accuracy: number | null;
  test_accuracy: number | null;
  epochs_done: number;
  owner_pid: number | null;
  sweep_id: number | null;
  sweep_trial: number | null;
  sweep_replicate: number | null;
}

/** An `epochs` row as SQLite returns it. */
export interface EpochRow {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  seconds: number;
  samples_per_s: number;
  confusion: string | null;
}

/** The time stamps the store writes: ISO 8601 in UTC. */
export const now = (): string => new Date().toISOString();

/** Flattens a run's configuration to `model.hidden = 128` style rows, for comparing runs. */
export function flattenConfig(config: TrainConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else out[prefix] = value as string | number | boolean;
  };
  walk('', config);
  return out;
}

/** A run's summary from its full row. */
export function summaryFromRow(row: RunRow): RunSummary {
  const config = JSON.parse(row.config) as TrainConfig;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    preset: row.preset,
    model: config.model.type,
    representation: config.features.representation,
    lr: config.lr,
    batch: config.batch,
    hidden: config.model.hidden,
    layers: config.model.layers,
    optimizer: config.optimizer,
    epochs: config.epochs,
    epochsDone: row.epochs_done,
    bestEpoch: row.best_epoch,
    bestValAccuracy: row.best_val_accuracy,
    testAccuracy: row.test_accuracy,
    backend: row.backend,
    datasetId: row.dataset_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    tags: JSON.parse(row.tags) as string[],
    sweepId: row.sweep_id,
  };
}

// A run's summary straight from SQL as one JSON array (PackedRun's order): better-sqlite3 hands
// back one string per run instead of building a row of 16 values, and the runs table's whole
// list is one json_group_array of them, which listRuns passes on without touching it.
const PACKED_RUN = `json_array(id, name, status, preset,
  json_extract(config, ${PACKED_CONFIG_FIELDS.map((f) => `'$.${f}'`).join(', ')}),
  epochs_done, best_epoch, best_val_accuracy, test_accuracy, backend, dataset_id, created_at,
  started_at, finished_at, json(tags), sweep_id)`;

/** The SELECT of one PackedRun's JSON per run (summaryOf reads it); add WHERE and ORDER BY. */
export const SUMMARY_SELECT = `SELECT ${PACKED_RUN} FROM runs`;

/**
 * The SELECT of the runs matching `where`, newest first, as one PackedRuns JSON text (`json`)
 * and their count (`total`); with `first`, of the newest `@first` of them only.
 */
export function packedRunsSelect(where = '', first = false): string {
  if (!first)
    return `SELECT json_group_array(${PACKED_RUN} ORDER BY id DESC) AS json, count(*) AS total FROM runs ${where}`;
  return `SELECT (SELECT json_group_array(${PACKED_RUN} ORDER BY id DESC) FROM
    (SELECT * FROM runs ${where} ORDER BY id DESC LIMIT @first)) AS json,
    (SELECT count(*) FROM runs ${where}) AS total`;
}

/** A run's summary from its JSON of SUMMARY_SELECT. */
export function summaryOf(json: string): RunSummary {
  return runOfPacked(JSON.parse(json) as PackedRun);
}

/** An epochs row as the run's history lists it. */
export function epochMetricsOf(e: EpochRow): EpochMetrics {
  return {
    epoch: e.epoch,
    trainLoss: e.train_loss,
    trainAccuracy: e.train_accuracy,
    valLoss: e.val_loss,
    valAccuracy: e.val_accuracy,
    seconds: e.seconds,
    samplesPerSecond: e.samples_per_s,
  };
}

/** An evaluations row as the app reads it. */
export function evaluationOf(e: Record<string, unknown>): Evaluation {
  return {
    id: e.id as number,
    runId: e.run_id as number | null,
    weights: e.weights as Evaluation['weights'],
    epoch: e.epoch as number | null,
    modelDir: e.model_dir as string,
    datasetId: e.dataset_id as number | null,
    datasetFingerprint: e.dataset_fingerprint as string,
    split: e.split as Split,
    loss: e.loss as number,
    accuracy: e.accuracy as number,
    perClass: JSON.parse(e.per_class as string) as ClassMetrics[],
    confusion: JSON.parse(e.confusion as string) as number[][],
    labels: JSON.parse(e.labels as string) as string[],
    createdAt: e.created_at as string,
  };
}

/** What a new run is created with. */
export interface NewRun {
  name: string;
  config: TrainConfig;
  preset: string | null;
  datasetId: number;
  datasetFingerprint: string;
  appVersion: string;
  /**
   * Queued (default: it waits for a process to claim it), or preparing in process `ownerPid`
   * (a run trained at once, outside the lasting queue).
   */
  status?: 'queued' | 'preparing';
  /** The process that owns the run (default: none; the lasting queue's runs have none until claimed). */
  ownerPid?: number | null;
  /** The backend asked for (the one it trains on is recorded when it starts). */
  backend?: string;
  /** The sweep that creates the run: its id, the configuration's index and the seed's. */
  sweep?: { id: number; trial: number; replicate: number };
  /**
   * The lowest id the run may take. After a backup is restored, `models/` may still hold folders
   * of runs the restored database never had; a new run must not take such an id and share them.
   */
  minId?: number;
}

/** A run as `underLock` shows it. */
export interface LockedRun {
  status: RunStatus;
  ownerPid: number | null;
  epochsDone: number;
  modelDirs: string[];
}
