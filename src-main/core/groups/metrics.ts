import type { GroupMetric } from '../../shared/group-compare';
import { runSeconds } from '../../shared/format';
import type { RunSummary } from '../../shared/training';
import type { EpochEnds, TestResult } from '../store/group-queries';

/** Each metric of a run, null where it has none (no test evaluation yet, no epoch, still running). */
export type RunMetricValues = Record<GroupMetric, number | null>;

/** The metrics of runs groups are compared on, from their summaries, epoch ends and test evaluations. */
export function metricsOf(
  runs: readonly RunSummary[],
  ends: ReadonlyMap<number, EpochEnds>,
  tests: readonly TestResult[],
  now = Date.now(),
): Map<number, RunMetricValues> {
  const test = new Map<string, TestResult>(tests.map((t) => [`${t.runId}/${t.weights}`, t]));
  const out = new Map<number, RunMetricValues>();
  for (const r of runs) {
    const e = ends.get(r.id);
    const best = test.get(`${r.id}/best`);
    out.set(r.id, {
      testAccuracy: best?.accuracy ?? null,
      testAccuracyLast: test.get(`${r.id}/last`)?.accuracy ?? null,
      bestValAccuracy: r.bestValAccuracy,
      lastValAccuracy: e?.lastValAccuracy ?? null,
      bestValLoss: e?.bestValLoss ?? null,
      lastValLoss: e?.lastValLoss ?? null,
      lastTrainLoss: e?.lastTrainLoss ?? null,
      testLoss: best?.loss ?? null,
      // Only a run that ended has a training time to compare.
      seconds: r.finishedAt ? runSeconds(r, now) : null,
    });
  }
  return out;
}

/** The finite values of a metric over runs, in their order. */
export function valuesOf(
  ids: readonly number[],
  metrics: ReadonlyMap<number, RunMetricValues>,
  metric: GroupMetric,
): number[] {
  const out: number[] = [];
  for (const id of ids) {
    const v = metrics.get(id)?.[metric];
    if (v !== null && v !== undefined && Number.isFinite(v)) out.push(v);
  }
  return out;
}
