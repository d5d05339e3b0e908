import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/store/database';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { RunColumnRepo } from '../../../src-main/core/store/run-columns';
import { RunRepo } from '../../../src-main/core/store/runs';
import { SweepRepo } from '../../../src-main/core/store/sweeps';
import { ViewRepo } from '../../../src-main/core/store/views';
import { resolveTrainConfig, type TrainOverrides } from '../../../src-main/core/training/config';
import { groupKey } from '../../../src-main/shared/groups';
import { unpackColumns, type SavedView } from '../../../src-main/shared/run-views';
import { emptyDataset, epochMetrics, tempDatabases } from '../../helpers/store';

const dbs = tempDatabases();
afterEach(() => dbs.cleanup());

const view = (name: string, more: Partial<SavedView> = {}): SavedView => ({
  name,
  filter: 'lstm test>60',
  status: '',
  sweep: null,
  sort: { key: 'metric.lastValAccuracy', dir: -1 },
  columns: ['model.dropout', 'metric.lastValAccuracy'],
  hidden: ['backend'],
  groupBy: 'configuration',
  ...more,
});

describe('migration 6: saved views', () => {
  it('adds the saved_views table to a database of schema 5, keeping its runs', () => {
    const file = dbs.file();
    const raw = new Database(file);
    raw.exec(MIGRATIONS.slice(0, 5).join(''));
    raw.pragma('user_version = 5');
    raw.close();
    const db = dbs.open(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(new ViewRepo(db).list()).toEqual([]);
    // A name of 1 to 100 characters, a view that is JSON.
    const insert = db.prepare("INSERT INTO saved_views (name, view, updated_at) VALUES (?, ?, 'now')");
    expect(() => insert.run('', '{}')).toThrow(/CHECK/);
    expect(() => insert.run('x'.repeat(101), '{}')).toThrow(/CHECK/);
    expect(() => insert.run('a', 'not json')).toThrow(/CHECK/);
  });
});

describe('ViewRepo', () => {
  it('saves, replaces by name, lists by name and deletes views', () => {
    const views = new ViewRepo(dbs.open(dbs.file()));
    views.save(view('seeds'));
    views.save(view('Best', { groupBy: 'sweep' }));
    views.save(view('seeds', { filter: 'blstm' }));
    expect(views.list().map((v) => [v.name, v.filter, v.groupBy])).toEqual([
      ['Best', 'lstm test>60', 'sweep'],
      ['seeds', 'blstm', 'configuration'],
    ]);
    expect(views.list()[1]).toEqual(view('seeds', { filter: 'blstm' }));
    expect(views.count()).toBe(2);
    expect(views.remove('seeds')).toBe(true);
    expect(views.remove('seeds')).toBe(false);
    expect(views.list().map((v) => v.name)).toEqual(['Best']);
  });
});

describe('RunColumnRepo', () => {
  function seed(db: Db) {
    const datasetId = emptyDataset(db);
    const runs = new RunRepo(db);
    const sweep = new SweepRepo(db).create('s', { name: 's', method: 'grid' } as never);
    const make = (name: string, overrides: TrainOverrides, inSweep = false) =>
      runs.create({
        name,
        config: resolveTrainConfig('seed-lstm', { epochs: 3, ...overrides }),
        preset: 'seed-lstm',
        datasetId,
        datasetFingerprint: 'fp',
        appVersion: '0.1.0',
        sweep: inSweep ? { id: sweep, trial: 0, replicate: 0 } : undefined,
      });
    const a = make('a', { seed: 1, model: { dropout: 0.2 } }, true);
    const b = make('b', { seed: 2, model: { dropout: 0.2 } }, true);
    const c = make('c', { seed: 1, model: { dropout: 0.5 } });
    // a: epochs 1-3, best at 2; b: one epoch; c: none.
    runs.recordEpoch(a, epochMetrics(1, { valAccuracy: 0.4, valLoss: 1.5, trainLoss: 2 }), null, null);
    runs.recordEpoch(a, epochMetrics(2, { valAccuracy: 0.7, valLoss: 0.9, trainLoss: 1 }), null, null);
    runs.recordEpoch(a, epochMetrics(3, { valAccuracy: 0.6, valLoss: 1.1, trainLoss: 0.5 }), null, null);
    runs.recordEpoch(b, epochMetrics(1, { valAccuracy: 0.3, valLoss: 2, trainLoss: 3 }), null, null);
    const evaluation = (run: number, weights: 'best' | 'last', accuracy: number, loss: number) =>
      runs.recordEvaluation({
        runId: run,
        weights,
        epoch: 2,
        modelDir: '/m',
        datasetId,
        datasetFingerprint: 'fp',
        split: 'test',
        loss,
        accuracy,
        perClass: [],
        confusion: [],
        labels: [],
        predictions: [],
      });
    evaluation(a, 'best', 0.66, 1.05);
    evaluation(a, 'last', 0.61, 1.2);
    runs.update(c, { notes: 'odd one\nsecond line' });
    return { runs, a, b, c, sweep };
  }

  it('answers settings, metrics, notes and configurations of every run in a handful of statements', () => {
    const db = dbs.open(dbs.file());
    const { runs, a, b, c } = seed(db);
    const keys = [
      'model.dropout',
      'features.nMels',
      'metric.lastValAccuracy',
      'metric.lastValLoss',
      'metric.bestValLoss',
      'metric.lastTrainLoss',
      'metric.testAccuracyLast',
      'metric.testLoss',
      'notes',
      'configuration',
    ];
    const { values, configurations } = unpackColumns(new RunColumnRepo(db).packed(keys), keys);
    const of = (key: string) => Object.fromEntries(values.get(key)!);
    expect(of('model.dropout')).toEqual({ [a]: 0.2, [b]: 0.2, [c]: 0.5 });
    expect(of('features.nMels')).toEqual({ [a]: 64, [b]: 64, [c]: 64 });
    expect(of('metric.lastValAccuracy')).toEqual({ [a]: 0.6, [b]: 0.3 });
    expect(of('metric.lastValLoss')).toEqual({ [a]: 1.1, [b]: 2 });
    expect(of('metric.bestValLoss')).toEqual({ [a]: 0.9, [b]: 2 });
    expect(of('metric.lastTrainLoss')).toEqual({ [a]: 0.5, [b]: 3 });
    expect(of('metric.testAccuracyLast')).toEqual({ [a]: 0.61 });
    expect(of('metric.testLoss')).toEqual({ [a]: 1.05 });
    expect(of('notes')).toEqual({ [c]: 'odd one\nsecond line' });
    // a and b differ only in their seed: one configuration; c another. Told apart as groupKey does.
    const conf = of('configuration');
    expect(conf[a]).toBe(conf[b]);
    expect(conf[c]).not.toBe(conf[a]);
    expect(configurations).toHaveLength(2);
    const key = (id: number) => groupKey({ id, params: runs.get(id)!.params });
    expect(key(a)).toBe(key(b));
    expect(configurations[(conf[c] as number) - 1]).toContain('model.dropout=0.5');
    expect(configurations[(conf[a] as number) - 1]).not.toMatch(/\bseed=/);
  });

  it("answers a sweep's runs alone, and only the parts asked for", () => {
    const db = dbs.open(dbs.file());
    const { a, b, sweep } = seed(db);
    const repo = new RunColumnRepo(db);
    const keys = ['model.dropout', 'metric.lastValAccuracy', 'configuration'];
    const { values } = unpackColumns(repo.packed(keys, sweep), keys);
    expect([...values.get('model.dropout')!.keys()].sort()).toEqual([a, b]);
    expect([...values.get('configuration')!.keys()].sort()).toEqual([a, b]);
    expect(JSON.parse(repo.packed(['model.dropout']).json)).toEqual({ params: expect.any(Object) });
    expect(repo.packed([]).json).toBe('{}');
  });
});

describe('the API arguments of saved views', () => {
  it('take names of 1 to 100 characters and views of bounded JSON', async () => {
    const { checkArgs } = await import('../../../src-main/core/api-schema');
    expect(checkArgs('saveView', [view('ok')])).toEqual([view('ok')]);
    expect(() => checkArgs('saveView', [view('')])).toThrow(/saveView: invalid arguments at 0.name/);
    expect(() => checkArgs('saveView', [view('x'.repeat(101))])).toThrow(/at 0.name/);
    expect(() => checkArgs('saveView', [view('big', { filter: 'x'.repeat(3000) })])).toThrow(/at 0.filter/);
    const many = (n: number) => Array.from({ length: n }, (_, i) => `model.${'k'.repeat(190)}${i}`);
    expect(() => checkArgs('saveView', [view('heavy', { columns: many(40), hidden: many(100) })])).toThrow(
      /JSON is at most/,
    );
    expect(() => checkArgs('saveView', [{ ...view('extra'), more: 1 }])).toThrow(/invalid arguments/);
    expect(() => checkArgs('deleteView', [''])).toThrow(/deleteView/);
    expect(checkArgs('runColumns', [['model.dropout'], { sweep: 3 }])).toEqual([
      ['model.dropout'],
      { sweep: 3 },
    ]);
    expect(() => checkArgs('runColumns', [Array.from({ length: 41 }, () => 'lr')])).toThrow(/runColumns/);
  });
});
