import type { Db } from './database';

/** The statements QueueRepo runs on the `queue` and `queue_state` tables, prepared once for a connection. */
function queueStatements(db: Db) {
  return {
    append: db.prepare<[number]>(
      `INSERT INTO queue (run_id, position) VALUES (?, (SELECT IFNULL(MAX(position), 0) + 1 FROM queue))
       ON CONFLICT (run_id) DO NOTHING`,
    ),
    list: db.prepare<[], number>('SELECT run_id FROM queue ORDER BY position, run_id').pluck(true),
    position: db.prepare<[number, number]>('UPDATE queue SET position = ? WHERE run_id = ?'),
    remove: db.prepare<[number]>('DELETE FROM queue WHERE run_id = ?'),
    next: db
      .prepare<[], number>(
        `SELECT q.run_id FROM queue q JOIN runs r ON r.id = q.run_id
         WHERE r.status = 'queued' ORDER BY q.position, q.run_id LIMIT 1`,
      )
      .pluck(true),
    paused: db.prepare<[], number>('SELECT paused FROM queue_state WHERE id = 1').pluck(true),
    setPaused: db.prepare<[number]>('UPDATE queue_state SET paused = ? WHERE id = 1'),
  };
}

/**
 * The lasting queue's order and its paused flag, in SQLite: it outlives the process. Each change
 * is one IMMEDIATE transaction; every statement is prepared once, when the repository is made.
 */
export class QueueRepo {
  private readonly sql: ReturnType<typeof queueStatements>;

  constructor(private readonly db: Db) {
    this.sql = queueStatements(db);
  }

  /** Adds a run at the end of the queue; a run already in it keeps its place. */
  enqueue(runId: number): void {
    this.db.transaction(() => this.sql.append.run(runId)).immediate();
  }

  /** The ids of the runs in the queue, first to train first. */
  list(): number[] {
    return this.sql.list.all();
  }

  /** Moves a run to the front of the queue; false when it is not in it. */
  moveToTop(runId: number): boolean {
    return this.move(runId, 0);
  }

  /**
   * Moves a run to `index` in the queue's order (0: first; beyond the end: last), the others
   * keeping theirs; false when it is not in the queue.
   */
  move(runId: number, index: number): boolean {
    return this.db
      .transaction(() => {
        const order = this.sql.list.all();
        const at = order.indexOf(runId);
        if (at < 0) return false;
        order.splice(at, 1);
        order.splice(Math.max(0, Math.min(Math.trunc(index), order.length)), 0, runId);
        // Positions 1..n again: the order lives only in SQLite, and nothing else reads the numbers.
        order.forEach((id, i) => this.sql.position.run(i + 1, id));
        return true;
      })
      .immediate();
  }

  /** Takes a run out of the queue; false when it was not in it. */
  remove(runId: number): boolean {
    return this.db.transaction(() => this.sql.remove.run(runId).changes > 0).immediate();
  }

  /** The first run of the queue whose status is still queued, or undefined. */
  next(): number | undefined {
    return this.sql.next.get();
  }

  /** Whether the whole queue is paused (no run starts until it is resumed). */
  paused(): boolean {
    return this.sql.paused.get() === 1;
  }

  /** Pauses or resumes the whole queue; the flag outlives the process. */
  setPaused(paused: boolean): void {
    this.db.transaction(() => this.sql.setPaused.run(paused ? 1 : 0)).immediate();
  }
}
