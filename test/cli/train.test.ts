import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timbre } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

let dir: string;
let cleanup: () => void;
let home: string;

const SMALL = [
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
];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  const imp = timbre(home, ['dataset', 'import', await tinyDataset(), '--name', 'tiny']);
  expect(imp.code, imp.stderr).toBe(0);
});
afterAll(() => cleanup());

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

describe('timbre train', () => {
  it('trains a shrunk seed preset and prints the run as JSON on the last line', () => {
    const r = timbre(home, [
      'train',
      '--preset',
      'seed-lstm',
      ...SMALL,
      '--hidden',
      '8',
      '--layers',
      '1',
      '--epochs',
      '2',
      '--dataset',
      'tiny',
      '--backend',
      'wasm',
      '--name',
      'cli run',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as {
      id: number;
      status: string;
      backend: string;
      test: { accuracy: number; confusion: number[][]; labels: string[] };
      epochs: unknown[];
    };
    expect(out.status).toBe('finished');
    expect(out.backend).toBe('wasm');
    expect(out.epochs).toHaveLength(2);
    expect(out.test.labels).toHaveLength(11);
    expect(out.test.confusion).toHaveLength(11);
    expect(r.stderr).toMatch(/epoch 2\/2 +loss/);
    const shown = timbre(home, ['runs', 'show', String(out.id), '--json']).json() as {
      name: string;
      testAccuracy: number;
    };
    expect(shown.name).toBe('cli run');
    expect(shown.testAccuracy).toBe(out.test.accuracy);
  });

  it('refuses invalid values with one line naming the flag, exit 2, and records nothing', () => {
    const before = (timbre(home, ['runs', 'list', '--json']).json() as unknown[]).length;
    const cases: [string[], RegExp][] = [
      [['--lr=-0.1'], /--lr must be a number/],
      [['--batch', '0'], /--batch must be a whole number from 1 to 4096/],
      [['--model', 'transformer'], /--model must be one of mlp, cnn, lstm, blstm/],
      [['--dataset', 'nope'], /--dataset: No data set "nope"/],
      [['--preset', 'seed-transformer'], /--preset must be one of .*seed-gru, seed-bgru/],
      [['--features', 'mfcc', '--n-mfcc', '100', '--n-mels', '40'], /nMfcc/],
    ];
    for (const [args, message] of cases) {
      const r = timbre(home, ['train', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(message);
    }
    expect((timbre(home, ['runs', 'list', '--json']).json() as unknown[]).length).toBe(before);
  });

  it('survives kill -9 mid-epoch: committed epochs stay, the run is interrupted, resume finishes it', async () => {
    const child = spawn(
      process.execPath,
      [
        path.resolve(import.meta.dirname, '../../bin/timbre.mjs'),
        'train',
        '--preset',
        'seed-lstm',
        ...SMALL,
        '--batch',
        '1',
        '--hidden',
        '8',
        '--layers',
        '1',
        '--epochs',
        '4',
        '--dataset',
        'tiny',
        '--backend',
        'cpu',
        '--json',
      ],
      { env: { ...process.env, TIMBRE_HOME: home }, stdio: 'ignore' },
    );
    const db = new Database(path.join(home, 'timbre.db'), { readonly: true, fileMustExist: true });
    let runId = 0;
    try {
      // Wait until epoch 1 is committed, then kill the process during epoch 2.
      for (let i = 0; i < 600 && !runId; i++) {
        await sleep(100);
        const row = db
          .prepare("SELECT id FROM runs WHERE epochs_done >= 1 AND status = 'running' ORDER BY id DESC")
          .get() as { id: number } | undefined;
        runId = row?.id ?? 0;
      }
      expect(runId).toBeGreaterThan(0);
      await sleep(300);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      db.close();
    }
    const check = new Database(path.join(home, 'timbre.db'), { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    const shown = timbre(home, ['runs', 'show', String(runId), '--json']).json() as {
      status: string;
      epochsDone: number;
      history: { epoch: number }[];
    };
    expect(shown.status).toBe('interrupted');
    expect(shown.epochsDone).toBeGreaterThanOrEqual(1);
    expect(shown.epochsDone).toBeLessThan(4);
    const committed = shown.history.map((h) => h.epoch);

    const resumed = timbre(home, ['train', '--resume', String(runId), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`Resuming after epoch ${shown.epochsDone}`));
    const out = resumed.json() as {
      id: number;
      status: string;
      epochs: { epoch: number; trainLoss: number }[];
    };
    expect(out.id).toBe(runId);
    expect(out.status).toBe('finished');
    expect(out.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    // What was committed before the kill is kept as it was.
    expect(out.epochs.slice(0, committed.length).map((e) => e.epoch)).toEqual(committed);
    expect(timbre(home, ['train', '--resume', String(runId)]).code).toBe(1);
  });
});
