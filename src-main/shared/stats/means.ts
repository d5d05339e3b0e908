// A group's mean with its spread and confidence interval, and Welch's t-test between two groups:
// the statistics that say whether configuration A beats B over a few seeds (issue 13).
import { tQuantile, tTwoSided } from './t-dist';

/** A group of values summarized: spread and interval are null below 2 values, the rest at 0. */
export interface Summary {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n - 1 in the denominator). */
  sd: number | null;
  /** Standard error of the mean, sd / √n. */
  sem: number | null;
  /** 95 % confidence interval of the mean from Student's t with n - 1 degrees of freedom. */
  ci95: [number, number] | null;
  min: number | null;
  max: number | null;
  median: number | null;
}

/** Welch's t-test of two groups: the difference of means A - B and what it is worth. */
export interface WelchResult {
  kind: 'welch';
  /** mean(a) - mean(b). */
  diff: number;
  /** Standard error of the difference, √(varA/nA + varB/nB); 0 when neither group varies. */
  se: number;
  /** Welch–Satterthwaite degrees of freedom; nA + nB - 2 when neither group varies. */
  df: number;
  /** diff / se; ±Infinity when se is 0 and the means differ, 0 when they do not. */
  t: number;
  /** Two-sided p-value; 0 when se is 0 and the means differ, 1 when they do not. */
  p: number;
  /** 95 % confidence interval of the difference; [diff, diff] when se is 0. */
  ci95: [number, number];
  nA: number;
  nB: number;
}

/** What a comparison answers when a group has fewer than 2 values: nothing can be said yet. */
export interface TooFewRuns {
  kind: 'too-few';
  nA: number;
  nB: number;
}

/** The fewest values per group a comparison needs. */
export const MIN_PER_GROUP = 2;

/**
 * Throws a RangeError naming the first value that is not a finite number. Statistics refuse NaN and
 * ±Infinity rather than skip them: a run whose loss diverged to NaN is a result, and leaving it out
 * silently would flatter its group. The caller leaves out runs without a value and says so.
 */
export function checkFinite(xs: readonly number[], what = 'A group'): void {
  xs.forEach((x, i) => {
    if (!Number.isFinite(x)) {
      throw new RangeError(
        `${what} has ${x} at position ${i + 1}; statistics need finite numbers (leave out runs without a value).`,
      );
    }
  });
}

// The mean and the sum of squared deviations, each with a correction pass (the "corrected two-pass"
// algorithm), so that values like 0.581, 0.602 keep their digits in the variance.
function moments(xs: readonly number[]): { mean: number; ss: number } {
  const n = xs.length;
  let mean = xs.reduce((s, x) => s + x, 0) / n;
  mean += xs.reduce((s, x) => s + (x - mean), 0) / n;
  let ss = 0;
  let sum = 0;
  for (const x of xs) {
    ss += (x - mean) * (x - mean);
    sum += x - mean;
  }
  return { mean, ss: Math.max(0, ss - (sum * sum) / n) };
}

// Exactly 0 when every value is the same (rounding in the mean must not invent a spread).
const constant = (xs: readonly number[]) => xs.every((x) => x === xs[0]);

/** The sample variance (n - 1), for n ≥ 2. */
function variance(xs: readonly number[]): number {
  return constant(xs) ? 0 : moments(xs).ss / (xs.length - 1);
}

/** n, mean, sd, sem, 95 % CI of the mean, min, max, median; throws on a value that is not finite. */
export function summarize(xs: readonly number[]): Summary {
  checkFinite(xs);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, sem: null, ci95: null, min: null, max: null, median: null };
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = constant(xs) ? xs[0]! : moments(xs).mean;
  const base = { n, mean, min: sorted[0]!, max: sorted[n - 1]!, median };
  if (n < 2) return { ...base, sd: null, sem: null, ci95: null };
  const sd = Math.sqrt(variance(xs));
  const sem = sd / Math.sqrt(n);
  const half = tQuantile(0.975, n - 1) * sem;
  return { ...base, sd, sem, ci95: [mean - half, mean + half] };
}

/** The mean of finite values (NaN for none); throws on a value that is not finite. */
export function mean(xs: readonly number[]): number {
  checkFinite(xs);
  return xs.length === 0 ? NaN : constant(xs) ? xs[0]! : moments(xs).mean;
}

/**
 * Welch's t-test (unequal variances) of A against B, two-sided, with the 95 % confidence interval of
 * mean(a) - mean(b); `too-few` when a group has fewer than 2 values. Throws on a value that is not finite.
 */
export function welch(a: readonly number[], b: readonly number[]): WelchResult | TooFewRuns {
  checkFinite(a, 'Group A');
  checkFinite(b, 'Group B');
  const nA = a.length;
  const nB = b.length;
  if (nA < MIN_PER_GROUP || nB < MIN_PER_GROUP) return { kind: 'too-few', nA, nB };
  const diff = mean(a) - mean(b);
  const wA = variance(a) / nA;
  const wB = variance(b) / nB;
  const w = wA + wB;
  if (w === 0) {
    // Neither group varies: the difference is known exactly, and any difference is beyond chance.
    return {
      kind: 'welch',
      diff,
      se: 0,
      df: nA + nB - 2,
      t: diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity,
      p: diff === 0 ? 1 : 0,
      ci95: [diff, diff],
      nA,
      nB,
    };
  }
  const se = Math.sqrt(w);
  // Welch–Satterthwaite, with the shares wA/w and wB/w so that tiny variances cannot underflow to 0/0.
  const df = 1 / ((wA / w) ** 2 / (nA - 1) + (wB / w) ** 2 / (nB - 1));
  const t = diff / se;
  const half = tQuantile(0.975, df) * se;
  return { kind: 'welch', diff, se, df, t, p: tTwoSided(t, df), ci95: [diff - half, diff + half], nA, nB };
}
