// A group's curve as the chart draws it: a mean line and a band around it, the band's extent
// chosen by the user (standard deviation, min–max, or the 95 % confidence interval of the mean).
import type { CurveMetric, CurvePoint } from '../../../src-main/shared/group-compare';

/** What a band spans around the mean. */
export type BandKind = 'sd' | 'minmax' | 'ci';

/** The band choices, as the segmented control lists them. */
export const BAND_KINDS = [
  { value: 'sd', label: '± sd', title: 'the mean ± the standard deviation of the runs' },
  { value: 'minmax', label: 'min–max', title: 'from the lowest to the highest run' },
  { value: 'ci', label: '95 % CI', title: 'the 95 % confidence interval of the mean (Student’s t)' },
] as const satisfies readonly { value: BandKind; label: string; title: string }[];

/** The curve metrics, as the segmented control lists them; accuracies read as percents. */
export const CURVE_CHOICES = [
  { value: 'valAccuracy', label: 'val acc', percent: true },
  { value: 'valLoss', label: 'val loss', percent: false },
  { value: 'trainAccuracy', label: 'train acc', percent: true },
  { value: 'trainLoss', label: 'train loss', percent: false },
] as const satisfies readonly { value: CurveMetric; label: string; percent: boolean }[];

/** One group's curve, ready to draw. */
export interface Band {
  key: string;
  label: string;
  color: string;
  dashed: boolean;
  points: CurvePoint[];
  runs: { id: number; values: (number | null)[] }[];
}

type Point = { x: number; y: number | null };

/** The upper and lower edges of a band, point by point; null where it cannot be drawn (one run, no interval). */
export function bandOf(points: readonly CurvePoint[], kind: BandKind): { upper: Point[]; lower: Point[] } {
  const upper: Point[] = [];
  const lower: Point[] = [];
  for (const p of points) {
    let lo: number | null = null;
    let hi: number | null = null;
    if (kind === 'minmax' && p.n > 1) [lo, hi] = [p.min, p.max];
    else if (kind === 'sd' && p.sd !== null) [lo, hi] = [p.mean - p.sd, p.mean + p.sd];
    else if (kind === 'ci' && p.ci95) [lo, hi] = p.ci95;
    upper.push({ x: p.epoch, y: hi });
    lower.push({ x: p.epoch, y: lo });
  }
  return { upper, lower };
}
