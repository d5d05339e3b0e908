import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import {
  cleanModelFolders,
  nextFreeRunFolder,
  parseModelFolder,
  pruneModelFolders,
} from '../../../src-main/core/training/model-dirs';
import { loadModelDir, saveModelDir } from '../../../src-main/core/training/model-io';
import { emptyDataset } from '../../helpers/store';
import { tempDir } from '../../helpers/tmp';

let db: Db | undefined;
let cleanup: () => void;
afterEach(() => {
  db?.close();
  db = undefined;
  cleanup?.();
});

function folders(dir: string, names: string[]): void {
  for (const n of names) {
    fs.mkdirSync(path.join(dir, n), { recursive: true });
    fs.writeFileSync(path.join(dir, n, 'model.json'), '{}');
  }
}

const ls = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : null);

describe('model folders', () => {
  it('names epoch folders, legacy folders and temporaries apart', () => {
    expect(parseModelFolder('best-12')).toEqual({ type: 'model', kind: 'best', epoch: 12 });
    expect(parseModelFolder('checkpoint-3')).toEqual({ type: 'model', kind: 'checkpoint', epoch: 3 });
    expect(parseModelFolder('last')).toEqual({ type: 'model', kind: 'last', epoch: 0 });
    expect(parseModelFolder('best.tmp-4242')).toEqual({ type: 'tmp', pid: 4242 });
    expect(parseModelFolder('best-3.tmp-77')).toEqual({ type: 'tmp', pid: 77 });
    expect(parseModelFolder('notes.txt')).toBeNull();
  });

  it('saves a model whole, replacing only a leftover, and leaves no temporary', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const dir = path.join(t.dir, 'best-2');
    folders(t.dir, ['best-2']); // a leftover of a killed attempt
    const data = new Float32Array([1, 2, 3]);
    saveModelDir(dir, [{ name: 'w', shape: [3], data }], { topology: { model: 'x' } });
    expect(Array.from(loadModelDir(dir).weights[0]!.data)).toEqual([1, 2, 3]);
    expect(ls(t.dir)).toEqual(['best-2']);
  });

  it('prunes only what the database does not point at, of the kinds and epochs asked', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    folders(t.dir, ['best', 'best-2', 'best-4', 'checkpoint-3', 'checkpoint-4', 'checkpoint-5', 'last-4']);
    folders(t.dir, ['best-5.tmp-1', 'notes']);
    const removed = pruneModelFolders(t.dir, {
      keep: [path.join('/elsewhere/models/1', 'best-4'), path.join(t.dir, 'checkpoint-4')],
      kinds: ['best', 'checkpoint'],
      upTo: 4,
    });
    expect(removed.sort()).toEqual(['best', 'best-2', 'checkpoint-3']);
    // Later epochs (being written), last folders, temporaries and foreign entries stay.
    expect(ls(t.dir)).toEqual(['best-4', 'best-5.tmp-1', 'checkpoint-4', 'checkpoint-5', 'last-4', 'notes']);
    pruneModelFolders(t.dir, { keep: ['best-4', 'last-4'], tmpOf: () => true });
    expect(ls(t.dir)).toEqual(['best-4', 'last-4', 'notes']);
  });

  it('clears at start what dead processes left, but not the folders of a run being trained or of a newer database', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = openDatabase(path.join(t.dir, 'timbre.db'));
    const runs = new RunRepo(db);
    const ds = { id: emptyDataset(db) };
    const config = resolveTrainConfig('seed-fc');
    const mk = () =>
      runs.create({
        name: 'r',
        config,
        preset: null,
        datasetId: ds.id,
        datasetFingerprint: 'fp',
        appVersion: '0',
      });
    const models = path.join(t.dir, 'models');
    const idle = mk();
    const training = mk();
    const dir = (id: number) => path.join(models, String(id));
    runs.recordEpoch(
      idle,
      {
        epoch: 2,
        trainLoss: 1,
        trainAccuracy: 0,
        valLoss: 1,
        valAccuracy: 0,
        seconds: 1,
        samplesPerSecond: 1,
      },
      null,
      null,
      { checkpoint: path.join(dir(idle), 'checkpoint-2'), best: path.join(dir(idle), 'best-2') },
    );
    runs.end(idle, 'interrupted');
    runs.start(training, 'cpu', 'x', 222);
    // Epoch 3's folders and the bare `best` of the old layout: a killed trainer's. Epoch 7's: a
    // newer database's (a backup was restored), kept like the folder of a run this one lacks.
    folders(dir(idle), ['best-2', 'checkpoint-2', 'best-3', 'last-3', 'best-3.tmp-111', 'best', 'best-7']);
    folders(dir(training), ['checkpoint-1', 'best-1', 'checkpoint-2.tmp-222', 'checkpoint-2.tmp-111']);
    folders(dir(999), ['best-1']);
    const alive = (pid: number) => pid === 222;
    const removed = cleanModelFolders(models, runs, alive);
    expect(removed.length).toBe(5);
    expect(ls(dir(idle))).toEqual(['best-2', 'best-7', 'checkpoint-2']);
    expect(ls(dir(training))).toEqual(['best-1', 'checkpoint-1', 'checkpoint-2.tmp-222']);
    expect(ls(dir(999))).toEqual(['best-1']);
  });
  it('gives a new run an id above every run folder, so a restored database never shares one', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = openDatabase(path.join(t.dir, 'timbre.db'));
    const models = path.join(t.dir, 'models');
    expect(nextFreeRunFolder(models)).toBe(1);
    // Folders of runs 3 and 7 a newer database had (restored over), and one that is no run's.
    folders(models, ['3/best-2', '7/last-5', 'notes']);
    expect(nextFreeRunFolder(models)).toBe(8);
    const runs = new RunRepo(db);
    const ds = { id: emptyDataset(db) };
    const make = (minId?: number) =>
      runs.create({
        name: 'r',
        config: resolveTrainConfig('seed-fc'),
        preset: null,
        datasetId: ds.id,
        datasetFingerprint: 'fp',
        appVersion: '0',
        minId,
      });
    expect(make()).toBe(1);
    expect(make(nextFreeRunFolder(models))).toBe(8);
    // Never below the runs the database has.
    expect(make(2)).toBe(9);
  });
});
