import { UMAP } from 'umap-js';
import { mulberry32 } from '../random';

/** How far a layout has come: epochs of UMAP's optimisation done of all. */
export type LayoutProgress = (done: number, total: number) => void;

/**
 * A 2-D UMAP layout of `vectors` (one per note, equal lengths), deterministic from `seed`, scaled
 * to 0..1 on both axes (aspect kept, centred). Fewer than 4 points are put on a line.
 */
export function umapLayout(
  vectors: number[][],
  seed: number,
  onProgress: LayoutProgress = () => {},
): { x: number[]; y: number[] } {
  const n = vectors.length;
  if (n < 4) {
    const x = vectors.map((_, i) => (n === 1 ? 0.5 : i / (n - 1)));
    return { x, y: x.map(() => 0.5) };
  }
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, n - 1),
    minDist: 0.1,
    random: mulberry32(seed),
  });
  const epochs = umap.initializeFit(vectors);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 20 === 0 || e === epochs - 1) onProgress(e + 1, epochs);
  }
  return scaled(umap.getEmbedding());
}

// Points into 0..1, the longer side spanning it, the other centred.
function scaled(points: number[][]): { x: number[]; y: number[] } {
  const xs = points.map((p) => p[0]!);
  const ys = points.map((p) => p[1]!);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  return {
    x: xs.map((v) => round((v - x0) / span + (1 - (x1 - x0) / span) / 2)),
    y: ys.map((v) => round((v - y0) / span + (1 - (y1 - y0) / span) / 2)),
  };
}
