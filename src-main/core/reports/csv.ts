import type { ReportData } from './types';

type Cell = string | number | boolean | null | undefined;

// A text cell a spreadsheet would take for a formula (=, +, -, @, or a tab or carriage return
// before one), unless it is just a signed number.
const FORMULA_START = /^[=+\-@\t\r]/;
const SIGNED_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces.
 * Text that a spreadsheet would run as a formula (a run named `=HYPERLINK(...)`) gets a leading
 * apostrophe, so it is shown as the text it is.
 */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && FORMULA_START.test(s) && !SIGNED_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV text with a header line; every line ends with a newline. */
export function csvText(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(',')}\n`).join('');
}

/** The three tables of a CSV report. */
export interface CsvReport {
  /** One row per run: its settings (one column per parameter key) and metrics. */
  runs: string;
  /** One row per run and epoch. */
  epochs: string;
  /** One row per note of every evaluation of every run, with the probability of each family. */
  predictions: string;
}

/**
 * The files a CSV report is written to: `--out results.csv` gives results-runs.csv,
 * results-epochs.csv and results-predictions.csv next to it (one table per file, as
 * spreadsheets and data-frame readers expect).
 */
export function csvPaths(out: string): Record<keyof CsvReport, string> {
  return csvTablePaths(out, CSV_TABLES.report);
}

/** The tables of each kind of CSV report, in the order they are written and saved. */
export const CSV_TABLES = {
  report: ['runs', 'epochs', 'predictions'],
  sweep: ['runs', 'configurations'],
  groups: ['runs', 'groups', 'pairs', 'hard-notes'],
} as const;

/** The file of each table, named after `out` without its .csv: `results-<table>.csv`. */
export function csvTablePaths<T extends string>(out: string, tables: readonly T[]): Record<T, string> {
  const base = out.replace(/\.csv$/i, '');
  return Object.fromEntries(tables.map((t) => [t, `${base}-${t}.csv`])) as Record<T, string>;
}

/** The report as three CSV tables. */
export function reportCsv(data: ReportData): CsvReport {
  const keys = [...new Set(data.runs.flatMap((r) => Object.keys(r.detail.params)))].sort();
  const runs = csvText(
    [
      'run_id',
      'name',
      'status',
      'preset',
      'tags',
      'created_at',
      'started_at',
      'finished_at',
      'duration_s',
      'backend',
      'backend_version',
      'app_version',
      'dataset_id',
      'dataset_fingerprint',
      'epochs_done',
      'best_epoch',
      'best_val_loss',
      'best_val_accuracy',
      'last_train_loss',
      'last_train_accuracy',
      'last_val_loss',
      'last_val_accuracy',
      'test_accuracy_best',
      'test_loss_best',
      'test_accuracy_last',
      'test_loss_last',
      'error',
      ...keys,
    ],
    data.runs.map(({ detail: d, metrics: m }) => [
      d.id,
      d.name,
      d.status,
      d.preset,
      d.tags.join(';'),
      d.createdAt,
      d.startedAt,
      d.finishedAt,
      m.seconds === null ? null : Math.round(m.seconds * 1000) / 1000,
      d.backend,
      d.backendVersion,
      d.appVersion,
      d.datasetId,
      d.datasetFingerprint,
      d.epochsDone,
      d.bestEpoch,
      m.bestValLoss,
      m.bestValAccuracy,
      m.lastTrainLoss,
      m.lastTrainAccuracy,
      m.lastValLoss,
      m.lastValAccuracy,
      m.testAccuracyBest,
      m.testLossBest,
      m.testAccuracyLast,
      m.testLossLast,
      d.error,
      ...keys.map((k) => d.params[k]),
    ]),
  );
  const epochs = csvText(
    [
      'run_id',
      'epoch',
      'train_loss',
      'train_accuracy',
      'val_loss',
      'val_accuracy',
      'seconds',
      'samples_per_second',
      'best',
    ],
    data.runs.flatMap(({ detail: d }) =>
      d.history.map((h) => [
        d.id,
        h.epoch,
        h.trainLoss,
        h.trainAccuracy,
        h.valLoss,
        h.valAccuracy,
        h.seconds,
        h.samplesPerSecond,
        h.epoch === d.bestEpoch ? 1 : 0,
      ]),
    ),
  );
  const labels = [...new Set(data.runs.flatMap((r) => r.evaluations.flatMap((e) => e.labels)))];
  const predictions = csvText(
    [
      'run_id',
      'evaluation_id',
      'split',
      'weights',
      'model_epoch',
      'note_str',
      'true',
      'predicted',
      'correct',
      'confidence',
      ...labels.map((l) => `p_${l}`),
    ],
    data.runs.flatMap((r) =>
      r.evaluations.flatMap((e) => {
        // Evaluations normally share the app's family order; map by name in case one does not.
        const column = labels.map((l) => e.labels.indexOf(l));
        return e.predictions.map((p) => [
          r.detail.id,
          e.id,
          e.split,
          e.weights,
          e.epoch,
          p.noteStr,
          e.labels[p.trueFamily] ?? p.trueFamily,
          e.labels[p.predicted] ?? p.predicted,
          p.trueFamily === p.predicted ? 1 : 0,
          p.probabilities[p.predicted],
          ...column.map((c) => (c < 0 ? null : p.probabilities[c])),
        ]);
      }),
    ),
  );
  return { runs, epochs, predictions };
}
