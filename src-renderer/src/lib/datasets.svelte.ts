import { CROSS_FONT_DATASET_NAME, DEFAULT_DATASET_NAME } from '../../../src-main/shared/constants';
import type { DatasetSplitBy } from '../../../src-main/shared/contract';
import type { DatasetSummary, Progress } from '../../../src-main/shared/types';
import { ApiList, messageOf } from './api-list.svelte';
import { api } from './client';

/** A long data set task (render, import) as the progress events report it. */
export interface TaskProgress {
  task: string;
  phase: string;
  done: number;
  total: number;
  /** Items per second, smoothed; null until two reports have arrived. */
  rate: number | null;
}

/** What the user asked for and how it went. */
export interface Job {
  label: string;
  running: boolean;
  error: string | null;
  result: string | null;
}

/** The registered data sets and the render/import the user started from this window. */
class DatasetsStore extends ApiList<DatasetSummary> {
  protected fetchList = () => api.listDatasets();
  progress = $state.raw<TaskProgress | null>(null);
  job = $state.raw<Job | null>(null);
  private last: { phase: string; done: number; at: number } | null = null;
  private started = false;
  private quiet: ReturnType<typeof setTimeout> | undefined;

  /** The data set a new run uses unless the user picks another. */
  get defaultSet(): DatasetSummary | undefined {
    return this.list.find((d) => d.name === DEFAULT_DATASET_NAME);
  }

  /** The default set's cross-SoundFont twin, once rendered. */
  get crossFontSet(): DatasetSummary | undefined {
    return this.list.find((d) => d.name === CROSS_FONT_DATASET_NAME);
  }

  /** Loads the list now. */
  load(): Promise<void> {
    return this.fetchOnce();
  }

  /** Follows progress and data set events for the app's lifetime. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.subscribe((event) => {
      if (event.type === 'datasets' || (event.type === 'connection' && event.state === 'restored')) {
        void this.load();
      } else if (event.type === 'progress' && (event.task === 'render' || event.task === 'import')) {
        this.onProgress(event.task, event.progress);
      }
    });
  }

  /** Renders the default set, or its twin split by SoundFont, (once) and registers it. */
  renderDefault(splitBy: DatasetSplitBy = 'instrument'): Promise<void> {
    const what = splitBy === 'soundfont' ? 'the default set split by SoundFont' : 'the default set';
    return this.run(`Rendering ${what}`, async () => {
      // No trailing undefined: it would cross the wire as null, which the API refuses.
      const d =
        splitBy === 'soundfont' ? await api.ensureDefaultDataset(splitBy) : await api.ensureDefaultDataset();
      return `Data set "${d.name}" is ready: ${countNotes(d).toLocaleString()} notes.`;
    });
  }

  /** Imports an NSynth json/wav folder. */
  importFolder(root: string, name?: string): Promise<void> {
    return this.run(`Importing ${root}`, async () => {
      // No trailing undefined: it would cross the wire as null, which the API refuses.
      const d = name ? await api.importDataset(root, name) : await api.importDataset(root);
      const skipped = d.skipped.length ? `, ${d.skipped.length.toLocaleString()} files skipped` : '';
      return `Imported "${d.name}": ${countNotes(d).toLocaleString()} notes${skipped}.`;
    });
  }

  private async run(label: string, work: () => Promise<string>): Promise<void> {
    this.job = { label, running: true, error: null, result: null };
    this.progress = null;
    this.last = null;
    try {
      const result = await work();
      this.job = { label, running: false, error: null, result };
    } catch (e) {
      this.job = { label, running: false, error: messageOf(e), result: null };
    } finally {
      this.progress = null;
      await this.load();
    }
  }

  private onProgress(task: string, p: Progress): void {
    const now = performance.now();
    let rate = this.progress?.phase === p.phase ? this.progress.rate : null;
    if (this.last && this.last.phase === p.phase && now > this.last.at && p.done > this.last.done) {
      const r = ((p.done - this.last.done) * 1000) / (now - this.last.at);
      rate = rate === null ? r : rate + 0.3 * (r - rate);
    }
    if (!this.last || this.last.phase !== p.phase || now - this.last.at > 250) {
      this.last = { phase: p.phase, done: p.done, at: now };
    }
    this.progress = { task, phase: p.phase, done: p.done, total: p.total, rate };
    // A render or import started elsewhere (the server on first start, another window) ends
    // with its progress going quiet: then the list has changed.
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => {
      if (this.job?.running) return;
      this.progress = null;
      void this.load();
    }, 1500);
  }
}

/** Notes over every split of a data set. */
export function countNotes(d: DatasetSummary): number {
  return Object.values(d.splits).reduce((n, s) => n + (s?.notes ?? 0), 0);
}

export const datasets = new DatasetsStore();
