import { unpackRuns, type PackedRuns } from '../../../src-main/shared/run-list';
import type { RunSummary } from '../../../src-main/shared/training';
import { ApiList } from './api-list.svelte';
import { api } from './client';
import { listFilter, PREVIEW } from './early';
import { afterPaintIdle } from './paint';

export { messageOf } from './api-list.svelte';

/** Every run, or one sweep's, as the runs table shows them. */
class RunsStore extends ApiList<RunSummary> {
  /** The sweep whose runs this lists, or null for every run. */
  constructor(readonly sweep: number | null = null) {
    super();
  }

  /**
   * The newest runs, shown while the whole list is still on its way on a first load (null after
   * it, or when the whole list came first): a table of 10,000 runs has its first screen in a few
   * milliseconds, and parses the rest after that screen is painted.
   */
  preview = $state.raw<RunSummary[] | null>(null);
  /** How many runs the whole list holds, as the preview says. */
  previewTotal = $state(0);

  protected fetchList = async () => {
    let packed = await api.listRuns(listFilter(this.sweep));
    // Let the browser paint the preview before 10,000 runs are parsed, and let whatever the user
    // opens next from it (a run, a comparison) start first.
    if (this.preview) {
      await afterPaintIdle();
      if (this.users === 0) {
        // The user left the first screen for another view: parsing 10,000 runs now (~100-300 ms)
        // would hold that view up. Parse nothing until the list is watched again, and ask again
        // then, since runs may have changed meanwhile.
        await new Promise<void>((resolve) => (this.parked = resolve));
        packed = await api.listRuns(listFilter(this.sweep));
      }
    }
    return unpackRuns(packed);
  };
  /** Resumes a load that waits for someone to watch the list again (see fetchList). */
  private parked: (() => void) | undefined;

  private async fetchPreview(): Promise<void> {
    let packed: PackedRuns;
    try {
      packed = await api.listRuns(listFilter(this.sweep, PREVIEW));
    } catch {
      return; // The whole list's load says what went wrong.
    }
    if (this.loaded) return;
    this.preview = unpackRuns(packed);
    this.previewTotal = packed.total;
  }
  private timer: ReturnType<typeof setTimeout> | undefined;
  private due = 0;
  private pending = false;
  private users = 0;
  private stop: (() => void) | undefined;

  /** Loads the list now; a call while one is in flight loads once more after it. */
  async load(): Promise<void> {
    if (this.loading) {
      this.pending = true;
      return;
    }
    if (!this.loaded) void this.fetchPreview();
    await this.fetchOnce();
    // Shown once the list is (Runs.svelte): dropped now, so that a reload waits for no paint.
    if (this.loaded) this.preview = null;
    if (this.pending) {
      this.pending = false;
      await this.load();
    }
  }

  /**
   * Reloads within `ms`. Calls meanwhile never push a reload later, only sooner: a run that
   * finishes an epoch every 200 ms still refreshes the table every `ms`.
   */
  refreshSoon(ms = 400): void {
    const due = Date.now() + ms;
    if (this.timer !== undefined && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.load();
    }, ms);
  }

  /** Drops runs that were deleted, without waiting for a reload. */
  forget(ids: readonly number[]): void {
    const gone = new Set(ids);
    this.list = this.list.filter((r) => !gone.has(r.id));
  }

  /** Keeps the list live while someone looks at it; returns the function that stops. */
  watch(): () => void {
    if (this.users++ === 0) {
      if (this.parked) {
        this.parked();
        this.parked = undefined;
      } else void this.load();
      // The whole list is a few MB with 10,000 runs: reload soon when the queue changes, at
      // most every 2 s while epochs come in.
      this.stop = api.subscribe((event) => {
        if (event.type === 'queue' || (event.type === 'connection' && event.state === 'restored')) {
          this.refreshSoon(150);
        } else if (event.type !== 'run') return;
        else if (['ended', 'ready', 'changed'].includes(event.event.type)) this.refreshSoon(150);
        else if (event.event.type === 'epoch') this.refreshSoon(2000);
      });
    }
    return () => {
      if (--this.users === 0) {
        this.stop?.();
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }
}

export const runs = new RunsStore();

// The runs table filtered to a sweep asks for that sweep's runs only: 500 rows load in a blink
// where all 10,000 would not. The last few sweeps' lists are kept, to come back to at once.
const KEPT_SWEEPS = 4;
const ofSweeps = new Map<number, RunsStore>();

/** One sweep's runs, as the runs table shows them when filtered to it. */
export function runsOfSweep(id: number): RunsStore {
  let store = ofSweeps.get(id);
  if (store) ofSweeps.delete(id);
  else store = new RunsStore(id);
  ofSweeps.set(id, store);
  for (const old of ofSweeps.keys()) if (ofSweeps.size > KEPT_SWEEPS) ofSweeps.delete(old);
  return store;
}
