// Axes of the parallel coordinates and the scatter (issue 13): each setting or metric of a run
// mapped to a position 0..1 along its axis (null: the run has no value there, drawn at "none").
// Numbers are linear, or logarithmic when a positive setting spans more than two decades (lr);
// strings and booleans are evenly spaced categories. Pure, so the scatter and tests share it.
import { GROUP_METRICS, type GroupMetric, type GroupPoint } from '../../../src-main/shared/group-compare';
import { paramText, type ParamValue } from '../../../src-main/shared/groups';
import { fixed, pct } from '../../../src-main/shared/format';

/** A tick of an axis: its position 0..1 (0 = bottom) and its text. */
export interface AxisTick {
  at: number;
  text: string;
}

/** One axis: a setting or a metric, how it scales, and where each run sits on it. */
export interface Axis {
  /** The setting key, or the metric key. */
  key: string;
  kind: 'setting' | 'metric';
  label: string;
  scale: 'linear' | 'log' | 'category';
  ticks: AxisTick[];
  /** Positions of the runs, in the order of the points; NaN where the run has no value. */
  pos: Float64Array;
  /** Whether any run has no value (the axis then shows "none" below it). */
  hasNone: boolean;
  /** The run's value as text, for tooltips. */
  text: (v: ParamValue) => string;
  /** Category names in order (category scale only). */
  categories: string[];
}

/** A share metric reads as a percent, others with their digits (a loss: 3 decimals). */
export function metricText(metric: GroupMetric, v: number | null): string {
  const def = GROUP_METRICS[metric] as { unit: string; digits?: number };
  if (v === null) return 'none';
  return def.unit === 'share' ? pct(v) : fixed(v, def.digits ?? 3);
}

/** A metric's tick: a share as a whole percent (or with the decimals its step needs), else short. */
export function metricTick(metric: GroupMetric, v: number, step: number): string {
  if (GROUP_METRICS[metric].unit !== 'share') return numberText(v);
  return pct(v, step >= 0.01 ? 0 : step >= 0.001 ? 1 : 2);
}

/** A number as a tick says it: short, no float noise (0.0003, 1e-5, 128, 0.25). */
export function numberText(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(0).replace('e+', 'e');
  return String(+v.toPrecision(4));
}

const valueText = (v: ParamValue) => (typeof v === 'number' ? numberText(v) : paramText(v));

/** "Nice" linear ticks (1, 2, 5 × 10^k) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(+v.toPrecision(12));
  return out;
}

/** Whether positive numbers spanning more than two decades are better read on a log scale. */
export function wantsLog(values: readonly number[]): boolean {
  if (values.length === 0) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo > 0 && hi / lo > 100;
}

// Orders categories: false/true, numbers ascending, then strings as the grouping does.
const categoryRank = (v: ParamValue) => (typeof v === 'boolean' ? 0 : typeof v === 'number' ? 1 : 2);
function compareCategory(a: ParamValue, b: ParamValue): number {
  const r = categoryRank(a) - categoryRank(b);
  if (r) return r;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Builds an axis from the runs' values (null = no value). */
export function buildAxis(
  key: string,
  kind: 'setting' | 'metric',
  label: string,
  values: readonly ParamValue[],
  text?: (v: ParamValue) => string,
  tickText?: (v: number, step: number) => string,
): Axis {
  const pos = new Float64Array(values.length).fill(NaN);
  const present = values.filter((v) => v !== null);
  const hasNone = present.length < values.length;
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number');
  const say = text ?? valueText;
  if (!numeric) {
    const categories = [...new Set(present)].sort(compareCategory);
    const index = new Map(categories.map((c, i) => [c, i]));
    const at = (i: number) => (categories.length === 1 ? 0.5 : i / (categories.length - 1));
    values.forEach((v, i) => {
      if (v !== null) pos[i] = at(index.get(v)!);
    });
    const ticks = categories.map((c, i) => ({ at: at(i), text: say(c) }));
    return {
      key,
      kind,
      label,
      scale: 'category',
      ticks,
      pos,
      hasNone,
      text: say,
      categories: ticks.map((t) => t.text),
    };
  }
  const nums = present as number[];
  const log = kind === 'setting' && wantsLog(nums);
  const f = log ? Math.log10 : (v: number) => v;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of nums) {
    const x = f(v);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = hi - lo;
  const norm = (x: number) => (span > 0 ? (x - lo) / span : 0.5);
  values.forEach((v, i) => {
    if (v !== null) pos[i] = norm(f(v as number));
  });
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  // A setting with a few values (hidden 32/64/128) shows them; else round ticks.
  let tickValues: number[];
  if (kind === 'setting' && distinct.length <= 8) tickValues = distinct;
  else if (log) {
    tickValues = [];
    for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e++) tickValues.push(10 ** e);
    if (tickValues.length < 2) tickValues = [distinct[0]!, distinct[distinct.length - 1]!];
  } else tickValues = span > 0 ? niceTicks(lo, hi, 4) : [distinct[0]!];
  const step = tickValues.length > 1 ? Math.abs(tickValues[1]! - tickValues[0]!) : 1;
  const ticks = tickValues.map((v) => ({ at: norm(f(v)), text: tickText ? tickText(v, step) : say(v) }));
  return { key, kind, label, scale: log ? 'log' : 'linear', ticks, pos, hasNone, text: say, categories: [] };
}

/** The axes of the parallel coordinates: one per setting, then one per metric. */
export function buildAxes(
  points: readonly GroupPoint[],
  settings: readonly string[],
  metrics: readonly GroupMetric[],
): Axis[] {
  return [
    ...settings.map((key) =>
      buildAxis(
        key,
        'setting',
        key,
        points.map((p) => p.values[key] ?? null),
      ),
    ),
    ...metrics.map((m) =>
      buildAxis(
        m,
        'metric',
        GROUP_METRICS[m].label,
        points.map((p) => p.metrics[m] ?? null),
        (v) => metricText(m, v as number | null),
        (v, step) => metricTick(m, v, step),
      ),
    ),
  ];
}

/** A label cut into at most two lines of about `chars` characters (the last one ellipsized). */
export function wrapLabel(label: string, chars: number): string[] {
  const max = Math.max(4, Math.floor(chars));
  const lines: string[] = [];
  let line = '';
  for (const word of label.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= max || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  const out = lines.slice(0, 2);
  if (lines.length > 2) out[1] = `${out[1]} ${lines.slice(2).join(' ')}`;
  return out.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
}
