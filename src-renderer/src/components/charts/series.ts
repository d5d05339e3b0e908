import type { Chart } from 'chart.js';

/** One line of a chart: points in x order, y null where there is no value (a gap). */
export interface Series {
  key: string;
  label: string;
  color: string;
  points: { x: number; y: number | null }[];
  dashed?: boolean;
}

type Point = { x: number; y: number | null };

/**
 * Brings a chart's datasets in line with `series` without recreating the chart: a series that
 * only grew gets its new points pushed; anything else is replaced in place. Returns whether
 * anything changed (the caller then runs `chart.update('none')`).
 */
export function syncSeries(chart: Chart<'line', Point[]>, series: Series[], pointRadius: number): boolean {
  const datasets = chart.data.datasets;
  let changed = datasets.length !== series.length;
  series.forEach((s, i) => {
    const ds = datasets[i] as (typeof datasets)[number] & { key?: string };
    if (!ds || ds.key !== s.key) {
      datasets[i] = Object.assign(dataset(s, pointRadius), { key: s.key });
      changed = true;
      return;
    }
    const old = ds.data;
    if (grewFrom(old, s.points)) {
      if (s.points.length > old.length) changed = true;
      for (let j = old.length; j < s.points.length; j++) old.push(s.points[j]!);
    } else {
      ds.data = s.points;
      changed = true;
    }
    if (ds.label !== s.label || ds.borderColor !== s.color) {
      Object.assign(ds, { label: s.label, borderColor: s.color, backgroundColor: s.color });
      changed = true;
    }
    if (ds.pointRadius !== pointRadius) {
      ds.pointRadius = pointRadius;
      changed = true;
    }
  });
  datasets.length = series.length;
  return changed;
}

/** True when `next` is `old` with points appended (the last shared point unchanged). */
function grewFrom(old: Point[], next: Point[]): boolean {
  if (next.length < old.length) return false;
  if (old.length === 0) return true;
  const a = old[old.length - 1]!;
  const b = next[old.length - 1]!;
  return a.x === b.x && a.y === b.y;
}

/** A chart.js line dataset for a series. */
export function dataset(s: Series, pointRadius: number) {
  return {
    label: s.label,
    data: s.points,
    borderColor: s.color,
    backgroundColor: s.color,
    borderWidth: 1.5,
    borderDash: s.dashed ? [5, 3] : [],
    pointRadius,
    pointHoverRadius: 4,
    spanGaps: false,
    tension: 0,
  };
}
