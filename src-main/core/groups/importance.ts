import { RandomForestRegression } from 'ml-random-forest';
import type { ParamValue } from '../../shared/groups';
import type { GroupMetric, SettingImportance } from '../../shared/group-compare';
import type { RunMetricValues } from './metrics';

/** Fewer runs with the metric than this, and the forest says nothing (null). */
export const MIN_FOREST_RUNS = 8;

const numeric = (values: ParamValue[]) => values.every((v) => typeof v === 'number');

/**
 * A setting as numbers: numbers as they are (log10 when they are all positive and span more than
 * two decades, as learning rates do), anything else as the rank of its value by the mean metric of
 * the runs that have it, so that a forest can split it and a correlation can read it.
 */
function encode(values: ParamValue[], ys: number[]): number[] {
  if (numeric(values)) {
    const xs = values as number[];
    const min = Math.min(...xs);
    const max = Math.max(...xs);
    return min > 0 && max / min > 100 ? xs.map((x) => Math.log10(x)) : xs;
  }
  const sums = new Map<string, { sum: number; n: number }>();
  values.forEach((v, i) => {
    const k = JSON.stringify(v);
    const s = sums.get(k) ?? { sum: 0, n: 0 };
    s.sum += ys[i]!;
    s.n++;
    sums.set(k, s);
  });
  const rank = new Map(
    [...sums]
      .sort((a, b) => a[1].sum / a[1].n - b[1].sum / b[1].n || (a[0] < b[0] ? -1 : 1))
      .map(([k], i) => [k, i]),
  );
  return values.map((v) => rank.get(JSON.stringify(v))!);
}

/** Pearson's r, or null when either side does not vary. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * How much each setting tells about the metric over the runs that have it: the correlation, and a
 * random forest's (ml-random-forest, seeded, so the same runs give the same answer) share of the
 * impurity decrease of each setting. Settings in `keys` order.
 */
export function importanceOf(
  keys: readonly string[],
  runs: readonly { id: number; params: Readonly<Record<string, ParamValue>> }[],
  metrics: ReadonlyMap<number, RunMetricValues>,
  metric: GroupMetric,
): SettingImportance[] {
  const rows = runs.filter((r) => {
    const v = metrics.get(r.id)?.[metric];
    return v !== null && v !== undefined && Number.isFinite(v);
  });
  const ys = rows.map((r) => metrics.get(r.id)![metric]!);
  const columns = keys.map((k) =>
    encode(
      rows.map((r) => r.params[k] ?? null),
      ys,
    ),
  );
  const forest = forestShares(columns, ys);
  return keys.map((key, i) => ({
    key,
    correlation: pearson(columns[i]!, ys),
    forest: forest?.[i] ?? null,
  }));
}

function forestShares(columns: number[][], ys: number[]): number[] | null {
  if (!columns.length || ys.length < MIN_FOREST_RUNS || new Set(ys).size < 2) return null;
  const x = ys.map((_, r) => columns.map((c) => c[r]!));
  const forest = new RandomForestRegression({
    seed: 1,
    // Every tree sees every setting (this library draws features per tree, not per split); the
    // trees differ by their bootstrap samples of the runs.
    maxFeatures: columns.length,
    replacement: false,
    nEstimators: 100,
    useSampleBagging: true,
    noOOB: true,
    treeOptions: { minNumSamples: 2 },
  });
  forest.train(x, ys);
  const raw = (forest as unknown as { featureImportance(): number[] }).featureImportance();
  const clean = raw.map((v) => (Number.isFinite(v) && v > 0 ? v : 0));
  const sum = clean.reduce((s, v) => s + v, 0);
  return sum > 0 ? clean.map((v) => v / sum) : clean;
}
