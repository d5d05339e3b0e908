// The runs table grouped (issue 13): runs by sweep, by configuration (identical except the seed)
// or by a column's value, as one flat list of group heads and runs for the virtualized table. Made
// in one pass over the sorted runs; the groups keep the order of their first run.
import type { RunSummary } from '../../../src-main/shared/training';
import type { RunsGrouping } from '../../../src-main/shared/run-views';
import { cellText } from './runs-columns';
import type { Column } from './runs-view.svelte';

/** A metric of a group: its mean and sample standard deviation over the runs that have it. */
export interface GroupStat {
  n: number;
  mean: number;
  /** Null with a single value. */
  sd: number | null;
}

/** A group's head row. */
export interface GroupHead {
  kind: 'group';
  key: string;
  label: string;
  /** Its runs, in the table's order (all of them, folded or not). */
  runs: RunSummary[];
  /** By metric column key, in the column's units (accuracy in percent). */
  stats: Record<string, GroupStat | undefined>;
  collapsed: boolean;
}

/** A row of the table: a run, or a group's head. */
export type TableItem = RunSummary | GroupHead;

/** Whether a row is a group's head. */
export const isGroup = (item: TableItem): item is GroupHead => (item as GroupHead).kind === 'group';

/** What grouping reads besides the runs. */
export interface GroupContext {
  /** Every column the table knows (own and extra), for `column:KEY`. */
  columns: readonly Column[];
  /** The metric columns shown, whose mean ± sd group heads show. */
  metrics: readonly Column[];
  /** The configuration of each run (a number), and each number's key, for 'configuration'. */
  configuration?: { of: ReadonlyMap<number, unknown>; keys: readonly string[] };
  /** A sweep's name, for its group's label. */
  sweepName?: (id: number) => string | undefined;
  collapsed: ReadonlySet<string>;
}

/** Mean and sample sd of values, with Welford's update (no second pass). */
export function statOf(values: readonly number[]): GroupStat | undefined {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of values) {
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n === 0 ? undefined : { n, mean, sd: n > 1 ? Math.sqrt(m2 / (n - 1)) : null };
}

/** "61.2 ± 1.9" (shares in percent points, one decimal), "0.812 ± 0.020" for losses; "" for none. */
export function statText(s: GroupStat | undefined, column: Column): string {
  if (!s) return '';
  const digits = column.metric === 'share' ? 1 : 3;
  return s.sd === null ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}`;
}

// The settings that tell configurations apart, from their keys ("batch=32 lr=0.001 ...").
function configurationLabels(keys: readonly string[], present: readonly number[]): Map<number, string> {
  const parsed = new Map<number, Map<string, string>>();
  for (const n of present) {
    const m = new Map<string, string>();
    for (const pair of (keys[n - 1] ?? '').split(' ')) {
      const at = pair.indexOf('=');
      if (at > 0) m.set(pair.slice(0, at), pair.slice(at + 1).replace(/^"(.*)"$/, '$1'));
    }
    parsed.set(n, m);
  }
  const all = new Set([...parsed.values()].flatMap((m) => [...m.keys()]));
  const differing = [...all]
    .filter((k) => new Set([...parsed.values()].map((m) => m.get(k) ?? 'none')).size > 1)
    .sort();
  const out = new Map<number, string>();
  for (const [n, m] of parsed)
    out.set(
      n,
      present.length === 1 || !differing.length
        ? 'all runs'
        : differing.map((k) => `${k}=${m.get(k) ?? 'none'}`).join(' '),
    );
  return out;
}

/** How the runs group under `grouping`: a key per run and a label per key; null when it cannot. */
function keyer(
  grouping: RunsGrouping,
  ctx: GroupContext,
): { key: (r: RunSummary) => string; label: (key: string, first: RunSummary) => string } | null {
  if (grouping === 'sweep')
    return {
      key: (r) => String(r.sweepId ?? ''),
      label: (k, r) =>
        r.sweepId === null
          ? 'no sweep'
          : `sweep ${r.sweepId}${ctx.sweepName?.(r.sweepId) ? ` ${ctx.sweepName(r.sweepId)}` : ''}`,
    };
  if (grouping === 'configuration') {
    const conf = ctx.configuration;
    if (!conf) return null;
    let labels: Map<number, string> | undefined;
    return {
      key: (r) => String(conf.of.get(r.id) ?? ''),
      label: (k) => {
        labels ??= configurationLabels(conf.keys, [...new Set(conf.of.values())] as number[]);
        return k ? (labels.get(Number(k)) ?? `configuration ${k}`) : 'no settings recorded';
      },
    };
  }
  const column = ctx.columns.find((c) => `column:${c.key}` === grouping);
  if (!column) return null;
  return {
    key: (r) => cellText(column, r),
    label: (k) => `${column.label} = ${k}`,
  };
}

/**
 * The table's rows grouped: each group's head (label, n, mean ± sd of each metric column) followed
 * by its runs unless it is folded. Without a grouping (or before what it needs has loaded), the runs.
 */
export function groupRows(
  rows: readonly RunSummary[],
  grouping: RunsGrouping,
  ctx: GroupContext,
): TableItem[] {
  const by = grouping ? keyer(grouping, ctx) : null;
  if (!by) return rows as RunSummary[];
  const groups = new Map<string, RunSummary[]>();
  for (const r of rows) {
    const k = by.key(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  const items: TableItem[] = [];
  for (const [k, runs] of groups) {
    const key = `${grouping}|${k}`;
    const stats: GroupHead['stats'] = {};
    for (const c of ctx.metrics) {
      const values: number[] = [];
      for (const r of runs) {
        const v = c.value(r, 0);
        if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
      }
      stats[c.key] = statOf(values);
    }
    const collapsed = ctx.collapsed.has(key);
    items.push({ kind: 'group', key, label: by.label(k, runs[0]!), runs, stats, collapsed });
    if (!collapsed) for (const r of runs) items.push(r);
  }
  return items;
}
