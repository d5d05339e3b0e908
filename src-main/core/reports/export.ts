import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { collectReport, type CollectOptions, type ReportSource } from './collect';
import { csvPaths, reportCsv } from './csv';
import { reportHtml } from './html';
import { reportJson } from './json';
import { reportMarkdown } from './markdown';
import { htmlToPdf, requireChromium, type ChromiumLookup } from './pdf';
import { REPORT_FORMATS, ReportError, type ReportFormat } from './types';
import { ensureDir } from '../fs-safe';

/** What exportReport wrote. */
export interface ExportResult {
  format: ReportFormat;
  runs: number[];
  /** Absolute paths and sizes; CSV writes three files, every other format one. */
  files: { path: string; bytes: number }[];
}

/** How a report is written, besides its format. */
export interface ExportOptions extends Omit<CollectOptions, 'audio'> {
  /** Where to look for Chromium (PDF only). */
  chromium?: ChromiumLookup;
}

const EXTENSIONS: Record<string, ReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.md': 'md',
  '.markdown': 'md',
  '.csv': 'csv',
  '.json': 'json',
  '.pdf': 'pdf',
};

/** The format a file name asks for by its extension, or undefined. */
export function formatOfPath(file: string): ReportFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

/** Whether a word names a report format. */
export function isReportFormat(word: string): word is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(word);
}

/**
 * Writes a report of runs in a format to `out` (CSV: to out-runs.csv, out-epochs.csv and
 * out-predictions.csv, see csvPaths). Each file is written to a temporary name and renamed, so
 * a reader never sees half a report; a missing folder is created.
 */
export async function exportReport(
  source: ReportSource,
  runIds: number[],
  format: ReportFormat,
  out: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const rendered = await renderReport(source, runIds, format, path.resolve(out), options);
  const files = rendered.map(({ path: file, content }) => {
    writeFileAtomic(file, content);
    return { path: file, bytes: Buffer.byteLength(content) };
  });
  return { format, runs: runIds, files };
}

/**
 * A report's files in memory, named after `out` as exportReport would write them (one file, or
 * three for CSV). Shells that save through their own dialog or a download use this.
 */
export async function renderReport(
  source: ReportSource,
  runIds: number[],
  format: ReportFormat,
  out: string,
  options: ExportOptions = {},
): Promise<{ path: string; content: string | Buffer }[]> {
  if (!isReportFormat(format)) {
    throw new ReportError(`Unknown report format "${String(format)}"; one of ${REPORT_FORMATS.join(', ')}.`);
  }
  // Fail before any work when PDF cannot be printed here.
  const chromium = format === 'pdf' ? requireChromium(options.chromium) : undefined;
  const data = await collectReport(source, runIds, { ...options, audio: format === 'html' });
  switch (format) {
    case 'html':
      return [{ path: out, content: reportHtml(data) }];
    case 'md':
      return [{ path: out, content: reportMarkdown(data) }];
    case 'json':
      return [{ path: out, content: reportJson(data) }];
    case 'csv': {
      const tables = reportCsv(data);
      const paths = csvPaths(out);
      return (['runs', 'epochs', 'predictions'] as const).map((k) => ({
        path: paths[k],
        content: tables[k],
      }));
    }
    case 'pdf':
      return [{ path: out, content: await htmlToPdf(reportHtml(data), chromium) }];
  }
}

/**
 * How a save dialog offers a report's files: one file under its own name; CSV's three tables
 * (x-runs.csv, x-epochs.csv, x-predictions.csv, as csvPaths names them) as `x.csv`, and nothing else.
 * Throws a ReportError for any other set of several files.
 */
export function saveName(names: readonly string[]): string {
  if (names.length === 1) return names[0]!;
  const stem = names[0]?.replace(/-runs\.csv$/, '');
  const csv = stem === undefined ? [] : Object.values(csvPaths(`${stem}.csv`));
  if (names.length !== csv.length || names.some((n, i) => n !== csv[i])) {
    throw new ReportError("Several files are saved together only as a CSV report's three tables.");
  }
  return `${stem}.csv`;
}

/** Where each file goes when the user chose `chosen` for `saveName(names)`: CSV's tables after its stem. */
export function savePaths(names: readonly string[], chosen: string): string[] {
  if (names.length === 1) return [chosen];
  saveName(names);
  const paths = csvPaths(chosen.toLowerCase().endsWith('.csv') ? chosen : `${chosen}.csv`);
  return [paths.runs, paths.epochs, paths.predictions];
}

/** Writes a file under a temporary name in the same folder, flushes it, then renames it into place. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new ReportError(`${file} is a folder; give a file name, e.g. ${path.join(file, 'report.html')}.`);
  }
  ensureDir(path.dirname(file), 'The report folder');
  const tmp = `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
