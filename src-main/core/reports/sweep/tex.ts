import { escapeTex, texTable } from '../tex-parts';
import { sweepFacts, sweepSections, sweepTitle } from './tables';
import type { SweepReportData } from './types';

/**
 * A sweep report as LaTeX booktabs tables to paste into a paper: the sweep's facts, search space,
 * base configuration, best configuration's settings, the configurations with mean ± sd over seeds,
 * and every run. Every name, label and reason is escaped; paragraphs become comments and captions.
 */
export function sweepTex(data: SweepReportData): string {
  const id = data.sweep.id;
  const out = [
    `% ${escapeTex(`${sweepTitle(data)}, written by Timbre Workbench ${data.appVersion} on ${data.generatedAt}.`)}`,
    '% Tables to paste into a paper. In the preamble: \\usepackage{booktabs}',
    '% A wide table fits a column inside \\resizebox{\\linewidth}{!}{...} (\\usepackage{graphicx}).',
    '',
    ...texTable({
      caption: `Sweep ${data.sweep.name} (#${id})`,
      label: `tab:timbre-sweep-${id}`,
      columns: 'll',
      head: ['', ''],
      rows: sweepFacts(data),
    }),
  ];
  for (const s of sweepSections(data)) {
    const text = s.paragraphs.join(' ');
    if (!s.table) {
      out.push(`% ${escapeTex(`${s.title}: ${text}`)}`, '');
      continue;
    }
    out.push(
      ...texTable({
        caption: `${s.title}. ${text}`,
        label: `tab:timbre-sweep-${id}-${s.id}`,
        columns: s.table.head.map((_, i) => (s.table!.numeric[i] ? 'r' : 'l')).join(''),
        head: s.table.head,
        rows: s.table.rows,
      }),
    );
  }
  return out.join('\n');
}
