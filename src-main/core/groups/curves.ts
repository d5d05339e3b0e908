import type { CurvePoint, GroupCurve } from '../../shared/group-compare';
import { tQuantile } from '../../shared/stats';
import type { RunSeries } from '../store/group-queries';

const MAX_EPOCH = 10_000;

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
 * Each group's curve of a per-epoch metric (`runSeries`: that metric of every epoch of each run): per
 * epoch, the runs of the group that reached it (and logged the metric) summarized; and each run's
 * own series, indexed by epoch - 1.
 */
export function curvesOf(
  groups: readonly number[][],
  runSeries: ReadonlyMap<number, RunSeries>,
): GroupCurve[] {
  const series = new Map<number, (number | null)[]>();
  for (const [id, { epochs, values: logged }] of runSeries) {
    const values: (number | null)[] = [];
    epochs.forEach((epoch, i) => {
      // A damaged database may hold any number here: the form never allows more than 10,000 epochs.
      if (!Number.isInteger(epoch) || epoch < 1 || epoch > MAX_EPOCH) return;
      const v = logged[i];
      values[epoch - 1] = typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    series.set(id, values);
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
