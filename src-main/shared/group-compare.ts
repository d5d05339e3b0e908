// What the workbench answers when groups of runs are compared (issue 13): per group the mean,
// spread and confidence interval of each metric, every pair of groups tested, the runs as points
// for parallel coordinates and scatters, which settings matter, the curves with their bands, the
// mean confusion matrices, and the notes every model gets wrong.
import type { ParamValue } from './groups';
import type { BootstrapResult } from './stats/bootstrap';
import type { Summary, TooFewRuns, WelchResult } from './stats/means';
import type { MetricScale, Replicates } from './stats/sentence';

/** A run's final metric, as groups compare them. */
export interface GroupMetricDef extends MetricScale {
  label: string;
  /** Its name on the command line (`--metric test_accuracy`). */
  cli: string;
}

/** The metrics groups are compared on; each run has one value (or none) of each. */
export const GROUP_METRICS = {
  testAccuracy: {
    label: 'test accuracy',
    cli: 'test_accuracy',
    higherIsBetter: true,
    unit: 'share',
  },
  testAccuracyLast: {
    label: 'test accuracy (last weights)',
    cli: 'test_accuracy_last',
    higherIsBetter: true,
    unit: 'share',
  },
  bestValAccuracy: {
    label: 'best validation accuracy',
    cli: 'best_val_accuracy',
    higherIsBetter: true,
    unit: 'share',
  },
  lastValAccuracy: {
    label: 'last validation accuracy',
    cli: 'last_val_accuracy',
    higherIsBetter: true,
    unit: 'share',
  },
  bestValLoss: {
    label: 'validation loss at the best epoch',
    cli: 'best_val_loss',
    higherIsBetter: false,
    unit: 'plain',
  },
  lastValLoss: { label: 'last validation loss', cli: 'last_val_loss', higherIsBetter: false, unit: 'plain' },
  lastTrainLoss: {
    label: 'last training loss',
    cli: 'last_train_loss',
    higherIsBetter: false,
    unit: 'plain',
  },
  testLoss: { label: 'test loss', cli: 'test_loss', higherIsBetter: false, unit: 'plain' },
  seconds: { label: 'training time (s)', cli: 'seconds', higherIsBetter: false, unit: 'plain', digits: 0 },
} as const satisfies Record<string, GroupMetricDef>;

export type GroupMetric = keyof typeof GROUP_METRICS;

export const GROUP_METRIC_KEYS = Object.keys(GROUP_METRICS) as GroupMetric[];

/** Per-epoch series a group's curves can show. */
export const CURVE_METRICS = ['valAccuracy', 'valLoss', 'trainAccuracy', 'trainLoss'] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

/** At most this many runs in one comparison of groups. */
export const MAX_GROUPED_RUNS = 2000;
/** At most this many groups in one chart of curves, and this many runs in it. */
export const MAX_CURVE_GROUPS = 20;
export const MAX_CURVE_RUNS = 100;

/** Which runs: these ids, or one sweep's runs (its finished and stopped ones, and any others with the metric). */
export type RunSelection = { runs: number[] } | { sweep: number };

/** How runs are grouped: as configurations (identical except the seed), by sweep, or by settings ("model.type"). */
export type GroupBy = 'configuration' | 'sweep' | string[];

/** What `compareGroups` is asked. */
export interface GroupRequest {
  select: RunSelection;
  groupBy: GroupBy;
  /** The metric the pairs are tested on and the importance is computed for (default testAccuracy). */
  metric?: GroupMetric;
  /** The test of two groups (default welch). */
  test?: 'welch' | 'bootstrap';
}

/** One group: the values it shares, its runs, and each metric summarized over them. */
export interface GroupStats {
  key: string;
  label: string;
  values: Record<string, ParamValue>;
  runs: number[];
  /** Over the runs that have the metric (n says how many). */
  metrics: Record<GroupMetric, Summary>;
}

/** Two groups compared on the request's metric: A - B, tested, and said in a sentence. */
export interface GroupPair {
  a: string;
  b: string;
  result: WelchResult | BootstrapResult | TooFewRuns;
  sentence: string;
}

/** A run as a point of the parallel coordinates and the scatter: its varied settings and its metrics. */
export interface GroupPoint {
  id: number;
  name: string;
  group: string;
  values: Record<string, ParamValue>;
  metrics: Record<GroupMetric, number | null>;
}

/** How much a setting tells about the metric, over the selected runs. */
export interface SettingImportance {
  key: string;
  /** Pearson correlation of the setting (numbers; categories as their rank by mean metric) with the metric, -1..1; null when it cannot be computed. */
  correlation: number | null;
  /** Share of a random forest's impurity decrease due to this setting (the settings sum to 1); null with too few runs. */
  forest: number | null;
}

/** What `compareGroups` answers. */
export interface GroupComparison {
  groupBy: GroupBy;
  metric: GroupMetric;
  test: 'welch' | 'bootstrap';
  /** "seeds" when every group's runs differ only in their seed, else "runs". */
  replicates: Replicates;
  /** Settings whose values differ among the runs, in key order: the axes worth showing. */
  varying: string[];
  groups: GroupStats[];
  /** Every pair when there are at most 10 groups; else each group against the best. */
  pairs: GroupPair[];
  points: GroupPoint[];
  importance: SettingImportance[];
  /** Ids asked for that are not runs (deleted meanwhile). */
  missing: number[];
}

/** One epoch of a group's curve: its runs that reached it, summarized. */
export interface CurvePoint {
  epoch: number;
  n: number;
  mean: number;
  sd: number | null;
  min: number;
  max: number;
  ci95: [number, number] | null;
}

/** A group's curve of one metric, and its runs' own series (for thin lines behind the band). */
export interface GroupCurve {
  /** Each run's own series, indexed by epoch - 1 (none when asked without them). */
  runs: { id: number; values: (number | null)[] }[];
  points: CurvePoint[];
}

/** A group's mean confusion matrix: rows are true families (each row a share summing to 1), over the runs that have one. */
export interface GroupMatrix {
  labels: string[];
  /** Where the matrices come from: the newest test evaluation of the best weights when every run has one, else each run's last validation matrix. */
  source: 'test' | 'validation';
  runs: number;
  matrix: number[][];
}

/** A test note and how the selected runs did on it: "notes every model gets wrong" first. */
export interface HardNote {
  noteStr: string;
  family: string;
  /** Runs with a test evaluation that includes the note. */
  runs: number;
  wrong: number;
  /** wrong / runs. */
  errorRate: number;
  /** The family it is most often mistaken for, and in how many runs. */
  confusedWith: string | null;
  confusedCount: number;
}

/** What `hardNotes` answers: the notes, worst first, and the runs it read. */
export interface HardNotes {
  /** Runs with a test evaluation of their best weights on the data set below (the others are left out). */
  runs: number[];
  /** The data set whose test notes these are (the one most of the selected runs were evaluated on). */
  datasetId: number | null;
  /** Selected runs left out: no test evaluation yet, or one on another data set. */
  leftOut: number[];
  notes: HardNote[];
  /** How many notes there are in all (notes is cut to the limit). */
  total: number;
}

/** At most this many hard notes in one answer. */
export const MAX_HARD_NOTES = 1000;

/** A note across runs: which runs (and so which configurations) got it right. */
export interface NoteAcrossRuns {
  noteStr: string;
  family: string;
  runs: {
    id: number;
    name: string;
    group: string;
    predicted: string;
    correct: boolean;
    confidence: number;
  }[];
}
