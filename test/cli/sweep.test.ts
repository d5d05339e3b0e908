import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepPlan } from '../../src-main/shared/sweeps';
import { timbre } from '../helpers/cli';
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
    expect(top.stdout).toMatch(/^\s+sweep\s+plan a sweep/m);
    const help = timbre(home, ['sweep', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/timbre sweep plan .*--grid KEY=V1,V2/s);
    expect(help.stdout).toMatch(/loguniform:A:B/);
    expect(help.stdout).toMatch(/--lr X/);
  });
});
