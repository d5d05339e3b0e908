import type { Split } from '../../shared/constants';
import type {
  ClassMetrics,
  EpochMetrics,
  Evaluation,
  RunDetail,
  RunStatus,
  RunSummary,
  TrainConfig,
} from '../../shared/training';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { pidAlive } from '../pid';

/** What a new run is created with. */
export interface NewRun {
  name: string;
  config: TrainConfig;
  preset: string | null;
  datasetId: number;
  datasetFingerprint: string;
  appVersion: string;
  status?: 'queued' | 'running';
  /**
   * The lowest id the run may take. After a backup is restored, `models/` may still hold folders
   * of runs the restored database never had; a new run must not take such an id and share them.
   */
  minId?: number;
}

/** An evaluation to record, with every note's prediction. */
export interface NewEvaluation {
  runId: number | null;
  weights: Evaluation['weights'];
  epoch: number | null;
  modelDir: string;
  datasetId: number | null;
  datasetFingerprint: string;
  split: Split;
  loss: number;
  accuracy: number;
  perClass: ClassMetrics[];
  confusion: number[][];
  labels: string[];
  predictions: { noteStr: string; trueFamily: number; predicted: number; probabilities: Float32Array }[];
}

interface RunRow {
  id: number;
  name: string;
  notes: string;
  tags: string;
  status: RunStatus;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  backend: string | null;
  backend_version: string | null;
  app_version: string;
  seed: number;
  dataset_id: number | null;
  dataset_fingerprint: string;
  feature_config: string;
  config: string;
  preset: string | null;
  best_epoch: number | null;
  best_val_accuracy: number | null;
  test_accuracy: number | null;
  epochs_done: number;
  owner_pid: number | null;
}

/** Flattens a run's configuration to `model.hidden = 128` style rows, for comparing runs. */
export function flattenConfig(config: TrainConfig): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else out[prefix] = value as string | number | boolean;
  };
  walk('', config);
  return out;
}

function summary(row: RunRow): RunSummary {
  const config = JSON.parse(row.config) as TrainConfig;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    preset: row.preset,
    model: config.model.type,
    representation: config.features.representation,
    lr: config.lr,
    batch: config.batch,
    hidden: config.model.hidden,
    layers: config.model.layers,
    optimizer: config.optimizer,
    epochs: config.epochs,
    epochsDone: row.epochs_done,
    bestEpoch: row.best_epoch,
    bestValAccuracy: row.best_val_accuracy,
    testAccuracy: row.test_accuracy,
    backend: row.backend,
    datasetId: row.dataset_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    tags: JSON.parse(row.tags) as string[],
  };
}

const now = () => new Date().toISOString();

// A run's summary straight from SQL, rows as arrays (better-sqlite3 builds them much faster than
// objects with named columns); the table's fields out of the config JSON with one json_extract,
// which parses each config once and hands back a small JSON array. 10,000 runs: ~30 ms, against
// ~70 ms for named columns with one json_extract per field.
const CONFIG_FIELDS = [
  'model.type',
  'features.representation',
  'lr',
  'batch',
  'model.hidden',
  'model.layers',
  'optimizer',
  'epochs',
] as const;
const SUMMARY_SELECT = `SELECT id, name, status, preset,
  json_extract(config, ${CONFIG_FIELDS.map((f) => `'$.${f}'`).join(', ')}),
  epochs_done, best_epoch, best_val_accuracy, test_accuracy, backend, dataset_id, created_at,
  started_at, finished_at, tags FROM runs`;

type SummaryRow = [
  id: number,
  name: string,
  status: RunStatus,
  preset: string | null,
  config: string,
  epochsDone: number,
  bestEpoch: number | null,
  bestValAccuracy: number | null,
  testAccuracy: number | null,
  backend: string | null,
  datasetId: number | null,
  createdAt: string,
  startedAt: string | null,
  finishedAt: string | null,
  tags: string,
];

function summaryOf(r: SummaryRow): RunSummary {
  const c = JSON.parse(r[4]) as [string, string, number, number, number, number, string, number];
  // One object literal of a fixed shape: every summary shares V8's hidden class.
  return {
    id: r[0],
    name: r[1],
    status: r[2],
    preset: r[3],
    model: c[0] as RunSummary['model'],
    representation: c[1],
    lr: c[2],
    batch: c[3],
    hidden: c[4],
    layers: c[5],
    optimizer: c[6],
    epochs: c[7],
    epochsDone: r[5],
    bestEpoch: r[6],
    bestValAccuracy: r[7],
    testAccuracy: r[8],
    backend: r[9],
    datasetId: r[10],
    createdAt: r[11],
    startedAt: r[12],
    finishedAt: r[13],
    tags: r[14] === '[]' ? [] : (JSON.parse(r[14]) as string[]),
  };
}

/** Runs and everything they record. Each write is one transaction, committed when it returns. */
export class RunRepo {
  private listStatement?: Statement<[], SummaryRow>;
  private summaryStatement?: Statement<[number], SummaryRow>;

  constructor(private readonly db: Db) {}

  /** Creates a run (queued unless said otherwise) with its flattened parameters. */
  create(run: NewRun): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_id, dataset_fingerprint, feature_config, config, preset, owner_pid)
             VALUES (max(?, (SELECT IFNULL(MAX(id), 0) + 1 FROM runs)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
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
            process.pid,
          ).lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)');
      for (const [k, v] of Object.entries(flattenConfig(run.config))) insert.run(id, k, JSON.stringify(v));
      return id;
    })();
  }

  /** Marks a run as training in this process, on a backend. */
  start(id: number, backend: string, backendVersion: string, pid = process.pid): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'running', error = NULL, started_at = COALESCE(started_at, ?), backend = ?,
         backend_version = ?, owner_pid = ? WHERE id = ?`,
      )
      .run(now(), backend, backendVersion, pid, id);
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
      this.db
        .prepare(
          `INSERT OR REPLACE INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, seconds, samples_per_s, confusion)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          m.epoch,
          m.trainLoss,
          m.trainAccuracy,
          m.valLoss,
          m.valAccuracy,
          m.seconds,
          m.samplesPerSecond,
          confusion && JSON.stringify(confusion),
        );
      if (predicted) {
        this.db
          .prepare('INSERT OR REPLACE INTO epoch_predictions (run_id, epoch, predicted) VALUES (?, ?, ?)')
          .run(id, m.epoch, Buffer.from(predicted.buffer, predicted.byteOffset, predicted.byteLength));
      }
      // The best epoch: the highest validation accuracy, ties to the lower validation loss, then the
      // earlier epoch; the latest when there is no validation split (the trainer's rule).
      const best = this.db
        .prepare<[number], { epoch: number; val_accuracy: number | null }>(
          `SELECT epoch, val_accuracy FROM epochs WHERE run_id = ?
           ORDER BY CASE WHEN val_accuracy IS NULL THEN 1 ELSE 0 END, val_accuracy DESC, val_loss IS NULL, val_loss,
                    CASE WHEN val_accuracy IS NULL THEN -epoch ELSE epoch END
           LIMIT 1`,
        )
        .get(id)!;
      this.db
        .prepare('UPDATE runs SET epochs_done = ?, best_epoch = ?, best_val_accuracy = ? WHERE id = ?')
        .run(m.epoch, best.epoch, best.val_accuracy, id);
      if (models.checkpoint) this.saveModel(id, 'checkpoint', m.epoch, models.checkpoint);
      if (models.best) this.saveModel(id, 'best', m.epoch, models.best);
    })();
  }

  /** Records a saved model directory of a run. */
  saveModel(id: number, kind: 'best' | 'last' | 'checkpoint', epoch: number, dir: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO models (run_id, kind, epoch, dir, saved_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, kind, epoch, dir, now());
  }

  /** Forgets a saved model of a run (its folder was removed). */
  forgetModel(id: number, kind: 'best' | 'last' | 'checkpoint'): void {
    this.db.prepare('DELETE FROM models WHERE run_id = ? AND kind = ?').run(id, kind);
  }

  /** The folders a run's models are saved in, as the database points at them. */
  modelDirs(id: number): string[] {
    return this.db
      .prepare<[number], { dir: string }>('SELECT dir FROM models WHERE run_id = ?')
      .all(id)
      .map((r) => r.dir);
  }

  /** Every run not finished, with the folders its models are saved in, in one query. */
  unfinished(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    const rows = this.db
      .prepare<[], { id: number; dir: string | null }>(
        "SELECT r.id, m.dir FROM runs r LEFT JOIN models m ON m.run_id = r.id WHERE r.status <> 'finished'",
      )
      .all();
    for (const r of rows) {
      const dirs = out.get(r.id) ?? [];
      if (r.dir !== null) dirs.push(r.dir);
      out.set(r.id, dirs);
    }
    return out;
  }

  /**
   * Records an evaluation and every note's prediction in one transaction; returns its id. A run's
   * best or last weights have one evaluation per split: a new one replaces the earlier (a resumed
   * run evaluates again). External evaluations (`timbre test`) are each kept.
   */
  recordEvaluation(e: NewEvaluation): number {
    return this.db.transaction(() => {
      if (e.runId !== null && e.weights !== 'external') {
        // Predictions go with their evaluation whether or not foreign keys are enforced.
        const earlier = `SELECT id FROM evaluations WHERE run_id = ? AND split = ? AND weights = ?`;
        this.db
          .prepare(`DELETE FROM predictions WHERE evaluation_id IN (${earlier})`)
          .run(e.runId, e.split, e.weights);
        this.db.prepare(`DELETE FROM evaluations WHERE id IN (${earlier})`).run(e.runId, e.split, e.weights);
      }
      const evalId = Number(
        this.db
          .prepare(
            `INSERT INTO evaluations (run_id, model_dir, weights, epoch, dataset_id, dataset_fingerprint, split, loss, accuracy, per_class, confusion, labels, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            e.runId,
            e.modelDir,
            e.weights,
            e.epoch,
            e.datasetId,
            e.datasetFingerprint,
            e.split,
            e.loss,
            e.accuracy,
            JSON.stringify(e.perClass),
            JSON.stringify(e.confusion),
            JSON.stringify(e.labels),
            now(),
          ).lastInsertRowid,
      );
      const insert = this.db.prepare(
        'INSERT INTO predictions (evaluation_id, note_str, true_family, predicted_family, probabilities) VALUES (?, ?, ?, ?, ?)',
      );
      for (const p of e.predictions) {
        insert.run(
          evalId,
          p.noteStr,
          p.trueFamily,
          p.predicted,
          Buffer.from(p.probabilities.buffer, p.probabilities.byteOffset, p.probabilities.byteLength),
        );
      }
      if (e.runId !== null && e.weights === 'best' && e.split === 'test') {
        this.db.prepare('UPDATE runs SET test_accuracy = ? WHERE id = ?').run(e.accuracy, e.runId);
      }
      return evalId;
    })();
  }

  /**
   * Ends a run: finished, failed (with the reason), cancelled or interrupted. With `last`, the
   * folder of its last weights is recorded in the same transaction, and a finished run's
   * checkpoint is forgotten with it (a finished run is not resumed).
   */
  end(
    id: number,
    status: Exclude<RunStatus, 'queued' | 'running'>,
    error: string | null = null,
    last?: { epoch: number; dir: string },
  ): void {
    this.db.transaction(() => {
      if (last) this.saveModel(id, 'last', last.epoch, last.dir);
      if (status === 'finished') this.forgetModel(id, 'checkpoint');
      this.db
        .prepare('UPDATE runs SET status = ?, error = ?, finished_at = ?, owner_pid = NULL WHERE id = ?')
        .run(status, error, now(), id);
    })();
  }

  /**
   * Claims a run for this process, atomically: inside one write transaction `check` sees the run
   * as it is (and throws to refuse), then the run becomes queued with this process as its owner.
   * Of several processes claiming at once, one wins; the others' `check` sees it queued.
   */
  claim(id: number, check: (run: RunDetail) => void, pid = process.pid): RunDetail | undefined {
    return this.db
      .transaction(() => {
        const run = this.get(id);
        if (!run) return undefined;
        check(run);
        const claimed = this.db
          .prepare(
            `UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL, owner_pid = ?
             WHERE id = ? AND status = ?`,
          )
          .run(pid, id, run.status).changes;
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
  underLock<T>(
    id: number,
    f: (
      run:
        { status: RunStatus; ownerPid: number | null; epochsDone: number; modelDirs: string[] } | undefined,
    ) => T,
  ): T {
    return this.db
      .transaction(() => {
        const row = this.db
          .prepare<[number], { status: RunStatus; owner_pid: number | null; epochs_done: number }>(
            'SELECT status, owner_pid, epochs_done FROM runs WHERE id = ?',
          )
          .get(id);
        return f(
          row && {
            status: row.status,
            ownerPid: row.owner_pid,
            epochsDone: row.epochs_done,
            modelDirs: this.modelDirs(id),
          },
        );
      })
      .immediate();
  }

  /**
   * Marks as interrupted every running or queued run whose process is gone (crash, kill -9,
   * power loss): it can be resumed, from its last committed epoch or from the start.
   */
  markInterrupted(isAlive: (pid: number) => boolean = pidAlive): number[] {
    // Read and marked under one write lock: a run another process claims meanwhile (queued, with
    // its live pid) is not taken for dead on a stale read.
    return this.db
      .transaction(() => {
        const running = this.db
          .prepare<[], { id: number; owner_pid: number | null }>(
            "SELECT id, owner_pid FROM runs WHERE status IN ('running', 'queued') ORDER BY id",
          )
          .all();
        const dead = running.filter((r) => r.owner_pid === null || !isAlive(r.owner_pid)).map((r) => r.id);
        const mark = this.db.prepare("UPDATE runs SET status = 'interrupted', owner_pid = NULL WHERE id = ?");
        for (const id of dead) mark.run(id);
        return dead;
      })
      .immediate();
  }

  /** Edits what a user may edit: name, notes, tags. */
  update(id: number, fields: { name?: string; notes?: string; tags?: string[] }): void {
    const row = this.row(id);
    if (!row) return;
    this.db
      .prepare('UPDATE runs SET name = ?, notes = ?, tags = ? WHERE id = ?')
      .run(
        fields.name ?? row.name,
        fields.notes ?? row.notes,
        JSON.stringify(fields.tags ?? JSON.parse(row.tags)),
        id,
      );
  }

  /** Every run, newest first. The table's fields come out of the config JSON in SQL: 10,000 runs in ~30 ms. */
  list(): RunSummary[] {
    this.listStatement ??= this.db.prepare<[], SummaryRow>(`${SUMMARY_SELECT} ORDER BY id DESC`).raw(true);
    return this.listStatement.all().map(summaryOf);
  }

  /** One run as the runs table lists it, or undefined. */
  summary(id: number): RunSummary | undefined {
    this.summaryStatement ??= this.db
      .prepare<[number], SummaryRow>(`${SUMMARY_SELECT} WHERE id = ?`)
      .raw(true);
    const row = this.summaryStatement.get(id);
    return row && summaryOf(row);
  }

  /**
   * Everything a run recorded, or undefined. `confusions: 'last'` keeps only the newest
   * validation confusion matrix (what a comparison shows), instead of one per epoch.
   */
  get(id: number, options: { confusions?: 'all' | 'last' } = {}): RunDetail | undefined {
    const row = this.row(id);
    if (!row) return undefined;
    const epochs = this.db
      .prepare<[number], Record<string, number | string | null>>(
        'SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch',
      )
      .all(id);
    const params = Object.fromEntries(
      this.db
        .prepare<[number], { key: string; value: string }>(
          'SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key',
        )
        .all(id)
        .map((p) => [p.key, JSON.parse(p.value) as string | number | boolean]),
    );
    return {
      ...summary(row),
      notes: row.notes,
      error: row.error,
      backendVersion: row.backend_version,
      appVersion: row.app_version,
      seed: row.seed,
      datasetFingerprint: row.dataset_fingerprint,
      config: JSON.parse(row.config) as TrainConfig,
      params,
      history: epochs.map((e) => ({
        epoch: e.epoch as number,
        trainLoss: e.train_loss as number,
        trainAccuracy: e.train_accuracy as number,
        valLoss: e.val_loss as number | null,
        valAccuracy: e.val_accuracy as number | null,
        seconds: e.seconds as number,
        samplesPerSecond: e.samples_per_s as number,
      })),
      confusions: epochs
        .filter((e) => e.confusion !== null)
        .slice(options.confusions === 'last' ? -1 : 0)
        .map((e) => ({ epoch: e.epoch as number, matrix: JSON.parse(e.confusion as string) as number[][] })),
      evaluations: this.evaluations(id),
      models: this.db
        .prepare<[number], { kind: 'best' | 'last' | 'checkpoint'; epoch: number; dir: string }>(
          'SELECT kind, epoch, dir FROM models WHERE run_id = ? ORDER BY kind',
        )
        .all(id),
    };
  }

  /** The evaluations of a run, oldest first. */
  evaluations(runId: number): Evaluation[] {
    return this.db
      .prepare<[number], Record<string, unknown>>('SELECT * FROM evaluations WHERE run_id = ? ORDER BY id')
      .all(runId)
      .map(evaluationOf);
  }

  /** One evaluation by its id. */
  evaluation(id: number): Evaluation | undefined {
    const row = this.db
      .prepare<[number], Record<string, unknown>>('SELECT * FROM evaluations WHERE id = ?')
      .get(id);
    return row && evaluationOf(row);
  }

  /**
   * Deletes a run and all it recorded (its model files are the caller's to remove). With
   * `idleOnly`, a queued or training run is kept (checked in the same statement, so a run claimed
   * by another process meanwhile is not deleted under it).
   */
  remove(id: number, options: { idleOnly?: boolean } = {}): boolean {
    const sql = options.idleOnly
      ? "DELETE FROM runs WHERE id = ? AND status NOT IN ('queued', 'running')"
      : 'DELETE FROM runs WHERE id = ?';
    return this.db.prepare(sql).run(id).changes > 0;
  }

  private row(id: number): RunRow | undefined {
    return this.db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?').get(id);
  }
}

/** An evaluations row as the app reads it. */
function evaluationOf(e: Record<string, unknown>): Evaluation {
  return {
    id: e.id as number,
    runId: e.run_id as number | null,
    weights: e.weights as Evaluation['weights'],
    epoch: e.epoch as number | null,
    modelDir: e.model_dir as string,
    datasetId: e.dataset_id as number | null,
    datasetFingerprint: e.dataset_fingerprint as string,
    split: e.split as Split,
    loss: e.loss as number,
    accuracy: e.accuracy as number,
    perClass: JSON.parse(e.per_class as string) as ClassMetrics[],
    confusion: JSON.parse(e.confusion as string) as number[][],
    labels: JSON.parse(e.labels as string) as string[],
    createdAt: e.created_at as string,
  };
}
