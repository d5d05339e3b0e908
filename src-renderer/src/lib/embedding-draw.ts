// The embedding map's canvas: where each note's point goes, drawing them, finding the one under the pointer.
import type { EmbeddingMap } from '../../../src-main/shared/embedding';
import { familyColor } from './families';

/** Pixels between the canvas edge and the outermost points. */
export const MAP_PAD = 12;
/** Radius of a point, and of the ring around a misclassified one. */
const R = 3.5;
const RING = 5.5;

/** A point's position in CSS pixels on a canvas of w x h (y up, as plotted). */
export function pointAt(map: EmbeddingMap, i: number, w: number, h: number): [number, number] {
  return [MAP_PAD + map.x[i]! * (w - 2 * MAP_PAD), MAP_PAD + (1 - map.y[i]!) * (h - 2 * MAP_PAD)];
}

/** The index of the point nearest (px, py) within `reach` pixels, or -1. */
export function pointNear(
  map: EmbeddingMap,
  px: number,
  py: number,
  w: number,
  h: number,
  reach = 8,
): number {
  let best = -1;
  let bestD = reach * reach;
  for (let i = 0; i < map.notes.length; i++) {
    const [x, y] = pointAt(map, i, w, h);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d <= bestD) [best, bestD] = [i, d];
  }
  return best;
}

/**
 * Draws every point in its true family's colour, the misclassified ones on top with a ring in
 * `ink`, and `hover` (an index, or -1) ringed larger. The canvas is sized for the device's pixels.
 */
export function drawMap(
  canvas: HTMLCanvasElement,
  map: EmbeddingMap,
  w: number,
  h: number,
  ink: string,
  hover: number,
): void {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const wrong = (i: number) => map.truth[i] !== map.predicted[i];
  const order = map.notes.map((_, i) => i).sort((a, b) => Number(wrong(a)) - Number(wrong(b)));
  for (const i of order) {
    const [x, y] = pointAt(map, i, w, h);
    ctx.beginPath();
    ctx.arc(x, y, R, 0, 2 * Math.PI);
    ctx.fillStyle = familyColor(map.truth[i]!);
    ctx.globalAlpha = wrong(i) ? 1 : 0.85;
    ctx.fill();
    ctx.globalAlpha = 1;
    if (wrong(i)) {
      ctx.beginPath();
      ctx.arc(x, y, RING, 0, 2 * Math.PI);
      ctx.strokeStyle = ink;
      ctx.lineWidth = 1.25;
      ctx.stroke();
    }
  }
  if (hover >= 0) {
    const [x, y] = pointAt(map, hover, w, h);
    ctx.beginPath();
    ctx.arc(x, y, RING + 3, 0, 2 * Math.PI);
    ctx.strokeStyle = ink;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
}
