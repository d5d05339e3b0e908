// How the groups view reads a comparison of groups (issue 13): numbers in a metric's unit, one
// colour per group, the two groups compared by default, any pair's test, and which runs the
// curves can show.
import { fixed, pct, UNKNOWN } from '../../../src-main/shared/format';
import {
  GROUP_METRICS,
  MAX_CURVE_GROUPS,
  MAX_CURVE_RUNS,
  type CurveMetric,
  type GroupComparison,
  type GroupMetric,
  type GroupPair,
  type GroupStats,
} from '../../../src-main/shared/group-compare';
import { bootstrapDiff, compareSentence, welch } from '../../../src-main/shared/stats';
import { RUN_COLORS } from './families';

/** A value of a metric as the tables say it: "64.8 %" for shares, "0.912" for losses, "42" for seconds. */
export function metricText(metric: GroupMetric, v: number | null | undefined): string {
  const def = GROUP_METRICS[metric];
  if (def.unit === 'share') return pct(v);
  return fixed(v, 'digits' in def ? def.digits : 3);
}

/** A spread (sd) in the metric's unit without the percent sign's space doubling: "1.9 points" reads as "1.9". */
export function spreadText(metric: GroupMetric, v: number | null | undefined): string {
  if (v === null || v === undefined) return UNKNOWN;
  const def = GROUP_METRICS[metric];
  if (def.unit === 'share') return (v * 100).toFixed(1);
  return fixed(v, 'digits' in def ? def.digits : 3);
}

/** An interval "58.1 – 62.3 %" (shares) or "0.812 – 0.934". */
export function rangeText(metric: GroupMetric, lo: number | null, hi: number | null): string {
  if (lo === null || hi === null) return UNKNOWN;
  const def = GROUP_METRICS[metric];
  if (def.unit === 'share') return `${(lo * 100).toFixed(1)} – ${pct(hi)}`;
  const d = 'digits' in def ? def.digits : 3;
  return `${fixed(lo, d)} – ${fixed(hi, d)}`;
}

/** A signed difference in the metric's unit: "+1.2 points", "−0.034". */
export function diffText(metric: GroupMetric, v: number): string {
  const def = GROUP_METRICS[metric];
  const share = def.unit === 'share';
  const d = 'digits' in def ? def.digits : share ? 1 : 3;
  const x = (share ? v * 100 : v).toFixed(d);
  const signed = v > 0 ? `+${x}` : x.replace('-', '−');
  return share ? `${signed} points` : signed;
}

/** A p-value as papers write it: "p = 0.034", "p < 0.001". */
export function pText(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** The colour of the i-th group, the same in every chart and table of the view (ten, then again). */
export function groupColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length]!;
}

/** Whether the i-th group's lines are dashed (the colours repeat after ten groups). */
export const groupDashed = (i: number) => i >= RUN_COLORS.length;

/** Groups ordered best first on a metric (groups without a value last, in their order). */
export function ranked(groups: readonly GroupStats[], metric: GroupMetric): GroupStats[] {
  const sign = GROUP_METRICS[metric].higherIsBetter ? -1 : 1;
  const m = (g: GroupStats) => g.metrics[metric].mean;
  return [...groups].sort((a, b) => {
    const x = m(a);
    const y = m(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return sign * (x - y);
  });
}

/** The runs of the comparison without a value of the metric, by id. */
export function lacking(c: GroupComparison, metric: GroupMetric): number[] {
  return c.points.filter((p) => p.metrics[metric] === null).map((p) => p.id);
}

/** "runs 3, 4 and 7", "run 3", or the first few and how many more. */
export function runList(ids: readonly number[], max = 8): string {
  if (ids.length === 1) return `run ${ids[0]}`;
  const shown = ids.slice(0, max);
  const rest = ids.length - shown.length;
  if (rest > 0) return `runs ${shown.join(', ')} and ${rest} more`;
  return `runs ${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** One pair of groups, A − B on the comparison's metric: the server's when it tested that pair, else tested here the same way. */
export function pairOf(c: GroupComparison, a: string, b: string): GroupPair | null {
  const found = c.pairs.find((p) => p.a === a && p.b === b);
  if (found) return found;
  const A = c.groups.find((g) => g.key === a);
  const B = c.groups.find((g) => g.key === b);
  if (!A || !B || a === b) return null;
  const byId = new Map(c.points.map((p) => [p.id, p.metrics[c.metric]]));
  const values = (g: GroupStats) =>
    g.runs.map((id) => byId.get(id) ?? null).filter((v): v is number => v !== null && Number.isFinite(v));
  // The core's bootstrap seed, so that a pair reads the same whether the server tested it or not.
  const result =
    c.test === 'bootstrap' ? bootstrapDiff(values(A), values(B), { seed: 1 }) : welch(values(A), values(B));
  return {
    a,
    b,
    result,
    sentence: compareSentence(A.label, B.label, result, GROUP_METRICS[c.metric], c.replicates),
  };
}

/** The groups a chart of curves shows, and each one's runs: at most MAX_CURVE_GROUPS (the best on the metric) and MAX_CURVE_RUNS runs in all. */
export interface CurvePick {
  groups: { group: GroupStats; index: number; runs: number[] }[];
  /** Why not everything is drawn, or null. */
  cut: string | null;
}

/** The curves the groups view draws first. */
export const FIRST_CURVE: CurveMetric = 'valAccuracy';

/** The runs of each group of a chart of curves, as groupCurves is asked for them. */
export function curveLists(groups: readonly GroupStats[], metric: GroupMetric): number[][] {
  return curvePick(groups, metric).groups.map((g) => g.runs);
}

/** Picks the groups and runs of a chart of curves; `index` is each group's place in the comparison (its colour). */
export function curvePick(groups: readonly GroupStats[], metric: GroupMetric): CurvePick {
  const best = ranked(groups, metric).slice(0, MAX_CURVE_GROUPS);
  const order = groups.filter((g) => best.includes(g));
  const total = groups.reduce((s, g) => s + g.runs.length, 0);
  const each = Math.max(1, Math.floor(MAX_CURVE_RUNS / Math.max(1, order.length)));
  const chosen = order.map((g) => ({
    group: g,
    index: groups.indexOf(g),
    runs: total > MAX_CURVE_RUNS ? g.runs.slice(0, each) : g.runs,
  }));
  const drawn = chosen.reduce((s, g) => s + g.runs.length, 0);
  const parts: string[] = [];
  if (order.length < groups.length)
    parts.push(`the ${order.length} best of ${groups.length} groups on ${GROUP_METRICS[metric].label}`);
  if (drawn < total) parts.push(`at most ${each} runs of each (${drawn} of ${total} runs)`);
  return { groups: chosen, cut: parts.length ? `Curves of ${parts.join(', ')}.` : null };
}

/** One bar of the bar chart: a group's mean, its 95 % interval, and its runs' own values (dots). */
export interface Bar {
  key: string;
  label: string;
  color: string;
  mean: number | null;
  ci95: [number, number] | null;
  n: number;
  values: number[];
}

/** At most this many bars in the bar chart: the best groups on the metric. */
export const MAX_BARS = 30;

/** The bars of a comparison on its metric, in the groups' order: the MAX_BARS best groups when there are more. */
export function barsOf(c: GroupComparison, colors: ReadonlyMap<string, number>): Bar[] {
  const byId = new Map(c.points.map((p) => [p.id, p.metrics[c.metric]]));
  const best = new Set(ranked(c.groups, c.metric).slice(0, MAX_BARS));
  return c.groups
    .filter((g) => best.has(g))
    .map((g) => {
      const s = g.metrics[c.metric];
      return {
        key: g.key,
        label: g.label,
        color: groupColor(colors.get(g.key) ?? 0),
        mean: s.mean,
        ci95: s.ci95,
        n: s.n,
        values: g.runs
          .map((id) => byId.get(id) ?? null)
          .filter((v): v is number => v !== null && Number.isFinite(v)),
      };
    });
}
