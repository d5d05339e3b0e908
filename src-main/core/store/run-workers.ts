import type { RunWorkerShare } from '../../shared/contract';
import type { Db } from './database';
import { now } from './run-rows';

/** One worker's share of a run: it took the run up at `fromEpoch` (cluster mode). */
export interface RunWorkerRow {
  fromEpoch: number;
  worker: string;
  host: string;
  backend: string | null;
  takenAt: string;
}

/** Which cluster worker trained which epochs of a run; statements prepared once for a connection. */
export class RunWorkerRepo {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      take: db.prepare<[number, number, string, string, string]>(
        'INSERT INTO run_workers (run_id, from_epoch, worker, host, taken_at) VALUES (?, ?, ?, ?, ?)',
      ),
      backend: db.prepare<[string, number, string]>(
        `UPDATE run_workers SET backend = ? WHERE rowid =
           (SELECT max(rowid) FROM run_workers WHERE run_id = ? AND worker = ?)`,
      ),
      of: db.prepare<
        [number],
        { from_epoch: number; worker: string; host: string; backend: string | null; taken_at: string }
      >(
        'SELECT from_epoch, worker, host, backend, taken_at FROM run_workers WHERE run_id = ? ORDER BY rowid',
      ),
    };
  }

  /** Records that `worker` on `host` took the run up, to train it from epoch `fromEpoch`. */
  take(runId: number, fromEpoch: number, worker: string, host: string): void {
    this.sql.take.run(runId, fromEpoch, worker, host, now());
  }

  /** Records the backend the run's latest taking by `worker` trains on. */
  setBackend(runId: number, worker: string, backend: string): void {
    this.sql.backend.run(backend, runId, worker);
  }

  /** The workers that took the run up, in order. */
  of(runId: number): RunWorkerRow[] {
    return this.sql.of.all(runId).map((r) => ({
      fromEpoch: r.from_epoch,
      worker: r.worker,
      host: r.host,
      backend: r.backend,
      takenAt: r.taken_at,
    }));
  }

  /**
   * The workers' shares of a run that has committed `epochsDone` epochs: each from the epoch it
   * took the run up at to the one before the next took it up (or the last committed).
   */
  shares(runId: number, epochsDone: number): RunWorkerShare[] {
    const rows = this.of(runId);
    return rows.map((r, i) => {
      const to = Math.min(i + 1 < rows.length ? rows[i + 1]!.fromEpoch - 1 : epochsDone, epochsDone);
      return {
        fromEpoch: r.fromEpoch,
        toEpoch: to >= r.fromEpoch ? to : null,
        worker: r.worker,
        host: r.host,
        backend: r.backend,
        takenAt: r.takenAt,
      };
    });
  }
}
