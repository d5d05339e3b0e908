import type { RenderRequest, ReportFormat, WorkbenchApi } from '../shared/contract';
import type { GroupRequest } from '../shared/group-compare';
import type { Evaluation, RunDetail } from '../shared/training';
import type { ClusterHub } from './cluster/hub';
import type { RenderSummary } from './datasets/render/render-dataset';
import type { ExportOptions, ExportResult } from './reports/export';
import type { TestModelRequest } from './workbench/test-model';

export type { TestModelRequest };

/**
 * The Workbench as the shells in its own process use it (the CLI, the Electron main process,
 * `timbre serve`, tests): the WorkbenchApi, plus what no window may call because it reads or
 * writes wherever it is told (renderDataset, testModel, writeReport, writeGroupReport), waits as
 * long as a run trains (waitForRun), names a folder on this machine (runModelFolder), prints
 * through the Electron shell (printableReportHtml, printableGroupReportHtml), answers cluster
 * workers (clusterHub) or ends the Workbench (close). These are deliberately not
 * in API_METHODS: apiDispatch, the one door of IPC and HTTP, cannot reach them.
 */
export interface WorkbenchLocalApi extends WorkbenchApi {
  /** Renders a data set from SoundFonts into a folder (not registered: import it for that). */
  renderDataset(request: RenderRequest): Promise<RenderSummary>;
  /** Evaluates a saved model (a run's best weights, or a model folder) and records it: the seed's test mode. */
  testModel(request: TestModelRequest): Promise<Evaluation & { backend: string }>;
  /** The hub's side of cluster mode (answering workers), when opened with a Redis URL; else undefined. */
  clusterHub(): ClusterHub | undefined;
  /** Resolves with the run's record once it has ended. */
  waitForRun(id: number): Promise<RunDetail>;
  /** The folder a run's models are saved in (it may not exist). */
  runModelFolder(id: number): Promise<string>;
  /**
   * Writes a report of runs, or of a sweep (`{ sweep: id }`), to `out` (CSV: three files named
   * after it, of a sweep two); what was written.
   */
  writeReport(
    of: number[] | { sweep: number },
    format: ReportFormat,
    out: string,
    options?: ExportOptions,
  ): Promise<ExportResult>;
  /** A report's HTML without its audio clips, for printing to PDF. */
  printableReportHtml(ids: number[]): Promise<string>;
  /** Writes a report of groups of runs to `out` (CSV: four files named after it); what was written. */
  writeGroupReport(
    request: GroupRequest,
    format: ReportFormat,
    out: string,
    options?: Pick<ExportOptions, 'chromium' | 'now'>,
  ): Promise<ExportResult>;
  /** A report of groups as HTML without the notes' audio, for printing to PDF. */
  printableGroupReportHtml(request: GroupRequest): Promise<string>;
  /**
   * Stops training (the running run becomes interrupted) and closes the database; with
   * `finishBackup`, a backup under way is finished first (one-shot CLI commands), else it stops.
   */
  close(options?: { finishBackup?: boolean }): Promise<void>;
}
