import type { ActiveStatus } from '../../shared/training';
import type { Db } from './database';
import { now } from './run-rows';
import { pidAlive } from '../pid';

/** A run of the queue as its snapshot lists it, in the queue's order. */
export interface QueueEntry {
  runId: number;
  status: ActiveStatus;
  ownerPid: number | null;
  cancelRequested: boolean;
}

/** What `cancel` did: cancelled a waiting run, asked the queue's runner to stop a training one, or nothing. */
export type QueueCancel = 'cancelled' | 'requested' | 'not-queued';

/** The statements QueueRepo runs on the `queue` and `queue_state` tables, prepared once for a connection. */
function queueStatements(db: Db) {
  return {
    append: db.prepare<[number]>(
      `INSERT INTO queue (run_id, position) VALUES (?, (SELECT IFNULL(MAX(position), 0) + 1 FROM queue))
       ON CONFLICT (run_id) DO NOTHING`,
    ),
    // Many at the end, in the order given (a sweep's hundreds of runs): one statement.
    appendAll: db.prepare<[string]>(
      `INSERT INTO queue (run_id, position)
       SELECT value, (SELECT IFNULL(MAX(position), 0) FROM queue) + key + 1 FROM json_each(?) WHERE true
       ON CONFLICT (run_id) DO NOTHING`,
    ),
    prepend: db.prepare<[number]>(
      `INSERT INTO queue (run_id, position) VALUES (?, (SELECT IFNULL(MIN(position), 1) - 1 FROM queue))
       ON CONFLICT (run_id) DO UPDATE SET position = excluded.position, cancel_requested = 0`,
    ),
    list: db.prepare<[], number>('SELECT run_id FROM queue ORDER BY position, run_id').pluck(true),
    contains: db.prepare<[number], number>('SELECT 1 FROM queue WHERE run_id = ?').pluck(true),
    snapshot: db
      .prepare<[], [number, ActiveStatus, number | null, number]>(
        `SELECT q.run_id, r.status, r.owner_pid, q.cancel_requested FROM queue q JOIN runs r ON r.id = q.run_id
         WHERE r.status IN ('queued', 'preparing', 'running') ORDER BY q.position, q.run_id`,
      )
      .raw(true),
    position: db.prepare<[number, number]>('UPDATE queue SET position = ? WHERE run_id = ?'),
    remove: db.prepare<[number]>('DELETE FROM queue WHERE run_id = ?'),
    // The first queued run whose sweep (if any) is neither paused nor cancelled.
    next: db
      .prepare<[], number>(
        `SELECT q.run_id FROM queue q JOIN runs r ON r.id = q.run_id
         WHERE r.status = 'queued'
           AND (r.sweep_id IS NULL OR (SELECT status FROM sweeps s WHERE s.id = r.sweep_id) = 'active')
         ORDER BY q.position, q.run_id LIMIT 1`,
      )
      .pluck(true),
    claim: db.prepare<[number, number]>(
      `UPDATE runs SET status = 'preparing', owner_pid = ?, error = NULL, finished_at = NULL
       WHERE id = ? AND status = 'queued'`,
    ),
    status: db.prepare<[number], string>('SELECT status FROM runs WHERE id = ?').pluck(true),
    cancelWaiting: db.prepare<[string, number]>(
      `UPDATE runs SET status = 'cancelled', finished_at = ?, owner_pid = NULL WHERE id = ? AND status = 'queued'`,
    ),
    requestCancel: db.prepare<[number]>('UPDATE queue SET cancel_requested = 1 WHERE run_id = ?'),
    cancelRequests: db
      .prepare<[], number>(
        `SELECT q.run_id FROM queue q JOIN runs r ON r.id = q.run_id
         WHERE q.cancel_requested = 1 AND r.status IN ('preparing', 'running')`,
      )
      .pluck(true),
    requeue: db.prepare<[number]>(
      `UPDATE runs SET status = 'queued', owner_pid = NULL
       WHERE id = ? AND status IN ('preparing', 'running') AND id IN (SELECT run_id FROM queue)`,
    ),
    claimed: db.prepare<[], { id: number; owner_pid: number | null }>(
      `SELECT r.id, r.owner_pid FROM runs r JOIN queue q ON q.run_id = r.id
       WHERE r.status IN ('preparing', 'running') ORDER BY r.id`,
    ),
    paused: db.prepare<[], number>('SELECT paused FROM queue_state WHERE id = 1').pluck(true),
    setPaused: db.prepare<[number]>('UPDATE queue_state SET paused = ? WHERE id = 1'),
    runsAtOnce: db.prepare<[], number>('SELECT runs_at_once FROM queue_state WHERE id = 1').pluck(true),
    setRunsAtOnce: db.prepare<[number]>('UPDATE queue_state SET runs_at_once = ? WHERE id = 1'),
  };
}

/**
 * The lasting queue in SQLite: its order, the paused flag and how many runs train at once; it
 * outlives the process. A run stays in it from the moment it is queued until it ends (its status
 * says whether it waits, prepares or trains); `claimNext` hands the first waiting one to the
 * process that runs the queue. Each change is one IMMEDIATE transaction; every statement is
 * prepared once, when the repository is made.
 */
export class QueueRepo {
  private readonly sql: ReturnType<typeof queueStatements>;

  constructor(private readonly db: Db) {
    this.sql = queueStatements(db);
  }

  /** Adds a run at the end of the queue (or at its front); a run already in it keeps its place unless put first. */
  enqueue(runId: number, options: { first?: boolean } = {}): void {
    const statement = options.first ? this.sql.prepend : this.sql.append;
    this.db.transaction(() => statement.run(runId)).immediate();
  }

  /** Puts runs at the end of the queue, in the order given (those already in it stay where they are). */
  enqueueAll(runIds: readonly number[]): void {
    if (runIds.length) this.db.transaction(() => this.sql.appendAll.run(JSON.stringify(runIds))).immediate();
  }

  /** The ids of the runs in the queue, first to train first. */
  list(): number[] {
    return this.sql.list.all();
  }

  /** Whether a run is in the queue (waiting, preparing or training for it). */
  contains(runId: number): boolean {
    return this.sql.contains.get(runId) === 1;
  }

  /** The queue's runs that have not ended, in order, with their status and owner. */
  snapshot(): QueueEntry[] {
    return this.sql.snapshot.all().map(([runId, status, ownerPid, cancel]) => ({
      runId,
      status,
      ownerPid,
      cancelRequested: cancel === 1,
    }));
  }

  /** Moves a waiting run to the front of the line; false when it is not waiting in the queue. */
  moveToTop(runId: number): boolean {
    return this.move(runId, 0);
  }

  /**
   * Moves a waiting run to `index` among the waiting runs (0: first; beyond the end: last), the
   * others keeping their order; false when it is not waiting in the queue. Runs preparing or
   * training keep their places: they are no longer in line.
   */
  move(runId: number, index: number): boolean {
    return this.db
      .transaction(() => {
        const order = this.sql.list.all();
        const waiting = this.snapshot()
          .filter((e) => e.status === 'queued')
          .map((e) => e.runId);
        const at = waiting.indexOf(runId);
        if (at < 0) return false;
        waiting.splice(at, 1);
        waiting.splice(Math.max(0, Math.min(Math.trunc(index), waiting.length)), 0, runId);
        // The waiting runs take the places waiting runs had, in their new order; the others stay.
        const line = new Set(waiting);
        let next = 0;
        const moved = order.map((id) => (line.has(id) ? waiting[next++]! : id));
        // Positions 1..n again: the order lives only in SQLite, and nothing else reads the numbers.
        moved.forEach((id, i) => this.sql.position.run(i + 1, id));
        return true;
      })
      .immediate();
  }

  /** Takes a run out of the queue; false when it was not in it. */
  remove(runId: number): boolean {
    return this.db.transaction(() => this.sql.remove.run(runId).changes > 0).immediate();
  }

  /** The first run of the queue whose status is still queued (its sweep not paused), or undefined. */
  next(): number | undefined {
    return this.sql.next.get();
  }

  /**
   * Hands the first waiting run to process `pid`, atomically: it becomes 'preparing' with `pid` as
   * its owner. Of several processes claiming at once, each gets a different run, or none.
   */
  claimNext(pid: number = process.pid): number | undefined {
    return this.db
      .transaction(() => {
        const id = this.sql.next.get();
        if (id === undefined) return undefined;
        this.sql.claim.run(pid, id);
        return id;
      })
      .immediate();
  }

  /**
   * Cancels a run of the queue: a waiting one at once (it leaves the queue), a preparing or
   * training one by a request the process running the queue carries out (`cancelRequests`).
   */
  cancel(runId: number): QueueCancel {
    return this.db
      .transaction((): QueueCancel => {
        if (!this.contains(runId)) return 'not-queued';
        if (this.sql.cancelWaiting.run(now(), runId).changes === 1) {
          this.sql.remove.run(runId);
          return 'cancelled';
        }
        const status = this.sql.status.get(runId);
        if (status !== 'preparing' && status !== 'running') return 'not-queued';
        this.sql.requestCancel.run(runId);
        return 'requested';
      })
      .immediate();
  }

  /** Runs preparing or training whose cancellation was asked for by another process. */
  cancelRequests(): number[] {
    return this.sql.cancelRequests.all();
  }

  /** Puts a preparing or training run of the queue back to waiting, in its place (its epochs stay). */
  requeue(runId: number): boolean {
    return this.db.transaction(() => this.sql.requeue.run(runId).changes === 1).immediate();
  }

  /**
   * Puts back to waiting every run of the queue whose process is gone (a crash, kill -9, power
   * loss): it resumes from its last committed epoch. Read and written under one write lock.
   */
  requeueOrphans(isAlive: (pid: number) => boolean = pidAlive): number[] {
    return this.db
      .transaction(() => {
        const dead = this.sql.claimed
          .all()
          .filter((r) => r.owner_pid === null || !isAlive(r.owner_pid))
          .map((r) => r.id);
        for (const id of dead) this.sql.requeue.run(id);
        return dead;
      })
      .immediate();
  }

  /** Whether the whole queue is paused (no run starts until it is resumed). */
  paused(): boolean {
    return this.sql.paused.get() === 1;
  }

  /** Pauses or resumes the whole queue; the flag outlives the process. */
  setPaused(paused: boolean): void {
    this.db.transaction(() => this.sql.setPaused.run(paused ? 1 : 0)).immediate();
  }

  /** How many runs of the queue train at once. */
  runsAtOnce(): number {
    return this.sql.runsAtOnce.get() ?? 1;
  }

  /** Sets how many runs train at once (1 to 64; the caller checks). */
  setRunsAtOnce(n: number): void {
    this.db.transaction(() => this.sql.setRunsAtOnce.run(n)).immediate();
  }
}
