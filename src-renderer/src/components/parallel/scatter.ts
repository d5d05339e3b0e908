// The scatter's data: a setting (x) against a metric (y), coloured by a setting or a metric.
// Categories of x become columns with a fixed jitter per run; categories of colour one dataset
// each (so the legend names them); numbers of colour one sequential scale.
import { GROUP_METRICS, type GroupMetric, type GroupPoint } from '../../../../src-main/shared/group-compare';
import { paramText, type ParamValue } from '../../../../src-main/shared/groups';
import { metricText, numberText, wantsLog } from '../../lib/parallel-axes';
import { categoryColor, goodnessColor } from '../../lib/parallel-color';

/** A point of the scatter, with its run. */
export interface ScatterDatum {
  x: number;
  y: number;
  id: number;
  name: string;
  xText: string;
  cText: string;
}

export interface ScatterSet {
  label: string;
  color: string | string[];
  data: ScatterDatum[];
}

export interface ScatterModel {
  sets: ScatterSet[];
  /** 'category' x: columns named by `categories`. */
  xScale: 'linear' | 'log' | 'category';
  categories: string[];
  /** A sequential colour: its range (low to high) and whether higher is better; null for categories. */
  ramp: { lo: number; hi: number; higherIsBetter: boolean; metric: GroupMetric | null; log: boolean } | null;
  /** Runs left out: no value of x or y. */
  left: number;
}

export const isMetric = (key: string): key is GroupMetric => Object.hasOwn(GROUP_METRICS, key);

const valueOf = (p: GroupPoint, key: string): ParamValue =>
  isMetric(key) ? (p.metrics[key] ?? null) : (p.values[key] ?? null);

/** A fixed offset in -0.3..0.3 per run id, so columns keep their look between draws. */
export function jitter(id: number): number {
  const h = Math.imul(id ^ 0x9e3779b9, 2654435761) >>> 0;
  return ((h % 1000) / 1000 - 0.5) * 0.6;
}

const say = (v: ParamValue) => (typeof v === 'number' ? numberText(v) : paramText(v));

/** Builds the scatter of `x` against the metric `y`, coloured by `color`, on a light or dark page. */
export function scatterModel(
  points: readonly GroupPoint[],
  x: string,
  y: GroupMetric,
  color: string,
  dark: boolean,
): ScatterModel {
  const xs = points.map((p) => valueOf(p, x));
  const numericX = xs.every((v) => v === null || typeof v === 'number') && xs.some((v) => v !== null);
  const categories = numericX
    ? []
    : [...new Set(xs.map((v) => say(v)))].sort((a, b) =>
        a === 'none' ? -1 : b === 'none' ? 1 : a < b ? -1 : 1,
      );
  const xScale = numericX
    ? wantsLog(xs.filter((v): v is number => v !== null))
      ? 'log'
      : 'linear'
    : 'category';
  const cs = points.map((p) => valueOf(p, color));
  const cNums = cs.filter((v): v is number => typeof v === 'number');
  const cDistinct = new Set(cs.map((v) => say(v)));
  const sequential =
    isMetric(color) ||
    (cNums.length > 0 && cs.every((v) => v === null || typeof v === 'number') && cDistinct.size > 8);
  // A setting spanning decades (lr) is coloured by its logarithm.
  const logC = !isMetric(color) && wantsLog(cNums);
  const cf = logC ? Math.log10 : (v: number) => v;
  const lo = Math.min(...cNums);
  const hi = Math.max(...cNums);
  const up = isMetric(color) ? GROUP_METRICS[color].higherIsBetter : true;
  // A number with few values (a grid's lr) also stands in columns: spread a little within each.
  const xNums = [...new Set(xs.filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  const gaps = xNums.slice(1).map((v, i) => (xScale === 'log' ? Math.log10(v / xNums[i]!) : v - xNums[i]!));
  const spread = numericX && xNums.length > 1 && xNums.length <= 12 ? Math.min(...gaps) * 0.5 : 0;
  const place = (v: number, id: number) =>
    spread === 0 ? v : xScale === 'log' ? v * 10 ** (jitter(id) * spread) : v + jitter(id) * spread;
  let left = 0;
  const data: { d: ScatterDatum; c: ParamValue }[] = [];
  points.forEach((p, i) => {
    const xv = xs[i]!;
    const yv = p.metrics[y];
    if (yv === null || yv === undefined || (numericX && xv === null)) return void left++;
    const xPos = numericX ? place(xv as number, p.id) : categories.indexOf(say(xv)) + jitter(p.id);
    const cv = cs[i]!;
    data.push({
      d: { x: xPos, y: yv, id: p.id, name: p.name, xText: say(xv), cText: cText(color, cv) },
      c: cv,
    });
  });
  if (sequential) {
    const colorOf = (v: ParamValue) => {
      if (typeof v !== 'number') return dark ? '#6b7280' : '#9aa1ad';
      const t = hi > lo ? (cf(v) - cf(lo)) / (cf(hi) - cf(lo)) : 0.5;
      return goodnessColor(up ? t : 1 - t, dark);
    };
    return {
      sets: [{ label: color, color: data.map((e) => colorOf(e.c)), data: data.map((e) => e.d) }],
      xScale,
      categories,
      ramp: { lo, hi, higherIsBetter: up, metric: isMetric(color) ? color : null, log: logC },
      left,
    };
  }
  const names = [...cDistinct].sort();
  const sets = names.map((name, i) => ({
    label: name,
    color: categoryColor(i),
    data: data.filter((e) => say(e.c) === name).map((e) => e.d),
  }));
  return { sets: sets.filter((s) => s.data.length), xScale, categories, ramp: null, left };
}

function cText(key: string, v: ParamValue): string {
  return isMetric(key) && typeof v === 'number' ? metricText(key, v) : say(v);
}
