// What the runs table shows beyond listRuns (issue 13): the chooser's extra columns, fetched in one
// call when they change, and the saved views, kept in the database.
import { unpackColumns, type RunColumns, type SavedView } from '../../../src-main/shared/run-views';
import { messageOf } from './api-list.svelte';
import { api } from './client';

const NONE: RunColumns = { values: new Map(), configurations: [] };

// A run's settings (and so its configuration) never change: their columns are fetched again only
// when runs come or go, not at every reload of the list while epochs come in.
const isStatic = (key: string) => !key.startsWith('metric.') && key !== 'notes';

/** The extra columns' values of the runs listed (every run, or a sweep's). */
class ExtraColumns {
  data = $state.raw<RunColumns>(NONE);
  error = $state<string | null>(null);
  private seq = 0;
  // Which runs (sweep, count, newest id) the settings' columns in `data` are of.
  private listed = '';

  /**
   * Fetches `keys` for every run or a sweep's (`listed` names the runs listed, e.g. their count
   * and newest id); a later call wins over one in flight.
   */
  async load(keys: readonly string[], sweep: number | null, listed: string): Promise<void> {
    const n = ++this.seq;
    const runs = `${sweep}|${listed}`;
    const kept = runs === this.listed ? keys.filter((k) => isStatic(k) && this.data.values.has(k)) : [];
    const ask = keys.filter((k) => !kept.includes(k));
    if (!ask.length) {
      if (kept.length !== this.data.values.size) this.data = this.keep(kept, new Map());
      return;
    }
    try {
      const packed = await api.runColumns(ask, sweep === null ? {} : { sweep });
      if (n !== this.seq) return;
      const got = unpackColumns(packed, ask);
      this.data = this.keep(kept, got.values, ask.includes('configuration') ? got.configurations : undefined);
      this.listed = runs;
      this.error = null;
    } catch (e) {
      if (n === this.seq) this.error = messageOf(e);
    }
  }

  // The columns `kept` of the data now, with `values` fetched.
  private keep(
    kept: readonly string[],
    values: RunColumns['values'],
    configurations = this.data.configurations,
  ): RunColumns {
    for (const k of kept) values.set(k, this.data.values.get(k)!);
    return { values, configurations };
  }
}

export const extraColumns = new ExtraColumns();

/** The saved views of the runs table. */
class SavedViews {
  list = $state.raw<SavedView[]>([]);
  error = $state<string | null>(null);
  private loaded = false;

  /** Loads the list once (again with `force`). */
  async load(force = false): Promise<void> {
    if (this.loaded && !force) return;
    this.loaded = true;
    await this.run(() => api.listViews());
  }

  /** Saves a view under its name (replacing one of that name). */
  save(view: SavedView): Promise<boolean> {
    return this.run(() => api.saveView(view));
  }

  /** Deletes a view. */
  remove(name: string): Promise<boolean> {
    return this.run(() => api.deleteView(name));
  }

  private async run(call: () => Promise<SavedView[]>): Promise<boolean> {
    try {
      this.list = await call();
      this.error = null;
      return true;
    } catch (e) {
      this.error = messageOf(e);
      return false;
    }
  }
}

export const savedViews = new SavedViews();
