// The parallel coordinates of a comparison as inline SVG: one axis per varied setting and one for
// the metric, one line per run coloured by the metric (viridis, as the app's chart draws it).
import { GROUP_METRICS, type GroupComparison, type GroupPoint } from '../../../shared/group-compare';
import type { ParamValue } from '../../../shared/groups';
import { goodnessColor } from '../../../shared/viridis';
import { escapeHtml as esc } from '../html-parts';
import { niceTicks } from '../svg-chart';
import { metricValue } from './tables';

/** How an axis places values: linear or log for numbers, evenly spaced for categories. */
export type AxisScale =
  { kind: 'linear' | 'log'; min: number; max: number } | { kind: 'category'; values: string[] };

/** An axis of the picture: its name, its scale, and each run's value on it. */
export interface ParallelAxis {
  key: string;
  label: string;
  scale: AxisScale;
}

// Missing values on a category axis.
const NONE = '–';
const categoryOf = (v: ParamValue | undefined) => (v === null || v === undefined ? NONE : String(v));

/**
 * The scale of an axis over its values: numbers linear, or log when all are positive and span
 * more than two decades; anything else categories in sorted order (numbers by value).
 */
export function axisScale(values: readonly (ParamValue | undefined)[]): AxisScale {
  const known = values.filter((v) => v !== null && v !== undefined);
  if (known.length && known.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const nums = known as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    return { kind: min > 0 && max / min > 100 ? 'log' : 'linear', min, max };
  }
  const cats = [...new Set(values.map(categoryOf))];
  const rank = (s: string) => (s === NONE ? 1 : 0);
  cats.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
  return { kind: 'category', values: cats };
}

/** Where a value sits on an axis, 0 (bottom) to 1 (top); null for a number the axis lacks. */
export function axisPosition(scale: AxisScale, v: ParamValue | undefined): number | null {
  if (scale.kind === 'category') {
    const i = scale.values.indexOf(categoryOf(v));
    return scale.values.length < 2 ? 0.5 : i / (scale.values.length - 1);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (scale.max === scale.min) return 0.5;
  return scale.kind === 'log'
    ? (Math.log(v) - Math.log(scale.min)) / (Math.log(scale.max) - Math.log(scale.min))
    : (v - scale.min) / (scale.max - scale.min);
}

// Tick values of a numeric axis, inside its range.
function ticksOf(scale: AxisScale): { at: number; text: string }[] {
  if (scale.kind === 'category') return scale.values.map((v) => ({ at: axisPosition(scale, v)!, text: v }));
  const short = (v: number) => String(Number(v.toPrecision(3)));
  if (scale.min === scale.max) return [{ at: 0.5, text: short(scale.min) }];
  if (scale.kind === 'log') {
    const out: number[] = [];
    for (let e = Math.ceil(Math.log10(scale.min)); e <= Math.floor(Math.log10(scale.max)); e++)
      out.push(10 ** e);
    return [scale.min, ...out, scale.max]
      .filter((v, i, a) => a.indexOf(v) === i)
      .map((v) => ({ at: axisPosition(scale, v)!, text: short(v) }));
  }
  return niceTicks(scale.min, scale.max, 4)
    .filter((v) => v >= scale.min - 1e-12 && v <= scale.max + 1e-12)
    .map((v) => ({ at: axisPosition(scale, v)!, text: short(v) }));
}

/** The axes of a comparison: its varied settings, then the metric. */
export function parallelAxes(c: Pick<GroupComparison, 'varying' | 'points' | 'metric'>): ParallelAxis[] {
  return [
    ...c.varying.map((key) => ({ key, label: key, scale: axisScale(c.points.map((p) => p.values[key])) })),
    {
      key: c.metric,
      label: GROUP_METRICS[c.metric].label,
      scale: axisScale(c.points.map((p) => p.metrics[c.metric])),
    },
  ];
}

const H = 340;
const M = { left: 80, right: 80, top: 44, bottom: 30 };
const num = (v: number) => String(Math.round(v * 10) / 10);

/** The picture as an `<svg>` element (class "parallel"), one `<polyline>` per run. */
export function parallelSvg(c: Pick<GroupComparison, 'varying' | 'points' | 'metric'>): string {
  const axes = parallelAxes(c);
  const def = GROUP_METRICS[c.metric];
  const W = Math.max(560, 160 * axes.length);
  const x = (i: number) =>
    axes.length < 2 ? W / 2 : M.left + (i / (axes.length - 1)) * (W - M.left - M.right);
  const y = (t: number) => M.top + (1 - t) * (H - M.top - M.bottom);
  const title = `Parallel coordinates: ${c.points.length} runs by ${axes.map((a) => a.label).join(', ')}`;
  const metricScale = axes.at(-1)!.scale;
  const goodness = (p: GroupPoint): number | null => {
    const t = axisPosition(metricScale, p.metrics[c.metric]);
    return t === null ? null : def.higherIsBetter ? t : 1 - t;
  };
  const parts = [
    `<svg class="chart parallel" viewBox="0 0 ${W} ${H}" style="max-width:${W}px" role="img" aria-label="${esc(title)}">`,
  ];
  // Runs without the metric first and grey, then the worst to the best, so the best lie on top.
  const order = [...c.points].sort((a, b) => (goodness(a) ?? -1) - (goodness(b) ?? -1) || a.id - b.id);
  for (const p of order) {
    const g = goodness(p);
    const pts = axes
      .map((a, i) => {
        const t = axisPosition(a.scale, i === axes.length - 1 ? p.metrics[c.metric] : p.values[a.key]);
        return t === null ? null : `${num(x(i))},${num(y(t))}`;
      })
      .filter((s) => s !== null);
    // The light page's colours: the best runs darkest, readable on paper.
    const stroke = g === null ? '#999999' : goodnessColor(g);
    const dash = g === null ? ' stroke-dasharray="4 3"' : '';
    parts.push(
      `<polyline class="run" data-run="${p.id}" points="${pts.join(' ')}" fill="none" stroke="${stroke}" stroke-width="1.6" stroke-opacity="0.85"${dash}>` +
        `<title>#${p.id} ${esc(p.name)}: ${esc(metricValue(c.metric, p.metrics[c.metric]))}</title></polyline>`,
    );
  }
  axes.forEach((a, i) => {
    const ax = num(x(i));
    parts.push(
      `<line class="axis" x1="${ax}" x2="${ax}" y1="${M.top}" y2="${H - M.bottom}"/>`,
      `<text class="chart-title" x="${ax}" y="${M.top - 22}" text-anchor="middle">${esc(a.label)}</text>`,
      `<text class="tick" x="${ax}" y="${M.top - 10}" text-anchor="middle">${a.scale.kind === 'category' ? '' : a.scale.kind}</text>`,
    );
    for (const t of ticksOf(a.scale)) {
      const text =
        i === axes.length - 1 && a.scale.kind !== 'category' ? metricTick(c.metric, t.text) : t.text;
      parts.push(
        `<line class="axis" x1="${ax}" x2="${num(x(i) - 4)}" y1="${num(y(t.at))}" y2="${num(y(t.at))}"/>`,
        `<text class="tick" x="${num(x(i) - 6)}" y="${num(y(t.at))}" dy="0.32em" text-anchor="end">${esc(text)}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

// The metric axis's ticks in the metric's unit ("60 %").
function metricTick(metric: GroupComparison['metric'], text: string): string {
  const v = Number(text);
  return GROUP_METRICS[metric].unit === 'share' ? `${Number((v * 100).toPrecision(3))} %` : text;
}
