// A run's row of the runs table as markup: one string per cell, put into the row by fillRow. A
// table of 35 rows x 12 columns built as Svelte blocks (a branch and an effect per cell) took
// ~50 ms of the page's first 300; as markup it takes a few. The row's checkbox stays a Svelte
// element (it holds the selection and keyboard focus); a cell is replaced only when its own
// markup changes, so a focused name link survives the clock's ticks and other runs' updates.
import { escapeHtml as esc } from '../../../src-main/shared/html';
import { exactTime, humanDuration, relativeTime, runSeconds } from '../../../src-main/shared/format';
import { isActive, type RunSummary } from '../../../src-main/shared/training';
import { cellText } from './runs-columns';
import { statusBadgeHtml } from './status-badge';
import { href } from './routes';
import type { Column } from './runs-view.svelte';

function lr(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** One cell's markup for column `c` of run `r`. */
export function cellHtml(c: Column, r: RunSummary, now: number): string {
  switch (c.key) {
    case 'id':
      return `<td class="num muted">${r.id}</td>`;
    case 'name': {
      const name = esc(r.name);
      return `<td class="name"><a href="${href.run(r.id)}" title="${name}">${name}</a></td>`;
    }
    case 'sweep':
      return r.sweepId
        ? `<td class="num"><a class="sweep" href="${href.sweep(r.sweepId)}" title="Open sweep ${r.sweepId}">${r.sweepId}</a></td>`
        : '<td class="num"></td>';
    case 'lr':
      return `<td class="num">${esc(lr(r.lr))}</td>`;
    case 'status':
      return `<td>${statusBadgeHtml(r.status)}</td>`;
    case 'epochs': {
      const f = isActive(r.status) && r.epochs > 0 ? ` style="--f:${r.epochsDone / r.epochs}"` : '';
      return `<td class="num epochs"${f}>${r.epochsDone}/${r.epochs}</td>`;
    }
    case 'duration':
      return `<td class="num">${esc(humanDuration(runSeconds(r, now)))}</td>`;
    case 'created':
      return `<td class="num muted" title="${esc(exactTime(r.createdAt))}">${esc(relativeTime(r.createdAt, now))}</td>`;
    case 'backend':
      return `<td>${esc(r.backend ?? '–')}</td>`;
    case 'notes':
    case 'tags': {
      const text = esc(cellText(c, r));
      return `<td class="muted" title="${text}">${text}</td>`;
    }
    default: {
      const cls = [c.numeric ? 'num' : '', c.key === 'val' || c.key === 'test' ? 'strong' : ''].filter(
        Boolean,
      );
      return `<td${cls.length ? ` class="${cls.join(' ')}"` : ''}>${esc(cellText(c, r))}</td>`;
    }
  }
}

// What each row shows now, cell by cell, to replace only the cells that changed.
const shown = new WeakMap<HTMLTableRowElement, string[]>();

/**
 * Puts run `r`'s cells into its row after the row's first `keep` cells (its checkbox): all of
 * them the first time or when the columns change, else only those whose markup changed.
 */
export function fillRow(
  tr: HTMLTableRowElement,
  r: RunSummary,
  columns: Column[],
  now: number,
  keep = 1,
): void {
  const cells = columns.map((c) => cellHtml(c, r, now));
  const before = shown.get(tr);
  shown.set(tr, cells);
  if (before && before.length === cells.length && tr.cells.length === keep + cells.length) {
    cells.forEach((html, i) => {
      if (html !== before[i]) tr.cells[keep + i]!.outerHTML = html;
    });
    return;
  }
  while (tr.cells.length > keep) tr.deleteCell(keep);
  tr.insertAdjacentHTML('beforeend', cells.join(''));
}
