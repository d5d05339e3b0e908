import type { FeatureCacheInfo, FeatureConfig } from './features';
import type { DatasetSummary, Progress } from './types';

/** Something the app reports while it works; shells forward these to their windows. */
export type WorkbenchEvent =
  | { type: 'progress'; task: string; progress: Progress }
  | { type: 'log'; message: string }
  | { type: 'run'; event: { runId: number; type: string } };

/** Options of `renderDataset` as a shell sends them. */
export interface RenderRequest {
  out: string;
  preset?: 'tiny' | 'default';
  seed?: number;
  soundfonts?: string[];
}

/** The one contract every shell (Electron IPC, browser bridge, CLI, tests) goes through. */
export interface WorkbenchApi {
  /** Every registered data set. */
  listDatasets(): Promise<DatasetSummary[]>;
  /** One data set by id, name or root folder; rejects with a clear message when none matches. */
  getDataset(ref: string | number): Promise<DatasetSummary>;
  /** Scans an NSynth json/wav root and registers it (again, if already known: its notes are replaced). */
  importDataset(root: string, name?: string): Promise<DatasetSummary>;
  /** Renders the default data set into TIMBRE_HOME and registers it, unless that was done before. */
  ensureDefaultDataset(): Promise<DatasetSummary>;
  /** Computes (or finds) the feature cache of a data set for a feature configuration. */
  buildFeatures(
    ref: string | number,
    config?: Partial<FeatureConfig>,
  ): Promise<FeatureCacheInfo & { built: boolean }>;
  /** Listens to events; returns the function that stops listening. */
  subscribe(listener: (event: WorkbenchEvent) => void): () => void;
}
