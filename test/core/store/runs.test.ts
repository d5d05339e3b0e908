import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { flattenConfig, RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
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
  const ds = new DatasetRepo(db).save({
    name: 'd',
    root: '/d',
    fingerprint: 'fp',
    notes: [],
    splits: {},
    skipped: [],
  });
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
      });
      expect(runs.summary(r.id)).toEqual(r);
    }
    expect(list[1]!.tags).toEqual(['best', 'ünïcode']);
    expect(list[2]).toMatchObject({ lr: 0.0003, batch: 16, model: 'lstm', representation: 'raw' });
  });

  it('marks running runs whose process is gone as interrupted, and leaves live ones', () => {
    const { runs, datasetId } = setup();
    const config = resolveTrainConfig('seed-fc');
    const mk = () =>
      runs.create({ name: 'r', config, preset: null, datasetId, datasetFingerprint: 'fp', appVersion: '0' });
    const dead = mk();
    const alive = mk();
    const queued = mk();
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
