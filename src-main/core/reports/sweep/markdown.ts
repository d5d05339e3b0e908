import { markdownTable } from '../markdown';
import { sweepFacts, sweepSections, sweepTitle } from './tables';
import type { SweepReportData } from './types';

// A line of user text (a sweep's name, a stop reason) kept on one line.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** A sweep report as Markdown: the sweep's facts, then each section with its table. */
export function sweepMarkdown(data: SweepReportData): string {
  const out = [`# ${oneLine(sweepTitle(data))}`, '', markdownTable(['', ''], sweepFacts(data)), ''];
  for (const s of sweepSections(data)) {
    out.push(`## ${s.title}`, '', ...s.paragraphs.flatMap((p) => [oneLine(p), '']));
    if (s.table) out.push(markdownTable(s.table.head, s.table.rows, s.table.numeric), '');
  }
  out.push(`_Written by Timbre Workbench ${data.appVersion} on ${data.generatedAt}._`, '');
  return out.join('\n');
}
