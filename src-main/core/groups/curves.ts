import type { CurvePoint, GroupCurve } from '../../shared/group-compare';
import { tQuantile } from '../../shared/stats';
import type { SeriesRow } from '../store/group-queries';

/** The 97.5 % quantile of t with n - 1 degrees of freedom, computed once per n. */
function quantiles(): (n: number) => number {
  const known = new Map<number, number>();
  return (n) => {
    let q = known.get(n);
    if (q === undefined) known.set(n, (q = tQuantile(0.975, n - 1)));
    return q;
  };
}

/** One epoch of a group: mean, sample sd, min, max and the t-based 95 % CI of the mean. */
function pointOf(epoch: number, xs: number[], t975: (n: number) => number): CurvePoint {
  const n = xs.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = min === max ? min : sum / n;
  if (n < 2) return { epoch, n, mean, sd: null, min, max, ci95: null };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = min === max ? 0 : Math.sqrt(ss / (n - 1));
  const half = (t975(n) * sd) / Math.sqrt(n);
  return { epoch, n, mean, sd, min, max, ci95: [mean - half, mean + half] };
}

/**
 * Each group's curve of a per-epoch metric (`rows`: that metric of every epoch of the runs): per
 * epoch, the runs of the group that reached it (and logged the metric) summarized; and each run's
 * own series, indexed by epoch - 1.
 */
export function curvesOf(groups: readonly number[][], rows: readonly SeriesRow[]): GroupCurve[] {
  const series = new Map<number, (number | null)[]>();
  for (const row of rows) {
    const values = series.get(row[0]) ?? [];
    const v = row[2];
    values[row[1] - 1] = v !== null && Number.isFinite(v) ? v : null;
    series.set(row[0], values);
  }
  const t975 = quantiles();
  return groups.map((ids) => {
    const runs = ids.map((id) => ({ id, values: Array.from(series.get(id) ?? [], (v) => v ?? null) }));
    const longest = Math.max(0, ...runs.map((r) => r.values.length));
    const points: CurvePoint[] = [];
    for (let e = 0; e < longest; e++) {
      const xs: number[] = [];
      for (const r of runs) {
        const v = r.values[e];
        if (v !== null && v !== undefined) xs.push(v);
      }
      if (xs.length) points.push(pointOf(e + 1, xs, t975));
    }
    return { runs, points };
  });
}
