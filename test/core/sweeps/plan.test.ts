import { describe, expect, it } from 'vitest';
import { planSweep } from '../../../src-main/core/sweeps/plan';

describe('planSweep', () => {
  it('counts a grid and fills the spec’s defaults', () => {
    const plan = planSweep({
      name: '  study ',
      base: { overrides: { epochs: 4 } },
      method: 'grid',
      grid: { lr: [0.001, 0.0003], layers: [1, 2, 3] },
      seeds: 2,
      budget: 9,
    });
    expect(plan).toMatchObject({ configurations: 4, seeds: 2, total: 8, truncated: true });
    expect(plan.spec).toMatchObject({ name: 'study', base: { preset: 'seed-lstm' }, seeds: 2, seed: 0 });
    expect(plan.runs).toHaveLength(8);
  });

  it('refuses what validation refuses, as a bad argument', () => {
    expect(() => planSweep({ name: 's', base: {}, method: 'grid', grid: { layers: [9] } })).toThrow(
      expect.objectContaining({ code: 'bad-argument' }),
    );
  });
});
