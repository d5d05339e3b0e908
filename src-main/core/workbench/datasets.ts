import fs from 'node:fs';
import path from 'node:path';
import { CROSS_FONT_DATASET_NAME, DEFAULT_DATASET_NAME, SPLITS } from '../../shared/constants';
import type { DatasetSplitBy, RenderRequest } from '../../shared/contract';
import type { FeatureConfig } from '../../shared/features';
import type { DatasetSummary, ProgressFn } from '../../shared/types';
import { DatasetError, scanNsynth } from '../datasets/nsynth-scan';
import { readSplitRule, renderDataset, type RenderSummary } from '../datasets/render/render-dataset';
import { ensureFeatureCache } from '../features/cache';
import { validateFeatureConfig } from '../features/config';
import { withFileLock } from '../file-lock';
import { ensureDir } from '../fs-safe';
import { NotFoundError, type Home } from './home';

/** The Workbench's data sets: registering, rendering, the default one, and their feature caches. */
export class WorkbenchDatasets {
  private readonly pendingDefault = new Map<DatasetSplitBy, Promise<DatasetSummary>>();

  constructor(
    private readonly home: Home,
    /** Preset the default data set is rendered with (`tiny` for tests). */
    private readonly defaultPreset: 'tiny' | 'default',
  ) {}

  /** Every registered data set. */
  list(): DatasetSummary[] {
    return this.home.datasets.list();
  }

  /** A data set by id, name or root folder, or a NotFoundError. */
  get(ref: string | number): DatasetSummary {
    const found = this.home.datasets.find(ref);
    if (!found) {
      throw new NotFoundError(`No data set "${ref}". \`timbre dataset list\` shows the registered ones.`);
    }
    return found;
  }

  /** Scans an NSynth json/wav root and registers it (again: its notes are replaced). */
  async import(root: string, name?: string): Promise<DatasetSummary> {
    const { datasets } = this.home;
    const abs = path.resolve(root);
    // Checked before the scan, which can take minutes on a large data set.
    const taken = name ? datasets.find(name) : undefined;
    if (taken && taken.root !== abs) {
      throw new DatasetError(
        `The name "${name}" is taken by the data set at ${taken.root}; choose another name.`,
      );
    }
    const scan = await scanNsynth(abs, { onProgress: this.home.progress('import') });
    const saved = await datasets.saveInPages({
      name: name ?? datasets.find(abs)?.name ?? this.uniqueName(path.basename(abs)),
      root: abs,
      fingerprint: scan.fingerprint,
      notes: scan.notes,
      splits: scan.splits,
      skipped: scan.skipped,
      splitRule: readSplitRule(abs),
    });
    this.home.emit({ type: 'datasets' });
    return saved;
  }

  /** Renders a data set from SoundFonts into a folder (not registered: import it for that). */
  render(request: RenderRequest): Promise<RenderSummary> {
    return renderDataset({ ...request, onProgress: this.home.progress('render') });
  }

  /**
   * The default data set, rendered into TIMBRE_HOME and registered on first use; split by
   * 'soundfont', its twin `default-by-soundfont` (the same fonts, a font held out for valid and test).
   */
  ensureDefault(splitBy: DatasetSplitBy = 'instrument'): Promise<DatasetSummary> {
    // One render at a time, however many callers ask at once.
    let pending = this.pendingDefault.get(splitBy);
    if (!pending) {
      pending = this.makeDefault(splitBy).finally(() => this.pendingDefault.delete(splitBy));
      this.pendingDefault.set(splitBy, pending);
    }
    return pending;
  }

  /** The feature cache of a data set for a configuration (checked here), computed on first use. */
  buildFeatures(ref: string | number, config: Partial<FeatureConfig> = {}) {
    const dataset = this.get(ref);
    return this.featureCache(dataset, validateFeatureConfig(config), this.home.progress('features'));
  }

  /** The feature cache of a data set for a checked configuration, computed on first use. */
  featureCache(dataset: DatasetSummary, config: FeatureConfig, onProgress: ProgressFn) {
    return ensureFeatureCache({
      featuresRoot: this.home.paths.features,
      source: { fingerprint: dataset.fingerprint, notes: () => this.home.datasets.readNotes(dataset.id) },
      config,
      onProgress,
    });
  }

  private async makeDefault(splitBy: DatasetSplitBy): Promise<DatasetSummary> {
    const { paths, datasets, emit } = this.home;
    const name = splitBy === 'soundfont' ? CROSS_FONT_DATASET_NAME : DEFAULT_DATASET_NAME;
    const usable = () => {
      const found = datasets.find(name);
      return found && fs.existsSync(found.root) ? found : undefined;
    };
    const ready = usable();
    if (ready) return ready;
    const dir = path.join(path.dirname(paths.defaultDataset), name);
    ensureDir(paths.datasets, 'The data sets folder');
    // Several processes may start on a fresh home at once (the app and two `timbre train`): one
    // renders, into a temporary folder renamed into place, while the others wait for it.
    const what = 'rendering the default data set';
    const onWait = (who: string) => emit({ type: 'log', message: `Waiting for ${who}, which is ${what}.` });
    return withFileLock(`${dir}.lock`, { what, onWait }, async () => {
      const done = usable();
      if (done) return done;
      if (!SPLITS.every((s) => fs.existsSync(path.join(dir, `nsynth-${s}`, 'examples.json')))) {
        emit({ type: 'log', message: `Rendering the ${name} data set into ${dir} (once).` });
        // Under the lock, any other temporary render is a dead process's.
        for (const entry of fs.readdirSync(paths.datasets)) {
          if (entry.startsWith(`${path.basename(dir)}.tmp-`))
            fs.rmSync(path.join(paths.datasets, entry), { recursive: true, force: true });
        }
        const tmp = `${dir}.tmp-${process.pid}`;
        await this.render({ out: tmp, preset: this.defaultPreset, splitBy });
        // A render an earlier version left half done in place.
        if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
      }
      return this.import(dir, name);
    });
  }

  private uniqueName(base: string): string {
    let name = base || 'dataset';
    for (let i = 2; this.home.datasets.find(name); i++) name = `${base}-${i}`;
    return name;
  }
}
