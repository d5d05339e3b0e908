import path from 'node:path';
import type { ReportFiles, ReportFormat } from '../../shared/contract';
import type { RunDetail } from '../../shared/training';
import type { ReportSource } from '../reports/collect';
import { collectReport } from '../reports/collect';
import { renderReport, writeReport, type ExportOptions, type ExportResult } from '../reports/export';
import { reportHtml } from '../reports/html';
import { reportFormat } from '../reports/registry';
import { runOf, type Home } from './home';

/** The file name a report of these runs is offered under: `timbre-run-3.html`, `timbre-runs-3-4.pdf`. */
export function reportFileName(ids: number[], format: ReportFormat): string {
  const listed = `${ids.slice(0, 5).join('-')}${ids.length > 5 ? '-etc' : ''}`;
  return `timbre-run${ids.length > 1 ? 's' : ''}-${listed}${reportFormat(format).extensions[0] ?? ''}`;
}

/** What a report reads from a home's repositories; a run that is not there is a NotFoundError. */
export function reportSourceOf(home: Pick<Home, 'runs' | 'datasets'>): ReportSource {
  return {
    runs: home.runs,
    datasets: home.datasets,
    getRun: async (id: number): Promise<RunDetail> => runOf(home, id),
  };
}

/** The Workbench's reports of runs: as files to save, written to a path, or as HTML to print. */
export class WorkbenchReports {
  private readonly source: ReportSource;

  constructor(home: Home) {
    this.source = reportSourceOf(home);
  }

  /** A report as file contents named `timbre-run-<ids>.<ext>`, for shells that save it themselves. */
  async files(ids: number[], format: ReportFormat): Promise<ReportFiles> {
    const { mime } = reportFormat(format);
    const files = await renderReport(this.source, ids, format, reportFileName(ids, format));
    return {
      format,
      files: files.map((f) => ({
        name: path.basename(f.path),
        mime,
        base64: Buffer.from(f.content).toString('base64'),
      })),
    };
  }

  /** Writes a report to `out` (CSV: three files named after it), each file whole or not at all. */
  write(ids: number[], format: ReportFormat, out: string, options?: ExportOptions): Promise<ExportResult> {
    return writeReport(this.source, ids, format, out, options);
  }

  /** A report's HTML without its audio clips, for printing. */
  async printableHtml(ids: number[]): Promise<string> {
    return reportHtml(await collectReport(this.source, ids, { audio: false }));
  }
}
