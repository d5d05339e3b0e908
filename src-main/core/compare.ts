import type { Evaluation, RunDetail } from '../shared/training';
import { runSeconds } from '../shared/format';

type ParamValue = string | number | boolean | null;

/** The best and last metrics of one run, as `timbre runs compare` reports them. */
export interface RunMetrics {
  id: number;
  name: string;
  status: string;
  bestEpoch: number | null;
  bestValLoss: number | null;
  bestValAccuracy: number | null;
  lastEpoch: number | null;
  lastTrainLoss: number | null;
  lastTrainAccuracy: number | null;
  lastValLoss: number | null;
  lastValAccuracy: number | null;
  testAccuracyBest: number | null;
  testLossBest: number | null;
  testAccuracyLast: number | null;
  testLossLast: number | null;
  epochsDone: number;
  epochs: number;
  seconds: number | null;
}

/** Runs side by side: the parameters that differ, how many are the same, and the metrics. */
export interface RunComparison {
  runs: number[];
  differing: Record<string, ParamValue[]>;
  same: number;
  metrics: RunMetrics[];
}

/** The best and last metrics of a run. */
export function runMetrics(d: RunDetail, now = Date.now()): RunMetrics {
  const best = d.history.find((h) => h.epoch === d.bestEpoch);
  const last = d.history.at(-1);
  // The newest test evaluation of each kind of weights.
  const test = (w: Evaluation['weights']) =>
    d.evaluations.filter((e) => e.split === 'test' && e.weights === w).at(-1);
  return {
    id: d.id,
    name: d.name,
    status: d.status,
    bestEpoch: d.bestEpoch,
    bestValLoss: best?.valLoss ?? null,
    bestValAccuracy: d.bestValAccuracy,
    lastEpoch: last?.epoch ?? null,
    lastTrainLoss: last?.trainLoss ?? null,
    lastTrainAccuracy: last?.trainAccuracy ?? null,
    lastValLoss: last?.valLoss ?? null,
    lastValAccuracy: last?.valAccuracy ?? null,
    testAccuracyBest: test('best')?.accuracy ?? null,
    testLossBest: test('best')?.loss ?? null,
    testAccuracyLast: test('last')?.accuracy ?? null,
    testLossLast: test('last')?.loss ?? null,
    epochsDone: d.epochsDone,
    epochs: d.epochs,
    seconds: runSeconds(d, now),
  };
}

/** Compares runs: parameter keys whose values differ (null where a run lacks the key) and metrics. */
export function compareRuns(details: RunDetail[], now = Date.now()): RunComparison {
  const keys = [...new Set(details.flatMap((d) => Object.keys(d.params)))].sort();
  const differing: Record<string, ParamValue[]> = {};
  for (const k of keys) {
    const values = details.map((d) => d.params[k] ?? null);
    if (new Set(values.map((v) => JSON.stringify(v))).size > 1) differing[k] = values;
  }
  return {
    runs: details.map((d) => d.id),
    differing,
    same: keys.length - Object.keys(differing).length,
    metrics: details.map((d) => runMetrics(d, now)),
  };
}
