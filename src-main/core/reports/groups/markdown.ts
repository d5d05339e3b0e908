import { markdownTable } from '../markdown';
import { groupFacts, groupSections, groupTitle } from './tables';
import type { GroupReportData } from './types';

// A line of user text (a group's label, a sweep's name) kept on one line.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/**
 * A report of groups as Markdown: the request, then each section with its table; the pairs'
 * sentences as a list. No curves, picture or audio: those are the HTML report's.
 */
export function groupMarkdown(data: GroupReportData): string {
  const out = [`# ${oneLine(groupTitle(data))}`, '', markdownTable(['', ''], groupFacts(data)), ''];
  for (const s of groupSections(data)) {
    out.push(`## ${s.title}`, '');
    if (s.id === 'pairs' && s.table) out.push(...s.paragraphs.map((p) => `- ${oneLine(p)}`), '');
    else out.push(...s.paragraphs.flatMap((p) => [oneLine(p), '']));
    if (s.table) out.push(markdownTable(s.table.head, s.table.rows, s.table.numeric), '');
  }
  out.push(`_Written by Timbre Workbench ${data.appVersion} on ${data.generatedAt}._`, '');
  return out.join('\n');
}
