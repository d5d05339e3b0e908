import type { AppInfo, QueueState, RunEventPayload } from '../../../src-main/shared/contract';
import { api } from './client';
import { notices } from './notices.svelte';
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

/** Where a run of the queue is, from its live events: the Queue view shows one line per training run. */
export interface RunProgress {
  phase: 'features' | 'training' | 'evaluating';
  epoch: number;
  batch: number;
  batches: number;
  featuresDone: number;
  featuresTotal: number;
}

/** The queue before the app has said anything: empty, nobody runs it. */
const EMPTY: QueueState = {
  active: null,
  training: [],
  queued: [],
  paused: false,
  runsAtOnce: 1,
  runner: { kind: 'nobody' },
  carriedOver: 0,
};

/** Where a tab remembers that it told about runs an earlier session left. */
const TOLD_KEY = 'timbre.toldCarriedOver';

const SMOOTH = 0.3;
const ema = (prev: number | null, next: number) => (prev === null ? next : prev + SMOOTH * (next - prev));

/** The training queue, the live progress of the active run, and facts about the app. */
class QueueStore {
  state = $state.raw<QueueState>(EMPTY);
  /** Whether the queue has been loaded once (before, `state` is a placeholder). */
  loaded = $state(false);
  /** Live progress of each run preparing or training, by id, from its events. */
  progress = $state.raw<Record<number, RunProgress>>({});
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
  /** Whether this window has told about runs an earlier session left (once per window). */
  private toldCarriedOver = false;

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

  /** Takes a state returned by a queue call (pause, move ...), as an event would bring it. */
  take(state: QueueState): void {
    this.setState(state);
  }

  private setState(state: QueueState): void {
    const training = state.training.filter((t) => !this.ended.has(t.runId));
    const active = training[0]?.runId ?? null;
    this.state = { ...state, active, training, queued: state.queued.filter((id) => !this.ended.has(id)) };
    this.loaded = true;
    this.tellCarriedOver(state);
    // Progress of runs that no longer train is dropped.
    const kept = Object.fromEntries(
      training.filter((t) => this.progress[t.runId]).map((t) => [t.runId, this.progress[t.runId]!]),
    );
    if (Object.keys(kept).length !== Object.keys(this.progress).length) this.progress = kept;
    if (active === null) {
      this.live = null;
    } else if (this.live?.runId !== active) {
      this.begin(active);
    }
  }

  /** The first time this window sees runs an earlier session left in the queue, it says they go on (or wait). */
  private tellCarriedOver(state: QueueState): void {
    if (this.toldCarriedOver || state.carriedOver <= 0) return;
    this.toldCarriedOver = true;
    // A reload is the same window to its user: say it once per tab.
    try {
      if (sessionStorage.getItem(TOLD_KEY)) return;
      sessionStorage.setItem(TOLD_KEY, '1');
    } catch {
      // Storage refused (a private mode): saying it again after a reload is harmless.
    }
    const n = state.carriedOver;
    const runs = `${n.toLocaleString()} run${n === 1 ? '' : 's'} queued in an earlier session`;
    notices.show(
      state.paused ? `${runs} wait: the queue is paused.` : `${runs} continue now.`,
      'info',
      12_000,
    );
  }

  /** Keeps what a training run's event says about where it is, for the Queue view. */
  private track(runId: number, e: RunEventPayload): void {
    const prev = this.progress[runId] ?? {
      phase: 'features',
      epoch: 0,
      batch: 0,
      batches: 0,
      featuresDone: 0,
      featuresTotal: 0,
    };
    let next: RunProgress;
    switch (e.type) {
      case 'features':
        next = { ...prev, phase: 'features', featuresDone: e.done, featuresTotal: e.total };
        break;
      case 'ready':
        next = { ...prev, phase: 'training' };
        break;
      case 'batch':
        next = { ...prev, phase: 'training', epoch: e.epoch, batch: e.batch, batches: e.batches };
        break;
      case 'epoch':
        next = { ...prev, phase: 'training', epoch: e.metrics.epoch, batch: prev.batches };
        break;
      case 'evaluation':
        next = { ...prev, phase: 'evaluating' };
        break;
      default:
        return;
    }
    this.progress = { ...this.progress, [runId]: next };
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
            // A run trained by another process sends no events here: its record says where it is.
            phase:
              this.live.phase === 'starting' && run.status !== 'queued'
                ? run.status === 'preparing'
                  ? 'features'
                  : 'training'
                : this.live.phase,
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
      if (this.progress[runId]) {
        const rest = { ...this.progress };
        delete rest[runId];
        this.progress = rest;
      }
      if (this.live?.runId === runId) this.live = null;
      this.setState(this.state);
      // The next run starts right after; ask what the queue is doing then.
      clearTimeout(this.resync);
      this.resync = setTimeout(() => void this.refresh(), 400);
      return;
    }
    // A resumed run trains again.
    if (e.type === 'ready') this.ended.delete(runId);
    this.track(runId, e);
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
