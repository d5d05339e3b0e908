import { reportHtml } from '../html';
import { htmlToPdf, requireChromium } from '../pdf';
import { groupHtml } from '../groups/html';
import { sweepHtml } from '../sweep/html';
import { defineReportFormat } from '../types';

/** The HTML report printed by Chromium (without its audio, which a PDF cannot play). */
export const pdfFormat = defineReportFormat({
  id: 'pdf',
  label: 'PDF',
  extensions: ['.pdf'],
  mime: 'application/pdf',
  description: 'the HTML page printed by Chromium (TIMBRE_CHROMIUM, or chromium / google-chrome)',
  // Fails before the report is collected when PDF cannot be printed here.
  check: ({ chromium }) => void requireChromium(chromium),
  render: async (data, { out, chromium }) => [
    { path: out, content: await htmlToPdf(reportHtml(data), requireChromium(chromium)) },
  ],
  sweep: async (data, { out, chromium }) => [
    { path: out, content: await htmlToPdf(sweepHtml(data), requireChromium(chromium)) },
  ],
  groups: async (data, { out, chromium }) => [
    { path: out, content: await htmlToPdf(groupHtml(data), requireChromium(chromium)) },
  ],
});
