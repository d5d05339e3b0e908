import {
  GROUP_METRIC_KEYS,
  GROUP_METRICS,
  type GroupBy,
  type GroupComparison,
  type GroupMetric,
  type GroupPair,
  type GroupPoint,
  type GroupRequest,
  type GroupStats,
} from '../../shared/group-compare';
import {
  groupBy as groupBySettings,
  groupByConfiguration,
  NOT_SETTINGS,
  seedReplicates,
  type ParamValue,
  type RunGroup,
} from '../../shared/groups';
import { bootstrapDiff, compareSentence, summarize, welch } from '../../shared/stats';
import type { RunSummary } from '../../shared/training';
import { importanceOf } from './importance';
import { valuesOf, type RunMetricValues } from './metrics';

/** A run as groups are made of it: its summary, its settings and its metrics. */
export interface GroupedRun {
  id: number;
  summary: RunSummary;
  params: Record<string, ParamValue>;
  metrics: RunMetricValues;
}

/** More groups than this, and each is compared with the best only, not with every other. */
const ALL_PAIRS_UP_TO = 10;

/** Settings whose values differ among the runs, but the seed and labels: the axes worth showing. */
export function varyingSettings(runs: readonly GroupedRun[]): string[] {
  const skip = new Set(['seed', ...NOT_SETTINGS]);
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].filter((k) => !skip.has(k)).sort();
  return keys.filter((k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1);
}

function groupsOf(
  runs: readonly GroupedRun[],
  by: GroupBy,
  sweepNames: ReadonlyMap<number, string>,
): RunGroup<GroupedRun>[] {
  if (by === 'configuration') return groupByConfiguration(runs);
  if (by !== 'sweep') return groupBySettings(runs, by);
  // By sweep: the sweeps in id order, runs of no sweep last.
  const bySweep = new Map<number | null, GroupedRun[]>();
  for (const r of runs) bySweep.set(r.summary.sweepId, [...(bySweep.get(r.summary.sweepId) ?? []), r]);
  return [...bySweep]
    .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    .map(([id, members]) => ({
      key: JSON.stringify(id),
      values: { sweep: id },
      label: id === null ? 'no sweep' : `sweep ${id}${sweepNames.has(id) ? ` ${sweepNames.get(id)}` : ''}`,
      runs: members,
    }));
}

/** The mean of a group's metric, for ordering groups best first; null without any value. */
function meanOf(g: GroupStats, metric: GroupMetric): number | null {
  return g.metrics[metric].mean;
}

function pairsOf(
  groups: GroupStats[],
  metrics: ReadonlyMap<number, RunMetricValues>,
  metric: GroupMetric,
  test: 'welch' | 'bootstrap',
  replicates: 'seeds' | 'runs',
): GroupPair[] {
  const scale = GROUP_METRICS[metric];
  const sign = scale.higherIsBetter ? 1 : -1;
  const pairs: [GroupStats, GroupStats][] = [];
  if (groups.length <= ALL_PAIRS_UP_TO) {
    for (let i = 0; i < groups.length; i++)
      for (let j = i + 1; j < groups.length; j++) pairs.push([groups[i]!, groups[j]!]);
  } else {
    const ranked = groups
      .filter((g) => meanOf(g, metric) !== null)
      .sort((a, b) => sign * (meanOf(b, metric)! - meanOf(a, metric)!));
    for (const g of ranked.slice(1)) pairs.push([ranked[0]!, g]);
  }
  return pairs.map(([a, b]) => {
    const xs = valuesOf(a.runs, metrics, metric);
    const ys = valuesOf(b.runs, metrics, metric);
    const result = test === 'bootstrap' ? bootstrapDiff(xs, ys, { seed: 1 }) : welch(xs, ys);
    return {
      a: a.key,
      b: b.key,
      result,
      sentence: compareSentence(a.label, b.label, result, scale, replicates),
    };
  });
}

/** Groups the runs, summarizes every metric per group, tests the pairs, and scores the settings. */
export function compareGroupsOf(
  runs: readonly GroupedRun[],
  request: GroupRequest,
  sweepNames: ReadonlyMap<number, string> = new Map(),
  missing: number[] = [],
): GroupComparison {
  const metric = request.metric ?? 'testAccuracy';
  const test = request.test ?? 'welch';
  const groups: RunGroup<GroupedRun>[] = groupsOf(runs, request.groupBy, sweepNames);
  const metrics = new Map(runs.map((r) => [r.id, r.metrics]));
  const stats: GroupStats[] = groups.map((g) => {
    const ids = g.runs.map((r) => r.id);
    return {
      key: g.key,
      label: g.label,
      values: g.values,
      runs: ids,
      metrics: Object.fromEntries(
        GROUP_METRIC_KEYS.map((m) => [m, summarize(valuesOf(ids, metrics, m))]),
      ) as GroupStats['metrics'],
    };
  });
  // "Seeds" when the groups with several runs are each one configuration repeated with other seeds.
  const replicated = groups.filter((g) => g.runs.length >= 2);
  const replicates = replicated.length && replicated.every((g) => seedReplicates(g.runs)) ? 'seeds' : 'runs';
  const varying = varyingSettings(runs);
  const groupOfRun = new Map(groups.flatMap((g) => g.runs.map((r) => [r.id, g.key] as const)));
  const points: GroupPoint[] = runs.map((r) => ({
    id: r.id,
    name: r.summary.name,
    group: groupOfRun.get(r.id)!,
    values: Object.fromEntries(varying.map((k) => [k, r.params[k] ?? null])),
    metrics: r.metrics,
  }));
  return {
    groupBy: request.groupBy,
    metric,
    test,
    replicates,
    varying,
    groups: stats,
    pairs: pairsOf(stats, metrics, metric, test, replicates),
    points,
    importance: importanceOf(varying, runs, metrics, metric),
    missing,
  };
}
