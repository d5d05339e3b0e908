// The runs table's extra columns and saved views (issue 13). A column beyond the table's own is a
// setting (its flattened key, e.g. "model.dropout"), a metric ("metric.lastValAccuracy"), the
// run's tags or notes, or its configuration (every setting but the seed, to group seed replicates).
import type { RunStatus } from './training';

/** A value of an extra column: a setting's value, a metric, tags joined by spaces, or notes. */
export type ColumnValue = string | number | boolean | null;

/** The metrics an extra column may show beside the table's best validation and test accuracy. */
export const METRIC_COLUMNS = [
  'lastValAccuracy',
  'lastValLoss',
  'bestValLoss',
  'lastTrainLoss',
  'testAccuracyLast',
  'testLoss',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** The column key of a metric ("metric.lastValAccuracy"). */
export const metricColumn = (m: MetricColumn): string => `metric.${m}`;

/** Keys of extra columns that are not settings. */
export const LABEL_COLUMNS = ['tags', 'notes', 'configuration'] as const;

/** At most this many extra columns are asked for at once. */
export const MAX_EXTRA_COLUMNS = 40;

/**
 * What runColumns answers, as SQLite writes it (unpackColumns reads it): one JSON object with the
 * parts asked for: `params` {key: [[runId, value], ...]}, `ends` [[runId, lastValAccuracy,
 * lastValLoss, lastTrainLoss, bestValLoss], ...], `tests` [[runId, isBest, accuracy, loss], ...],
 * `notes` [[runId, notes], ...] (runs with notes; tags come with listRuns), `configs` {runs: [[runId, n], ...], keys: [key of configuration 1, ...]}.
 */
export interface PackedColumns {
  json: string;
}

interface ColumnParts {
  params?: Record<string, [number, ColumnValue][]>;
  ends?: [number, number | null, number | null, number | null, number | null][];
  tests?: [number, 0 | 1, number, number][];
  notes?: [number, string][];
  configs?: { runs?: [number, number][]; keys?: string[] };
}

/** Extra columns as the runs table reads them. */
export interface RunColumns {
  /** Each asked column's values by run id (runs without a value are absent). */
  values: Map<string, Map<number, ColumnValue>>;
  /**
   * The configurations' keys ('batch=32 lr=0.001 model.type="lstm" ...'): the `configuration`
   * column holds a run's configuration as a number n, whose key is `configurations[n - 1]`.
   */
  configurations: string[];
}

/** The columns of a runColumns answer, by key and run id. */
export function unpackColumns(packed: PackedColumns, keys: readonly string[]): RunColumns {
  const parts = JSON.parse(packed.json) as ColumnParts;
  const out = new Map<string, Map<number, ColumnValue>>();
  const column = (key: string) => {
    let m = out.get(key);
    if (!m) out.set(key, (m = new Map()));
    return m;
  };
  for (const key of keys) column(key);
  for (const [key, rows] of Object.entries(parts.params ?? {})) {
    const m = column(key);
    for (const [id, v] of rows) m.set(id, v);
  }
  const set = (key: string, id: number, v: ColumnValue) => {
    if (v !== null) out.get(key)?.set(id, v);
  };
  for (const [id, lastAcc, lastLoss, lastTrain, bestLoss] of parts.ends ?? []) {
    set('metric.lastValAccuracy', id, lastAcc);
    set('metric.lastValLoss', id, lastLoss);
    set('metric.lastTrainLoss', id, lastTrain);
    set('metric.bestValLoss', id, bestLoss);
  }
  for (const [id, best, accuracy, loss] of parts.tests ?? []) {
    if (best) set('metric.testLoss', id, loss);
    else set('metric.testAccuracyLast', id, accuracy);
  }
  for (const [id, notes] of parts.notes ?? []) set('notes', id, notes);
  for (const [id, n] of parts.configs?.runs ?? []) set('configuration', id, n);
  return { values: out, configurations: parts.configs?.keys ?? [] };
}

/** How the runs table groups its rows: none, by sweep, by configuration, or by a column's key. */
export type RunsGrouping = '' | 'sweep' | 'configuration' | `column:${string}`;

/** A saved view of the runs table: what it shows and how, under a name. */
export interface SavedView {
  /** 1 to MAX_VIEW_NAME characters; saving under an existing name replaces that view. */
  name: string;
  filter: string;
  status: RunStatus | '';
  sweep: number | null;
  sort: { key: string; dir: 1 | -1 };
  /** The extra columns shown, in order, besides the table's own. */
  columns: string[];
  /** The table's own columns hidden. */
  hidden: string[];
  groupBy: RunsGrouping;
}

export const MAX_VIEW_NAME = 100;
/** The most a saved view's JSON may weigh, in characters. */
export const MAX_VIEW_JSON = 20_000;
/** The most views kept. */
export const MAX_VIEWS = 500;
