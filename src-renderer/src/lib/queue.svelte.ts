import type { AppInfo, QueueState, RunEventPayload } from '../../../src-main/shared/contract';
import { api } from './client';
import { messageOf } from './runs.svelte';

/** What the run training now is doing, from its live events. */
export interface LiveRun {
  runId: number;
  name: string;
  phase: 'starting' | 'features' | 'training' | 'evaluating';
  epoch: number;
  epochs: number | null;
  batch: number;
  batches: number;
  featuresDone: number;
  featuresTotal: number;
  samplesPerSecond: number | null;
  /** Seconds left, smoothed; null until there is something to extrapolate from. */
  eta: number | null;
}

const SMOOTH = 0.3;
const ema = (prev: number | null, next: number) => (prev === null ? next : prev + SMOOTH * (next - prev));

/** The training queue, the live progress of the active run, and facts about the app. */
class QueueStore {
  state = $state.raw<QueueState>({ active: null, queued: [] });
  info = $state.raw<AppInfo | null>(null);
  /** The backend in use: the live 'ready' event's, else the one the last run used. */
  backend = $state<string | null>(null);
  backendVersion = $state<string | null>(null);
  live = $state.raw<LiveRun | null>(null);
  error = $state<string | null>(null);
  /** False while the window's event stream is down: what it shows may be out of date. */
  connected = $state(true);
  private epochStart = 0;
  private epochSeconds: number | null = null;
  private started = false;
  /** Runs that have ended: the 'queue' event sent with 'ended' may still name one as active. */
  private ended = new Set<number>();
  private resync: ReturnType<typeof setTimeout> | undefined;

  /** Loads the queue and app facts and follows events for the app's lifetime. */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.subscribe((event) => {
      if (event.type === 'queue') this.setState(event.state);
      else if (event.type === 'run') this.onRun(event.runId, event.event);
      else if (event.type === 'connection') {
        this.connected = event.state === 'restored';
        // Events were missed while the stream was down.
        if (this.connected) void this.refresh();
      }
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const [info, state] = await Promise.all([api.appInfo(), api.queueState()]);
      this.info = info;
      this.backend ??= info.backend;
      // Asked after the queue moved on: what it says now is the truth (a run may be resumed).
      this.ended.clear();
      this.setState(state);
      this.error = null;
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private setState(state: QueueState): void {
    const active = state.active !== null && this.ended.has(state.active) ? null : state.active;
    this.state = { active, queued: state.queued.filter((id) => !this.ended.has(id)) };
    if (active === null) {
      this.live = null;
    } else if (this.live?.runId !== active) {
      this.begin(active);
    }
  }

  private begin(runId: number): void {
    this.epochStart = performance.now();
    this.epochSeconds = null;
    this.live = {
      runId,
      name: `run ${runId}`,
      phase: 'starting',
      epoch: 0,
      epochs: null,
      batch: 0,
      batches: 0,
      featuresDone: 0,
      featuresTotal: 0,
      samplesPerSecond: null,
      eta: null,
    };
    // The name and the number of epochs are in the run's record.
    api
      .getRun(runId)
      .then((run) => {
        if (this.live?.runId === runId) {
          this.live = {
            ...this.live,
            name: run.name,
            epochs: run.config.epochs,
            epoch: Math.max(this.live.epoch, run.epochsDone),
          };
        }
      })
      .catch(() => {});
  }

  private onRun(runId: number, e: RunEventPayload): void {
    if (e.type === 'ready') {
      this.backend = e.backend;
      this.backendVersion = e.version;
    }
    if (e.type === 'ended') {
      this.ended.add(runId);
      if (this.live?.runId === runId) this.live = null;
      this.setState(this.state);
      // The next run starts right after; ask what the queue is doing then.
      clearTimeout(this.resync);
      this.resync = setTimeout(() => void this.refresh(), 400);
      return;
    }
    // A resumed run trains again.
    if (e.type === 'ready') this.ended.delete(runId);
    if (!this.live || this.live.runId !== runId) {
      if (this.state.active !== runId && e.type !== 'ready') return;
      this.begin(runId);
    }
    const live = this.live!;
    const now = performance.now();
    switch (e.type) {
      case 'ready':
        this.epochStart = now;
        this.live = { ...live, phase: 'training' };
        break;
      case 'features':
        this.live = { ...live, phase: 'features', featuresDone: e.done, featuresTotal: e.total };
        break;
      case 'batch': {
        const fraction = e.batches ? e.batch / e.batches : 0;
        const elapsed = (now - this.epochStart) / 1000;
        const perEpoch = this.epochSeconds ?? (fraction > 0 ? elapsed / fraction : null);
        const left =
          perEpoch === null || live.epochs === null
            ? null
            : Math.max(0, perEpoch - elapsed) + Math.max(0, live.epochs - e.epoch) * perEpoch;
        this.live = {
          ...live,
          phase: 'training',
          epoch: e.epoch,
          batch: e.batch,
          batches: e.batches,
          samplesPerSecond: ema(live.samplesPerSecond, e.samplesPerSecond),
          eta: left === null ? null : ema(live.eta, left),
        };
        break;
      }
      case 'epoch':
        this.epochSeconds = ema(this.epochSeconds, e.metrics.seconds + e.dbSeconds);
        this.epochStart = now;
        this.live = {
          ...live,
          epoch: e.metrics.epoch,
          batch: live.batches,
          eta: live.epochs === null ? null : Math.max(0, live.epochs - e.metrics.epoch) * this.epochSeconds,
        };
        break;
      case 'evaluation':
        this.live = { ...live, phase: 'evaluating', eta: null };
        break;
    }
  }
}

export const queue = new QueueStore();
