import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { QueueRunner, QueueState } from '../../shared/contract';
import type { LeaseRepo } from '../store/lease';
import type { QueueRepo } from '../store/queue';
import type { Runner, RunJob } from './runner';

/** What the driver asks of whoever trains the runs it claims: a Runner, or cluster mode's hub. */
export type TrainsRuns = Pick<Runner, 'size' | 'train' | 'cancel' | 'activeIds' | 'statusOf'>;

/** How a process relates to the lasting queue of its TIMBRE_HOME. */
export interface QueueDriverOptions {
  /** 'run': take the queue's lease when free and train its runs; 'watch': only show the queue. */
  mode: 'run' | 'watch';
  /** How long the lease lasts without a heartbeat, in ms (default 30 s). */
  leaseTtlMs?: number;
  /** How often the queue is looked at (claims, cancel requests, changes by other processes), in ms (default 1 s). */
  tickMs?: number;
}

/**
 * Runs the lasting queue (SQLite) for this process: holds the lease while it can (a heartbeat
 * every sixth of its time-to-live), puts back the runs of a holder that died, claims waiting runs
 * while fewer than the queue's "runs at once" train here, and carries out cancel requests made by
 * other processes. Whatever the mode, it publishes the queue's state whenever it changes, also
 * when another process changed it.
 */
export class QueueDriver {
  private readonly holder = `${os.hostname()}:${process.pid}:${randomUUID()}`;
  private readonly ttl: number;
  private holding = false;
  private everHeld = false;
  private carriedOver = 0;
  private lastBeat = 0;
  private published = '';
  private timer?: ReturnType<typeof setInterval>;
  private closed = false;
  private failing = false;
  private nudged = false;

  constructor(
    private readonly store: {
      queue: QueueRepo;
      lease: LeaseRepo;
      /** Runs a write now if no other connection holds the write lock, else returns undefined. */
      withoutWaiting: <T>(write: () => T) => T | undefined;
    },
    private readonly runner: TrainsRuns,
    /** The job of a run just claimed, or null when it cannot train (the callee ended it, saying why). */
    private readonly jobOf: (runId: number) => RunJob | null,
    private readonly publish: (state: QueueState) => void,
    private readonly options: QueueDriverOptions,
    /** Reports a problem of the queue itself (the database refused a write). */
    private readonly log: (message: string) => void = () => {},
  ) {
    this.ttl = options.leaseTtlMs ?? 30_000;
  }

  /** Begins: takes the lease if it can and starts waiting runs, then looks again every tick. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
  }

  /** Whether this process runs the queue now. */
  get runsQueue(): boolean {
    return this.holding;
  }

  /** Looks at the queue soon, once however often asked (a run was queued or ended, the queue resumed). */
  nudge(): void {
    if (this.nudged || this.closed) return;
    this.nudged = true;
    setImmediate(() => {
      this.nudged = false;
      this.tick();
    });
  }

  /** Looks at the queue now: the lease, cancel requests, waiting runs to start, changes to publish. */
  tick(): void {
    if (this.closed) return;
    try {
      if (this.options.mode === 'run') this.hold();
      if (this.holding) {
        for (const id of this.store.queue.cancelRequests()) this.runner.cancel(id);
        this.pump();
      }
      this.changed();
      this.failing = false;
    } catch (err) {
      // The database refused (locked for long, damaged, disk full): try again next tick, say so once.
      if (!this.failing)
        this.log(`The queue could not be run: ${err instanceof Error ? err.message : String(err)}`);
      this.failing = true;
    }
  }

  /** Publishes the queue's state if it differs from what was published last. */
  changed(): void {
    if (this.closed) return;
    const state = this.state();
    const text = JSON.stringify(state);
    if (text === this.published) return;
    this.published = text;
    this.publish(state);
  }

  /** The queue now, as this process sees it. */
  state(): QueueState {
    const entries = this.store.queue.snapshot();
    const training = entries
      .filter((e) => e.status !== 'queued')
      .map((e) => ({ runId: e.runId, status: e.status as 'preparing' | 'running' }));
    // Runs this process trains outside the queue (`timbre train`) are shown too.
    for (const runId of this.runner.activeIds())
      if (!training.some((t) => t.runId === runId))
        training.push({ runId, status: this.runner.statusOf(runId) ?? 'preparing' });
    return {
      active: training[0]?.runId ?? null,
      training,
      queued: entries.filter((e) => e.status === 'queued').map((e) => e.runId),
      paused: this.store.queue.paused(),
      runsAtOnce: this.store.queue.runsAtOnce(),
      runner: this.runner_(),
      carriedOver: this.carriedOver,
    };
  }

  /**
   * Stops looking at the queue and gives the lease up; the caller has stopped the runs training
   * here first (they went back to waiting, so the next holder takes them up).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.holding) {
      try {
        this.store.lease.release(this.holder);
      } catch {
        // It expires by itself.
      }
    }
    this.holding = false;
  }

  /**
   * Takes the lease when free, or keeps it alive. Neither waits for another process's write (an
   * import's long transaction): the next tick tries again, well within the lease's time-to-live.
   */
  private hold(): void {
    const now = Date.now();
    if (this.holding) {
      if (now - this.lastBeat < this.ttl / 6) return;
      const held = this.store.withoutWaiting(() => this.store.lease.heartbeat(this.holder));
      if (held === undefined) return;
      this.lastBeat = now;
      this.holding = held;
      if (!this.holding) this.log('Another process took over the queue; runs training here finish here.');
      return;
    }
    if (!this.store.withoutWaiting(() => this.store.lease.take(this.holder, this.ttl))) return;
    this.holding = true;
    this.lastBeat = now;
    // Runs a dead holder was preparing or training wait again, from their last committed epoch.
    this.store.queue.requeueOrphans();
    if (!this.everHeld) {
      this.everHeld = true;
      this.carriedOver = this.store.queue.snapshot().filter((e) => e.status === 'queued').length;
    }
  }

  /** Claims waiting runs while fewer than "runs at once" train here. */
  private pump(): void {
    if (this.store.queue.paused()) return;
    const limit = this.store.queue.runsAtOnce();
    while (this.runner.size < limit) {
      // A read first: the claim takes the write lock, not worth taking each second for nothing.
      if (this.store.queue.next() === undefined) return;
      const id = this.store.withoutWaiting(() => this.store.queue.claimNext());
      if (id === undefined) return;
      const job = this.jobOf(id);
      if (job) this.runner.train(job);
    }
  }

  private runner_(): QueueRunner {
    if (this.holding) return { kind: 'here' };
    const lease = this.store.lease.current();
    // An expired lease, or one whose holder is gone from this machine, runs nothing.
    if (!lease || !this.store.lease.binds(lease)) return { kind: 'nobody' };
    return {
      kind: 'elsewhere',
      pid: lease.pid,
      host: lease.host,
      since: new Date(lease.acquiredAt).toISOString(),
    };
  }
}
