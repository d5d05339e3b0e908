import path from 'node:path';
import type { ReportFiles, ReportFormat } from '../../shared/contract';
import type { GroupRequest } from '../../shared/group-compare';
import type { RunDetail } from '../../shared/training';
import type { ReportSource } from '../reports/collect';
import { collectReport } from '../reports/collect';
import {
  renderGroupReport,
  renderReport,
  renderSweepReport,
  writeGroupReport,
  writeReport,
  writeSweepReport,
  type ExportOptions,
  type ExportResult,
} from '../reports/export';
import { collectGroupReport, type GroupReportSource } from '../reports/groups/collect';
import { groupHtml } from '../reports/groups/html';
import { reportHtml } from '../reports/html';
import { reportFormat } from '../reports/registry';
import type { SweepReportSource } from '../reports/sweep/collect';
import type { RenderedFile } from '../reports/types';
import { runOf, type Home } from './home';
import type { WorkbenchSweeps } from './sweeps';

/** The file name a report of these runs is offered under: `timbre-run-3.html`, `timbre-runs-3-4.pdf`. */
export function reportFileName(ids: number[], format: ReportFormat): string {
  const listed = `${ids.slice(0, 5).join('-')}${ids.length > 5 ? '-etc' : ''}`;
  return `timbre-run${ids.length > 1 ? 's' : ''}-${listed}${reportFormat(format).extensions[0] ?? ''}`;
}

/** The file name a sweep's report is offered under: `timbre-sweep-3.html`. */
export function sweepReportFileName(id: number, format: ReportFormat): string {
  return `timbre-sweep-${id}${reportFormat(format).extensions[0] ?? ''}`;
}

/** The file name a report of groups is offered under: `timbre-groups-sweep-3.html`, `timbre-groups-runs-1-2-3.md`. */
export function groupReportFileName(request: GroupRequest, format: ReportFormat): string {
  const s = request.select;
  const of =
    'sweep' in s
      ? `sweep-${s.sweep}`
      : `runs-${s.runs.slice(0, 5).join('-')}${s.runs.length > 5 ? '-etc' : ''}`;
  return `timbre-groups-${of}${reportFormat(format).extensions[0] ?? ''}`;
}

/** What a report reads from a home's repositories; a run that is not there is a NotFoundError. */
export function reportSourceOf(home: Pick<Home, 'runs' | 'datasets'>): ReportSource {
  return {
    runs: home.runs,
    datasets: home.datasets,
    getRun: async (id: number): Promise<RunDetail> => runOf(home, id),
  };
}

/** The Workbench's reports of runs and of sweeps: as files to save, written to a path, or as HTML to print. */
export class WorkbenchReports {
  private readonly source: ReportSource;
  private readonly sweepSource: SweepReportSource;

  constructor(home: Home, sweeps: Pick<WorkbenchSweeps, 'get'>) {
    this.source = reportSourceOf(home);
    this.sweepSource = { getRun: this.source.getRun, getSweep: (id) => sweeps.get(id) };
  }

  /** A report as file contents named `timbre-run-<ids>.<ext>`, for shells that save it themselves. */
  async files(ids: number[], format: ReportFormat): Promise<ReportFiles> {
    return filesOf(format, await renderReport(this.source, ids, format, reportFileName(ids, format)));
  }

  /** A sweep's report as file contents named `timbre-sweep-<id>.<ext>` (CSV: two files after it). */
  async sweepFiles(id: number, format: ReportFormat): Promise<ReportFiles> {
    return filesOf(
      format,
      await renderSweepReport(this.sweepSource, id, format, sweepReportFileName(id, format)),
    );
  }

  /** Writes a sweep's report to `out` (CSV: two files named after it), each file whole or not at all. */
  writeSweep(
    id: number,
    format: ReportFormat,
    out: string,
    options?: Pick<ExportOptions, 'chromium' | 'now'>,
  ): Promise<ExportResult> {
    return writeSweepReport(this.sweepSource, id, format, out, options);
  }

  /** Writes a report to `out` (CSV: three files named after it), each file whole or not at all. */
  write(ids: number[], format: ReportFormat, out: string, options?: ExportOptions): Promise<ExportResult> {
    return writeReport(this.source, ids, format, out, options);
  }

  /**
   * A report of groups as file contents named `timbre-groups-<selection>.<ext>` (CSV: four files
   * after it); `source` is the Workbench, which compares the groups and reads the notes' audio.
   */
  async groupFiles(
    source: GroupReportSource,
    request: GroupRequest,
    format: ReportFormat,
  ): Promise<ReportFiles> {
    return filesOf(
      format,
      await renderGroupReport(source, request, format, groupReportFileName(request, format)),
    );
  }

  /** Writes a report of groups to `out` (CSV: four files named after it), each file whole or not at all. */
  writeGroup(
    source: GroupReportSource,
    request: GroupRequest,
    format: ReportFormat,
    out: string,
    options?: Pick<ExportOptions, 'chromium' | 'now'>,
  ): Promise<ExportResult> {
    return writeGroupReport(source, request, format, out, options);
  }

  /** A report of groups as HTML without the notes' audio, for printing. */
  async printableGroupHtml(source: GroupReportSource, request: GroupRequest): Promise<string> {
    return groupHtml(await collectGroupReport(source, request, { audio: false }));
  }

  /** A report's HTML without its audio clips, for printing. */
  async printableHtml(ids: number[]): Promise<string> {
    return reportHtml(await collectReport(this.source, ids, { audio: false }));
  }
}

// Rendered files as the contract carries them.
function filesOf(format: ReportFormat, files: RenderedFile[]): ReportFiles {
  const { mime } = reportFormat(format);
  return {
    format,
    files: files.map((f) => ({
      name: path.basename(f.path),
      mime,
      base64: Buffer.from(f.content).toString('base64'),
    })),
  };
}
