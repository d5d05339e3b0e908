import type { RunStatus, RunSummary } from '../../../src-main/shared/training';
import { pct, runSeconds } from '../../../src-main/shared/format';
import type { RunsGrouping } from '../../../src-main/shared/run-views';
import { COLUMN_CHOICES } from './runs-columns';

/** A column of the runs table: how it is labelled, sized, sorted and filtered. */
export interface Column {
  key: string;
  label: string;
  /** Full name, for the header's hover and screen readers. */
  title: string;
  width: number;
  numeric?: boolean;
  /** The value sorting and `key>value` filters use (accuracies in percent). */
  value: (r: RunSummary, now: number) => number | string | null;
  /** Other names the filter accepts for this column. */
  aliases?: string[];
  /** A metric: group rows show its mean ± sd (a share is shown in percent). */
  metric?: 'share' | 'plain';
  /** The value as a cell or a group's label shows it (default: the value as text). */
  text?: (r: RunSummary) => string;
}

const acc = (v: number | null) => (v === null ? null : v * 100);

export const COLUMNS: Column[] = [
  { key: 'id', label: '#', title: 'Run id', width: 54, numeric: true, value: (r) => r.id },
  { key: 'name', label: 'Name', title: 'Name', width: 0, value: (r) => r.name.toLowerCase() },
  {
    key: 'sweep',
    label: 'Sweep',
    title: 'The sweep that created the run',
    width: 46,
    numeric: true,
    value: (r) => r.sweepId,
  },
  { key: 'model', label: 'Model', title: 'Model type', width: 52, value: (r) => r.model },
  {
    key: 'features',
    label: 'Features',
    title: 'Feature representation',
    width: 64,
    value: (r) => r.representation,
    aliases: ['repr'],
  },
  { key: 'lr', label: 'LR', title: 'Learning rate', width: 58, numeric: true, value: (r) => r.lr },
  { key: 'batch', label: 'Batch', title: 'Batch size', width: 48, numeric: true, value: (r) => r.batch },
  {
    key: 'hidden',
    label: 'H×L',
    title: 'Hidden units × layers',
    width: 58,
    numeric: true,
    value: (r) => r.hidden * 100 + r.layers,
    aliases: ['size'],
    text: (r) => `${r.hidden}×${r.layers}`,
  },
  {
    key: 'optimizer',
    label: 'Opt',
    title: 'Optimizer',
    width: 50,
    value: (r) => r.optimizer,
    aliases: ['opt'],
  },
  { key: 'status', label: 'Status', title: 'Status', width: 96, value: (r) => r.status },
  {
    key: 'val',
    label: 'Best val',
    title: 'Best validation accuracy',
    width: 64,
    numeric: true,
    value: (r) => acc(r.bestValAccuracy),
    aliases: ['best'],
    metric: 'share',
    text: (r) => pct(r.bestValAccuracy),
  },
  {
    key: 'test',
    label: 'Test',
    title: 'Test accuracy (best weights)',
    width: 60,
    numeric: true,
    value: (r) => acc(r.testAccuracy),
    metric: 'share',
    text: (r) => pct(r.testAccuracy),
  },
  {
    key: 'epochs',
    label: 'Epochs',
    title: 'Epochs done / total',
    width: 72,
    numeric: true,
    value: (r) => r.epochsDone,
  },
  {
    key: 'duration',
    label: 'Duration',
    title: 'Training time',
    width: 88,
    numeric: true,
    value: runSeconds,
    aliases: ['time'],
  },
  { key: 'backend', label: 'Backend', title: 'Training backend', width: 62, value: (r) => r.backend },
  {
    key: 'created',
    label: 'Created',
    title: 'Created',
    width: 82,
    numeric: true,
    value: (r) => r.createdAt,
    aliases: ['date'],
  },
];

const byKey = new Map<string, Column>();
for (const c of COLUMNS) for (const k of [c.key, ...(c.aliases ?? [])]) byKey.set(k, c);
// Filter-only keys.
const column = (key: string) => COLUMNS.find((c) => c.key === key)!;
byKey.set('layers', { ...column('hidden'), key: 'layers', value: (r) => r.layers });
byKey.set('preset', { ...column('name'), key: 'preset', value: (r) => r.preset });
byKey.set('tag', { ...column('name'), key: 'tag', value: (r) => r.tags.join(' ').toLowerCase() });

type Test = (r: RunSummary, now: number) => boolean;

// The columns by every name the filter and the sort know them by: the table's own and `extra`.
function lookup(extra: readonly Column[]): (name: string) => Column | undefined {
  if (!extra.length) return (name) => byKey.get(name);
  const more = new Map<string, Column>();
  for (const c of extra) for (const k of [c.key, ...(c.aliases ?? [])]) more.set(k.toLowerCase(), c);
  return (name) => more.get(name) ?? byKey.get(name);
}

// Why a `name:value` filter names no column: a setting or metric not added yet, or nothing known.
function noColumn(name: string): string {
  const choice = COLUMN_CHOICES.find((c) => c.key.toLowerCase() === name);
  return choice
    ? `Add the column "${choice.label}" (Columns) to filter by ${choice.key}.`
    : `No column "${name}"; try ${COLUMNS.map((c) => c.key).join(', ')}, or a column added with Columns.`;
}

/**
 * A filter query parsed into tests: free words, `column:value`, `column>number`, ...; `extra`
 * columns (the chooser's) are filtered by their keys too (`model.dropout>0.1`).
 */
export function parseFilter(
  query: string,
  extra: readonly Column[] = [],
): { tests: Test[]; problem: string | null } {
  const tests: Test[] = [];
  let problem: string | null = null;
  const find = lookup(extra);
  for (const token of query.toLowerCase().match(/\S+/g) ?? []) {
    const m = /^([a-z][a-z0-9._]*)(:|>=|<=|>|<|=)(.*)$/.exec(token);
    const column = m ? find(m[1]!) : undefined;
    if (!m || !column) {
      if (m && !problem) problem = noColumn(m[1]!);
      tests.push((r) => searchText(r).includes(token));
      continue;
    }
    const [, , op, raw] = m as unknown as [string, string, string, string];
    const target = Number(raw.replace(/%$/, ''));
    tests.push((r, now) => {
      const v = column.value(r, now);
      if (v === null) return false;
      if (typeof v === 'string') {
        const s = v.toLowerCase();
        if (op === ':') return s.includes(raw);
        if (op === '=') return s === raw;
        return op.startsWith('>') ? s >= raw : s <= raw;
      }
      if (!Number.isFinite(target)) return false;
      switch (op) {
        case '>':
          return v > target;
        case '<':
          return v < target;
        case '>=':
          return v >= target;
        case '<=':
          return v <= target;
        default:
          return Math.abs(v - target) < 1e-9;
      }
    });
  }
  return { tests, problem };
}

// The text free words match against, made once per run object.
const texts = new WeakMap<RunSummary, string>();
function searchText(r: RunSummary): string {
  let t = texts.get(r);
  if (t === undefined) {
    t = [
      r.id,
      r.name,
      r.model,
      r.representation,
      r.optimizer,
      r.status,
      r.backend ?? '',
      r.preset ?? '',
      ...r.tags,
    ]
      .join(' ')
      .toLowerCase();
    texts.set(r, t);
  }
  return t;
}

/** Filters (by words, status and sweep) and sorts runs; the input array is never changed. */
export function viewOf(
  list: readonly RunSummary[],
  query: string,
  status: RunStatus | '',
  sort: { key: string; dir: 1 | -1 },
  now: number,
  sweep: number | null = null,
  extra: readonly Column[] = [],
): RunSummary[] {
  const { tests } = parseFilter(query, extra);
  const rows = list.filter(
    (r) =>
      (sweep === null || r.sweepId === sweep) &&
      (!status || r.status === status) &&
      tests.every((t) => t(r, now)),
  );
  const column = lookup(extra)(sort.key.toLowerCase());
  if (!column) return rows;
  const keyed = rows.map((r) => ({ r, v: column.value(r, now) }));
  keyed.sort((a, b) => {
    // Missing values sort last in both directions.
    if (a.v === null || b.v === null) return a.v === b.v ? b.r.id - a.r.id : a.v === null ? 1 : -1;
    const d = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    return d === 0 ? b.r.id - a.r.id : d * sort.dir;
  });
  return keyed.map((k) => k.r);
}

/** The runs table's sort, filter, selection and scroll, kept while the user visits a run. */
class RunsView {
  query = $state('');
  status = $state<RunStatus | ''>('');
  sort = $state.raw<{ key: string; dir: 1 | -1 }>({ key: 'created', dir: -1 });
  /** Selected run ids in the order they were picked. Replaced on change. */
  selected = $state.raw<ReadonlySet<number>>(new Set());
  /** Extra columns shown (keys of the column chooser), in order. */
  columns = $state.raw<readonly string[]>([]);
  /** The table's own columns hidden. */
  hidden = $state.raw<readonly string[]>([]);
  groupBy = $state<RunsGrouping>('');
  /** Keys of the groups folded. */
  collapsed = $state.raw<ReadonlySet<string>>(new Set());
  scrollTop = 0;

  toggleSort(column: Pick<Column, 'key' | 'numeric'>): void {
    const key = column.key;
    this.sort =
      this.sort.key === key
        ? { key, dir: this.sort.dir === 1 ? -1 : 1 }
        : { key, dir: column.numeric ? -1 : 1 };
  }

  /** Folds or unfolds a group. */
  toggleGroup(key: string, open?: boolean): void {
    const next = new Set(this.collapsed);
    if (open ?? next.has(key)) next.delete(key);
    else next.add(key);
    this.collapsed = next;
  }

  toggle(id: number, on?: boolean): void {
    const next = new Set(this.selected);
    if (on ?? !next.has(id)) next.add(id);
    else next.delete(id);
    this.selected = next;
  }

  setAll(ids: readonly number[], on: boolean): void {
    const next = new Set(this.selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    this.selected = next;
  }

  /** Drops selected ids that are no longer listed. */
  prune(existing: readonly RunSummary[]): void {
    if (!this.selected.size) return;
    const ids = new Set(existing.map((r) => r.id));
    const kept = [...this.selected].filter((id) => ids.has(id));
    if (kept.length !== this.selected.size) this.selected = new Set(kept);
  }
}

export const runsView = new RunsView();
