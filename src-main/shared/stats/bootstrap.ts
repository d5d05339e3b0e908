// The bootstrap of a difference of means: no assumption about the shape of the scores, at the price
// of being rough with 3 runs a group. Reproducible from its seed, so a report and a window agree.
import { checkFinite, mean, MIN_PER_GROUP, type TooFewRuns } from './means';
import { mulberry32 } from '../random';

/** How bootstrapDiff resamples. */
export interface BootstrapOptions {
  /** Resamples drawn (default 10,000; 100 to 1,000,000). */
  resamples?: number;
  /** Seeds the draws (default 0): the same seed and values give the same interval and p-value. */
  seed?: number;
}

/** A bootstrap comparison of A against B. */
export interface BootstrapResult {
  kind: 'bootstrap';
  /** mean(a) - mean(b). */
  diff: number;
  /** Percentile 95 % interval of the resampled differences (2.5th and 97.5th percentiles). */
  ci95: [number, number];
  /**
   * Two-sided p-value: with k the fewer of the resampled differences at or below 0 and those at or
   * above 0, 2 (k + 1) / (resamples + 1), at most 1. It is below 0.05 about when the interval leaves
   * out 0, and never 0.
   */
  p: number;
  resamples: number;
  seed: number;
  nA: number;
  nB: number;
}

/** The default number of resamples. */
export const BOOTSTRAP_RESAMPLES = 10000;

// The q-quantile of sorted values, interpolated linearly between neighbours (numpy's default).
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! + frac * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

/**
 * Resamples each group with replacement and takes the difference of means each time: a percentile
 * 95 % interval of mean(a) - mean(b) and a two-sided p-value; `too-few` below 2 values in a group.
 * Throws on a value that is not finite, or on resamples out of range.
 */
export function bootstrapDiff(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): BootstrapResult | TooFewRuns {
  const { resamples = BOOTSTRAP_RESAMPLES, seed = 0 } = options;
  if (!Number.isInteger(resamples) || resamples < 100 || resamples > 1_000_000) {
    throw new RangeError(
      `A bootstrap needs a whole number of resamples from 100 to 1,000,000, not ${resamples}.`,
    );
  }
  checkFinite(a, 'Group A');
  checkFinite(b, 'Group B');
  const nA = a.length;
  const nB = b.length;
  if (nA < MIN_PER_GROUP || nB < MIN_PER_GROUP) return { kind: 'too-few', nA, nB };
  const diff = mean(a) - mean(b);
  const random = mulberry32(seed);
  const draw = (xs: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[Math.floor(random() * xs.length)]!;
    return sum / xs.length;
  };
  const diffs = new Float64Array(resamples);
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let r = 0; r < resamples; r++) {
    const d = draw(a) - draw(b);
    diffs[r] = d;
    if (d <= 0) atOrBelow++;
    if (d >= 0) atOrAbove++;
  }
  diffs.sort();
  const far = Math.min(atOrBelow, atOrAbove);
  const p = Math.min(1, (2 * (far + 1)) / (resamples + 1));
  const ci95: [number, number] = [quantileSorted(diffs, 0.025), quantileSorted(diffs, 0.975)];
  return { kind: 'bootstrap', diff, ci95, p, resamples, seed, nA, nB };
}
