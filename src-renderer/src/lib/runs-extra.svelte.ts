// What the runs table shows beyond listRuns (issue 13): the chooser's extra columns, fetched in one
// call when they change, and the saved views, kept in the database.
import { unpackColumns, type RunColumns, type SavedView } from '../../../src-main/shared/run-views';
import { messageOf } from './api-list.svelte';
import { api } from './client';

const NONE: RunColumns = { values: new Map(), configurations: [] };

/** The extra columns' values of the runs listed (every run, or a sweep's). */
class ExtraColumns {
  data = $state.raw<RunColumns>(NONE);
  /** The keys `data` holds, joined: what is loaded. */
  loadedKeys = $state('');
  error = $state<string | null>(null);
  private seq = 0;

  /** Fetches `keys` for every run or a sweep's; a later call wins over one in flight. */
  async load(keys: readonly string[], sweep: number | null): Promise<void> {
    const n = ++this.seq;
    if (!keys.length) {
      this.data = NONE;
      this.loadedKeys = '';
      return;
    }
    try {
      const packed = await api.runColumns([...keys], sweep === null ? {} : { sweep });
      if (n !== this.seq) return;
      this.data = unpackColumns(packed, keys);
      this.loadedKeys = keys.join(',');
      this.error = null;
    } catch (e) {
      if (n === this.seq) this.error = messageOf(e);
    }
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
