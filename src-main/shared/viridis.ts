// The sequential colour of a metric (the parallel coordinates and scatter of the app, and the
// parallel coordinates of a groups report): viridis, perceptually even and readable with
// colour-blindness, cut so that no line fades into the page: the best runs are the darkest on a
// light page (and on paper) and the brightest on a dark one.

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

/** Viridis at t in [0, 1] (clamped), as RGB. */
export function viridis(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/** The colour of a run by how good it is, 0 (worst) to 1 (best), on a light or dark page. */
export function goodnessColor(g: number, dark = false): string {
  const t = dark ? 0.15 + 0.85 * g : 0.82 * (1 - g);
  const [r, gr, b] = viridis(t);
  return `rgb(${r} ${gr} ${b})`;
}
