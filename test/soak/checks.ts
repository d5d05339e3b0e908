// What must hold in a TIMBRE_HOME after any kill, checked from outside as a user's next start sees it.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseModelFolder } from '../../src-main/core/training/model-dirs';
import { loadModelDir } from '../../src-main/core/training/model-io';

/** Every committed epoch of every run: its training loss, by run and epoch. */
export type Committed = Map<number, Map<number, number>>;

/** One broken promise, said in a sentence. */
export type Problem = string;

interface ModelRow {
  run_id: number;
  kind: string;
  epoch: number;
  dir: string;
}

/** Opens the database without migrating or cleaning anything (a plain reader). */
function open(home: string): Database.Database {
  const db = new Database(path.join(home, 'timbre.db'), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Checks the database after a kill: integrity, no committed epoch lost or changed, every folder it
 * points at whole (the best one holding the weights of the epoch it calls best), no duplicate
 * evaluations. Adds the epochs committed since to `committed`.
 */
export function checkAfterKill(home: string, committed: Committed): Problem[] {
  const problems: Problem[] = [];
  const db = open(home);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const runs = db
      .prepare<[], { id: number; status: string; epochs_done: number; best_epoch: number | null }>(
        'SELECT id, status, epochs_done, best_epoch FROM runs',
      )
      .all();
    for (const run of runs) {
      const epochs = db
        .prepare<[number], { epoch: number; train_loss: number }>(
          'SELECT epoch, train_loss FROM epochs WHERE run_id = ? ORDER BY epoch',
        )
        .all(run.id);
      const seen = committed.get(run.id) ?? new Map<number, number>();
      for (const [epoch, loss] of seen) {
        const now = epochs.find((e) => e.epoch === epoch);
        if (!now) problems.push(`run ${run.id}: committed epoch ${epoch} was lost`);
        else if (now.train_loss !== loss) problems.push(`run ${run.id}: committed epoch ${epoch} changed`);
      }
      for (const e of epochs) seen.set(e.epoch, e.train_loss);
      committed.set(run.id, seen);
      if (
        epochs.map((e) => e.epoch).join() !== Array.from({ length: run.epochs_done }, (_, i) => i + 1).join()
      )
        problems.push(
          `run ${run.id}: epochs ${epochs.map((e) => e.epoch).join()} but ${run.epochs_done} done`,
        );
      const models = db
        .prepare<[number], ModelRow>('SELECT run_id, kind, epoch, dir FROM models WHERE run_id = ?')
        .all(run.id);
      const best = models.find((m) => m.kind === 'best');
      if (run.epochs_done > 0 && !best)
        problems.push(`run ${run.id}: ${run.epochs_done} epochs but no best model`);
      if (best && best.epoch !== run.best_epoch)
        problems.push(`run ${run.id}: best model of epoch ${best.epoch}, best epoch ${run.best_epoch}`);
      const resumable = run.status !== 'finished' && run.epochs_done > 0;
      if (resumable && !models.some((m) => m.kind === 'checkpoint' && m.epoch === run.epochs_done))
        problems.push(`run ${run.id}: no checkpoint of its last committed epoch ${run.epochs_done}`);
      for (const m of models) {
        try {
          const saved = loadModelDir(m.dir).meta.userDefinedMetadata?.epoch;
          if (saved !== m.epoch)
            problems.push(`run ${run.id}: ${m.dir} holds epoch ${String(saved)}, not ${m.epoch}`);
        } catch (err) {
          problems.push(`run ${run.id}: ${m.kind} model not loadable: ${(err as Error).message}`);
        }
      }
    }
    const dups = db
      .prepare<[], { run_id: number; split: string; weights: string; n: number }>(
        `SELECT run_id, split, weights, count(*) AS n FROM evaluations
         WHERE run_id IS NOT NULL AND weights <> 'external' GROUP BY 1, 2, 3 HAVING n > 1`,
      )
      .all();
    for (const d of dups) problems.push(`run ${d.run_id}: ${d.n} evaluations of ${d.weights} on ${d.split}`);
  } finally {
    db.close();
  }
  return problems;
}

/**
 * After a start (which cleans up): every run folder holds exactly the folders the database points
 * at. Except one known leak, counted apart: a kill in the milliseconds between a run's finishing
 * commit (which forgets its checkpoint) and removing that checkpoint's folder leaves the folder.
 */
export function checkFolders(home: string): { problems: Problem[]; temporaries: number; leaked: number } {
  const problems: Problem[] = [];
  let temporaries = 0;
  let leaked = 0;
  const db = open(home);
  try {
    const root = path.join(home, 'models');
    for (const entry of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const runId = Number(entry);
      const row = db
        .prepare<[number], { status: string; epochs_done: number }>(
          'SELECT status, epochs_done FROM runs WHERE id = ?',
        )
        .get(runId);
      const status = row?.status;
      // A run being trained may hold folders of epochs not yet committed.
      if (status === 'running' || status === 'queued' || status === 'preparing') continue;
      const pointed = new Set(
        db
          .prepare<[number], { dir: string }>('SELECT dir FROM models WHERE run_id = ?')
          .all(runId)
          .map((r) => path.basename(r.dir)),
      );
      for (const name of fs.readdirSync(path.join(root, entry))) {
        if (parseModelFolder(name)?.type === 'tmp') temporaries++;
        if (pointed.has(name)) continue;
        if (status === 'finished' && name === `checkpoint-${row!.epochs_done}`) leaked++;
        else problems.push(`run ${entry}: ${name} left over (status ${status ?? 'deleted'})`);
      }
    }
  } finally {
    db.close();
  }
  return { problems, temporaries, leaked };
}

/** A finished run: every epoch, its three final evaluations once each, the best one of the best folder. */
export function checkFinished(home: string, runId: number, epochs: number): Problem[] {
  const problems: Problem[] = [];
  const db = open(home);
  try {
    const run = db
      .prepare<[number], { status: string; epochs_done: number }>(
        'SELECT status, epochs_done FROM runs WHERE id = ?',
      )
      .get(runId);
    if (run?.status !== 'finished') problems.push(`run ${runId} is ${run?.status ?? 'gone'}, not finished`);
    if (run && run.epochs_done !== epochs)
      problems.push(`run ${runId}: ${run.epochs_done} of ${epochs} epochs`);
    const evals = db
      .prepare<[number], { weights: string; split: string; model_dir: string }>(
        "SELECT weights, split, model_dir FROM evaluations WHERE run_id = ? AND weights <> 'external' ORDER BY 1, 2",
      )
      .all(runId);
    const got = evals.map((e) => `${e.weights}/${e.split}`).join(', ');
    if (got !== 'best/test, best/valid, last/test') problems.push(`run ${runId}: evaluations ${got}`);
    const best = db
      .prepare<[number], { dir: string }>("SELECT dir FROM models WHERE run_id = ? AND kind = 'best'")
      .get(runId);
    if (evals.some((e) => e.weights === 'best' && e.model_dir !== best?.dir))
      problems.push(`run ${runId}: best evaluated from another folder than the best model`);
  } finally {
    db.close();
  }
  return problems;
}
