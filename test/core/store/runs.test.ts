import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { flattenConfig, RunRepo } from '../../../src-main/core/store/runs';
import { SweepRepo } from '../../../src-main/core/store/sweeps';
import { unpackRuns } from '../../../src-main/shared/run-list';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { emptyDataset, epochMetrics } from '../../helpers/store';
import { tempDir } from '../../helpers/tmp';

let db: Db;
let cleanup: () => void;
afterEach(() => {
  db?.close();
  cleanup?.();
});

function setup(): { runs: RunRepo; datasetId: number } {
  const t = tempDir();
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'timbre.db'));
  const ds = { id: emptyDataset(db) };
  return { runs: new RunRepo(db), datasetId: ds.id };
}

describe('RunRepo', () => {
  it('takes as best the epoch of highest validation accuracy, ties to the lower loss, else the earlier', () => {
    const { runs, datasetId } = setup();
    const id = runs.create({
      name: 'r',
      config: resolveTrainConfig('seed-lstm', { epochs: 5 }),
      preset: 'seed-lstm',
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0.1.0',
    });
    runs.start(id, 'wasm', '4.22.0');
    const epoch = (e: number, valLoss: number | null, valAccuracy: number | null) =>
      runs.recordEpoch(
        id,
        { epoch: e, trainLoss: 1, trainAccuracy: 0.5, valLoss, valAccuracy, seconds: 1, samplesPerSecond: 1 },
        null,
        null,
      );
    epoch(1, 1.0, 0.3); // the lowest loss
    epoch(2, 1.4, 0.5);
    expect(runs.get(id)!.bestEpoch).toBe(2);
    epoch(3, 1.2, 0.5); // as accurate, lower loss
    expect(runs.get(id)!).toMatchObject({ bestEpoch: 3, bestValAccuracy: 0.5 });
    epoch(4, 1.2, 0.5); // a perfect tie: the earlier stays
    epoch(5, 0.9, 0.45);
    expect(runs.get(id)!.bestEpoch).toBe(3);
    epoch(6, NaN, 0.5); // as accurate, but its loss is NaN (stored as NULL): the worst loss
    expect(runs.get(id)!.bestEpoch).toBe(3);

    // Without a validation split the latest epoch is the best.
    const other = runs.create({
      name: 'no valid',
      config: resolveTrainConfig('seed-lstm', { epochs: 2 }),
      preset: 'seed-lstm',
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0.1.0',
    });
    runs.start(other, 'wasm', '4.22.0');
    for (const e of [1, 2]) {
      runs.recordEpoch(
        other,
        {
          epoch: e,
          trainLoss: 1,
          trainAccuracy: 0.5,
          valLoss: null,
          valAccuracy: null,
          seconds: 1,
          samplesPerSecond: 1,
        },
        null,
        null,
      );
    }
    expect(runs.get(other)!.bestEpoch).toBe(2);
  });

  it('keeps a run, its parameters, epochs, best epoch, evaluations and models', () => {
    const { runs, datasetId } = setup();
    const config = resolveTrainConfig('seed-lstm', { epochs: 3 });
    const id = runs.create({
      name: 'r',
      config,
      preset: 'seed-lstm',
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0.1.0',
    });
    expect(runs.get(id)!.status).toBe('queued');
    runs.start(id, 'wasm', '4.22.0');
    const m = (epoch: number, valLoss: number) => ({
      epoch,
      trainLoss: 2 - epoch / 10,
      trainAccuracy: 0.1 * epoch,
      valLoss,
      valAccuracy: 1 - valLoss / 3,
      seconds: 1.5,
      samplesPerSecond: 100,
    });
    runs.recordEpoch(
      id,
      m(1, 2.0),
      [
        [1, 0],
        [0, 1],
      ],
      new Uint8Array([0, 1, 1]),
    );
    runs.recordEpoch(
      id,
      m(2, 1.5),
      [
        [2, 0],
        [0, 1],
      ],
      null,
    );
    runs.recordEpoch(id, m(3, 1.8), null, null);
    let detail = runs.get(id)!;
    expect(detail.status).toBe('running');
    expect(detail.backend).toBe('wasm');
    expect(detail.epochsDone).toBe(3);
    expect(detail.bestEpoch).toBe(2);
    expect(detail.bestValAccuracy).toBeCloseTo(0.5);
    expect(detail.history.map((h) => h.valLoss)).toEqual([2.0, 1.5, 1.8]);
    expect(detail.confusions.map((c) => c.epoch)).toEqual([1, 2]);
    expect(detail.params['model.hidden']).toBe(128);
    expect(detail.params['features.representation']).toBe('raw');
    expect(detail.params).toEqual(flattenConfig(config));

    runs.recordEvaluation({
      runId: id,
      weights: 'best',
      epoch: 2,
      modelDir: '/m/best',
      datasetId,
      datasetFingerprint: 'fp',
      split: 'test',
      loss: 1.1,
      accuracy: 0.625,
      perClass: [{ label: 'bass', precision: 1, recall: 0.5, f1: 0.667, support: 2 }],
      confusion: [
        [1, 1],
        [0, 2],
      ],
      labels: ['bass', 'brass'],
      predictions: [
        { noteStr: 'a', trueFamily: 0, predicted: 0, probabilities: new Float32Array([0.9, 0.1]) },
        { noteStr: 'b', trueFamily: 0, predicted: 1, probabilities: new Float32Array([0.3, 0.7]) },
      ],
    });
    runs.saveModel(id, 'best', 2, '/m/best');
    runs.end(id, 'finished');
    detail = runs.get(id)!;
    expect(detail.status).toBe('finished');
    expect(detail.testAccuracy).toBe(0.625);
    expect(detail.evaluations[0]!.confusion).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(detail.models).toEqual([{ kind: 'best', epoch: 2, dir: '/m/best' }]);
    const probs = db.prepare('SELECT probabilities FROM predictions WHERE note_str = ?').get('b') as {
      probabilities: Buffer;
    };
    expect(Array.from(new Float32Array(new Uint8Array(probs.probabilities).buffer))).toEqual([
      Math.fround(0.3),
      Math.fround(0.7),
    ]);
    expect(runs.list().map((r) => [r.id, r.model, r.testAccuracy])).toEqual([[id, 'lstm', 0.625]]);
    expect(runs.summary(id)).toEqual(runs.list()[0]);
    expect(runs.summary(id + 1)).toBeUndefined();

    expect(runs.remove(id)).toBe(true);
    for (const table of [
      'run_params',
      'epochs',
      'epoch_predictions',
      'evaluations',
      'predictions',
      'models',
    ]) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  });

  it('lists every run newest first with the same fields as its detail', () => {
    const { runs, datasetId } = setup();
    const make = (name: string, preset: string, overrides: Record<string, unknown>) =>
      runs.create({
        name,
        config: resolveTrainConfig(preset, overrides),
        preset,
        datasetId,
        datasetFingerprint: 'fp',
        appVersion: '0.1.0',
      });
    const a = make('a', 'seed-lstm', { lr: 0.0003, batch: 16 });
    const b = make('b "quoted"', 'logmel-lstm', { epochs: 7 });
    const c = make('c', 'seed-fc', {});
    runs.start(b, 'wasm', '4.22.0');
    runs.update(b, { tags: ['best', 'ünïcode'] });
    runs.end(c, 'failed', 'out of memory');
    const list = runs.list();
    expect(list.map((r) => r.id)).toEqual([c, b, a]);
    for (const r of list) {
      // The detail's summary fields come from the parsed config: the list's SQL must agree.
      const d = runs.get(r.id)!;
      expect(r).toEqual({
        id: d.id,
        name: d.name,
        status: d.status,
        preset: d.preset,
        model: d.model,
        representation: d.representation,
        lr: d.lr,
        batch: d.batch,
        hidden: d.hidden,
        layers: d.layers,
        optimizer: d.optimizer,
        epochs: d.epochs,
        epochsDone: d.epochsDone,
        bestEpoch: d.bestEpoch,
        bestValAccuracy: d.bestValAccuracy,
        testAccuracy: d.testAccuracy,
        backend: d.backend,
        datasetId: d.datasetId,
        createdAt: d.createdAt,
        startedAt: d.startedAt,
        finishedAt: d.finishedAt,
        tags: d.tags,
        sweepId: d.sweepId,
      });
      expect(runs.summary(r.id)).toEqual(r);
    }
    expect(list[1]!.tags).toEqual(['best', 'ünïcode']);
    expect(list[2]).toMatchObject({ lr: 0.0003, batch: 16, model: 'lstm', representation: 'raw' });
  });

  it('lists the newest few with the count of all, of every run or of a sweep', () => {
    const { runs, datasetId } = setup();
    const sweep = new SweepRepo(db).create('s', {
      name: 's',
      base: { preset: 'seed-fc' },
      method: 'grid',
      grid: {},
      seeds: 1,
    });
    const ids = Array.from({ length: 7 }, (_, i) =>
      runs.create({
        name: `r${i}`,
        config: resolveTrainConfig('seed-fc', {}),
        preset: 'seed-fc',
        datasetId,
        datasetFingerprint: 'fp',
        appVersion: '0.1.0',
        sweep: i % 2 ? { id: sweep, trial: i, replicate: 0 } : undefined,
      }),
    );
    const idsOf = (p: { json: string }) => unpackRuns({ ...p, total: 0 }).map((r) => r.id);
    const all = runs.packed();
    expect(all.total).toBe(7);
    expect(idsOf(all)).toEqual([...ids].reverse());
    const first = runs.packed({ first: 3 });
    expect(first.total).toBe(7);
    expect(idsOf(first)).toEqual(idsOf(all).slice(0, 3));
    expect(runs.packed({ first: 100 })).toEqual(all);
    const ofSweep = runs.packed({ sweep, first: 2 });
    expect(ofSweep.total).toBe(3);
    expect(idsOf(ofSweep)).toEqual([ids[5], ids[3]]);
    expect(runs.packed({ sweep: sweep + 1 })).toEqual({ json: '[]', total: 0 });
  });

  it('answers a list again only when the database changed: by this connection, another, or not after a rollback', () => {
    const { runs, datasetId } = setup();
    const make = (repo: RunRepo, name: string) =>
      repo.create({
        name,
        config: resolveTrainConfig('seed-fc', {}),
        preset: 'seed-fc',
        datasetId,
        datasetFingerprint: 'fp',
        appVersion: '0.1.0',
      });
    const a = make(runs, 'a');
    const names = () => unpackRuns(runs.packed()).map((r) => r.name);
    expect(names()).toEqual(['a']);
    // Kept while nothing changed: the very same answer.
    expect(runs.packed()).toBe(runs.packed());
    runs.update(a, { name: 'renamed' });
    expect(names()).toEqual(['renamed']);
    // Another connection's commit (a worker, `timbre train` in another terminal).
    const other = openDatabase(db.name);
    try {
      make(new RunRepo(other), 'b');
      other.prepare("UPDATE runs SET name = 'a again' WHERE id = ?").run(a);
    } finally {
      other.close();
    }
    expect(names()).toEqual(['b', 'a again']);
    // Read inside a transaction that then rolls back: never kept.
    db.exec('BEGIN');
    make(runs, 'rolled back');
    expect(names()).toEqual(['rolled back', 'b', 'a again']);
    db.exec('ROLLBACK');
    expect(names()).toEqual(['b', 'a again']);
  });

  it('marks running runs whose process is gone as interrupted, and leaves live ones', () => {
    const { runs, datasetId } = setup();
    const config = resolveTrainConfig('seed-fc');
    const mk = (ownerPid?: number) =>
      runs.create({
        name: 'r',
        config,
        preset: null,
        datasetId,
        datasetFingerprint: 'fp',
        appVersion: '0',
        ownerPid,
      });
    const dead = mk();
    const alive = mk();
    // A run this (live) process created to train itself.
    const queued = mk(process.pid);
    const orphan = mk();
    runs.start(dead, 'cpu', 'x', 111);
    runs.start(alive, 'cpu', 'x', 222);
    // A run queued by a process that died before training it.
    db.prepare('UPDATE runs SET owner_pid = 333 WHERE id = ?').run(orphan);
    const live = (pid: number) => pid === 222 || pid === process.pid;
    expect(runs.markInterrupted(live)).toEqual([dead, orphan]);
    expect(runs.get(dead)!.status).toBe('interrupted');
    expect(runs.get(orphan)!.status).toBe('interrupted');
    expect(runs.get(alive)!.status).toBe('running');
    expect(runs.get(queued)!.status).toBe('queued');
  });
});

describe('RunRepo under kills and concurrent processes', () => {
  const config = resolveTrainConfig('seed-fc', { epochs: 3 });
  const metrics = (epoch: number) => epochMetrics(epoch, { valLoss: 1 / epoch, valAccuracy: 0.1 * epoch });
  const evaluation = (runId: number | null, weights: 'best' | 'last' | 'external', accuracy: number) => ({
    runId,
    weights,
    epoch: 2,
    modelDir: `/m/${weights}-2`,
    datasetId: null,
    datasetFingerprint: 'fp',
    split: 'test' as const,
    loss: 1,
    accuracy,
    perClass: [],
    confusion: [[1]],
    labels: ['bass'],
    predictions: [{ noteStr: 'a', trueFamily: 0, predicted: 0, probabilities: new Float32Array([1]) }],
  });

  it('keeps one evaluation per run, split and weights: a new one replaces the earlier with its predictions', () => {
    const { runs, datasetId } = setup();
    const id = runs.create({
      name: 'r',
      config,
      preset: null,
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0',
    });
    const first = runs.recordEvaluation(evaluation(id, 'best', 0.5));
    runs.recordEvaluation(evaluation(id, 'last', 0.4));
    const second = runs.recordEvaluation(evaluation(id, 'best', 0.75));
    // External evaluations (`timbre test`, of a run or of a folder) are each kept.
    runs.recordEvaluation(evaluation(id, 'external', 0.1));
    runs.recordEvaluation(evaluation(id, 'external', 0.2));
    runs.recordEvaluation(evaluation(null, 'external', 0.3));
    runs.recordEvaluation(evaluation(null, 'external', 0.3));
    const evals = runs.get(id)!.evaluations;
    expect(evals.map((e) => [e.weights, e.accuracy])).toEqual([
      ['last', 0.4],
      ['best', 0.75],
      ['external', 0.1],
      ['external', 0.2],
    ]);
    expect(evals[1]!.id).toBe(second);
    expect(runs.get(id)!.testAccuracy).toBe(0.75);
    expect(db.prepare('SELECT count(*) AS n FROM predictions WHERE evaluation_id = ?').get(first)).toEqual({
      n: 0,
    });
    expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 6 });
    // The constraint itself, for any writer that bypasses the repository.
    expect(() =>
      db
        .prepare(
          `INSERT INTO evaluations (run_id, model_dir, weights, dataset_fingerprint, split, loss, accuracy, per_class, confusion, labels, created_at)
           SELECT run_id, model_dir, weights, dataset_fingerprint, split, loss, accuracy, per_class, confusion, labels, created_at
           FROM evaluations WHERE id = ?`,
        )
        .run(second),
    ).toThrow(/UNIQUE constraint failed/);
  });

  it('migration 3 keeps the newest of duplicated evaluations and drops the others with their predictions', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = path.join(t.dir, 'old.db');
    // A database as version 2 left it, with a run whose final evaluations were stored twice.
    const old = new Database(file);
    old.exec(MIGRATIONS[0]! + MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.exec(`INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_fingerprint, feature_config, config, test_accuracy)
              VALUES (1, 'r', 'finished', 'now', '0', 1, 'fp', '{}', '{}', 0.6)`);
    const insert = old.prepare(
      `INSERT INTO evaluations (id, run_id, model_dir, weights, dataset_fingerprint, split, loss, accuracy, per_class, confusion, labels, created_at)
       VALUES (?, ?, 'd', ?, 'fp', ?, 1, ?, '[]', '[]', '[]', 'now')`,
    );
    const rows: [number, number | null, string, string, number][] = [
      [1, 1, 'best', 'test', 0.6],
      [2, 1, 'last', 'test', 0.5],
      [3, 1, 'best', 'valid', 0.7],
      [4, 1, 'best', 'test', 0.5], // the resumed run's: the newest, kept
      [5, 1, 'last', 'test', 0.4],
      [6, 1, 'best', 'valid', 0.8],
      [7, 1, 'external', 'test', 0.3],
      [8, 1, 'external', 'test', 0.3],
      [9, null, 'external', 'test', 0.2],
    ];
    for (const r of rows) insert.run(...r);
    for (const r of rows) {
      old.prepare(`INSERT INTO predictions VALUES (?, 'a', 0, 0, x'00')`).run(r[0]);
    }
    old.close();
    db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const ids = (db.prepare('SELECT id FROM evaluations ORDER BY id').all() as { id: number }[]).map(
      (r) => r.id,
    );
    expect(ids).toEqual([4, 5, 6, 7, 8, 9]);
    const predicted = db.prepare('SELECT evaluation_id AS id FROM predictions ORDER BY 1').all() as {
      id: number;
    }[];
    expect(predicted.map((r) => r.id)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(db.prepare('SELECT test_accuracy AS t FROM runs').get()).toEqual({ t: 0.5 });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('records an epoch with its model folders in one transaction, and a finished run forgets its checkpoint', () => {
    const { runs, datasetId } = setup();
    const id = runs.create({
      name: 'r',
      config,
      preset: null,
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0',
    });
    runs.start(id, 'cpu', 'x');
    runs.recordEpoch(id, metrics(1), null, null, { checkpoint: '/m/checkpoint-1', best: '/m/best-1' });
    runs.recordEpoch(id, metrics(2), null, null, { checkpoint: '/m/checkpoint-2', best: '/m/best-2' });
    // A write that fails inside the transaction leaves neither the epoch nor its folders.
    expect(() =>
      runs.recordEpoch(id, { ...metrics(3), seconds: null as unknown as number }, null, null, {
        checkpoint: '/m/checkpoint-3',
        best: '/m/best-3',
      }),
    ).toThrow(/NOT NULL/);
    expect(runs.get(id)!).toMatchObject({ epochsDone: 2, bestEpoch: 2 });
    expect(runs.modelDirs(id).sort()).toEqual(['/m/best-2', '/m/checkpoint-2']);
    runs.end(id, 'finished', null, { epoch: 2, dir: '/m/last-2' });
    expect(runs.get(id)!.models).toEqual([
      { kind: 'best', epoch: 2, dir: '/m/best-2' },
      { kind: 'last', epoch: 2, dir: '/m/last-2' },
    ]);
  });

  it('lets one of several connections claim a run; a claim by a live process is not taken for dead, a dead one is recovered', () => {
    const { runs, datasetId } = setup();
    const id = runs.create({
      name: 'r',
      config,
      preset: null,
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0',
    });
    runs.end(id, 'interrupted');
    const others = [openDatabase(db.name), openDatabase(db.name)];
    try {
      const repos = [runs, ...others.map((d) => new RunRepo(d))];
      const resumable = (run: { status: string }) => {
        if (run.status !== 'interrupted') throw new Error(`is ${run.status}`);
      };
      const outcomes = repos.map((repo, i) => {
        try {
          return repo.claim(id, resumable, { status: 'preparing', pid: 1000 + i })!.status;
        } catch (err) {
          return (err as Error).message;
        }
      });
      expect(outcomes).toEqual(['preparing', 'is preparing', 'is preparing']);
      // The claimer (pid 1000) is alive: nobody marks its run interrupted.
      const alive = (pid: number) => pid === 1000;
      expect(repos[1]!.markInterrupted(alive)).toEqual([]);
      expect(runs.get(id)!.status).toBe('preparing');
      // It died before training: the run is interrupted again and can be claimed anew.
      expect(repos[2]!.markInterrupted(() => false)).toEqual([id]);
      expect(repos[1]!.claim(id, resumable, { status: 'preparing', pid: 1001 })!.status).toBe('preparing');
      // Nor can a claimed run be deleted.
      expect(repos[2]!.remove(id, { idleOnly: true })).toBe(false);
      expect(runs.get(id)).toBeDefined();
    } finally {
      for (const d of others) d.close();
    }
  });
});
