import path from 'node:path';
import { csvFormat } from './formats/csv';
import { htmlFormat } from './formats/html';
import { jsonFormat } from './formats/json';
import { mdFormat } from './formats/md';
import { pdfFormat } from './formats/pdf';
import { texFormat } from './formats/tex';
import { ReportError, type ReportFormatModule } from './types';
import type { ReportFormatInfo } from '../../shared/contract';

/**
 * Every report format, in the order menus and help texts list them. A new format is one file in
 * formats/ and one line here: the CLI's --format and help, the API's argument check, the save
 * names, the media types and the renderer's menu (through listReportFormats) all read this list.
 */
export const REPORT_FORMAT_LIST = [
  // One line per format, in menu order.
  htmlFormat,
  mdFormat,
  csvFormat,
  jsonFormat,
  pdfFormat,
  texFormat,
] as const;

/** The id of a registered report format. */
export type ReportFormatId = (typeof REPORT_FORMAT_LIST)[number]['id'];

/** The ids of the registered formats, in menu order. */
export const REPORT_FORMATS = REPORT_FORMAT_LIST.map((f) => f.id) as [ReportFormatId, ...ReportFormatId[]];

/** Whether a word names a report format. */
export function isReportFormat(word: string): word is ReportFormatId {
  return (REPORT_FORMATS as readonly string[]).includes(word);
}

/** The format of an id; a ReportError naming the formats there are for any other word. */
export function reportFormat(id: string): ReportFormatModule<ReportFormatId> {
  const found = REPORT_FORMAT_LIST.find((f) => f.id === id);
  if (!found)
    throw new ReportError(`Unknown report format "${String(id)}"; one of ${REPORT_FORMATS.join(', ')}.`);
  return found;
}

/** What the shells show of each format (no render functions: this crosses to windows as JSON). */
export function reportFormatInfo(): ReportFormatInfo[] {
  return REPORT_FORMAT_LIST.map(({ id, label, extensions, mime, description }) => ({
    id,
    label,
    extensions: [...extensions],
    mime,
    description,
  }));
}

/** The format a file name asks for by its extension (any case), or undefined. */
export function formatOfPath(file: string): ReportFormatId | undefined {
  const ext = path.extname(file).toLowerCase();
  return REPORT_FORMAT_LIST.find((f) => f.extensions.includes(ext))?.id;
}

/** The media type of each report format, by id. */
export const REPORT_MIME = Object.fromEntries(REPORT_FORMAT_LIST.map((f) => [f.id, f.mime])) as Record<
  ReportFormatId,
  string
>;
