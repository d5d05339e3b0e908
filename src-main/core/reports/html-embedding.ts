import { FAMILIES } from '../../shared/constants';
import type { EmbeddingMap } from '../../shared/embedding';
import { escapeHtml as esc, familyColor, familyLabel } from './html-parts';

const W = 640;
const H = 380;
const PAD = 12;

/**
 * A run's embedding map as inline SVG, drawn as the run detail draws it: each test note a dot in
 * its true family's colour, the misclassified ones on top and ringed; each dot's title names the
 * note and what it was taken for.
 */
export function embeddingFigure(map: EmbeddingMap): string {
  const wrong = (i: number) => map.truth[i] !== map.predicted[i];
  const order = map.notes.map((_, i) => i).sort((a, b) => Number(wrong(a)) - Number(wrong(b)));
  const dots = order.map((i) => {
    const cx = (PAD + map.x[i]! * (W - 2 * PAD)).toFixed(1);
    const cy = (PAD + (1 - map.y[i]!) * (H - 2 * PAD)).toFixed(1);
    const t = FAMILIES[map.truth[i]!]!;
    const p = FAMILIES[map.predicted[i]!]!;
    const title = `<title>${esc(map.notes[i]!)}: ${t === p ? `${t}, right` : `${t}, predicted ${p}`}</title>`;
    const ring = wrong(i)
      ? `<circle cx="${cx}" cy="${cy}" r="5.5" fill="none" stroke="currentColor" stroke-width="1.25"/>`
      : '';
    return `<g>${title}<circle cx="${cx}" cy="${cy}" r="3.5" fill="${familyColor(t)}"/>${ring}</g>`;
  });
  const present = FAMILIES.filter((_, k) => map.truth.includes(k));
  const errors = map.notes.filter((_, i) => wrong(i)).length;
  // Numbers and names from a file on disk: checked when read (embedding-map.ts), escaped all the same.
  const epoch = map.epoch === null ? '' : `, epoch ${esc(String(map.epoch))}`;
  return [
    `<figure class="embedding-map">`,
    `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Embedding map of the test notes">${dots.join('')}</svg>`,
    `<figcaption class="muted">${map.notes.length} test notes by their last hidden layer (${esc(String(map.dims))} values, ${esc(map.weights)} weights${epoch}) laid out by UMAP; colour: true family; ringed: misclassified (${errors}). ${present.map(familyLabel).join(' ')}</figcaption>`,
    `</figure>`,
  ].join('');
}
