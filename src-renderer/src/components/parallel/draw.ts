// Drawing of the parallel coordinates on a canvas: every line in one pass, one path per colour
// bucket (16 strokes for 1,000 runs instead of 1,000), faint grey first, the best runs on top.
import { GROUP_METRICS, type GroupMetric, type GroupPoint } from '../../../../src-main/shared/group-compare';
import type { Axis } from '../../lib/parallel-axes';
import { BUCKETS, bucketColor, bucketOf } from '../../lib/parallel-color';

/** Where the axes are: their x, the top and bottom of the scale, and the "none" row below it. */
export interface Layout {
  width: number;
  height: number;
  xs: number[];
  top: number;
  bottom: number;
  none: number;
  spacing: number;
}

export const MARGIN = { left: 56, right: 48, top: 44, bottom: 34 };

/** The axes spread evenly over the width. */
export function layout(width: number, height: number, axes: number): Layout {
  const inner = Math.max(10, width - MARGIN.left - MARGIN.right);
  const spacing = axes > 1 ? inner / (axes - 1) : inner;
  const xs = Array.from({ length: axes }, (_, i) => (axes > 1 ? MARGIN.left + i * spacing : width / 2));
  const bottom = height - MARGIN.bottom;
  return { width, height, xs, top: MARGIN.top, bottom, none: bottom + 20, spacing };
}

/** The y of a position 0..1 (NaN: the "none" row). */
export const yOf = (l: Layout, t: number) => (Number.isNaN(t) ? l.none : l.bottom - t * (l.bottom - l.top));

/** Every run's y on every axis, run-major. */
export function project(axes: readonly Axis[], l: Layout, n: number): Float32Array {
  const k = axes.length;
  const ys = new Float32Array(n * k);
  for (let j = 0; j < k; j++) {
    const pos = axes[j]!.pos;
    for (let i = 0; i < n; i++) ys[i * k + j] = yOf(l, pos[i]!);
  }
  return ys;
}

/** Each run's colour bucket by the metric (how good it is among the runs), -1 without a value. */
export function buckets(points: readonly GroupPoint[], metric: GroupMetric): Int16Array {
  const out = new Int16Array(points.length).fill(-1);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    const v = p.metrics[metric];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const up = GROUP_METRICS[metric].higherIsBetter;
  points.forEach((p, i) => {
    const v = p.metrics[metric];
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    out[i] = bucketOf(up ? t : 1 - t);
  });
  return out;
}

function trace(ctx: CanvasRenderingContext2D, xs: readonly number[], ys: Float32Array, i: number) {
  const k = xs.length;
  ctx.moveTo(xs[0]!, ys[i * k]!);
  for (let j = 1; j < k; j++) ctx.lineTo(xs[j]!, ys[i * k + j]!);
  if (k === 1) ctx.lineTo(xs[0]! + 0.5, ys[i * k]!);
}

export interface Ink {
  dark: boolean;
  /** Lines outside the brushes, and runs without the colour metric. */
  faint: string;
  plain: string;
}

/** Clears the canvas and draws every line: outside the brushes faint, the others by bucket. */
export function drawLines(
  ctx: CanvasRenderingContext2D,
  l: Layout,
  ys: Float32Array,
  bucket: Int16Array,
  mask: Uint8Array | null,
  ink: Ink,
) {
  const n = bucket.length;
  ctx.clearRect(0, 0, l.width, l.height);
  if (l.xs.length === 0 || n === 0) return;
  const groups: number[][] = Array.from({ length: BUCKETS + 1 }, () => []);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) out.push(i);
    else groups[bucket[i]! + 1]!.push(i);
  }
  ctx.lineWidth = 1;
  // Fewer lines drawn in colour, less see-through: a brushed handful stands out.
  const shown = n - out.length;
  const alpha = shown <= 50 ? 0.9 : Math.max(0.35, 0.9 - 0.22 * Math.log10(shown / 50));
  if (out.length) {
    ctx.globalAlpha = 1;
    ctx.strokeStyle = ink.faint;
    ctx.beginPath();
    for (const i of out) trace(ctx, l.xs, ys, i);
    ctx.stroke();
  }
  ctx.globalAlpha = alpha;
  groups.forEach((g, b) => {
    if (g.length === 0) return;
    ctx.strokeStyle = b === 0 ? ink.plain : bucketColor(b - 1, ink.dark);
    ctx.beginPath();
    for (const i of g) trace(ctx, l.xs, ys, i);
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
}

/** Draws one run's line over the others, thick, with a halo of the page's colour. */
export function drawHighlight(
  ctx: CanvasRenderingContext2D,
  l: Layout,
  ys: Float32Array,
  i: number,
  color: string,
  halo: string,
) {
  ctx.clearRect(0, 0, l.width, l.height);
  if (i < 0) return;
  ctx.lineJoin = 'round';
  for (const [w, c] of [
    [5, halo],
    [2.5, color],
  ] as const) {
    ctx.lineWidth = w;
    ctx.strokeStyle = c;
    ctx.beginPath();
    trace(ctx, l.xs, ys, i);
    ctx.stroke();
  }
  ctx.fillStyle = color;
  const k = l.xs.length;
  for (let j = 0; j < k; j++) {
    ctx.beginPath();
    ctx.arc(l.xs[j]!, ys[i * k + j]!, 3, 0, Math.PI * 2);
    ctx.fill();
  }
}

/** Sizes a canvas to CSS pixels × devicePixelRatio and scales its context to CSS pixels. */
export function fit(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
