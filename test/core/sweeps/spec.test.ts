import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src-main/core/errors';
import { SweepError, validateSweepSpec } from '../../../src-main/core/sweeps/spec';
import type { SweepSpec } from '../../../src-main/shared/sweeps';

const base: SweepSpec = {
  name: 'study',
  base: { preset: 'seed-lstm' },
  method: 'grid',
  grid: { layers: [2, 3] },
};
const spec = (more: Record<string, unknown>) => ({ ...base, ...more }) as SweepSpec;

/** The message validateSweepSpec throws for a spec, checking it is a bad-argument SweepError. */
function refusal(s: SweepSpec): string {
  try {
    validateSweepSpec(s);
  } catch (err) {
    expect(err).toBeInstanceOf(SweepError);
    expect((err as WorkbenchError).code).toBe('bad-argument');
    expect((err as Error).name).toBe('SweepError');
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('validateSweepSpec', () => {
  it('fills the defaults and puts the axes in schema order', () => {
    const v = validateSweepSpec(spec({ grid: { lr: [0.001], type: ['lstm', 'gru'] }, name: '  study ' }));
    expect(v).toMatchObject({ name: 'study', preset: 'seed-lstm', seeds: 1, seed: 0, runs: 2 });
    expect(v.axes.map((a) => a.field.key)).toEqual(['type', 'lr']);
    expect(v.earlyStopping).toBeNull();
    expect(validateSweepSpec(spec({ base: {} })).preset).toBe('seed-lstm');
  });

  it('refuses a missing name, an unknown method and a bad base', () => {
    expect(refusal(spec({ name: ' ' }))).toBe('name must be 1 to 100 characters (got " ")');
    expect(refusal(spec({ method: 'bayes' }))).toBe('method must be one of grid, random (got "bayes")');
    expect(refusal(spec({ base: { preset: 'nope' } }))).toMatch(
      /^base configuration: preset must be one of logmel-mlp, seed-lstm, /,
    );
    expect(refusal(spec({ base: { overrides: { lr: -1 } } }))).toBe(
      'base configuration: lr must be a number above 0 and at most 10 (got -1)',
    );
  });

  it('refuses unknown settings, the seed as an axis, and a setting varied twice', () => {
    expect(refusal(spec({ grid: { learningRate: [1] } }))).toMatch(
      /^unknown setting "learningRate" in grid; one of type, hidden, layers, /,
    );
    expect(refusal(spec({ grid: { seed: [1, 2] } }))).toBe(
      'seed cannot be varied in grid: set seeds (runs per configuration) instead',
    );
    expect(
      refusal(spec({ method: 'random', trials: 2, random: { layers: { kind: 'int', min: 1, max: 3 } } })),
    ).toBe('layers is in both grid and random: vary it once');
  });

  it('checks every grid value against the schema, without restating a range', () => {
    expect(refusal(spec({ grid: { layers: [] } }))).toBe('grid of layers must list at least one value');
    expect(refusal(spec({ grid: { layers: 3 } }))).toBe('grid of layers must list at least one value');
    expect(refusal(spec({ grid: { layers: [2, 9] } }))).toBe(
      'grid value of layers must be a whole number from 1 to 8 (got 9)',
    );
    expect(refusal(spec({ grid: { lr: [0] } }))).toBe(
      'grid value of lr must be a number above 0 and at most 10 (got 0)',
    );
    expect(refusal(spec({ grid: { nFft: [1000] } }))).toBe(
      'grid value of nFft must be a power of two from 64 to 8192 (got 1000)',
    );
    expect(refusal(spec({ grid: { type: ['lstm', 'transformer'] } }))).toMatch(
      /^grid value of type must be one of mlp, cnn, lstm, blstm, cnn2d, crnn, gru, bgru.* \(got "transformer"\)$/,
    );
    expect(refusal(spec({ grid: { layers: [2, 2] } }))).toBe('grid of layers lists 2 twice');
    expect(refusal(spec({ grid: { batch: ['32'] } }))).toMatch(
      /^grid value of batch must be a whole number .*\(got "32"\)$/,
    );
  });

  it('checks random distributions', () => {
    const r = (random: unknown, trials: unknown = 4) =>
      refusal(spec({ method: 'random', grid: undefined, random, trials }));
    expect(r({ lr: { kind: 'loguniform', min: 0, max: 1 } })).toBe(
      'random lr: min must be a number above 0 and at most 10 (got 0)',
    );
    expect(r({ weightDecay: { kind: 'loguniform', min: 0, max: 0.1 } })).toBe(
      'random weightDecay: loguniform needs a min above 0 (got 0)',
    );
    expect(r({ dropout: { kind: 'uniform', min: 0.5, max: 0.5 } })).toBe(
      'random dropout: min must be below max (got 0.5 and 0.5)',
    );
    expect(r({ dropout: { kind: 'uniform', min: 0, max: 2 } })).toBe(
      'random dropout: max must be a number from 0 to 0.9 (got 2)',
    );
    expect(r({ weightDecay: { kind: 'int', min: 0, max: 0.5 } })).toBe(
      'random weightDecay: int needs whole numbers as min and max (got 0 and 0.5)',
    );
    expect(r({ type: { kind: 'uniform', min: 1, max: 2 } })).toBe(
      'random type: type takes words; list them (kind choice)',
    );
    expect(r({ nFft: { kind: 'int', min: 64, max: 1024 } })).toBe(
      'random nFft: nFft takes powers of two; list them (kind choice)',
    );
    expect(r({ lr: { kind: 'normal', min: 1, max: 2 } })).toBe(
      'random lr: kind must be one of choice, uniform, loguniform, int (got "normal")',
    );
    expect(r({ lr: 0.1 })).toBe('random lr must be a distribution (choice, uniform, loguniform, int)');
    expect(r({ optimizer: { kind: 'choice', values: [] } })).toBe(
      'random choice of optimizer must list at least one value',
    );
    expect(r({})).toBe('a random sweep needs at least one setting to vary');
    expect(
      refusal(
        spec({ method: 'random', grid: undefined, random: { lr: { kind: 'uniform', min: 0.1, max: 1 } } }),
      ),
    ).toBe('trials must be a whole number from 1 to 10000 (got undefined)');
    expect(r({ lr: { kind: 'uniform', min: 0.1, max: 1 } }, 2.5)).toBe(
      'trials must be a whole number from 1 to 10000 (got 2.5)',
    );
    expect(refusal(spec({ random: { lr: { kind: 'uniform', min: 0.1, max: 1 } } }))).toBe(
      'random distributions need method "random" (a grid lists values)',
    );
    expect(refusal(spec({ trials: 3 }))).toBe('trials is for random sweeps (a grid runs every combination)');
  });

  it('caps the runs, and checks seeds, the seed and the budget', () => {
    const big = { hidden: Array.from({ length: 100 }, (_, i) => i + 1), layers: [1, 2, 3, 4, 5] };
    expect(refusal(spec({ grid: big, seeds: 21 }))).toBe(
      'the sweep would create 10500 runs (500 configurations x 21 seeds); at most 10000: vary fewer values or set a budget',
    );
    expect(validateSweepSpec(spec({ grid: big, seeds: 21, budget: 100 }))).toMatchObject({
      configurations: 500,
      runs: 84,
      truncated: true,
    });
    expect(validateSweepSpec(spec({ grid: big, seeds: 20 })).runs).toBe(10_000);
    expect(refusal(spec({ seeds: 0 }))).toBe('seeds must be a whole number from 1 to 100 (got 0)');
    expect(refusal(spec({ seeds: 101 }))).toBe('seeds must be a whole number from 1 to 100 (got 101)');
    expect(refusal(spec({ budget: 20_000 }))).toBe(
      'budget must be a whole number from 1 to 10000 (got 20000)',
    );
    expect(refusal(spec({ budget: 2, seeds: 3 }))).toBe("budget 2 is below one configuration's 3 seeds");
    expect(refusal(spec({ seed: -1 }))).toBe(
      "the sweep's seed must be a whole number from 0 to 2147483647 (got -1)",
    );
  });

  it('checks early stopping and fills its defaults', () => {
    const es = (earlyStopping: unknown) => validateSweepSpec(spec({ earlyStopping })).earlyStopping;
    expect(es({ method: 'asha' })).toEqual({ method: 'asha', rungs: null, minEpochs: 1, eta: 3, minRuns: 3 });
    expect(es({ method: 'asha', rungs: [2, 5, 10], eta: 2 })).toEqual({
      method: 'asha',
      rungs: [2, 5, 10],
      minEpochs: 2,
      eta: 2,
      minRuns: 2,
    });
    expect(es({ method: 'median', minRuns: 5 })).toEqual({ method: 'median', minEpochs: 3, minRuns: 5 });
    const bad = (earlyStopping: unknown) => refusal(spec({ earlyStopping }));
    expect(bad({ method: 'hyperband' })).toBe(
      'earlyStopping.method must be one of asha, median (got "hyperband")',
    );
    expect(bad({ method: 'asha', eta: 1 })).toBe(
      'earlyStopping.eta must be a whole number from 2 to 16 (got 1)',
    );
    expect(bad({ method: 'asha', rungs: [] })).toBe('earlyStopping.rungs must list at least one epoch');
    expect(bad({ method: 'asha', rungs: [4, 2] })).toBe('earlyStopping.rungs must increase (got 4, 2)');
    expect(bad({ method: 'asha', rungs: [0] })).toBe(
      'earlyStopping.rungs: an epoch must be a whole number from 1 to 10000 (got 0)',
    );
    expect(bad({ method: 'asha', rungs: [2], minEpochs: 1 })).toBe(
      'earlyStopping: give rungs or minEpochs, not both',
    );
    expect(bad({ method: 'median', minEpochs: 0 })).toBe(
      'earlyStopping.minEpochs must be a whole number from 1 to 10000 (got 0)',
    );
    expect(bad({ method: 'median', minRuns: 0 })).toBe(
      'earlyStopping.minRuns must be a whole number from 1 to 10000 (got 0)',
    );
  });
});
