import type { Db } from './database';
import { now } from './run-rows';

/** Which of a run's saved models a folder holds. */
export type ModelKind = 'best' | 'last' | 'checkpoint';

/** The model folders runs saved, as the database points at them. */
export class ModelRepo {
  private readonly saveStatement;
  private readonly forgetStatement;
  private readonly dirsOf;
  private readonly ofRun;
  private readonly unfinished;

  constructor(db: Db) {
    this.saveStatement = db.prepare(
      'INSERT OR REPLACE INTO models (run_id, kind, epoch, dir, saved_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.forgetStatement = db.prepare('DELETE FROM models WHERE run_id = ? AND kind = ?');
    this.dirsOf = db.prepare<[number], { dir: string }>('SELECT dir FROM models WHERE run_id = ?');
    this.ofRun = db.prepare<[number], { kind: ModelKind; epoch: number; dir: string }>(
      'SELECT kind, epoch, dir FROM models WHERE run_id = ? ORDER BY kind',
    );
    this.unfinished = db.prepare<[], { id: number; dir: string | null }>(
      "SELECT r.id, m.dir FROM runs r LEFT JOIN models m ON m.run_id = r.id WHERE r.status <> 'finished'",
    );
  }

  /** Records a saved model folder of a run (replacing the earlier one of its kind). */
  save(runId: number, kind: ModelKind, epoch: number, dir: string): void {
    this.saveStatement.run(runId, kind, epoch, dir, now());
  }

  /** Forgets a saved model of a run (its folder was removed). */
  forget(runId: number, kind: ModelKind): void {
    this.forgetStatement.run(runId, kind);
  }

  /** The folders a run's models are saved in. */
  dirs(runId: number): string[] {
    return this.dirsOf.all(runId).map((r) => r.dir);
  }

  /** A run's saved models, by kind. */
  list(runId: number): { kind: ModelKind; epoch: number; dir: string }[] {
    return this.ofRun.all(runId);
  }

  /** Every run not finished, with the folders its models are saved in, in one query. */
  ofUnfinished(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of this.unfinished.all()) {
      const dirs = out.get(r.id) ?? [];
      if (r.dir !== null) dirs.push(r.dir);
      out.set(r.id, dirs);
    }
    return out;
  }
}
