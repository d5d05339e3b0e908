import { unpackRuns } from '../../../src-main/shared/run-list';
import type { RunSummary } from '../../../src-main/shared/training';
import { ApiList } from './api-list.svelte';
import { api } from './client';

export { messageOf } from './api-list.svelte';

/** Every run, or one sweep's, as the runs table shows them. */
class RunsStore extends ApiList<RunSummary> {
  /** The sweep whose runs this lists, or null for every run. */
  constructor(readonly sweep: number | null = null) {
    super();
  }

  protected fetchList = async () =>
    unpackRuns(await api.listRuns(this.sweep === null ? {} : { sweep: this.sweep }));
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
    await this.fetchOnce();
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
      void this.load();
      // The whole list is a few MB with 10,000 runs: reload soon when the queue changes, at
      // most every 2 s while epochs come in.
      this.stop = api.subscribe((event) => {
        if (event.type === 'queue' || (event.type === 'connection' && event.state === 'restored')) {
          this.refreshSoon(150);
        } else if (event.type !== 'run') return;
        else if (event.event.type === 'ended' || event.event.type === 'ready') this.refreshSoon(150);
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
