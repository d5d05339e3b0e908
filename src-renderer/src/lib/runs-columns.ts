// The runs table's extra columns (issue 13): what the column chooser offers (any setting, the
// metrics, tags, notes) and each one as a Column, its values read from a runColumns answer.
import { GROUP_METRICS } from '../../../src-main/shared/group-compare';
import { fixed, pct } from '../../../src-main/shared/format';
import { PACKED_CONFIG_FIELDS } from '../../../src-main/shared/run-list';
import { METRIC_COLUMNS, metricColumn, type ColumnValue } from '../../../src-main/shared/run-views';
import { TRAIN_FIELDS } from '../../../src-main/shared/train-fields';
import type { RunSummary } from '../../../src-main/shared/training';
import type { Column } from './runs-view.svelte';

/** A column the chooser offers. */
export interface ColumnChoice {
  key: string;
  label: string;
  title: string;
  group: 'Settings' | 'Metrics' | 'Labels';
}

// Settings the table shows in columns of its own: those each run's row carries.
const OWN = new Set<string>(PACKED_CONFIG_FIELDS);

const settingKey = (f: (typeof TRAIN_FIELDS)[number]) =>
  f.section === 'training' ? f.key : `${f.section}.${f.key}`;

const SHARE_METRICS = new Set<string>(['lastValAccuracy', 'testAccuracyLast']);

/** Every extra column, in the chooser's order. */
export const COLUMN_CHOICES: readonly ColumnChoice[] = [
  ...TRAIN_FIELDS.filter((f) => !OWN.has(settingKey(f))).map((f): ColumnChoice => ({
    key: settingKey(f),
    label: f.label,
    title: `${f.label} (${settingKey(f)})`,
    group: 'Settings',
  })),
  ...METRIC_COLUMNS.map((m): ColumnChoice => ({
    key: metricColumn(m),
    label: GROUP_METRICS[m].label.replace(/^(.)/, (c) => c.toUpperCase()),
    title: GROUP_METRICS[m].label,
    group: 'Metrics',
  })),
  { key: 'tags', label: 'Tags', title: 'Tags', group: 'Labels' },
  { key: 'notes', label: 'Notes', title: 'Notes (their start)', group: 'Labels' },
];

const choices = new Map(COLUMN_CHOICES.map((c) => [c.key, c]));

// Short header labels for the metrics, where the chooser's are long.
const SHORT: Record<string, string> = {
  lastValAccuracy: 'Last val',
  lastValLoss: 'Last val loss',
  bestValLoss: 'Best val loss',
  lastTrainLoss: 'Train loss',
  testAccuracyLast: 'Test (last)',
  testLoss: 'Test loss',
};

// Names the filter accepts for the metrics, besides their keys ("testloss>1").
const ALIASES: Record<string, string[]> = {
  lastValAccuracy: ['lastval'],
  lastValLoss: ['lastloss', 'valloss'],
  bestValLoss: ['bestloss'],
  lastTrainLoss: ['trainloss'],
  testAccuracyLast: ['testlast'],
  testLoss: ['testloss'],
};

/** The text a cell or a group's label shows for a column's value. */
export function cellText(c: Column, r: RunSummary): string {
  if (c.text) return c.text(r);
  const v = c.value(r, 0);
  return v === null ? '–' : String(v);
}

function settingText(v: ColumnValue): string {
  if (v === null) return '–';
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  return String(v);
}

/** An extra column of the table, its values from `values` (by run id); null for an unknown key. */
export function extraColumn(
  key: string,
  values: ReadonlyMap<number, ColumnValue> | undefined,
): Column | null {
  const choice = choices.get(key);
  if (!choice) return null;
  const get = (r: RunSummary) => values?.get(r.id) ?? null;
  if (key === 'tags') {
    const text = (r: RunSummary) => r.tags.join(' ');
    return {
      key,
      label: 'Tags',
      title: 'Tags',
      width: 110,
      value: (r) => text(r).toLowerCase() || null,
      text,
    };
  }
  if (key === 'notes') {
    const text = (r: RunSummary) => String(get(r) ?? '');
    return {
      key,
      label: 'Notes',
      title: choice.title,
      width: 160,
      value: (r) => text(r).toLowerCase() || null,
      text,
    };
  }
  if (choice.group === 'Metrics') {
    const m = key.slice('metric.'.length);
    const share = SHARE_METRICS.has(m);
    return {
      key,
      label: SHORT[m] ?? choice.label,
      title: choice.title.replace(/^(.)/, (c) => c.toUpperCase()),
      width: share ? 74 : 84,
      numeric: true,
      metric: share ? 'share' : 'plain',
      value: (r) => {
        const v = get(r);
        return typeof v === 'number' ? (share ? v * 100 : v) : null;
      },
      text: (r) => {
        const v = get(r);
        return typeof v === 'number' ? (share ? pct(v) : fixed(v, 3)) : '–';
      },
      aliases: ALIASES[m],
    };
  }
  // A setting: numbers sort as numbers, words as words.
  return {
    key,
    label: choice.label,
    title: choice.title,
    width: Math.max(58, Math.min(110, choice.label.length * 7 + 16)),
    numeric: TRAIN_FIELDS.find((f) => settingKey(f) === key)?.kind !== 'choice',
    value: (r) => {
      const v = get(r);
      return typeof v === 'string' ? v.toLowerCase() : typeof v === 'boolean' ? Number(v) : v;
    },
    text: (r) => settingText(get(r)),
  };
}
