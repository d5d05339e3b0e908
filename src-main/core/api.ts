import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATASET_NAME, SPLITS } from '../shared/constants';
import type { RenderRequest, WorkbenchApi, WorkbenchEvent } from '../shared/api';
import type { FeatureConfig } from '../shared/features';
import type { DatasetSummary, ProgressFn } from '../shared/types';
import { scanNsynth } from './datasets/nsynth-scan';
import { renderDataset, type RenderSummary } from './datasets/render/render-dataset';
import { ensureFeatureCache } from './features/cache';
import { validateFeatureConfig } from './features/config';
import { homePaths, timbreHome, type HomePaths } from './paths';
import { openDatabase, type Db } from './store/database';
import { DatasetRepo } from './store/datasets';

/** A reference to a data set that matches none. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export interface WorkbenchOptions {
  /** TIMBRE_HOME; default from the environment or the per-user app-data folder. */
  home?: string;
  /** Preset of the default data set; `tiny` for tests. Default: TIMBRE_DEFAULT_PRESET or `default`. */
  defaultPreset?: 'tiny' | 'default';
}

/** The app's behaviour in one object, over one TIMBRE_HOME; every shell calls this. */
export class Workbench implements WorkbenchApi {
  readonly paths: HomePaths;
  readonly db: Db;
  readonly datasets: DatasetRepo;
  private readonly listeners = new Set<(event: WorkbenchEvent) => void>();
  private readonly defaultPreset: 'tiny' | 'default';
  private defaultDataset?: Promise<DatasetSummary>;

  constructor(options: WorkbenchOptions = {}) {
    this.paths = homePaths(options.home ?? timbreHome());
    this.db = openDatabase(this.paths.database);
    this.datasets = new DatasetRepo(this.db);
    const preset = options.defaultPreset ?? process.env.TIMBRE_DEFAULT_PRESET;
    this.defaultPreset = preset === 'tiny' ? 'tiny' : 'default';
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    return this.datasets.list();
  }

  async getDataset(ref: string | number): Promise<DatasetSummary> {
    const found = this.datasets.find(ref);
    if (!found) {
      throw new NotFoundError(`No data set "${ref}". \`timbre dataset list\` shows the registered ones.`);
    }
    return found;
  }

  async importDataset(root: string, name?: string): Promise<DatasetSummary> {
    const abs = path.resolve(root);
    const scan = await scanNsynth(abs, { onProgress: this.progress('import') });
    const taken = name ? this.datasets.find(name) : undefined;
    if (taken && taken.root !== abs) {
      throw new NotFoundError(
        `The name "${name}" is taken by the data set at ${taken.root}; choose another --name.`,
      );
    }
    return this.datasets.save({
      name: name ?? this.datasets.find(abs)?.name ?? this.uniqueName(path.basename(abs)),
      root: abs,
      fingerprint: scan.fingerprint,
      notes: scan.notes,
      splits: scan.splits,
      skipped: scan.skipped,
    });
  }

  /** Renders a data set from SoundFonts into a folder (it is not registered: import it for that). */
  async renderDataset(request: RenderRequest): Promise<RenderSummary> {
    return renderDataset({ ...request, onProgress: this.progress('render') });
  }

  async ensureDefaultDataset(): Promise<DatasetSummary> {
    // One render at a time, however many callers ask at once.
    this.defaultDataset ??= this.makeDefaultDataset().finally(() => (this.defaultDataset = undefined));
    return this.defaultDataset;
  }

  async buildFeatures(ref: string | number, config: Partial<FeatureConfig> = {}) {
    const dataset = await this.getDataset(ref);
    return ensureFeatureCache({
      featuresRoot: this.paths.features,
      source: { fingerprint: dataset.fingerprint, notes: this.datasets.notes(dataset.id) },
      config: validateFeatureConfig(config),
      onProgress: this.progress('features'),
    });
  }

  subscribe(listener: (event: WorkbenchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Closes the database; the object is unusable after. */
  close(): void {
    this.db.close();
  }

  private async makeDefaultDataset(): Promise<DatasetSummary> {
    const existing = this.datasets.find(DEFAULT_DATASET_NAME);
    if (existing && fs.existsSync(existing.root)) return existing;
    const dir = this.paths.defaultDataset;
    const rendered = SPLITS.every((s) => fs.existsSync(path.join(dir, `nsynth-${s}`, 'examples.json')));
    if (!rendered) {
      this.emit({ type: 'log', message: `Rendering the default data set into ${dir} (once).` });
      await this.renderDataset({ out: dir, preset: this.defaultPreset });
    }
    return this.importDataset(dir, DEFAULT_DATASET_NAME);
  }

  private uniqueName(base: string): string {
    let name = base || 'dataset';
    for (let i = 2; this.datasets.find(name); i++) name = `${base}-${i}`;
    return name;
  }

  private progress(task: string): ProgressFn {
    return (progress) => this.emit({ type: 'progress', task, progress });
  }

  private emit(event: WorkbenchEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
