// Brushes and hit-tests of the parallel coordinates: which runs pass every brush, and which
// line is under the pointer. Pure and allocation-light: 1,000 runs are tested per pointer move.
import type { Axis } from './parallel-axes';

/** A range brushed on an axis: positions lo..hi (0 = bottom, 1 = top), and whether it reaches "none". */
export interface Brush {
  lo: number;
  hi: number;
  none: boolean;
}

/** Whether a run at position `t` (NaN: no value) passes a brush. */
export const inBrush = (b: Brush, t: number) => (Number.isNaN(t) ? b.none : t >= b.lo && t <= b.hi);

/** 1 for each run inside every brush (AND), or null when no axis is brushed. */
export function brushMask(
  axes: readonly Axis[],
  brushes: Readonly<Record<string, Brush>>,
  n: number,
): Uint8Array | null {
  const active = axes.filter((a) => brushes[a.key]);
  if (active.length === 0) return null;
  const mask = new Uint8Array(n).fill(1);
  for (const a of active) {
    const b = brushes[a.key]!;
    for (let i = 0; i < n; i++) if (mask[i] && !inBrush(b, a.pos[i]!)) mask[i] = 0;
  }
  return mask;
}

/** Distance from (px, py) to the segment (ax, ay)-(bx, by). */
export function segmentDistance(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/**
 * The run whose line passes nearest to (mx, my) within `tol` pixels, measured to its segment
 * between the two axes around mx; runs in `prefer` (the brushed ones) win over the others.
 * `ys` holds each run's y on each axis (run-major, `xs.length` per run). Returns -1 for none.
 */
export function nearestLine(
  xs: readonly number[],
  ys: Float32Array,
  mx: number,
  my: number,
  tol: number,
  prefer: Uint8Array | null,
): number {
  const k = xs.length;
  if (k === 0) return -1;
  const n = ys.length / k;
  let j = 0;
  while (j < k - 2 && mx > xs[j + 1]!) j++;
  if (k === 1 || mx < xs[0]! - tol || mx > xs[k - 1]! + tol) {
    if (k !== 1) return -1;
  }
  let best = -1;
  let bestD = Infinity;
  let bestPreferred = false;
  for (let i = 0; i < n; i++) {
    const y0 = ys[i * k + j]!;
    const d =
      k === 1
        ? Math.hypot(mx - xs[0]!, my - y0)
        : segmentDistance(mx, my, xs[j]!, y0, xs[j + 1]!, ys[i * k + j + 1]!);
    if (d > tol) continue;
    const preferred = !prefer || prefer[i] === 1;
    if ((preferred && !bestPreferred) || (preferred === bestPreferred && d < bestD)) {
      best = i;
      bestD = d;
      bestPreferred = preferred;
    }
  }
  return best;
}
