// Early stopping of a sweep's runs as pure functions: given the settings and every run's validation
// accuracies so far, whether the run that has just logged an epoch continues or stops, and why.
//
// ASHA, after Li et al., "A System for Massively Parallel Hyperparameter Tuning" (MLSys 2020): the
// rungs are epochs r, r*eta, r*eta^2 ... (or listed). When a run logs a rung epoch e, the runs that
// have reached e so far (it included) are ranked by their best validation accuracy up to e. Once at
// least `minRuns` have reached e, the run continues only when fewer than max(1, floor(n / eta)) of
// the n runs score strictly higher: it is in the top 1/eta (a tie is in). Runs are never paused
// here, so the paper's "promote later" becomes "decide now, for good" (asynchronous successive
// halving without pausing): a run stopped at a rung stays stopped, one that continues keeps going.
//
// Median stopping, after Golovin et al., "Google Vizier: A Service for Black-Box Optimization"
// (KDD 2017): from epoch `minEpochs` on, a run stops when its best validation accuracy so far is
// strictly below (a tie goes on) the median of the other runs' running averages (mean accuracy of their epochs
// 1..e) at the same epoch e, once at least `minRuns` other runs have reached e.
//
// No decision is taken at a run's last epoch (there is nothing left to save) nor without a
// validation accuracy (a data set without a validation split never stops early).
import { pct } from '../../shared/format';

/** ASHA's defaults: rungs from epoch 1, keep the top third. */
export const ASHA_DEFAULTS = { minEpochs: 1, eta: 3 } as const;
/** Median stopping's defaults: three epochs and three other runs first. */
export const MEDIAN_DEFAULTS = { minEpochs: 3, minRuns: 3 } as const;

/** ASHA settings with defaults filled; `rungs` null means minEpochs * eta^k. */
export interface ResolvedAsha {
  method: 'asha';
  rungs: number[] | null;
  minEpochs: number;
  eta: number;
  minRuns: number;
}

/** Median-stopping settings with defaults filled. */
export interface ResolvedMedian {
  method: 'median';
  minEpochs: number;
  minRuns: number;
}

/** Early-stopping settings as checkEarlyStopping (spec.ts) leaves them. */
export type ResolvedEarlyStopping = ResolvedAsha | ResolvedMedian;

/** What a run has logged so far: validation accuracy per epoch (index 0 = epoch 1), null if none. */
export interface RunHistory {
  id: string | number;
  valAccuracy: (number | null)[];
  /** The epochs it is configured to train; no decision at the last one. */
  epochs?: number;
}

/** Continue, or stop with the reason the run records. */
export type StopDecision = { stop: false } | { stop: true; reason: string };

const CONTINUE: StopDecision = { stop: false };

/** The best validation accuracy over epochs 1..e, or null when none was logged. */
export function bestUpTo(h: RunHistory, e: number): number | null {
  let best: number | null = null;
  for (const v of h.valAccuracy.slice(0, e)) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

/** The mean validation accuracy over epochs 1..e, or null when none was logged. */
export function meanUpTo(h: RunHistory, e: number): number | null {
  const vs = h.valAccuracy.slice(0, e).filter((v): v is number => v !== null);
  return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Whether epoch e is one of ASHA's rungs. */
export function isRung(s: ResolvedAsha, e: number): boolean {
  if (s.rungs) return s.rungs.includes(e);
  for (let r = s.minEpochs; r <= e; r *= s.eta) if (r === e) return true;
  return false;
}

/** ASHA's rungs below `maxEpochs` (a rung at a run's last epoch decides nothing). */
export function ashaRungs(s: ResolvedAsha, maxEpochs: number): number[] {
  if (s.rungs) return s.rungs.filter((r) => r < maxEpochs);
  const rungs: number[] = [];
  for (let r = s.minEpochs; r < maxEpochs; r *= s.eta) rungs.push(r);
  return rungs;
}

/** The epoch a run has just logged, or null when no decision is due there (last epoch, none yet). */
function decisionEpoch(run: RunHistory): number | null {
  const e = run.valAccuracy.length;
  return e === 0 || (run.epochs !== undefined && e >= run.epochs) ? null : e;
}

/** The other runs (by id; `run` itself stands for its own entry) that have logged epoch e. */
function othersAt(run: RunHistory, all: readonly RunHistory[], e: number): RunHistory[] {
  return all.filter((h) => h.id !== run.id && h.valAccuracy.length >= e);
}

/** ASHA's decision for a run that has just logged its latest epoch. */
export function ashaDecision(s: ResolvedAsha, run: RunHistory, all: readonly RunHistory[]): StopDecision {
  const e = decisionEpoch(run);
  if (e === null || !isRung(s, e)) return CONTINUE;
  const own = bestUpTo(run, e);
  if (own === null) return CONTINUE;
  const others = othersAt(run, all, e)
    .map((h) => bestUpTo(h, e))
    .filter((v): v is number => v !== null);
  const n = others.length + 1;
  if (n < s.minRuns) return CONTINUE;
  const keep = Math.max(1, Math.floor(n / s.eta));
  const better = others.filter((v) => v > own).length;
  if (better < keep) return CONTINUE;
  return {
    stop: true,
    reason: `stopped by ASHA at epoch ${e}: validation accuracy ${pct(own)} not in the top 1/${s.eta} of ${n} runs`,
  };
}

/** Median stopping's decision for a run that has just logged its latest epoch. */
export function medianDecision(s: ResolvedMedian, run: RunHistory, all: readonly RunHistory[]): StopDecision {
  const e = decisionEpoch(run);
  if (e === null || e < s.minEpochs) return CONTINUE;
  const own = bestUpTo(run, e);
  if (own === null) return CONTINUE;
  const others = othersAt(run, all, e)
    .map((h) => meanUpTo(h, e))
    .filter((v): v is number => v !== null);
  if (others.length === 0 || others.length < s.minRuns) return CONTINUE;
  const m = median(others);
  // A tie is no reason to stop; the tolerance absorbs the rounding of the means.
  if (own >= m - 1e-9) return CONTINUE;
  return {
    stop: true,
    reason:
      `stopped by the median rule at epoch ${e}: best validation accuracy ${pct(own)} ` +
      `below the median ${pct(m)} of ${others.length} other runs`,
  };
}

/** The sweep's early-stopping decision for a run that has just logged an epoch (continue without settings). */
export function earlyStopDecision(
  s: ResolvedEarlyStopping | null,
  run: RunHistory,
  all: readonly RunHistory[],
): StopDecision {
  if (!s) return CONTINUE;
  return s.method === 'asha' ? ashaDecision(s, run, all) : medianDecision(s, run, all);
}
