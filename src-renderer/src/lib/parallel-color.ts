// The sequential colour of a metric (parallel coordinates, scatter): viridis, perceptually even and
// readable with colour-blindness, cut so that no line fades into the page: the best runs are the
// darkest on a light page and the brightest on a dark one. Categories take the runs' palette.
import { RUN_COLORS } from '../../../src-main/shared/constants';

// Viridis at ten even steps.
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [110, 206, 88],
  [181, 222, 43],
  [253, 231, 37],
] as const;

function viridis(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** The colour of a run by how good it is, 0 (worst) to 1 (best), on a light or dark page. */
export function goodnessColor(g: number, dark: boolean): string {
  const t = dark ? 0.15 + 0.85 * g : 0.82 * (1 - g);
  const [r, gr, b] = viridis(t);
  return `rgb(${r} ${gr} ${b})`;
}

/** How many colours the lines are drawn in (one path per colour). */
export const BUCKETS = 16;

/** A bucket's colour: the middle of its slice of goodness. */
export function bucketColor(bucket: number, dark: boolean): string {
  return goodnessColor((bucket + 0.5) / BUCKETS, dark);
}

/** The bucket of a goodness 0..1. */
export const bucketOf = (g: number) => Math.min(BUCKETS - 1, Math.max(0, Math.floor(g * BUCKETS)));

/** A CSS gradient from the lowest value (left) to the highest, for a legend. */
export function legendGradient(higherIsBetter: boolean, dark: boolean): string {
  const stops = Array.from({ length: 9 }, (_, i) => {
    const v = i / 8;
    return `${goodnessColor(higherIsBetter ? v : 1 - v, dark)} ${v * 100}%`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** The colour of the i-th category (a setting's value in the scatter). */
export const categoryColor = (i: number) => RUN_COLORS[i % RUN_COLORS.length]!;

/** Whether the page is in the dark theme. */
export const isDark = () => matchMedia('(prefers-color-scheme: dark)').matches;
