// The accuracy bench's arithmetic and its flags. Expected values from scipy 1.x, computed apart from
// our code: a = np.array(ours), b = np.array(ref); stats.ttest_ind(a, b, equal_var=False) for t and
// p, a.std(ddof=1) for sd, Welch–Satterthwaite df and stats.t.ppf(0.975, df) for the interval.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePresets } from './accuracy';
import { aggregate, compareSeeds, diffCell, meanSd, pCell, seedGroup, type SeedRun } from './accuracy-stats';

const BENCH = fileURLToPath(new URL('../../bin/bench.mjs', import.meta.url));

function run(seed: number, ours: number | null, pytorch: number | null): SeedRun {
  return {
    seed,
    ours_best: ours === null ? null : ours + 0.01,
    ours_last: ours,
    ours_best_epoch: 1,
    ours_train_loss: [2.3],
    ours_seconds: 10,
    pytorch,
    pytorch_train_loss: pytorch === null ? null : [2.2],
    pytorch_seconds: pytorch === null ? null : 8,
  };
}

describe('seedGroup', () => {
  it('keeps the values per seed and summarizes the ones present', () => {
    const g = seedGroup([0.5, null, 0.54]);
    expect(g.values).toEqual([0.5, null, 0.54]);
    expect(g.n).toBe(2);
    expect(g.mean).toBeCloseTo(0.52, 12);
    expect(g.sd).toBeCloseTo(0.028284271247461926, 12);
    expect(meanSd(g)).toBe('52.0 ± 2.8 %');
  });

  it('has no sd for one value and no mean for none', () => {
    expect(seedGroup([0.6])).toEqual({ values: [0.6], n: 1, mean: 0.6, sd: null });
    expect(meanSd(seedGroup([0.6]))).toBe('60.0 %');
    expect(seedGroup([null])).toEqual({ values: [null], n: 0, mean: null, sd: null });
    expect(meanSd(seedGroup([null]))).toBe('-');
    expect(meanSd(null)).toBe('-');
  });
});

describe('compareSeeds', () => {
  it('finds a 5-point difference over 3 seeds each significant', () => {
    const c = compareSeeds(seedGroup([0.5, 0.54, 0.52]), seedGroup([0.45, 0.47, 0.49]));
    if (c.kind !== 'welch') throw new Error(`expected a Welch comparison, got ${c.kind}`);
    expect(c.diff).toBeCloseTo(0.05, 12);
    expect(c.t).toBeCloseTo(3.0618621784789744, 9);
    expect(c.df).toBeCloseTo(4, 9);
    expect(c.p).toBeCloseTo(0.037590111511146405, 6);
    expect(c.ci95[0]).toBeCloseTo(0.0046608412894495604, 6);
    expect(c.ci95[1]).toBeCloseTo(0.09533915871055053, 6);
    expect(c.significant).toBe(true);
    expect(c.sentence).toBe(
      'ours is 5.0 points better than PyTorch, 95 % CI +0.5 to +9.5: significant with 3 seeds each',
    );
    expect(diffCell(c)).toBe('+5.0 [+0.5, +9.5]');
    expect(pCell(c)).toBe('0.038');
  });

  it('finds a 1-point difference over noisy seeds not significant', () => {
    const c = compareSeeds(seedGroup([0.5, 0.6]), seedGroup([0.52, 0.56]));
    if (c.kind !== 'welch') throw new Error(`expected a Welch comparison, got ${c.kind}`);
    expect(c.df).toBeCloseTo(1.3120124804992204, 9);
    expect(c.p).toBeCloseTo(0.8772302183884415, 5);
    expect(c.ci95[0]).toBeCloseTo(-0.38772662596817203, 4);
    expect(c.significant).toBe(false);
    expect(c.sentence).toBe(
      'ours is 1.0 points better than PyTorch, 95 % CI -38.8 to +40.8: not significant with 2 seeds each',
    );
    expect(pCell(c)).toBe('0.877');
  });

  it('leaves out the seeds without a value and says how many each side has', () => {
    const c = compareSeeds(seedGroup([0.5, null, 0.54]), seedGroup([0.45, 0.47, 0.49]));
    if (c.kind !== 'welch') throw new Error(`expected a Welch comparison, got ${c.kind}`);
    expect(c.p).toBeCloseTo(0.18613095198564225, 5);
    expect(c.ci95[0]).toBeCloseTo(-0.06953994899221136, 4);
    expect(c.ci95[1]).toBeCloseTo(0.16953994899221145, 4);
    expect(c.sentence).toBe(
      'ours is 5.0 points better than PyTorch, 95 % CI -7.0 to +17.0: not significant with 2 and 3 seeds',
    );
  });

  it('compares nothing below 2 seeds a side', () => {
    const c = compareSeeds(seedGroup([0.5]), seedGroup([0.45, 0.47]));
    expect(c).toEqual({
      kind: 'too-few',
      nA: 1,
      nB: 2,
      sentence: 'ours and PyTorch cannot be compared yet: each needs at least 2 seeds (they have 1 and 2)',
    });
    expect(diffCell(c)).toBe('-');
    expect(pCell(c)).toBe('-');
  });
});

describe('aggregate', () => {
  it('summarizes ours at the best and last epoch and compares the last with the reference', () => {
    const a = aggregate(
      'seed-lstm',
      20,
      ['--features', 'raw'],
      [run(0, 0.5, 0.45), run(1, 0.54, 0.47), run(2, 0.52, 0.49)],
    );
    expect(a.reference).toBe('--features raw');
    expect(a.ours_last.values).toEqual([0.5, 0.54, 0.52]);
    expect(a.ours_best.mean).toBeCloseTo(0.53, 12);
    expect(a.pytorch?.n).toBe(3);
    expect(a.pytorch?.sd).toBeCloseTo(0.02, 12);
    expect(a.comparison?.kind).toBe('welch');
    expect(a.comparison?.sentence).toMatch(/^ours is 5\.0 points better than PyTorch.*: significant/);
    expect(a.runs).toHaveLength(3);
  });

  it('has no PyTorch side for a preset without a reference', () => {
    const a = aggregate('logmel-mlp', 15, null, [run(0, 0.6, null), run(1, 0.62, null)]);
    expect(a.reference).toBeNull();
    expect(a.pytorch).toBeNull();
    expect(a.comparison).toBeNull();
    expect(a.ours_last.n).toBe(2);
  });
});

describe('flags', () => {
  it('reads --presets in order without repeats and names unknown ones', () => {
    expect(parsePresets('seed-lstm, logmel-mlp,seed-lstm')).toEqual(['seed-lstm', 'logmel-mlp']);
    const bad = parsePresets('logmel-mlp,nope,also-not');
    expect(bad).toHaveProperty('error');
    expect((bad as { error: string }).error).toMatch(
      /^--presets: unknown nope, also-not; the presets are logmel-mlp, /,
    );
    expect(parsePresets(',')).toHaveProperty('error');
  });

  // Each spawn compiles the bench through tsx: about 30 s on 2 busy cores.
  it('refuses bad --presets and --seeds in one line, before any work', { timeout: 300_000 }, () => {
    for (const [args, message] of [
      [['--presets', 'logmel-mlp,nope'], /^bench: --presets: unknown nope; the presets are /],
      [['--seeds', '0'], /^bench: --seeds needs a whole number of at least 1, got "0"/],
    ] as const) {
      const r = spawnSync(process.execPath, [BENCH, '--accuracy', ...args], {
        encoding: 'utf8',
        timeout: 140_000,
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
