// Groups of runs (issue 13): by one or several settings, or as configurations, runs identical
// except for their seed. Pure: the runs table, the charts, the reports and `timbre runs compare`
// group the same way.

/** A setting's value as runs record it (flattened keys such as "model.type"); null when absent. */
export type ParamValue = string | number | boolean | null;

/** What grouping needs of a run: its id and its settings. */
export interface GroupableRun {
  id: number;
  params: Readonly<Record<string, ParamValue>>;
}

/** How runs are told apart as configurations. */
export interface GroupOptions {
  /** The setting that holds the seed (default "seed"). */
  seedKey?: string;
  /** Keys that never make two runs different configurations (default NOT_SETTINGS). */
  ignore?: readonly string[];
}

/** Runs that share the values of the settings they were grouped by. */
export interface RunGroup<R extends GroupableRun = GroupableRun> {
  /** Stable and unique among the groups: the values as canonical JSON. */
  key: string;
  /** The values the group's runs share, by setting. */
  values: Record<string, ParamValue>;
  /** Short, e.g. "model.type=lstm lr=0.001": the settings grouped by, or those that tell groups apart. */
  label: string;
  /** In the order given. */
  runs: R[];
}

/** Keys of a run that are labels, not settings: a name, tags or notes never split a configuration. */
export const NOT_SETTINGS: readonly string[] = ['name', 'tags', 'notes'];

/** A value as a label shows it: strings bare, null as "none", numbers without float noise (3e-4, not 0.00030000000000000003). */
export function paramText(v: ParamValue): string {
  if (v === null) return 'none';
  return typeof v === 'number' ? String(Number(v.toPrecision(12))) : String(v);
}

const valueOf = (run: GroupableRun, key: string): ParamValue => run.params[key] ?? null;

const keyOf = (keys: readonly string[], run: GroupableRun) =>
  JSON.stringify(keys.map((k) => [k, valueOf(run, k)]));

// null, then false/true, then numbers ascending, then strings in code-unit order: lr 0.0001 before 0.001.
const RANK = { object: 0, boolean: 1, number: 2, string: 3 } as Record<string, number>;
function compareValues(a: ParamValue, b: ParamValue): number {
  const ra = RANK[typeof a]!;
  const rb = RANK[typeof b]!;
  if (ra !== rb) return ra - rb;
  if (a === b || a === null || b === null) return 0;
  if (typeof a === 'number') return a - (b as number);
  return String(a) < String(b) ? -1 : 1;
}

function compareGroups(keys: readonly string[], a: RunGroup, b: RunGroup): number {
  for (const k of keys) {
    const c = compareValues(a.values[k] ?? null, b.values[k] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

const labelOf = (keys: readonly string[], values: Record<string, ParamValue>) =>
  keys.map((k) => `${k}=${paramText(values[k] ?? null)}`).join(' ');

// Groups runs by the values of `keys` (under the key `keyFn` gives), groups ordered by those values.
function groupOn<R extends GroupableRun>(
  runs: readonly R[],
  keys: readonly string[],
  keyFn: (run: R) => string = (run) => keyOf(keys, run),
): RunGroup<R>[] {
  const groups = new Map<string, RunGroup<R>>();
  for (const run of runs) {
    const key = keyFn(run);
    let group = groups.get(key);
    if (!group) {
      const values = Object.fromEntries(keys.map((k) => [k, valueOf(run, k)]));
      group = { key, values, label: labelOf(keys, values), runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  return [...groups.values()].sort((a, b) => compareGroups(keys, a, b));
}

// The settings of runs that count for a configuration: every key any run has, but the seed and labels.
function settingKeys(runs: readonly GroupableRun[], options: GroupOptions): string[] {
  const { seedKey = 'seed', ignore = NOT_SETTINGS } = options;
  const skip = new Set([seedKey, ...ignore]);
  return [...new Set(runs.flatMap((r) => Object.keys(r.params)))].filter((k) => !skip.has(k)).sort();
}

/**
 * The key of a run's configuration: every setting but the seed and the labels (NOT_SETTINGS), as
 * canonical JSON. Runs with equal keys are the same configuration with different seeds. A setting
 * a run lacks counts as null, so runs with and without a null-valued key are alike.
 */
export function groupKey(run: GroupableRun, options: GroupOptions = {}): string {
  const keys = settingKeys([run], options).filter((k) => run.params[k] !== null);
  return keyOf(keys, run);
}

/** Groups runs by one or several settings ("model.type", or ["model.type", "lr"]); absent values as null. */
export function groupBy<R extends GroupableRun>(
  runs: readonly R[],
  keys: string | readonly string[],
): RunGroup<R>[] {
  return groupOn(runs, typeof keys === 'string' ? [keys] : keys);
}

/**
 * Groups runs into configurations, runs identical except for the seed (and labels); a group's key
 * is its runs' groupKey. Each group's values are all its settings (null where absent); its label names only the settings whose values differ between the
 * groups ("all runs" when there is one group).
 */
export function groupByConfiguration<R extends GroupableRun>(
  runs: readonly R[],
  options: GroupOptions = {},
): RunGroup<R>[] {
  const keys = settingKeys(runs, options);
  const groups = groupOn(runs, keys, (run) => groupKey(run, options));
  const differing = keys.filter((k) => new Set(groups.map((g) => JSON.stringify(g.values[k]))).size > 1);
  for (const g of groups) g.label = groups.length === 1 ? 'all runs' : labelOf(differing, g.values);
  return groups;
}

/**
 * Whether runs are seed replicates of one configuration: the same groupKey, and no seed twice.
 * A comparison of two groups of replicates says "seeds" rather than "runs".
 */
export function seedReplicates(runs: readonly GroupableRun[], options: GroupOptions = {}): boolean {
  if (runs.length === 0) return false;
  const seedKey = options.seedKey ?? 'seed';
  const key = groupKey(runs[0]!, options);
  const seeds = new Set(runs.map((r) => JSON.stringify(valueOf(r, seedKey))));
  return seeds.size === runs.length && runs.every((r) => groupKey(r, options) === key);
}
