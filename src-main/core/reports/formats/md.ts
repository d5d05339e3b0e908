import { reportMarkdown } from '../markdown';
import { groupMarkdown } from '../groups/markdown';
import { sweepMarkdown } from '../sweep/markdown';
import { defineReportFormat } from '../types';

/** Markdown tables to paste into a paper or a README. */
export const mdFormat = defineReportFormat({
  id: 'md',
  label: 'Markdown',
  extensions: ['.md', '.markdown'],
  mime: 'text/markdown',
  description: 'Markdown tables to paste into a paper or README',
  render: (data, { out }) => [{ path: out, content: reportMarkdown(data) }],
  sweep: (data, { out }) => [{ path: out, content: sweepMarkdown(data) }],
  groups: (data, { out }) => [{ path: out, content: groupMarkdown(data) }],
});
