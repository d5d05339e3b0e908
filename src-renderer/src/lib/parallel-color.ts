// The colours of the parallel coordinates and the scatter: a metric's in viridis (shared/viridis.ts,
// as the groups report draws it), categories in the runs' palette.
import { RUN_COLORS } from '../../../src-main/shared/constants';
import { goodnessColor } from '../../../src-main/shared/viridis';

export { goodnessColor };

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
