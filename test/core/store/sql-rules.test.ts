import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { tempDir } from '../../helpers/tmp';
import { countPrepared, epochMetrics } from '../../helpers/store';

let db: Db;
let cleanup: () => void;
afterEach(() => {
  db?.close();
  cleanup?.();
});

// Records which of an object's prototype methods are called.
function watch<T extends object>(target: T): Set<string> {
  const called = new Set<string>();
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const f = (target as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof f !== 'function') continue;
    (target as Record<string, unknown>)[name] = (...args: unknown[]) => {
      called.add(name);
      return (f as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return called;
}

const methods = (target: object) =>
  Object.getOwnPropertyNames(Object.getPrototypeOf(target))
    .filter((n) => n !== 'constructor')
    .sort();

describe('the store', () => {
  it('prepares every statement when a repository is made for its connection, none on later calls', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    db = openDatabase(path.join(t.dir, 'timbre.db'));
    const datasets = new DatasetRepo(db);
    const runs = new RunRepo(db);
    const prepared = countPrepared(db);
    const runCalls = watch(runs);
    const datasetCalls = watch(datasets);
    const predictionCalls = watch(runs.predictions);

    const write = {
      name: 'd',
      root: '/d',
      fingerprint: 'fp',
      notes: [
        {
          split: 'valid' as const,
          noteStr: 'bass_synthetic_001-040-100',
          family: 0,
          source: 1,
          instrumentStr: 'bass_synthetic_001',
          pitch: 40,
          velocity: 100,
          path: '/d/valid/bass_synthetic_001-040-100.wav',
        },
      ],
      splits: {},
      skipped: [{ file: 'x.wav', reason: 'not a WAV' }],
    };
    const dataset = datasets.save(write);
    datasets.save(write); // the same root again: an update
    expect(datasets.list()).toHaveLength(1);
    expect(datasets.find('d')?.id).toBe(dataset.id);
    expect(datasets.notes(dataset.id)).toHaveLength(1);
    expect(await datasets.readNotes(dataset.id)).toHaveLength(1);
    expect((await datasets.saveInPages({ ...write, name: 'd2', root: '/d2' })).name).toBe('d2');
    expect(datasets.notePath(dataset.id, 'valid', 'bass_synthetic_001-040-100')).toBeDefined();

    const config = resolveTrainConfig('seed-lstm', { epochs: 2 });
    const newRun = {
      name: 'r',
      config,
      preset: null,
      datasetId: dataset.id,
      datasetFingerprint: 'fp',
      appVersion: '0',
    };
    const id = runs.create(newRun);
    runs.start(id, 'cpu', '1');
    const m = epochMetrics(1);
    runs.recordEpoch(id, m, [[1]], new Uint8Array([0]), { checkpoint: '/m/checkpoint', best: '/m/best' });
    runs.saveModel(id, 'last', 1, '/m/last');
    runs.forgetModel(id, 'last');
    expect(runs.modelDirs(id)).toHaveLength(2);
    expect(runs.unfinished().get(id)).toHaveLength(2);
    const evaluationId = runs.recordEvaluation({
      runId: id,
      weights: 'best',
      epoch: 1,
      modelDir: '/m/best',
      datasetId: dataset.id,
      datasetFingerprint: 'fp',
      split: 'valid',
      loss: 1,
      accuracy: 1,
      perClass: [],
      confusion: [[1]],
      labels: ['bass'],
      predictions: [
        {
          noteStr: 'bass_synthetic_001-040-100',
          trueFamily: 0,
          predicted: 0,
          probabilities: new Float32Array([1]),
        },
      ],
    });
    runs.end(id, 'finished', null, { epoch: 1, dir: '/m/last' });
    expect(runs.claim(id, () => undefined, { status: 'queued' })?.status).toBe('queued');
    runs.setBackend(id, 'cpu');
    expect(runs.listOfSweep(1)).toEqual([]);
    expect(runs.underLock(id, (run) => run?.status)).toBe('queued');
    runs.markInterrupted(() => false);
    runs.update(id, { name: 'renamed', tags: ['a'] });
    expect(runs.list()[0]?.name).toBe('renamed');
    expect(runs.summary(id)?.tags).toEqual(['a']);
    expect(runs.get(id, { confusions: 'last' })?.history).toHaveLength(1);
    expect(runs.evaluations(id)).toHaveLength(1);
    expect(runs.evaluation(evaluationId)?.accuracy).toBe(1);
    expect(runs.lastBackend()).toBe('cpu');
    expect(runs.predictions.evaluation(evaluationId)).toHaveLength(1);
    expect(runs.predictions.evaluationWithNotes(evaluationId, dataset.id, 'valid')[0]?.pitch).toBe(40);
    expect(runs.predictions.evaluationNotes(evaluationId)).toHaveLength(1);
    expect(runs.predictions.epochs(id)).toHaveLength(1);
    expect(runs.predictions.epoch(id, 1)).toBeDefined();
    expect(runs.predictions.hasEpochs(id)).toBe(true);
    expect(runs.remove(id, { idleOnly: true })).toBe(true);
    expect(runs.remove(runs.create(newRun))).toBe(true);
    expect(datasets.remove(dataset.id)).toBe(true);

    // Every public method was called above: a new one must be added here, and so is checked too.
    expect(methods(runs).filter((n) => !runCalls.has(n))).toEqual([]);
    expect(methods(datasets).filter((n) => !datasetCalls.has(n) && n !== 'summary')).toEqual([]);
    expect(methods(runs.predictions).filter((n) => !predictionCalls.has(n))).toEqual([]);
    expect(prepared()).toBe(0);
  });

  it('holds all the SQL: no file outside src-main/core/store/ prepares or runs a statement', () => {
    const root = path.resolve(__dirname, '../../../src-main');
    const store = path.join(root, 'core', 'store');
    const rules: [RegExp, string][] = [
      [
        /['"`]\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|BEGIN|COMMIT|VACUUM|WITH)\s/,
        'SQL text',
      ],
      [/\.(prepare|exec|pragma)\s*(<[^>]*>)?\(\s*['"`]/, 'a statement run on a connection'],
      [/from ['"]better-sqlite3['"]/, 'better-sqlite3 imported'],
    ];
    const found: string[] = [];
    const scan = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (file !== store) scan(file);
        } else if (entry.name.endsWith('.ts')) {
          fs.readFileSync(file, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              for (const [rule, what] of rules) {
                if (rule.test(line)) found.push(`${path.relative(root, file)}:${i + 1}: ${what}`);
              }
            });
        }
      }
    };
    scan(root);
    expect(found).toEqual([]);
  });
});
