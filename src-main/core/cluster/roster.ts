// The hub's list of its workers (cluster mode, docs/cluster.md), kept in memory from what they
// send: claims, reports and heartbeats. A restarted hub starts it empty and has it whole again
// within a heartbeat; which worker trained which epochs lasts in the database (run_workers).
import type { ClusterWorkerInfo } from '../../shared/contract';

/** How often a worker says it is alive unless told otherwise, in ms. */
export const HEARTBEAT_MS = 5000;
/** A worker not heard for this many heartbeats (and a second) is shown silent. */
const SILENT_AFTER = 3;
/** A silent or departed worker is forgotten this long after it was last heard, in ms. */
const FORGET_MS = 10 * 60_000;
/** The most workers kept: the longest unheard go first. */
const MAX_WORKERS = 1000;

interface Seen {
  id: string;
  host: string;
  backend: string | null;
  cores: number | null;
  runsAtOnce: number | null;
  everyMs: number;
  lastSeen: number;
  left: boolean;
}

/** What a worker said about itself in a heartbeat. */
export interface WorkerFacts {
  backend?: string | null;
  cores?: number;
  runsAtOnce?: number;
  everyMs?: number;
}

/** The workers the hub has heard from lately. */
export class WorkerRoster {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `worker` on `host` spoke (a claim, a report or a heartbeat), saying `facts`. */
  heard(worker: string, host: string | null, facts: WorkerFacts = {}): void {
    const t = this.now();
    let s = this.seen.get(worker);
    if (!s) {
      this.forget(t);
      s = {
        id: worker,
        host: host ?? worker.split(':')[0]!,
        backend: null,
        cores: null,
        runsAtOnce: null,
        everyMs: HEARTBEAT_MS,
        lastSeen: t,
        left: false,
      };
      this.seen.set(worker, s);
    }
    if (host) s.host = host;
    if (facts.backend) s.backend = facts.backend;
    if (facts.cores !== undefined) s.cores = facts.cores;
    if (facts.runsAtOnce !== undefined) s.runsAtOnce = facts.runsAtOnce;
    if (facts.everyMs !== undefined) s.everyMs = facts.everyMs;
    s.lastSeen = t;
    s.left = false;
  }

  /** The worker said it stops. */
  left(worker: string): void {
    const s = this.seen.get(worker);
    if (s) {
      s.left = true;
      s.lastSeen = this.now();
    }
  }

  /** Whether the worker is heard from lately and has not left. */
  alive(worker: string): boolean {
    const s = this.seen.get(worker);
    return !!s && this.stateOf(s, this.now()) === 'alive';
  }

  /** Every worker known, alive first, then by host and id; `runs` names what each holds now. */
  list(runs: (worker: string) => { runId: number; epoch: number }[]): ClusterWorkerInfo[] {
    const t = this.now();
    this.forget(t);
    const order = { alive: 0, silent: 1, left: 2 };
    return [...this.seen.values()]
      .map((s): ClusterWorkerInfo => ({
        id: s.id,
        host: s.host,
        backend: s.backend,
        cores: s.cores,
        runsAtOnce: s.runsAtOnce,
        runs: s.left ? [] : runs(s.id),
        lastSeen: new Date(s.lastSeen).toISOString(),
        state: this.stateOf(s, t),
      }))
      .sort(
        (a, b) => order[a.state] - order[b.state] || a.host.localeCompare(b.host) || a.id.localeCompare(b.id),
      );
  }

  private stateOf(s: Seen, t: number): ClusterWorkerInfo['state'] {
    if (s.left) return 'left';
    return t - s.lastSeen <= SILENT_AFTER * s.everyMs + 1000 ? 'alive' : 'silent';
  }

  /** Drops workers unheard for FORGET_MS, and the longest unheard beyond MAX_WORKERS - 1. */
  private forget(t: number): void {
    for (const [id, s] of this.seen) if (t - s.lastSeen > FORGET_MS) this.seen.delete(id);
    if (this.seen.size < MAX_WORKERS) return;
    const oldest = [...this.seen.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    for (const s of oldest.slice(0, this.seen.size - MAX_WORKERS + 1)) this.seen.delete(s.id);
  }
}
