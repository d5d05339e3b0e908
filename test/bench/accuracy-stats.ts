// The accuracy bench's arithmetic, pure so that it is tested on its own: test accuracies over seeds
// summarized, ours compared with the PyTorch reference by the statistics the groups comparison uses
// (src-main/shared/stats), and the table cells and sentence that say it.
import { compareSentence, summarize, welch, type MetricScale } from '../../src-main/shared/stats';
import type { PresetName } from '../../src-main/shared/training';

/** One side's test accuracies over the seeds: per seed (null where the run gave none) and summarized. */
export interface SeedGroup {
  /** In seed order; null where that seed's run gave no value (its note says why). */
  values: (number | null)[];
  /** Values that are not null. */
  n: number;
  mean: number | null;
  /** Sample standard deviation (n - 1); null below 2 values. */
  sd: number | null;
}

/** Ours against the reference: Welch's test of the means when both have 2 values or more. */
export type SeedComparison =
  | {
      kind: 'welch';
      /** mean(ours) - mean(reference). */
      diff: number;
      ci95: [number, number];
      t: number;
      df: number;
      p: number;
      significant: boolean;
      sentence: string;
    }
  | { kind: 'too-few'; nA: number; nB: number; sentence: string };

const ACCURACY: MetricScale = { higherIsBetter: true, unit: 'share' };

/** The significance level of the comparison (the sentence's own). */
export const ALPHA = 0.05;

/** n, mean and sd of the non-null values, the values kept as given. */
export function seedGroup(values: readonly (number | null)[]): SeedGroup {
  const s = summarize(values.filter((v): v is number => v !== null));
  return { values: [...values], n: s.n, mean: s.mean, sd: s.sd };
}

/**
 * Ours against the reference in the groups comparison's terms: the difference of means with its
 * 95 % CI, Welch's t and p, and one sentence ("ours is 1.2 points worse than PyTorch, 95 % CI -3.0
 * to +0.6: not significant with 3 seeds each").
 */
export function compareSeeds(
  ours: SeedGroup,
  reference: SeedGroup,
  names: [string, string] = ['ours', 'PyTorch'],
): SeedComparison {
  const a = ours.values.filter((v): v is number => v !== null);
  const b = reference.values.filter((v): v is number => v !== null);
  const w = welch(a, b);
  const sentence = compareSentence(names[0], names[1], w, ACCURACY, 'seeds');
  if (w.kind === 'too-few') return { kind: 'too-few', nA: w.nA, nB: w.nB, sentence };
  return {
    kind: 'welch',
    diff: w.diff,
    ci95: w.ci95,
    t: w.t,
    df: w.df,
    p: w.p,
    significant: w.p < ALPHA,
    sentence,
  };
}

/** One seed of one preset on one data set: ours and, where it exists, the reference's. */
export interface SeedRun {
  seed: number;
  /** Ours, best epoch's weights (highest validation accuracy): the app's headline test accuracy. */
  ours_best: number | null;
  /** Ours, last epoch's weights: what the reference reports. */
  ours_last: number | null;
  ours_best_epoch: number | null;
  ours_train_loss: number[];
  ours_seconds: number | null;
  pytorch: number | null;
  pytorch_train_loss: number[] | null;
  pytorch_seconds: number | null;
  /** Why a value is missing. */
  note?: string;
}

/** One preset on one data set over the seeds. */
export interface PresetAccuracy {
  preset: PresetName;
  epochs: number;
  /** The reference's arguments, or null where it has none. */
  reference: string | null;
  ours_best: SeedGroup;
  ours_last: SeedGroup;
  pytorch: SeedGroup | null;
  /** Ours at the last epoch against PyTorch (which reports its last epoch); null without a reference. */
  comparison: SeedComparison | null;
  runs: SeedRun[];
}

/** A preset's seeds summarized, ours at the last epoch compared with the reference. */
export function aggregate(
  preset: PresetName,
  epochs: number,
  refArgs: readonly string[] | null,
  runs: SeedRun[],
): PresetAccuracy {
  const oursLast = seedGroup(runs.map((r) => r.ours_last));
  const pytorch = refArgs ? seedGroup(runs.map((r) => r.pytorch)) : null;
  return {
    preset,
    epochs,
    reference: refArgs ? refArgs.join(' ') : null,
    ours_best: seedGroup(runs.map((r) => r.ours_best)),
    ours_last: oursLast,
    pytorch,
    comparison: pytorch ? compareSeeds(oursLast, pytorch) : null,
    runs,
  };
}

/** "51.2 ± 1.3 %" (percent, sd over the seeds), "51.2 %" for one value, "-" for none. */
export function meanSd(g: SeedGroup | null): string {
  if (!g || g.mean === null) return '-';
  return g.sd === null
    ? `${(100 * g.mean).toFixed(1)} %`
    : `${(100 * g.mean).toFixed(1)} ± ${(100 * g.sd).toFixed(1)} %`;
}

/** "-1.2 [-3.0, +0.6]" in points for a Welch comparison, "-" otherwise. */
export function diffCell(c: SeedComparison | null): string {
  if (!c || c.kind !== 'welch') return '-';
  const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '-' : ''}${Math.abs(100 * v).toFixed(1)}`;
  return `${signed(c.diff)} [${signed(c.ci95[0])}, ${signed(c.ci95[1])}]`;
}

/** Welch's p to 3 decimals ("<0.001" below), "-" without a comparison. */
export function pCell(c: SeedComparison | null): string {
  if (!c || c.kind !== 'welch') return '-';
  return c.p < 0.001 ? '<0.001' : c.p.toFixed(3);
}
