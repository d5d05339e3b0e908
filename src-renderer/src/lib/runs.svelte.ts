import type { RunSummary } from '../../../src-main/shared/training';
import { api } from './client';

/** A readable sentence from whatever a call threw. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Every run, as the runs table shows it. The list is replaced, never mutated ($state.raw), so a
 * table of 10,000 runs costs one signal, not 10,000 proxies.
 */
class RunsStore {
  list = $state.raw<RunSummary[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
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
    this.loading = true;
    try {
      this.list = await api.listRuns();
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.loading = false;
    }
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
