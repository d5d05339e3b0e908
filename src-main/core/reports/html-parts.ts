import { FAMILY_COLORS } from '../../shared/constants';
import { escapeHtml } from '../../shared/html';
import type { ReportRun } from './types';

export { escapeHtml };

const esc = escapeHtml;

/** Colour of a family by name; grey for a label the app does not know. */
export function familyColor(label: string): string {
  return FAMILY_COLORS[label] ?? '#888888';
}

/** A run's name with its colour swatch. */
export const runLabel = (r: ReportRun) =>
  `<span class="sw" style="background:${r.color}"></span>#${r.detail.id} ${esc(r.detail.name)}`;

/** A cell of ready-made HTML (escape text before); numbers are right-aligned. */
export const td = (html: string | number, numeric = false) =>
  `<td${numeric ? ' class="n"' : ''}>${html}</td>`;

/** A table of ready-made cells; `rowClass` names a class per body row. */
export function table(
  head: string[],
  rows: string[][],
  numeric: boolean[] = [],
  rowClass: (i: number) => string = () => '',
): string {
  const ths = head.map((h, i) => `<th${numeric[i] ? ' class="n"' : ''}>${h}</th>`).join('');
  const trs = rows.map((r, i) => {
    const cls = rowClass(i);
    return `<tr${cls ? ` class="${cls}"` : ''}>${r.join('')}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${ths}</tr></thead><tbody>${trs.join('')}</tbody></table></div>`;
}

/** A family's name with its colour swatch. */
export const familyLabel = (label: string) =>
  `<span class="sw" style="background:${familyColor(label)}"></span>${esc(label)}`;
