import type {
  EndStatus,
  EpochMetrics,
  Evaluation,
  RunDetail,
  RunListFilter,
  RunSummary,
  TrainConfig,
} from '../../shared/training';
import { unpackRuns, type PackedRuns } from '../../shared/run-list';
import type { Db } from './database';
import { EpochRepo } from './epochs';
import { EvaluationRepo, notePredictions, type NewEvaluation } from './evaluations';
import { ModelRepo, type ModelKind } from './models';
import { PredictionRepo } from './predictions';
import {
  epochMetricsOf,
  flattenConfig,
  now,
  summaryFromRow,
  summaryOf,
  type LockedRun,
  type NewRun,
} from './run-rows';
import { runStatements } from './run-statements';
import { ReadCache } from './read-cache';
import { pidAlive } from '../pid';

export { flattenConfig, notePredictions, type LockedRun, type NewEvaluation, type NewRun };

/**
 * Runs and everything they record. Each write is one transaction, committed when it returns;
 * every statement is prepared once, when the repository is made for its connection.
 */
export class RunRepo {
  /** The per-note predictions of the runs' evaluations and epochs. */
  readonly predictions: PredictionRepo;
  private readonly epochs: EpochRepo;
  private readonly evals: EvaluationRepo;
  private readonly models: ModelRepo;
  private readonly sql: ReturnType<typeof runStatements>;
  /** The runs table's lists: read again only after the database changed. */
  private readonly lists: ReadCache<PackedRuns>;

  constructor(private readonly db: Db) {
    this.lists = new ReadCache(db);
    this.predictions = new PredictionRepo(db);
    this.epochs = new EpochRepo(db);
    this.evals = new EvaluationRepo(db);
    this.models = new ModelRepo(db);
    this.sql = runStatements(db);
  }

  /** Creates a run (queued unless said otherwise) with its flattened parameters. */
  create(run: NewRun): number {
    // Within a caller's transaction (a sweep records hundreds of runs in one), no savepoint per run.
    return this.db.inTransaction ? this.insert(run) : this.db.transaction(() => this.insert(run))();
  }

  private insert(run: NewRun): number {
    const id = Number(
      this.sql.insert.run(
        run.minId ?? 1,
        run.name,
        run.status ?? 'queued',
        now(),
        run.appVersion,
        run.config.seed,
        run.datasetId,
        run.datasetFingerprint,
        JSON.stringify(run.config.features),
        JSON.stringify(run.config),
        run.preset,
        run.ownerPid ?? null,
        run.sweep?.id ?? null,
        run.sweep?.trial ?? null,
        run.sweep?.replicate ?? null,
        run.backend ?? null,
      ).lastInsertRowid,
    );
    const params = Object.entries(flattenConfig(run.config)).map(([k, v]) => [k, JSON.stringify(v)]);
    this.sql.insertParams.run(id, JSON.stringify(Object.fromEntries(params)));
    return id;
  }

  /** Sets the backend a run that has not started yet is to train on. */
  setBackend(id: number, backend: string): void {
    this.sql.setBackend.run(backend, id);
  }

  /** Marks a run as training in this process, on a backend. */
  start(id: number, backend: string, backendVersion: string, pid = process.pid): void {
    this.sql.start.run(now(), backend, backendVersion, pid, id);
  }

  /**
   * Commits one finished epoch: metrics, validation confusion, per-note validation predictions,
   * and the model folders saved after it (its checkpoint, and its weights if they are the new best),
   * all in one transaction: the database never names a best epoch whose folder it does not point at.
   */
  recordEpoch(
    id: number,
    m: EpochMetrics,
    confusion: number[][] | null,
    predicted: Uint8Array | null,
    models: { checkpoint?: string; best?: string | null } = {},
  ): void {
    this.db.transaction(() => {
      this.epochs.record(id, m, confusion, predicted);
      if (models.checkpoint) this.models.save(id, 'checkpoint', m.epoch, models.checkpoint);
      if (models.best) this.models.save(id, 'best', m.epoch, models.best);
    })();
  }

  /** Records a saved model directory of a run. */
  saveModel(id: number, kind: ModelKind, epoch: number, dir: string): void {
    this.models.save(id, kind, epoch, dir);
  }

  /** Forgets a saved model of a run (its folder was removed). */
  forgetModel(id: number, kind: ModelKind): void {
    this.models.forget(id, kind);
  }

  /** The folders a run's models are saved in, as the database points at them. */
  modelDirs(id: number): string[] {
    return this.models.dirs(id);
  }

  /** Every run not finished, with the folders its models are saved in, in one query. */
  unfinished(): Map<number, string[]> {
    return this.models.ofUnfinished();
  }

  /**
   * Records an evaluation and every note's prediction in one transaction; returns its id. A run's
   * best or last weights have one evaluation per split: a new one replaces the earlier (a resumed
   * run evaluates again). External evaluations (`timbre test`) are each kept.
   */
  recordEvaluation(e: NewEvaluation): number {
    return this.evals.record(e);
  }

  /**
   * Ends a run: finished, failed (with the reason), cancelled, stopped or interrupted; it leaves the
   * lasting queue. With `last`, the folder of its last weights is recorded in the same transaction,
   * and a finished run's checkpoint is forgotten with it (a finished run is not resumed).
   */
  end(
    id: number,
    status: EndStatus,
    error: string | null = null,
    last?: { epoch: number; dir: string },
  ): void {
    this.db.transaction(() => {
      if (last) this.models.save(id, 'last', last.epoch, last.dir);
      if (status === 'finished') this.models.forget(id, 'checkpoint');
      this.sql.end.run(status, error, now(), id);
      this.sql.leaveQueue.run(id);
    })();
  }

  /**
   * Claims a run, atomically: inside one write transaction `check` sees the run as it is (and
   * throws to refuse), then the run becomes `as`: queued for the lasting queue (no owner), or
   * preparing in process `pid`. Of several processes claiming at once, one wins; the others'
   * `check` sees it claimed.
   */
  claim(
    id: number,
    check: (run: RunDetail) => void,
    as: { status: 'queued' } | { status: 'preparing'; pid: number },
  ): RunDetail | undefined {
    return this.db
      .transaction(() => {
        const run = this.get(id);
        if (!run) return undefined;
        check(run);
        const pid = as.status === 'preparing' ? as.pid : null;
        const claimed = this.sql.claim.run(as.status, pid, id, run.status).changes;
        // The write lock is held since the transaction began; nobody can have changed the status.
        if (claimed !== 1) throw new Error(`Run ${id} changed while it was being claimed.`);
        return this.get(id);
      })
      .immediate();
  }

  /**
   * Runs `f` inside one write transaction with what a run is now (undefined if it does not exist):
   * nobody can claim, start or delete it until `f` returns.
   */
  underLock<T>(id: number, f: (run: LockedRun | undefined) => T): T {
    return this.db
      .transaction(() => {
        const row = this.sql.lockState.get(id);
        return f(
          row && {
            status: row.status,
            ownerPid: row.owner_pid,
            epochsDone: row.epochs_done,
            modelDirs: this.models.dirs(id),
          },
        );
      })
      .immediate();
  }

  /**
   * Marks as interrupted every run outside the lasting queue that is queued, preparing or running
   * while its process is gone (crash, kill -9, power loss): it can be resumed, from its last
   * committed epoch or from the start. The queue's runs are put back by the queue's runner.
   */
  markInterrupted(isAlive: (pid: number) => boolean = pidAlive): number[] {
    // Read and marked under one write lock: a run another process claims meanwhile (queued, with
    // its live pid) is not taken for dead on a stale read.
    return this.db
      .transaction(() => {
        const running = this.sql.active.all();
        const dead = running.filter((r) => r.owner_pid === null || !isAlive(r.owner_pid)).map((r) => r.id);
        for (const id of dead) this.sql.interrupt.run(id);
        return dead;
      })
      .immediate();
  }

  /** Edits what a user may edit: name, notes, tags. */
  update(id: number, fields: { name?: string; notes?: string; tags?: string[] }): void {
    const row = this.sql.row.get(id);
    if (!row) return;
    this.sql.update.run(
      fields.name ?? row.name,
      fields.notes ?? row.notes,
      JSON.stringify(fields.tags ?? JSON.parse(row.tags)),
      id,
    );
  }

  /** Every run, newest first. The table's fields come out of the config JSON in SQL: 10,000 runs in ~30 ms. */
  list(): RunSummary[] {
    return unpackRuns(this.packed());
  }

  /** A sweep's runs as the runs table lists them, newest first. */
  listOfSweep(sweepId: number): RunSummary[] {
    return unpackRuns(this.packed({ sweep: sweepId }));
  }

  /**
   * Every run, or a sweep's, newest first, packed as listRuns answers (one JSON text SQLite
   * writes); with `first`, the newest that many, and how many there are in all.
   */
  packed(filter: RunListFilter = {}): PackedRuns {
    const sweep = filter.sweep ?? null;
    const first = filter.first ?? null;
    return this.lists.get(`${sweep}|${first}`, () => {
      const row =
        sweep === null
          ? first === null
            ? this.sql.list.get()
            : this.sql.listFirst.get({ first })
          : first === null
            ? this.sql.ofSweep.get({ sweep })
            : this.sql.ofSweepFirst.get({ sweep, first });
      return Object.freeze({ json: row?.json ?? '[]', total: row?.total ?? 0 });
    });
  }

  /** One run as the runs table lists it, or undefined. */
  summary(id: number): RunSummary | undefined {
    const row = this.sql.summary.get(id);
    return row === undefined ? undefined : summaryOf(row);
  }

  /**
   * Everything a run recorded, or undefined. `confusions: 'last'` keeps only the newest
   * validation confusion matrix (what a comparison shows), instead of one per epoch.
   */
  get(id: number, options: { confusions?: 'all' | 'last' } = {}): RunDetail | undefined {
    const row = this.sql.row.get(id);
    if (!row) return undefined;
    const epochs = this.epochs.rows(id);
    const params = Object.fromEntries(
      this.sql.params.all(id).map((p) => [p.key, JSON.parse(p.value) as string | number | boolean]),
    );
    return {
      ...summaryFromRow(row),
      notes: row.notes,
      error: row.error,
      backendVersion: row.backend_version,
      appVersion: row.app_version,
      seed: row.seed,
      datasetFingerprint: row.dataset_fingerprint,
      config: JSON.parse(row.config) as TrainConfig,
      params,
      history: epochs.map(epochMetricsOf),
      confusions: epochs
        .filter((e) => e.confusion !== null)
        .slice(options.confusions === 'last' ? -1 : 0)
        .map((e) => ({ epoch: e.epoch, matrix: JSON.parse(e.confusion!) as number[][] })),
      evaluations: this.evals.list(id),
      models: this.models.list(id),
    };
  }

  /** The evaluations of a run, oldest first. */
  evaluations(runId: number): Evaluation[] {
    return this.evals.list(runId);
  }

  /** One evaluation by its id. */
  evaluation(id: number): Evaluation | undefined {
    return this.evals.get(id);
  }

  /** The backend of the run started most recently, or null when no run has started. */
  lastBackend(): string | null {
    return this.sql.lastBackend.get()?.backend ?? null;
  }

  /**
   * Deletes a run and all it recorded (its model files are the caller's to remove). With
   * `idleOnly`, a queued or training run is kept (checked in the same statement, so a run claimed
   * by another process meanwhile is not deleted under it).
   */
  remove(id: number, options: { idleOnly?: boolean } = {}): boolean {
    return (options.idleOnly ? this.sql.removeIdle : this.sql.remove).run(id).changes > 0;
  }
}
