import { escapeTex, texTable } from '../tex-parts';
import { groupFacts, groupSections, groupTitle } from './tables';
import type { GroupReportData } from './types';

/**
 * A report of groups as LaTeX booktabs tables to paste into a paper: the request, the groups with
 * mean ± sd and CI, the pairs (their sentences in a list), the settings' importance, the hard notes
 * and the runs. Every label and name is escaped.
 */
export function groupTex(data: GroupReportData): string {
  const out = [
    `% ${escapeTex(`${groupTitle(data)}, written by Timbre Workbench ${data.appVersion} on ${data.generatedAt}.`)}`,
    '% Tables to paste into a paper. In the preamble: \\usepackage{booktabs}',
    '% A wide table fits a column inside \\resizebox{\\linewidth}{!}{...} (\\usepackage{graphicx}).',
    '',
    ...texTable({
      caption: groupTitle(data),
      label: 'tab:timbre-groups-request',
      columns: 'll',
      head: ['', ''],
      rows: groupFacts(data),
    }),
  ];
  for (const s of groupSections(data)) {
    if (s.id === 'pairs' && s.table) {
      out.push(
        '\\begin{itemize}',
        ...s.paragraphs.map((p) => `\\item ${escapeTex(p)}`),
        '\\end{itemize}',
        '',
      );
    }
    const text = s.id === 'pairs' && s.table ? '' : s.paragraphs.join(' ');
    if (!s.table) {
      out.push(`% ${escapeTex(`${s.title}: ${text}`)}`, '');
      continue;
    }
    out.push(
      ...texTable({
        caption: text ? `${s.title}. ${text}` : s.title,
        label: `tab:timbre-groups-${s.id}`,
        columns: s.table.head.map((_, i) => (s.table!.numeric[i] ? 'r' : 'l')).join(''),
        head: s.table.head,
        rows: s.table.rows,
        small: s.table.head.length > 6,
      }),
    );
  }
  return out.join('\n');
}
