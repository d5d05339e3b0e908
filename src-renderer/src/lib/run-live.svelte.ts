// One run as it lives: its record, plus what its events say while it is queued or training.
import type { QueueState, RunEventPayload } from '../../../src-main/shared/contract';
import {
  isActive,
  type EpochMetrics,
  type RunDetail,
  type RunStatus,
} from '../../../src-main/shared/training';
import { pct } from '../../../src-main/shared/format';
import { api, ApiError } from './client';

/** Where training is inside an epoch (the last batch event), with smoothed speed and time left. */
export type BatchProgress = Omit<Extract<RunEventPayload, { type: 'batch' }>, 'type'> & {
  /** Seconds until the last epoch ends (before the test evaluation), smoothed; null until known. */
  eta: number | null;
  /** Batch reports so far; the first ones include warm-up, so no ETA is shown before a few. */
  reports: number;
};

// Events can stop arriving (the run trains in another process, e.g. `timbre train`, or the
// socket dropped): then the record is polled while the run is queued or training.
const POLL_MS = 3000;
const SMOOTH = 0.25;

/** Merges epochs by number: later ones replace earlier ones of the same epoch (a resumed run). */
function mergeEpochs<T extends { epoch: number }>(a: T[], b: T[]): T[] {
  if (b.length === 0) return a;
  const lastA = a[a.length - 1];
  if (lastA && b.every((x) => x.epoch > lastA.epoch)) return [...a, ...b];
  const byEpoch = new Map(a.map((x) => [x.epoch, x]));
  for (const x of b) byEpoch.set(x.epoch, x);
  return [...byEpoch.values()].sort((x, y) => x.epoch - y.epoch);
}

/** Follows one run: fetch its record, then apply its live events. Call `open(id)`, and `close()` when done. */
export class RunLive {
  run = $state.raw<RunDetail | null>(null);
  loading = $state(true);
  /** Why the run could not be loaded ("No run 42…"). */
  loadError = $state<string | null>(null);
  status = $state<RunStatus | null>(null);
  error = $state<string | null>(null);
  history = $state.raw<EpochMetrics[]>([]);
  confusions = $state.raw<{ epoch: number; matrix: number[][] }[]>([]);
  progress = $state.raw<BatchProgress | null>(null);
  features = $state.raw<{ done: number; total: number } | null>(null);
  queue = $state.raw<QueueState | null>(null);
  log = $state.raw<string[]>([]);

  /** 1-based place among the waiting runs, when queued. */
  place = $derived(this.queue && this.run ? this.queue.queued.indexOf(this.run.id) + 1 : 0);
  /** Runs that train before this one (the active one and those queued ahead). */
  ahead = $derived(this.place > 0 ? this.place - 1 + (this.queue?.active !== null ? 1 : 0) : 0);
  live = $derived(this.status !== null && isActive(this.status));

  #id = 0;
  #unsubscribe: (() => void) | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastEvent = 0;
  #asked = 0;
  #applied = 0;

  open(id: number): void {
    this.close();
    this.#id = id;
    this.run = null;
    this.loading = true;
    this.loadError = null;
    this.history = [];
    this.confusions = [];
    this.progress = null;
    this.features = null;
    this.log = [];
    // Subscribe before fetching, so nothing between the fetch and the first event is lost.
    this.#unsubscribe = api.subscribe((e) => {
      if (e.type === 'queue') this.queue = e.state;
      else if (e.type === 'run' && e.runId === this.#id) this.#onEvent(e.event);
      else if (e.type === 'connection' && e.state === 'restored') {
        // Epochs may have ended while the event stream was down.
        void this.refresh();
        api.queueState().then(
          (q) => id === this.#id && (this.queue = q),
          () => {},
        );
      }
    });
    void this.refresh();
    api.queueState().then(
      (q) => id === this.#id && (this.queue = q),
      () => {},
    );
    this.#timer = setInterval(() => {
      if (this.live && Date.now() - this.#lastEvent > POLL_MS) void this.refresh();
    }, POLL_MS);
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#id = 0;
  }

  /** Fetches the record again, keeping epochs that events brought in meanwhile. */
  async refresh(): Promise<void> {
    const id = this.#id;
    const seq = ++this.#asked;
    try {
      const run = await api.getRun(id);
      // A slower, older answer must not undo a newer one.
      if (id !== this.#id || seq < this.#applied) return;
      this.#applied = seq;
      this.setRun(run);
    } catch (e) {
      if (id !== this.#id) return;
      // The app's message for a missing run points at the CLI; the window says it plainly.
      if (!this.run)
        this.loadError =
          e instanceof ApiError && e.kind === 'NotFoundError'
            ? `No run ${id}.`
            : e instanceof Error
              ? e.message
              : String(e);
    } finally {
      if (id === this.#id) this.loading = false;
    }
  }

  /** Takes a record (fetched, or returned by an edit). */
  setRun(run: RunDetail): void {
    this.run = run;
    this.status = run.status;
    this.error = run.error;
    this.history = mergeEpochs(
      run.history,
      this.history.filter((h) => h.epoch > run.epochsDone),
    );
    this.confusions = mergeEpochs(
      run.confusions,
      this.confusions.filter((c) => c.epoch > run.epochsDone),
    );
    if (!this.live) this.progress = null;
  }

  #onEvent(e: RunEventPayload): void {
    this.#lastEvent = Date.now();
    switch (e.type) {
      case 'features':
        this.features = { done: e.done, total: e.total };
        if (this.status === 'queued') this.status = 'preparing';
        break;
      case 'ready':
        // The record now has its start time and backend.
        this.status = 'running';
        this.features = null;
        void this.refresh();
        break;
      case 'batch':
        this.status = 'running';
        this.#onBatch(e);
        break;
      case 'epoch':
        this.history = mergeEpochs(this.history, [e.metrics]);
        // A measured epoch beats the smoothed guess: restart the ETA from what epochs take.
        if (this.progress) {
          const recent = this.history.slice(-3);
          const perEpoch = recent.reduce((sum, h) => sum + h.seconds, 0) / recent.length;
          const eta = ((this.run?.epochs ?? e.metrics.epoch) - e.metrics.epoch) * perEpoch;
          this.progress = { ...this.progress, eta };
        }
        if (e.confusion)
          this.confusions = mergeEpochs(this.confusions, [{ epoch: e.metrics.epoch, matrix: e.confusion }]);
        break;
      case 'evaluation':
        this.log = [
          ...this.log.slice(-49),
          `Evaluated ${e.weights} weights on ${e.split}: ${pct(e.accuracy)}`,
        ];
        break;
      case 'log':
        this.log = [...this.log.slice(-49), e.message];
        break;
      case 'ended':
        this.status = e.status;
        this.error = e.error;
        this.progress = null;
        void this.refresh();
        break;
    }
  }

  #onBatch(e: Extract<RunEventPayload, { type: 'batch' }>): void {
    const prev = this.progress;
    const sps = prev
      ? prev.samplesPerSecond * (1 - SMOOTH) + e.samplesPerSecond * SMOOTH
      : e.samplesPerSecond;
    const batchSize = this.run?.config.batch ?? 32;
    const epochs = this.run?.epochs ?? e.epoch;
    // Whole epochs take what the recent ones took (validation included); the current one, what is left at this speed.
    const recent = this.history.slice(-3);
    const perEpoch = recent.length
      ? recent.reduce((s, h) => s + h.seconds, 0) / recent.length
      : (e.batches * batchSize) / Math.max(sps, 1e-9);
    const left = ((e.batches - e.batch) * batchSize) / Math.max(sps, 1e-9) + (epochs - e.epoch) * perEpoch;
    const eta = prev?.eta != null ? prev.eta * (1 - SMOOTH) + left * SMOOTH : left;
    const reports = (prev?.reports ?? 0) + 1;
    this.progress = { ...e, samplesPerSecond: sps, eta: Number.isFinite(eta) ? eta : null, reports };
  }
}
