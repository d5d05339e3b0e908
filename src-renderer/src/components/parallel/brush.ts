// Brushes made by a pointer drag or by the arrow keys on a focused axis.
import type { Axis } from '../../lib/parallel-axes';
import type { Brush } from '../../lib/parallel-hit';
import type { Layout } from './draw';

const clamp01 = (t: number) => Math.max(0, Math.min(1, t));

/** The brush of a drag from y0 to y1 (pixels); reaching below the axis takes in "none". */
export function brushFromDrag(l: Layout, y0: number, y1: number): Brush {
  const top = Math.min(y0, y1);
  const low = Math.max(y0, y1);
  const t = (y: number) => (l.bottom - y) / (l.bottom - l.top);
  const none = low > l.bottom + 8;
  // A drag wholly below the axis keeps only the runs without a value (an empty range: lo > hi).
  if (top > l.bottom) return { lo: 1, hi: 0, none };
  return { lo: clamp01(t(low)), hi: clamp01(t(top)), none };
}

/**
 * The brush one stop up (+1) or down (-1) from `current`: the stops are the axis's ticks (and
 * "none" below them), each brush reaching halfway to the neighbouring ticks.
 */
export function stepBrush(a: Axis, current: Brush | undefined, dir: 1 | -1): Brush {
  const ats = [...new Set(a.ticks.map((t) => t.at))].sort((x, y) => x - y);
  const stops: Brush[] = a.hasNone ? [{ lo: 1, hi: 0, none: true }] : [];
  ats.forEach((t, i) => {
    const below = i > 0 ? (t + ats[i - 1]!) / 2 : 0;
    const above = i < ats.length - 1 ? (t + ats[i + 1]!) / 2 : 1;
    stops.push({ lo: below, hi: above, none: false });
  });
  const at = current
    ? stops.findIndex((s) => s.lo === current.lo && s.hi === current.hi && s.none === current.none)
    : -1;
  // Without a brush, Up starts at the bottom and Down at the top.
  const next = at < 0 ? (dir > 0 ? 0 : stops.length - 1) : Math.max(0, Math.min(stops.length - 1, at + dir));
  return stops[next]!;
}
