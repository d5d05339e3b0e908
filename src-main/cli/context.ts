import type { WorkbenchLocalApi } from '../core/local-api';
import { Workbench } from '../core/workbench';
import type { QueueMode } from '../core/workbench/runs';
import type { DatasetSplitBy } from '../shared/contract';
import type { DatasetSummary } from '../shared/types';
import { watchProgress } from './progress';

/**
 * What every command shares: one Workbench over TIMBRE_HOME, opened on first use. Commands see it
 * only as WorkbenchLocalApi: the contract and the in-process extras, nothing of its insides.
 */
export class CliContext {
  private wb?: WorkbenchLocalApi;

  /**
   * The Workbench, opening the database on first call. One-shot commands only watch the lasting
   * queue (`queue: 'watch'`); `timbre train` trains its own run (`'own'`), `timbre queue run` the queue.
   */
  workbench(queue: QueueMode = 'watch'): WorkbenchLocalApi {
    this.wb ??= new Workbench({ queue });
    return this.wb;
  }

  /** A data set by id/name/folder, or the default one (rendered on first use, with a progress bar). */
  async dataset(ref: string | undefined): Promise<DatasetSummary> {
    if (ref) return this.workbench().getDataset(ref);
    return this.defaultDataset();
  }

  /** The built-in default data set (or its cross-SoundFont twin), rendered and registered on first use. */
  async defaultDataset(splitBy?: DatasetSplitBy): Promise<DatasetSummary> {
    const stop = watchProgress(this.workbench());
    try {
      return await this.workbench().ensureDefaultDataset(splitBy);
    } finally {
      stop();
    }
  }

  /** Lets a backup under way finish, stops any training this process started and releases the database. */
  async close(): Promise<void> {
    await this.wb?.close({ finishBackup: true });
    this.wb = undefined;
  }
}
