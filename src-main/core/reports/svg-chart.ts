import { escapeHtml } from './html-parts';

/** One line of a chart: points in data units, in x order. */
export interface ChartSeries {
  label: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
  /** A band drawn behind the line (a group's mean ± sd): from `lo` to `hi` at each x. */
  band?: { x: number; lo: number; hi: number }[];
}

/** A line chart as inline SVG (no scripts, no external references). */
export interface LineChart {
  title: string;
  xLabel: string;
  series: ChartSeries[];
  /** Fixed y range (accuracy: 0 to 1); default the data's, widened to round ticks. */
  yRange?: [number, number];
  yFormat?: (y: number) => string;
}

const W = 520;
const H = 280;
const M = { left: 56, right: 14, top: 30, bottom: 42 };

/** Round tick values covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  if (ticks.at(-1)! < hi) ticks.push(Number((ticks.at(-1)! + step).toPrecision(12)));
  return ticks;
}

const num = (v: number) => String(Math.round(v * 10) / 10);

/** The chart as an `<svg>` element; axes and text take the page's colours (currentColor). */
export function lineChartSvg(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const fmt = chart.yFormat ?? ((y: number) => String(y));
  const title = escapeHtml(chart.title);
  if (!points.length) {
    return `<svg class="chart empty" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}: no data"><text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">${title}: no epochs recorded</text></svg>`;
  }
  const xs = points.map((p) => p.x);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) [x0, x1] = [x0 - 0.5, x1 + 0.5];
  const bands = chart.series.flatMap((s) => s.band ?? []).filter((b) => Number.isFinite(b.lo + b.hi));
  const ys = [...points.map((p) => p.y), ...bands.flatMap((b) => [b.lo, b.hi])];
  const yTicks = chart.yRange
    ? niceTicks(chart.yRange[0], chart.yRange[1])
    : niceTicks(Math.min(...ys), Math.max(...ys));
  const [y0, y1] = [yTicks[0]!, yTicks.at(-1)!];
  const px = (x: number) => M.left + ((x - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0)) * (H - M.top - M.bottom);

  const xStep = Math.max(1, Math.ceil((Math.floor(x1) - Math.ceil(x0) + 1) / 10));
  const xTicks: number[] = [];
  for (let x = Math.ceil(x0); x <= x1; x += xStep) xTicks.push(x);

  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">`,
    `<text class="chart-title" x="${M.left}" y="18">${title}</text>`,
  ];
  for (const t of yTicks) {
    const y = num(py(t));
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/>`,
      `<text class="tick" x="${M.left - 6}" y="${y}" dy="0.32em" text-anchor="end">${escapeHtml(fmt(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = num(px(t));
    parts.push(
      `<line class="axis" x1="${x}" x2="${x}" y1="${H - M.bottom}" y2="${H - M.bottom + 4}"/>`,
      `<text class="tick" x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`,
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
    `<text class="axis-label" x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`,
  );
  for (const s of chart.series) {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (!pts.length) continue;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const label = escapeHtml(s.label);
    parts.push(`<g class="series"><title>${label}</title>`);
    const band = (s.band ?? []).filter((b) => Number.isFinite(b.lo + b.hi));
    if (band.length > 1) {
      const edge = [...band.map((b) => [b.x, b.hi]), ...[...band].reverse().map((b) => [b.x, b.lo])];
      const d = edge.map(([x, y]) => `${num(px(x!))},${num(py(y!))}`).join(' ');
      parts.push(`<polygon class="band" points="${d}" fill="${s.color}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (pts.length > 1) {
      const d = pts.map((p) => `${num(px(p.x))},${num(py(p.y))}`).join(' ');
      parts.push(
        `<polyline class="curve" points="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
      );
    }
    for (const p of pts) {
      parts.push(
        `<circle class="point" cx="${num(px(p.x))}" cy="${num(py(p.y))}" r="${s.dashed ? 3 : 2.5}" fill="${s.dashed ? 'none' : s.color}" stroke="${s.color}" stroke-width="1.5"><title>${label}, epoch ${p.x}: ${escapeHtml(fmt(p.y))}</title></circle>`,
      );
    }
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('');
}
