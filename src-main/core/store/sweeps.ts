import type { SweepSpec, SweepStatus } from '../../shared/sweeps';
import type { RunStatus } from '../../shared/training';
import type { Db } from './database';
import { now } from './run-rows';

/** A `sweeps` row as the app reads it, its spec parsed. */
export interface SweepRow {
  id: number;
  name: string;
  spec: SweepSpec;
  status: SweepStatus;
  createdAt: string;
}

/** A sweep's runs by status, with the best so far. */
export interface SweepTally {
  counts: Partial<Record<RunStatus, number>>;
  /** Distinct configurations and seeds among its runs. */
  configurations: number;
  seeds: number;
  best: { runId: number; name: string; valAccuracy: number; testAccuracy: number | null } | null;
}

/** One of a sweep's runs: validation accuracy per epoch, for its early-stopping rule. */
export interface SweepHistory {
  id: number;
  epochs: number;
  valAccuracy: (number | null)[];
}

/** The statements SweepRepo runs, prepared once for a connection. */
function sweepStatements(db: Db) {
  return {
    insert: db.prepare<[string, string, string]>(
      "INSERT INTO sweeps (name, spec, status, created_at) VALUES (?, ?, 'active', ?)",
    ),
    row: db.prepare<
      [number],
      { id: number; name: string; spec: string; status: SweepStatus; created_at: string }
    >('SELECT id, name, spec, status, created_at FROM sweeps WHERE id = ?'),
    all: db.prepare<[], { id: number; name: string; spec: string; status: SweepStatus; created_at: string }>(
      'SELECT id, name, spec, status, created_at FROM sweeps ORDER BY id DESC',
    ),
    counts: db
      .prepare<[], [number, RunStatus, number]>(
        'SELECT sweep_id, status, COUNT(*) FROM runs WHERE sweep_id IS NOT NULL GROUP BY sweep_id, status',
      )
      .raw(true),
    shape: db
      .prepare<[], [number, number, number]>(
        `SELECT sweep_id, COUNT(DISTINCT sweep_trial), COUNT(DISTINCT sweep_replicate) FROM runs
         WHERE sweep_id IS NOT NULL GROUP BY sweep_id`,
      )
      .raw(true),
    // Ties go to the earlier run.
    best: db
      .prepare<[], [number, number, string, number, number | null]>(
        `SELECT sweep_id, id, name, best_val_accuracy, test_accuracy FROM (
           SELECT sweep_id, id, name, best_val_accuracy, test_accuracy,
             ROW_NUMBER() OVER (PARTITION BY sweep_id ORDER BY best_val_accuracy DESC, id) AS rank
           FROM runs WHERE sweep_id IS NOT NULL AND best_val_accuracy IS NOT NULL)
         WHERE rank = 1`,
      )
      .raw(true),
    setStatus: db.prepare<[SweepStatus, number]>('UPDATE sweeps SET status = ? WHERE id = ?'),
    setSpec: db.prepare<[string, number]>('UPDATE sweeps SET spec = ? WHERE id = ?'),
    places: db
      .prepare<[number], [number, number, number]>(
        'SELECT id, sweep_trial, sweep_replicate FROM runs WHERE sweep_id = ? ORDER BY sweep_trial, sweep_replicate, id',
      )
      .raw(true),
    histories: db
      .prepare<[number], [number, number, number | null, number | null]>(
        `SELECT r.id, json_extract(r.config, '$.epochs'), e.epoch, e.val_accuracy
         FROM runs r LEFT JOIN epochs e ON e.run_id = r.id
         WHERE r.sweep_id = ? ORDER BY r.id, e.epoch`,
      )
      .raw(true),
    // Mean seconds per epoch of earlier runs by model type and representation, for a sweep's estimate.
    speeds: db
      .prepare<[], [string, string, number]>(
        `SELECT json_extract(r.config, '$.model.type'), json_extract(r.config, '$.features.representation'), AVG(e.seconds)
         FROM epochs e JOIN runs r ON r.id = e.run_id GROUP BY 1, 2`,
      )
      .raw(true),
    waiting: db
      .prepare<[number], number>(
        "SELECT id FROM runs WHERE sweep_id = ? AND status IN ('queued', 'preparing', 'running') ORDER BY id",
      )
      .pluck(true),
  };
}

const rowOf = (r: {
  id: number;
  name: string;
  spec: string;
  status: SweepStatus;
  created_at: string;
}): SweepRow => ({
  id: r.id,
  name: r.name,
  spec: JSON.parse(r.spec) as SweepSpec,
  status: r.status,
  createdAt: r.created_at,
});

/**
 * Sweeps: a name, the checked spec (its trials and seeds grow when it is extended), and a status;
 * their runs point at them (runs.sweep_id). Statements are prepared once, when the repository is made.
 */
export class SweepRepo {
  private readonly sql: ReturnType<typeof sweepStatements>;

  constructor(db: Db) {
    this.sql = sweepStatements(db);
  }

  /** Records a sweep (active); the caller creates its runs in the same transaction. */
  create(name: string, spec: SweepSpec): number {
    return Number(this.sql.insert.run(name, JSON.stringify(spec), now()).lastInsertRowid);
  }

  get(id: number): SweepRow | undefined {
    const row = this.sql.row.get(id);
    return row && rowOf(row);
  }

  /** Every sweep, newest first. */
  list(): SweepRow[] {
    return this.sql.all.all().map(rowOf);
  }

  /** Every sweep's runs by status, its configurations and seeds, and its best run, in three queries. */
  tallies(): Map<number, SweepTally> {
    const out = new Map<number, SweepTally>();
    const of = (id: number) => {
      let t = out.get(id);
      if (!t) out.set(id, (t = { counts: {}, configurations: 0, seeds: 0, best: null }));
      return t;
    };
    for (const [id, status, n] of this.sql.counts.all()) of(id).counts[status] = n;
    for (const [id, configurations, seeds] of this.sql.shape.all())
      Object.assign(of(id), { configurations, seeds });
    for (const [id, runId, name, valAccuracy, testAccuracy] of this.sql.best.all())
      of(id).best = { runId, name, valAccuracy, testAccuracy };
    return out;
  }

  setStatus(id: number, status: SweepStatus): void {
    this.sql.setStatus.run(status, id);
  }

  /** Replaces the spec (an extension's larger trials or seeds). */
  setSpec(id: number, spec: SweepSpec): void {
    this.sql.setSpec.run(JSON.stringify(spec), id);
  }

  /** Each run of the sweep with its configuration's index and its seed's. */
  places(id: number): { runId: number; trial: number; replicate: number }[] {
    return this.sql.places.all(id).map(([runId, trial, replicate]) => ({ runId, trial, replicate }));
  }

  /** The validation accuracy of every epoch of every run of the sweep (index 0 = epoch 1). */
  histories(id: number): SweepHistory[] {
    const out: SweepHistory[] = [];
    for (const [runId, epochs, epoch, acc] of this.sql.histories.all(id)) {
      let h = out.at(-1);
      if (h?.id !== runId) out.push((h = { id: runId, epochs, valAccuracy: [] }));
      if (epoch !== null) h.valAccuracy[epoch - 1] = acc;
    }
    for (const h of out) for (let i = 0; i < h.valAccuracy.length; i++) h.valAccuracy[i] ??= null;
    return out;
  }

  /** Mean seconds per epoch of the runs so far, by "model type/representation". */
  speeds(): Map<string, number> {
    return new Map(this.sql.speeds.all().map(([model, rep, seconds]) => [`${model}/${rep}`, seconds]));
  }

  /** The sweep's runs that wait, prepare or train. */
  unfinished(id: number): number[] {
    return this.sql.waiting.all(id);
  }
}
