import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { collectReport, type CollectOptions, type ReportSource } from './collect';
import { CSV_TABLES, csvTablePaths } from './csv';
import type { ChromiumLookup } from './pdf';
import { reportFormat, type ReportFormatId } from './registry';
import { collectGroupReport, type GroupReportSource } from './groups/collect';
import { collectSweepReport, type SweepReportSource } from './sweep/collect';
import type { GroupRequest } from '../../shared/group-compare';
import { ReportError, type RenderedFile } from './types';
import { ensureDir, writeDurable } from '../fs-safe';

/** What writeReport wrote. */
export interface ExportResult {
  format: ReportFormatId;
  runs: number[];
  /** The sweep reported on, for a sweep's report. */
  sweep?: number;
  /** The groups reported on, for a report of groups: their labels, in the report's order. */
  groups?: string[];
  /** Absolute paths and sizes; CSV writes three files (of a sweep two, of groups four), every other format one. */
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
  return { format: reportFormat(format).id, runs: runIds, files: writeRendered(rendered) };
}

/** Writes a sweep's report in a format to `out` as writeReport writes runs' (CSV: two files). */
export async function writeSweepReport(
  source: SweepReportSource,
  sweepId: number,
  format: string,
  out: string,
  options: Pick<ExportOptions, 'chromium' | 'now'> = {},
): Promise<ExportResult> {
  const f = reportFormat(format);
  const file = path.resolve(out);
  f.check?.({ out: file, chromium: options.chromium });
  const data = await collectSweepReport(source, sweepId, options.now);
  const files = writeRendered(await f.sweep(data, { out: file, chromium: options.chromium }));
  return { format: f.id, runs: data.runs.map((r) => r.id), sweep: sweepId, files };
}

/** A sweep's report in memory, named after `out` (CSV: out-runs.csv and out-configurations.csv). */
export async function renderSweepReport(
  source: SweepReportSource,
  sweepId: number,
  format: string,
  out: string,
  options: Pick<ExportOptions, 'chromium' | 'now'> = {},
): Promise<RenderedFile[]> {
  const f = reportFormat(format);
  f.check?.({ out, chromium: options.chromium });
  return f.sweep(await collectSweepReport(source, sweepId, options.now), { out, chromium: options.chromium });
}

/** Writes a report of groups of runs in a format to `out` as writeReport writes runs' (CSV: four files). */
export async function writeGroupReport(
  source: GroupReportSource,
  request: GroupRequest,
  format: string,
  out: string,
  options: Pick<ExportOptions, 'chromium' | 'now'> = {},
): Promise<ExportResult> {
  const f = reportFormat(format);
  const file = path.resolve(out);
  f.check?.({ out: file, chromium: options.chromium });
  const data = await collectGroupReport(source, request, { audio: f.audio === true, now: options.now });
  const files = writeRendered(await f.groups(data, { out: file, chromium: options.chromium }));
  const runs = [...new Set(data.comparison.groups.flatMap((g) => g.runs))];
  return { format: f.id, runs, groups: data.comparison.groups.map((g) => g.label), files };
}

/** A report of groups in memory, named after `out` (CSV: out-runs.csv, out-groups.csv ...). */
export async function renderGroupReport(
  source: GroupReportSource,
  request: GroupRequest,
  format: string,
  out: string,
  options: Pick<ExportOptions, 'chromium' | 'now'> = {},
): Promise<RenderedFile[]> {
  const f = reportFormat(format);
  f.check?.({ out, chromium: options.chromium });
  const data = await collectGroupReport(source, request, { audio: f.audio === true, now: options.now });
  return f.groups(data, { out, chromium: options.chromium });
}

// Each file whole or not at all; their paths and sizes.
function writeRendered(rendered: RenderedFile[]): ExportResult['files'] {
  return rendered.map(({ path: file, content }) => {
    writeFileAtomic(file, content);
    return { path: file, bytes: Buffer.byteLength(content) };
  });
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
 * How a save dialog offers a report's files: one file under its own name; a CSV report's tables
 * (x-runs.csv, x-epochs.csv, x-predictions.csv; of a sweep x-runs.csv, x-configurations.csv, as
 * csvTablePaths names them) as `x.csv`, and nothing else. Throws a ReportError for any other set.
 */
export function saveName(names: readonly string[]): string {
  if (names.length === 1) return names[0]!;
  return `${csvLayout(names).stem}.csv`;
}

/** Where each file goes when the user chose `chosen` for `saveName(names)`: CSV's tables after its stem. */
export function savePaths(names: readonly string[], chosen: string): string[] {
  if (names.length === 1) return [chosen];
  const { tables } = csvLayout(names);
  const paths = csvTablePaths(chosen.toLowerCase().endsWith('.csv') ? chosen : `${chosen}.csv`, tables);
  return tables.map((t) => paths[t]);
}

// The CSV tables several files are, in their order, and the stem they are named after.
function csvLayout(names: readonly string[]): { stem: string; tables: readonly string[] } {
  const stem = names[0]?.replace(/-runs\.csv$/, '');
  for (const tables of Object.values(CSV_TABLES)) {
    if (stem === undefined || names.length !== tables.length) continue;
    const paths = csvTablePaths(`${stem}.csv`, tables);
    if (names.every((n, i) => n === paths[tables[i]!])) return { stem, tables };
  }
  throw new ReportError(
    "Several files are saved together only as a CSV report's tables (runs: three, a sweep: two, groups: four).",
  );
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
