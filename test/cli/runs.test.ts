import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunComparison } from '../../src-main/cli/format-runs';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig, type TrainOverrides } from '../../src-main/core/training/config';
import { accuracyOf, perClassMetrics } from '../../src-main/core/training/metrics';
import { FAMILIES } from '../../src-main/shared/constants';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

let home: string;
let cleanup: () => void;
const ids = { base: 0, tuned: 0, running: 0, failed: 0 };

// Reads the store the way the CLI does, to check its --json output against.
function withRepo<T>(f: (runs: RunRepo) => T): T {
  const db = openDatabase(path.join(home, 'timbre.db'));
  try {
    return f(new RunRepo(db));
  } finally {
    db.close();
  }
}

// An 11-family test confusion matrix: `right` notes right per family, one bass note taken for brass.
function evaluation(
  runs: RunRepo,
  runId: number,
  datasetId: number,
  weights: 'best' | 'last',
  right: number,
) {
  const confusion = FAMILIES.map((_, i) => FAMILIES.map((_, j) => (i === j ? right : 0)));
  confusion[0]![1] = 1;
  const labels = [...FAMILIES];
  runs.recordEvaluation({
    runId,
    weights,
    epoch: weights === 'best' ? 2 : 3,
    modelDir: path.join(home, 'models', String(runId), weights),
    datasetId,
    datasetFingerprint: 'fp123',
    split: 'test',
    loss: weights === 'best' ? 0.9 : 1.2,
    accuracy: accuracyOf(confusion),
    perClass: perClassMetrics(confusion, labels),
    confusion,
    labels,
    predictions: [],
  });
}

beforeAll(() => {
  ({ dir: home, cleanup } = tempDir());
  const db = openDatabase(path.join(home, 'timbre.db'));
  const datasetId = new DatasetRepo(db).save({
    name: 'd',
    root: '/d',
    fingerprint: 'fp123',
    notes: [],
    splits: {},
    skipped: [],
  }).id;
  const runs = new RunRepo(db);
  const make = (name: string, overrides: TrainOverrides, epochs: number, loss0: number) => {
    const id = runs.create({
      name,
      config: resolveTrainConfig('seed-lstm', { epochs: 5, ...overrides }),
      preset: 'seed-lstm',
      datasetId,
      datasetFingerprint: 'fp123',
      appVersion: '0.1.0',
    });
    runs.start(id, 'wasm', '4.22.0');
    for (let e = 1; e <= epochs; e++) {
      const valLoss = loss0 - (e === 2 ? 0.5 : 0.1 * e); // epoch 2 is the best
      runs.recordEpoch(
        id,
        {
          epoch: e,
          trainLoss: loss0 - 0.2 * e,
          trainAccuracy: 0.2 * e,
          valLoss,
          valAccuracy: 1 - valLoss / 3,
          seconds: 2.5,
          samplesPerSecond: 420,
        },
        null,
        null,
      );
    }
    return id;
  };
  ids.base = make('base', {}, 3, 2.0);
  evaluation(runs, ids.base, datasetId, 'best', 9);
  evaluation(runs, ids.base, datasetId, 'last', 8);
  runs.saveModel(ids.base, 'best', 2, path.join(home, 'models', String(ids.base), 'best'));
  runs.end(ids.base, 'finished');
  db.prepare('UPDATE runs SET started_at = ?, finished_at = ? WHERE id = ?').run(
    '2024-05-01T10:00:00.000Z',
    '2024-05-01T10:03:12.000Z',
    ids.base,
  );
  ids.tuned = make('tuned', { lr: 0.002, model: { hidden: 64 } }, 3, 1.8);
  evaluation(runs, ids.tuned, datasetId, 'best', 4);
  runs.end(ids.tuned, 'finished');
  ids.running = make('busy', { batch: 16 }, 1, 2.2); // owned by this (live) test process
  ids.failed = make('broken', {}, 0, 2);
  runs.end(ids.failed, 'failed', 'Out of memory in epoch 1');
  runs.update(ids.failed, { notes: 'tried a big batch', tags: ['oom', 'retry'] });
  db.close();
  for (const id of [ids.base, ids.tuned]) {
    fs.mkdirSync(path.join(home, 'models', String(id), 'best'), { recursive: true });
    fs.writeFileSync(path.join(home, 'models', String(id), 'best', 'model.json'), '{}');
  }
});
afterAll(() => cleanup());

describe('timbre runs', () => {
  it('prints help for every subcommand', () => {
    for (const args of [
      ['runs'],
      ['runs', '--help'],
      ...['list', 'show', 'compare', 'delete'].map((s) => ['runs', s, '--help']),
    ]) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/timbre runs/);
    }
    expect(timbre(home, ['--help']).stdout).toMatch(/runs\s+list, show, compare and delete/);
  });

  it('lists every run newest first, as a table and as JSON', () => {
    const r = timbre(home, ['runs', 'list']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+model\s+features\s+lr\s+batch\s+hidden x layers\s+status/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[1])).toEqual(['broken', 'busy', 'tuned', 'base']);
    const base = lines.find((l) => / base /.test(l))!;
    expect(base).toMatch(
      /lstm\s+raw\s+0.0008\s+32\s+128x3\s+finished\s+3\/5\s+50\.0 %\s+99\.0 %\s+3 min 12 s\s+wasm/,
    );
    expect(lines.find((l) => / tuned /.test(l))).toMatch(/0.002\s+32\s+64x3/);

    const json = timbre(home, ['runs', 'list', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const expected = withRepo((runs) => runs.list());
    expect(json.json() as RunSummary[]).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('shows everything a run recorded', () => {
    const r = timbre(home, ['runs', 'show', String(ids.base)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/run \d+: base/);
    expect(r.stdout).toMatch(/backend\s+wasm 4.22.0/);
    expect(r.stdout).toMatch(/took 3 min 12 s/);
    expect(r.stdout).toMatch(/fingerprint fp123/);
    expect(r.stdout).toMatch(/model\.hidden\s+= 128/);
    expect(r.stdout).toMatch(/epoch\s+train loss\s+train acc\s+val loss\s+val acc\s+seconds\s+samples\/s/);
    expect(r.stdout).toMatch(/\*\s+2\s+1\.6000\s+40\.0 %\s+1\.5000\s+50\.0 %\s+2\.5\s+420/);
    expect(r.stdout).toMatch(/test split, best weights of epoch 2: accuracy 99\.0 %, loss 0\.9000/);
    expect(r.stdout).toMatch(/test split, last weights of epoch 3/);
    expect(r.stdout).toMatch(/^\s+bass\s+brass\s+flute\s+guita\s+keybo/m);
    expect(r.stdout).toMatch(/^bass\s+9\s+1\s+0/m);
    expect(r.stdout).toMatch(/^synth_lead\s+0\s+0/m);
    expect(r.stdout).toMatch(/best\s+2\s+.*models/);

    const failed = timbre(home, ['runs', 'show', String(ids.failed)]);
    expect(failed.stdout).toMatch(/status\s+failed\nerror\s+Out of memory in epoch 1/);
    expect(failed.stdout).toMatch(/notes\s+tried a big batch\ntags\s+oom, retry/);

    const json = timbre(home, ['runs', 'show', String(ids.base), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const expected = withRepo((runs) => runs.get(ids.base)!);
    expect(json.json() as RunDetail).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('compares runs: only the differing parameters, and metrics side by side', () => {
    const json = timbre(home, ['runs', 'compare', String(ids.base), String(ids.tuned), '--json']);
    expect(json.code, json.stderr).toBe(0);
    const c = json.json() as RunComparison;
    expect(c.runs).toEqual([ids.base, ids.tuned]);
    expect(c.differing).toEqual({ lr: [0.0008, 0.002], 'model.hidden': [128, 64] });
    const params = withRepo((runs) => Object.keys(runs.get(ids.base)!.params).length);
    expect(c.same).toBe(params - 2);
    const [base, tuned] = c.metrics;
    expect(base).toMatchObject({ id: ids.base, bestEpoch: 2, bestValLoss: 1.5, lastEpoch: 3, seconds: 192 });
    expect(base!.lastTrainLoss).toBeCloseTo(1.4);
    expect(base!.lastValLoss).toBeCloseTo(1.7);
    expect(base!.testAccuracyBest).toBeCloseTo(99 / 100);
    expect(base!.testAccuracyLast).toBeCloseTo(88 / 89);
    expect(tuned).toMatchObject({ id: ids.tuned, bestEpoch: 2, testAccuracyLast: null });
    expect(tuned!.testAccuracyBest).toBeCloseTo(44 / 45);

    const r = timbre(home, ['runs', 'compare', String(ids.base), String(ids.tuned), String(ids.running)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/parameters that differ \(\d+ others are the same\)/);
    expect(r.stdout).toMatch(/^lr\s+0.0008\s+0.002\s+0.0008$/m);
    expect(r.stdout).toMatch(/^batch\s+32\s+32\s+16$/m);
    expect(r.stdout).toMatch(/^test acc, best weights\s+99\.0 %\s+97\.8 %\s+–$/m);
    expect(r.stdout).toMatch(/^duration\s+3 min 12 s/m);
  });

  it('rejects bad ids with exit 2 and unknown runs with exit 1', () => {
    const cases: [string[], number, RegExp][] = [
      [['runs', 'show', 'abc'], 2, /A run id is a positive whole number \(got "abc"\)/],
      [['runs', 'show', '0'], 2, /positive whole number/],
      [['runs', 'show'], 2, /Give one run id/],
      [['runs', 'compare', '1'], 2, /two or more run ids/],
      [['runs', 'compare', '1', '1'], 2, /given twice/],
      [['runs', 'frob'], 2, /Unknown command "runs frob"/],
      [['runs', 'list', '--bogus'], 2, /Unknown option '--bogus'/],
      [['runs', 'show', '42'], 1, /^timbre: No run 42\. `timbre runs list` shows them\.$/m],
      [['runs', 'compare', String(ids.base), '42'], 1, /No run 42\./],
      [['runs', 'delete', '42', '--yes'], 1, /No run 42\./],
    ];
    for (const [args, code, message] of cases) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('deletes a run and its models only when confirmed, and never a running one', () => {
    const modelsOf = (id: number) => path.join(home, 'models', String(id));
    const ask = timbre(home, ['runs', 'delete', String(ids.base)]);
    expect(ask.code).toBe(2);
    expect(ask.stderr).toMatch(/pass --yes/);
    expect(fs.existsSync(modelsOf(ids.base))).toBe(true);

    const busy = timbre(home, ['runs', 'delete', String(ids.running), '--yes']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is running; cancel it before deleting it/);
    expect(withRepo((runs) => runs.get(ids.running)?.status)).toBe('running');

    const r = timbre(home, ['runs', 'delete', String(ids.base), '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ deleted: ids.base, name: 'base', modelsDir: modelsOf(ids.base) });
    expect(fs.existsSync(modelsOf(ids.base))).toBe(false);
    expect(fs.existsSync(modelsOf(ids.tuned))).toBe(true);
    expect(withRepo((runs) => runs.list().map((s) => s.id))).toEqual([ids.failed, ids.running, ids.tuned]);

    const text = timbre(home, ['runs', 'delete', String(ids.failed), '-y']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Deleted run \d+ "broken"\.$/m);
  });
});
