import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepPlan, SweepSummary } from '../../src-main/shared/sweeps';
import type { RunSummary } from '../../src-main/shared/training';
import { timbre, type CliResult } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

let dir: string;
let cleanup: () => void;
let home: string;

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
});
afterAll(() => cleanup());

const GRID = ['sweep', 'plan', '--grid', 'lr=1e-3,3e-4', '--grid', 'layers=1,2', '--seeds', '2'];

describe('timbre sweep plan', () => {
  it('prints a grid of lr x layers with 2 seeds as a header and 8 labelled runs', () => {
    const r = timbre(home, GRID);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('4 configurations x 2 seeds = 8 runs');
    expect(lines[1]).toMatch(/^run\s+label$/);
    expect(lines.slice(2)).toHaveLength(8);
    expect(lines[2]).toMatch(/^\s*1\s+layers=1 lr=0\.001 seed=0$/);
    expect(lines[9]).toMatch(/^\s*8\s+layers=2 lr=0\.0003 seed=1$/);
  });

  it('gives the counts and the runs as JSON on the last line, with the base flags applied', () => {
    const r = timbre(home, [...GRID, '--epochs', '5', '--budget', '6', '--name', ' lr study ', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = r.json() as SweepPlan;
    expect(plan).toMatchObject({ configurations: 3, seeds: 2, total: 6, truncated: true });
    expect(plan.spec).toMatchObject({ name: 'lr study', method: 'grid', seed: 0, budget: 6 });
    expect(plan.runs.map((run) => run.label)).toEqual([
      'layers=1 lr=0.001 seed=0',
      'layers=1 lr=0.001 seed=1',
      'layers=1 lr=0.0003 seed=0',
      'layers=1 lr=0.0003 seed=1',
      'layers=2 lr=0.001 seed=0',
      'layers=2 lr=0.001 seed=1',
    ]);
    expect(plan.runs.every((run) => run.config.epochs === 5)).toBe(true);
    expect(plan.runs[4]!.config.model.layers).toBe(2);
  });

  it('draws a random sweep reproducibly from --seed (flag spellings of keys accepted)', () => {
    const args = [
      'sweep',
      'plan',
      '--random',
      'lr=loguniform:1e-4:1e-2',
      '--random',
      'weight-decay=uniform:0:0.001',
      '--random',
      'optimizer=choice:adam,sgd',
      '--trials',
      '5',
      '--seed',
      '42',
      '--json',
    ];
    const [a, b] = [timbre(home, args), timbre(home, args)];
    expect(a.code, a.stderr).toBe(0);
    const plan = a.json() as SweepPlan;
    expect(plan).toMatchObject({ configurations: 5, seeds: 1, total: 5 });
    expect(plan.spec).toMatchObject({ method: 'random', seed: 42, trials: 5 });
    expect(new Set(plan.runs.map((r) => r.values.lr)).size).toBe(5);
    for (const run of plan.runs) expect(run.config.lr).toBeGreaterThanOrEqual(1e-4);
    expect(b.json()).toEqual(plan);
  });

  it('refuses bad input with one line naming the flag, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--grid', 'depth=1,2'], /^timbre: --grid: unknown setting "depth" \(one of type, hidden, layers/],
      [
        ['--grid', 'layers=2,9'],
        /^timbre: grid value of layers must be a whole number from 1 to 8 \(got 9\)$/,
      ],
      [['--random', 'lr=loguniform:1e-4'], /^timbre: --random lr: "loguniform:1e-4" must be uniform:A:B/],
    ];
    for (const [args, message] of cases) {
      const r = timbre(home, ['sweep', 'plan', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });

  it('is listed by timbre --help and explains itself with sweep --help', () => {
    const top = timbre(home, ['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^\s+sweep\s+plan, create and follow sweeps/m);
    const help = timbre(home, ['sweep', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/timbre sweep plan .*--grid KEY=V1,V2/s);
    expect(help.stdout).toMatch(/loguniform:A:B/);
    expect(help.stdout).toMatch(/--lr X/);
  });
});

// One line on stderr with the exit code, nothing on stdout: how every refusal reads.
function refused(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(message);
}

// Small runs: nothing trains here (nobody runs the queue), so the runs stay queued.
const TINY_RUNS = ['--features', 'logmel', '--seconds', '0.5', '--n-mels', '16', '--epochs', '3'];

describe('timbre sweep create, list, show, pause, resume, extend, cancel', () => {
  let grid: number;
  let random: number;

  beforeAll(async () => {
    const imp = timbre(home, ['dataset', 'import', await tinyDataset(), '--name', 'tiny']);
    expect(imp.code, imp.stderr).toBe(0);
  });

  it('creates a grid sweep with ASHA, queued, and says how to start the queue', () => {
    const r = timbre(home, [
      'sweep',
      'create',
      ...TINY_RUNS,
      '--grid',
      'layers=1,2',
      '--seeds',
      '2',
      '--asha',
      '--asha-rungs',
      '1,2',
      '--asha-eta',
      '2',
      '--dataset',
      'tiny',
      '--name',
      'depth',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [created, hint] = r.stdout.trim().split('\n');
    const m =
      /^Created sweep (\d+) "depth": 2 configurations x 2 seeds = 4 runs queued on data set "tiny"/.exec(
        created!,
      );
    expect(m, created).not.toBeNull();
    grid = Number(m![1]);
    expect(hint).toMatch(/^Nobody runs the queue now: start `timbre queue run` \(or `timbre serve`/);
  });

  it('creates a random sweep with median stopping and prints its summary as JSON', () => {
    const r = timbre(home, [
      'sweep',
      'create',
      ...TINY_RUNS,
      '--random',
      'lr=loguniform:1e-4:1e-2',
      '--trials',
      '2',
      '--median-stop',
      '--median-min-epochs',
      '2',
      '--dataset',
      'tiny',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const sweep = r.json() as SweepSummary;
    expect(sweep).toMatchObject({
      name: 'sweep',
      status: 'active',
      method: 'random',
      varied: ['lr'],
      configurations: 2,
      seeds: 1,
      earlyStopping: 'median',
      done: false,
      best: null,
    });
    expect(sweep.counts).toMatchObject({ queued: 2, total: 2 });
    random = sweep.id;
  });

  it('lists the sweeps newest first and shows one with its settings, counts and runs', () => {
    const list = timbre(home, ['sweep', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+name\s+status\s+method\s+varies\s+runs\s+finished\s+training\s+queued/);
    expect(lines[1]).toMatch(
      new RegExp(`^\\s*${random}\\s+sweep\\s+active\\s+random\\s+lr\\s+2\\s+0\\s+0\\s+2\\s`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^\\s*${grid}\\s+depth\\s+active\\s+grid\\s+layers\\s+4\\s+0\\s+0\\s+4\\s`),
    );

    const show = timbre(home, ['sweep', 'show', String(grid)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^sweep ${grid}: depth$`, 'm'));
    expect(show.stdout).toMatch(/^method +grid \(every combination\); 2 configurations x 2 seeds$/m);
    expect(show.stdout).toMatch(
      /^base +preset seed-lstm; epochs=3 representation=logmel seconds=0.5 nMels=16$/m,
    );
    expect(show.stdout).toMatch(/^early stopping +ASHA: rungs at epochs 1, 2, keeps the top 1\/2$/m);
    expect(show.stdout).toMatch(/^runs +4 runs: 4 queued$/m);
    expect(show.stdout).toMatch(/^ +layers: 1, 2$/m);
    const table = show.stdout.slice(show.stdout.indexOf('  id  label'));
    expect(table.split('\n')[0]).toMatch(/^\s+id\s+label\s+status\s+epochs\s+best val acc\s+test acc$/);
    expect(
      table
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/).slice(1, 5)),
    ).toEqual([
      ['layers=1', 'seed=0', 'queued', '0/3'],
      ['layers=1', 'seed=1', 'queued', '0/3'],
      ['layers=2', 'seed=0', 'queued', '0/3'],
      ['layers=2', 'seed=1', 'queued', '0/3'],
    ]);
  });

  it('pauses, resumes, extends and cancels a sweep; runs list --sweep lists only its runs', () => {
    const paused = timbre(home, ['sweep', 'pause', String(grid), '--json']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.json()).toMatchObject({ id: grid, status: 'paused' });

    const resumed = timbre(home, ['sweep', 'resume', String(grid)]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^Sweep ${grid} "depth" is active again`));

    const extended = timbre(home, ['sweep', 'extend', String(grid), '--seeds', '1', '--json']);
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.json()).toMatchObject({ seeds: 3, counts: { queued: 6, total: 6 } });

    const cancelled = timbre(home, ['sweep', 'cancel', String(grid)]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim().split('\n')).toEqual([
      `Sweep ${grid} "depth" is cancelled: its waiting runs are cancelled, those training stop within a batch.`,
      '6 runs: 6 cancelled',
    ]);

    const runs = timbre(home, ['runs', 'list', '--sweep', String(grid), '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    const listed = runs.json() as RunSummary[];
    expect(listed).toHaveLength(6);
    expect(listed.every((r) => r.sweepId === grid && r.status === 'cancelled')).toBe(true);
  });

  it('refuses an unknown sweep, a bad id, two stopping rules and a negative count: one line each', () => {
    refused(
      timbre(home, ['sweep', 'show', '999']),
      1,
      /^timbre: No sweep 999\. `timbre sweep list` shows them\.$/,
    );
    refused(
      timbre(home, ['sweep', 'pause', 'abc']),
      2,
      /^timbre: A sweep id is a positive whole number \(got "abc"\)\.$/,
    );
    refused(
      timbre(home, ['sweep', 'create', '--grid', 'lr=1e-3,1e-2', '--asha', '--median-stop']),
      2,
      /^timbre: --asha and --median-stop are two rules; choose one$/,
    );
    refused(
      timbre(home, ['sweep', 'extend', String(random), '--seeds', '-1']),
      2,
      /^timbre: --seeds must be a whole number from 1 to 100 \(got "-1"\)$/,
    );
  });
});
