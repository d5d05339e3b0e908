import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { collectReport, type CollectOptions, type ReportSource } from './collect';
import { csvPaths } from './csv';
import type { ChromiumLookup } from './pdf';
import { reportFormat, type ReportFormatId } from './registry';
import { ReportError, type RenderedFile } from './types';
import { ensureDir, writeDurable } from '../fs-safe';

/** What writeReport wrote. */
export interface ExportResult {
  format: ReportFormatId;
  runs: number[];
  /** Absolute paths and sizes; CSV writes three files, every other format one. */
  files: { path: string; bytes: number }[];
}

/** How a report is written, besides its format. */
export interface ExportOptions extends Omit<CollectOptions, 'audio'> {
  /** Where to look for Chromium (PDF only). */
  chromium?: ChromiumLookup;
}

/**
 * Writes a report of runs in a format to `out` (CSV: to out-runs.csv, out-epochs.csv and
 * out-predictions.csv, see csvPaths). Each file is written to a temporary name and renamed, so
 * a reader never sees half a report; a missing folder is created. (Workbench.exportReport is the
 * API's: it returns the files' contents for a shell to save.)
 */
export async function writeReport(
  source: ReportSource,
  runIds: number[],
  format: string,
  out: string,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const rendered = await renderReport(source, runIds, format, path.resolve(out), options);
  const files = rendered.map(({ path: file, content }) => {
    writeFileAtomic(file, content);
    return { path: file, bytes: Buffer.byteLength(content) };
  });
  return { format: reportFormat(format).id, runs: runIds, files };
}

/**
 * A report's files in memory, named after `out` as writeReport would write them (one file, or
 * three for CSV). Shells that save through their own dialog or a download use this.
 */
export async function renderReport(
  source: ReportSource,
  runIds: number[],
  format: string,
  out: string,
  options: ExportOptions = {},
): Promise<RenderedFile[]> {
  const f = reportFormat(format);
  f.check?.({ out, chromium: options.chromium });
  const data = await collectReport(source, runIds, { ...options, audio: f.audio === true });
  return f.render(data, { out, chromium: options.chromium });
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
    writeDurable(tmp, content);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
