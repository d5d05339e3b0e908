import { htmlPage } from '../html';
import { escapeHtml as esc, table, td } from '../html-parts';
import { sweepFacts, sweepSections, sweepTitle, type TextSection } from './tables';
import type { SweepReportData } from './types';

/** A section of text tables as HTML: every cell, heading and paragraph (the user's or ours) escaped. */
export function sectionHtml(s: TextSection): string {
  const paragraphs = s.paragraphs.map((p) => `<p${s.table ? ' class="muted"' : ''}>${esc(p)}</p>`).join('');
  const body = s.table
    ? table(
        s.table.head.map(esc),
        s.table.rows.map((row) =>
          row.map((c, i) => td(c === null ? '' : esc(String(c)), s.table!.numeric[i] === true)),
        ),
        s.table.numeric,
      )
    : '';
  return `<section id="${s.id}"><h2>${esc(s.title)}</h2>${paragraphs}${body}</section>`;
}

/**
 * A sweep report as one self-contained HTML page in the look of the runs' report: the sweep's
 * facts, its search space and base configuration, the best configuration with every setting, the
 * configurations with their spread over seeds, and every run.
 */
export function sweepHtml(data: SweepReportData): string {
  const facts = sweepFacts(data).map(([k, v]) => [`<th>${esc(k)}</th>`, td(esc(v))]);
  return htmlPage({
    title: sweepTitle(data),
    appVersion: data.appVersion,
    generatedAt: data.generatedAt,
    body: [
      '<header>',
      `<h1>${esc(sweepTitle(data))}</h1>`,
      `<p class="muted">${esc(bestLine(data))}</p>`,
      '</header>',
      `<section id="sweep"><h2>Sweep</h2>${table(['', ''], facts)}</section>`,
      ...sweepSections(data).map(sectionHtml),
    ],
  });
}

// The header's one line: what won, or that nothing has yet.
function bestLine(data: SweepReportData): string {
  const best = data.best;
  return best
    ? `Best configuration: ${best.configuration.label || 'the base configuration'}`
    : 'No results yet.';
}
