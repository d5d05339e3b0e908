// The sweeps as the Sweeps page, the runs table's sweep filter and a sweep's page show them.
import type { SweepDetail, SweepSummary } from '../../../src-main/shared/sweeps';
import { ApiList, messageOf } from './api-list.svelte';
import { api, ApiError } from './client';

/** How often a shown sweeps list is reloaded without an event, in ms. */
const POLL_MS = 5000;

/** Calls `reload` soon after anything that changes a sweep's counts (the queue moved, a run ended or logged an epoch). */
function followChanges(reload: (ms: number) => void): () => void {
  return api.subscribe((event) => {
    if (event.type === 'queue' || (event.type === 'connection' && event.state === 'restored')) reload(300);
    else if (event.type !== 'run') return;
    else if (event.event.type === 'ended' || event.event.type === 'ready') reload(300);
    else if (event.event.type === 'epoch') reload(2000);
  });
}

/** A reload at most every `ms`: calls meanwhile never push it later, only sooner. */
class Debounce {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private due = 0;
  constructor(private readonly run: () => void) {}

  soon(ms: number): void {
    const due = Date.now() + ms;
    if (this.timer !== undefined && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Every sweep, newest first, kept live while a view shows them. */
class SweepsStore extends ApiList<SweepSummary> {
  protected fetchList = () => api.listSweeps();
  private users = 0;
  private stop: (() => void) | undefined;
  private debounce = new Debounce(() => void this.load());

  load(): Promise<void> {
    return this.fetchOnce();
  }

  /** Puts a sweep's new summary (returned by pause, resume ...) in the list at once. */
  put(sweep: SweepSummary): void {
    this.list = this.list.map((s) => (s.id === sweep.id ? sweep : s));
  }

  /** Keeps the list live while someone looks at it; returns the function that stops. */
  watch(): () => void {
    if (this.users++ === 0) {
      void this.load();
      const stopFollowing = followChanges((ms) => this.debounce.soon(ms));
      // A sweep paused or resumed elsewhere (another window, the CLI) changes no queue state, so
      // no event says so: look again now and then.
      const timer = setInterval(() => this.debounce.soon(0), POLL_MS);
      this.stop = () => {
        stopFollowing();
        clearInterval(timer);
      };
    }
    return () => {
      if (--this.users === 0) {
        this.stop?.();
        this.debounce.stop();
      }
    };
  }
}

export const sweeps = new SweepsStore();

/** One sweep with its runs, followed while its page is open. Call `open(id)`, and the function it returns when done. */
export class SweepLive {
  sweep = $state.raw<SweepDetail | null>(null);
  error = $state<string | null>(null);
  loading = $state(true);
  private id = 0;
  private asked = 0;

  open(id: number): () => void {
    this.id = id;
    const debounce = new Debounce(() => void this.load());
    const stop = followChanges((ms) => debounce.soon(ms));
    void this.load();
    return () => {
      stop();
      debounce.stop();
    };
  }

  async load(): Promise<void> {
    const seq = ++this.asked;
    try {
      const sweep = await api.getSweep(this.id);
      // A slower, older answer must not undo a newer one.
      if (seq !== this.asked) return;
      this.sweep = sweep;
      this.error = null;
    } catch (e) {
      // The app's message for a missing sweep points at the CLI; the window says it plainly.
      if (seq === this.asked)
        this.error =
          e instanceof ApiError && e.kind === 'NotFoundError' ? `No sweep ${this.id}.` : messageOf(e);
    } finally {
      if (seq === this.asked) this.loading = false;
    }
  }

  /** Takes the summary an action returned, keeping the runs until the next load. */
  put(summary: SweepSummary): void {
    if (this.sweep) this.sweep = { ...this.sweep, ...summary };
    void this.load();
  }
}
