import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStateError, Workbench } from '../../../src-main/core/workbench';
import { openDatabase } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { parseModelFolder } from '../../../src-main/core/training/model-dirs';
import { loadModelDir } from '../../../src-main/core/training/model-io';
import { timbre } from '../../helpers/cli';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

const BIN = path.resolve(import.meta.dirname, '../../../bin/timbre.mjs');
// Deterministic on the cpu backend: its validation loss improves at epochs 2 and 3.
const TRAIN = [
  'train',
  '--preset',
  'seed-lstm',
  '--features',
  'logmel',
  '--seconds',
  '0.5',
  '--n-mels',
  '16',
  '--max-per-family',
  '3',
  '--batch',
  '8',
  '--hidden',
  '8',
  '--layers',
  '1',
  '--epochs',
  '4',
  '--backend',
  'cpu',
  '--dataset',
  'tiny',
];

let home: string;
let dir: string;
let cleanup: () => void;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  const imp = timbre(home, ['dataset', 'import', await tinyDataset(), '--name', 'tiny']);
  expect(imp.code, imp.stderr).toBe(0);
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `timbre` with the trainer's test-only pause at `moment`, waits until the worker paused
 * there (and `committed` holds, if given), kills the process with SIGKILL and returns the epoch.
 */
async function killAt(
  args: string[],
  moment: 'best-saved' | 'evaluated',
  committed?: () => boolean,
): Promise<{ epoch: number; pid: number }> {
  const marker = path.join(dir, `pause-${moment}-${Date.now()}`);
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TIMBRE_HOME: home, TIMBRE_TEST_PAUSE: `${moment}:${marker}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 1200 && !(fs.existsSync(marker) && (committed?.() ?? true)); i++) {
    if (child.exitCode !== null) throw new Error(`timbre exited before pausing:\n${stderr}`);
    await sleep(50);
  }
  expect(fs.existsSync(marker), stderr).toBe(true);
  child.kill('SIGKILL');
  await exited;
  return { epoch: Number(fs.readFileSync(marker, 'utf8')), pid: child.pid! };
}

/** Reads the database as another process would, without a Workbench (which would clean up). */
function inspect<T>(f: (runs: RunRepo, db: Database.Database) => T): T {
  const db = openDatabase(path.join(home, 'timbre.db'));
  try {
    return f(new RunRepo(db), db);
  } finally {
    db.close();
  }
}

function duplicates(db: Database.Database, runId: number): number {
  return db
    .prepare<[number], { n: number }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM evaluations WHERE run_id = ? AND weights <> 'external'
         GROUP BY split, weights HAVING count(*) > 1)`,
    )
    .get(runId)!.n;
}

describe('training killed at its worst moments', () => {
  it('never loses the best model, leaves no temporaries and stores each evaluation once', async () => {
    // 1. Killed after a new best folder was written, before its epoch was committed.
    const { epoch, pid } = await killAt(TRAIN, 'best-saved');
    expect(epoch).toBeGreaterThan(1);
    const runId = inspect((runs) => runs.list()[0]!.id);
    const modelDir = path.join(home, 'models', String(runId));
    // What the killed process was writing (its pid is dead): a temporary of a later folder.
    fs.mkdirSync(path.join(modelDir, `checkpoint-${epoch + 1}.tmp-${pid}`));
    inspect((runs, db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const run = runs.get(runId)!;
      expect(run.epochsDone).toBe(epoch - 1);
      const best = run.models.find((m) => m.kind === 'best')!;
      // The database points at a whole folder holding the weights of the epoch it calls best.
      expect(best.epoch).toBe(run.bestEpoch);
      expect(loadModelDir(best.dir).meta.userDefinedMetadata?.epoch).toBe(run.bestEpoch);
    });
    // The uncommitted best folder is there, not yet pointed at.
    expect(fs.existsSync(path.join(modelDir, `best-${epoch}`))).toBe(true);

    // `timbre test --model ID` works after the kill; its start clears what the killed process left.
    const tested = timbre(home, ['test', '--model', String(runId), '--dataset', 'tiny', '--json']);
    expect(tested.code, tested.stderr).toBe(0);
    const referenced = () =>
      inspect((runs) =>
        runs
          .modelDirs(runId)
          .map((d) => path.basename(d))
          .sort(),
      );
    expect(fs.readdirSync(modelDir).sort()).toEqual(referenced());
    expect((tested.json() as { epoch: number }).epoch).toBe(epoch - 1);

    // 2. Resumed, then killed after its first final evaluation was committed.
    const evaluated = () => inspect((runs) => runs.evaluations(runId).some((e) => e.weights !== 'external'));
    await killAt(['train', '--resume', String(runId)], 'evaluated', evaluated);
    inspect((runs) => expect(runs.get(runId)!.epochsDone).toBe(4));

    // 3. Resumed again: it evaluates again and finishes, and nothing is stored twice.
    const resumed = timbre(home, ['train', '--resume', String(runId), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    inspect((runs, db) => {
      const run = runs.get(runId)!;
      expect(run.status).toBe('finished');
      expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
      expect(duplicates(db, runId)).toBe(0);
      const own = run.evaluations.filter((e) => e.weights !== 'external');
      expect(own.map((e) => `${e.weights}/${e.split}`).sort()).toEqual([
        'best/test',
        'best/valid',
        'last/test',
      ]);
      expect(run.evaluations.filter((e) => e.weights === 'external')).toHaveLength(1);
      const best = run.models.find((m) => m.kind === 'best')!;
      expect(loadModelDir(best.dir).meta.userDefinedMetadata?.epoch).toBe(run.bestEpoch);
      expect(own.find((e) => e.weights === 'best')!.modelDir).toBe(best.dir);
      expect(run.models.map((m) => m.kind).sort()).toEqual(['best', 'last']);
    });
    // Only the folders the database points at remain: no temporaries, no stale epochs.
    const left = fs.readdirSync(modelDir).sort();
    expect(left).toEqual(referenced());
    expect(left.every((n) => parseModelFolder(n)?.type === 'model')).toBe(true);
  });

  it('lets exactly one of several workbenches resume a run at once', async () => {
    // A run interrupted before its first epoch: resumable from the start.
    const runId = inspect((runs, db) => {
      const dataset = new DatasetRepo(db).find('tiny')!;
      return runs.create({
        name: 'claimed',
        config: resolveTrainConfig('seed-lstm', {
          epochs: 2,
          batch: 8,
          model: { hidden: 8, layers: 1 },
          features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
        }),
        preset: 'seed-lstm',
        datasetId: dataset.id,
        datasetFingerprint: dataset.fingerprint,
        appVersion: '0.1.0',
      });
    });
    inspect((runs) => runs.end(runId, 'interrupted'));
    const benches = [0, 1, 2].map(() => new Workbench({ home }));
    try {
      const outcomes = await Promise.allSettled(benches.map((wb) => wb.resumeRun(runId, 'cpu')));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const o of lost) {
        expect(o.reason).toBeInstanceOf(RunStateError);
        expect((o.reason as Error).message).toMatch(
          /is (queued|preparing|running); only an interrupted, cancelled or stopped run/,
        );
      }
      const winner = benches[outcomes.findIndex((o) => o.status === 'fulfilled')]!;
      expect((await winner.queueState()).active).toBe(runId);
      const done = await winner.waitForRun(runId);
      expect(done.status).toBe('finished');
      expect(done.history.map((h) => h.epoch)).toEqual([1, 2]);
      for (const wb of benches) if (wb !== winner) expect((await wb.queueState()).active).toBeNull();
    } finally {
      for (const wb of benches) await wb.close();
    }
  });
});
