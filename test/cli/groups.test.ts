import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupComparison } from '../../src-main/shared/group-compare';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { seedGroups, type Seeded } from '../core/groups/fixture';

// `timbre runs compare --group-by`: groups of runs with known results, compared from the command line.

let cleanup: () => void;
let home: string;
let seeded: Seeded;

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  home = path.join(t.dir, 'home');
  seeded = seedGroups(home);
});
afterAll(() => cleanup());

describe('timbre runs compare, in groups', () => {
  it("prints a sweep's configurations with n, mean ± sd and CI, and the pair in a sentence", () => {
    const r = timbre(home, ['runs', 'compare', '--sweep', String(seeded.sweep)]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      "2 groups by configuration (identical except the seed); test accuracy, Welch's t-test:",
    );
    expect(r.stdout).toMatch(
      /lr=0\.001\s+3\s+3\s+62\.0 % ± 2\.0 %\s+57\.0 % to 67\.0 %\s+60\.0 % to 64\.0 %/,
    );
    expect(r.stdout).toMatch(
      /lr=0\.0003 is 5\.0 points worse than lr=0\.001, 95 % CI .*: not significant with 3 seeds each \(p = 0\.\d{3}\)/,
    );
  });

  it('groups given runs by a setting on another metric and test, as JSON', () => {
    const ids = [...seeded.fast, seeded.untested, ...seeded.slow].map(String);
    const r = timbre(home, [
      'runs',
      'compare',
      ...ids,
      '--group-by',
      'lr',
      '--metric',
      'best_val_accuracy',
      '--test',
      'bootstrap',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const c = r.json() as GroupComparison;
    expect(c).toMatchObject({ metric: 'bestValAccuracy', test: 'bootstrap', groupBy: ['lr'] });
    expect(c.groups.map((g) => [g.label, g.runs.length, g.metrics.bestValAccuracy.n])).toEqual([
      ['lr=0.0003', 3, 3],
      ['lr=0.001', 4, 4],
    ]);
    expect(c.pairs[0]!.result.kind).toBe('bootstrap');
  });

  it('says what is wrong with a metric, a grouping or a selection (exit 2), and with an unknown sweep (exit 1)', () => {
    const cases: [string[], RegExp][] = [
      [['runs', 'compare', '1', '2', '--metric', 'speed'], /Unknown metric "speed"; one of test_accuracy,/],
      [
        ['runs', 'compare', '1', '2', '--group-by', 'lr;drop'],
        /--group-by takes configuration, sweep, or settings/,
      ],
      [['runs', 'compare', '1', '--sweep', '1'], /Give run ids or --sweep, not both/],
    ];
    for (const [args, message] of cases) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const unknown = timbre(home, ['runs', 'compare', '--sweep', '99']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No sweep 99/);
  });
});
