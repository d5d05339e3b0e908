import { describe, expect, it } from 'vitest';
import { drawValue, expandSweep, replicateSeed } from '../../../src-main/core/sweeps/expand';
import { SweepError, sweepOptions } from '../../../src-main/core/sweeps/spec';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import type { SweepSpec } from '../../../src-main/shared/sweeps';

const field = (key: string) => sweepOptions().fields.find((f) => f.key === key)!;
const grid = (g: SweepSpec['grid'], more: Partial<SweepSpec> = {}): SweepSpec => ({
  name: 'g',
  base: { preset: 'seed-lstm' },
  method: 'grid',
  grid: g,
  ...more,
});
const random = (r: SweepSpec['random'], trials: number, more: Partial<SweepSpec> = {}): SweepSpec => ({
  name: 'r',
  base: { preset: 'logmel-lstm' },
  method: 'random',
  random: r,
  trials,
  ...more,
});

describe('grid expansion', () => {
  it('is the cartesian product in schema order, the last setting fastest', () => {
    // Written lr first: the order is the schema's (layers before lr) whatever the spec's.
    const { runs, configurations } = expandSweep(grid({ lr: [0.001, 0.0003], layers: [2, 3, 4] }));
    expect(configurations).toBe(6);
    expect(runs.map((r) => r.label)).toEqual([
      'layers=2 lr=0.001 seed=0',
      'layers=2 lr=0.0003 seed=0',
      'layers=3 lr=0.001 seed=0',
      'layers=3 lr=0.0003 seed=0',
      'layers=4 lr=0.001 seed=0',
      'layers=4 lr=0.0003 seed=0',
    ]);
    expect(runs.map((r) => [r.index, r.trial, r.replicate])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => [i, i, 0]),
    );
    expect(runs[3]!.overrides).toEqual({ model: { layers: 3 }, lr: 0.0003, seed: 0 });
    expect(runs[3]!.config).toEqual(resolveTrainConfig('seed-lstm', runs[3]!.overrides));
  });

  it('varies every kind of field: model type, choices, features, optimizer', () => {
    const { runs } = expandSweep(
      grid({
        type: ['lstm', 'cnn', 'gru'],
        activation: ['relu', 'tanh'],
        optimizer: ['adam', 'sgd'],
        representation: ['raw', 'logmel'],
        seconds: [1, 4],
        nFft: [512, 1024],
      }),
    );
    expect(runs).toHaveLength(3 * 2 * 2 * 2 * 2 * 2);
    expect(runs[0]!.label).toBe(
      'type=lstm activation=relu optimizer=adam representation=raw seconds=1 nFft=512 seed=0',
    );
    const last = runs.at(-1)!;
    expect(last.values).toEqual({
      type: 'gru',
      activation: 'tanh',
      optimizer: 'sgd',
      representation: 'logmel',
      seconds: 4,
      nFft: 1024,
    });
    expect(last.config.model).toMatchObject({ type: 'gru', activation: 'tanh' });
    expect(last.config.features).toMatchObject({ representation: 'logmel', seconds: 4, nFft: 1024 });
    expect(last.config.optimizer).toBe('sgd');
    // Every combination once.
    expect(new Set(runs.map((r) => r.label)).size).toBe(runs.length);
  });

  it('repeats each configuration with k distinct seeds, the same k for every configuration', () => {
    const { runs } = expandSweep(grid({ layers: [2, 3] }, { seeds: 3, seed: 10 }));
    expect(runs.map((r) => [r.trial, r.replicate, r.seed])).toEqual([
      [0, 0, 10],
      [0, 1, 11],
      [0, 2, 12],
      [1, 0, 10],
      [1, 1, 11],
      [1, 2, 12],
    ]);
    expect(runs[4]!.label).toBe('layers=3 seed=11');
    expect(runs[4]!.config.seed).toBe(11);
    expect(replicateSeed(2 ** 31 - 1, 1)).toBe(0);
  });

  it('takes the base seed when the sweep has none, and runs the base alone with no settings varied', () => {
    const { runs } = expandSweep(grid(undefined, { base: { overrides: { seed: 7 } }, seeds: 2 }));
    expect(runs.map((r) => r.label)).toEqual(['seed=7', 'seed=8']);
  });

  it('keeps whole configurations within the budget', () => {
    const { runs, configurations, sweep } = expandSweep(
      grid({ layers: [1, 2, 3, 4] }, { seeds: 3, budget: 8 }),
    );
    expect(configurations).toBe(2);
    expect(runs).toHaveLength(6);
    expect(sweep).toMatchObject({ configurations: 4, runs: 6, truncated: true });
    expect(runs.map((r) => r.trial)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(expandSweep(grid({ layers: [1, 2] }, { budget: 5 })).sweep.truncated).toBe(false);
  });

  it('names the trial whose combination the schema refuses', () => {
    const spec = grid({ type: ['lstm', 'cnn'], layers: [2, 6] });
    expect(() => expandSweep(spec)).toThrow(SweepError);
    expect(() => expandSweep(spec)).toThrow(
      'trial 3 (type=cnn layers=6): layers must be a whole number from 1 to 4 for cnn (got 6)',
    );
    // Cross-field rules hold on whole configurations, not on values alone.
    expect(() => expandSweep(grid({ representation: ['logmel'], hop: [2048], nFft: [1024, 4096] }))).toThrow(
      /^trial 0 \(representation=logmel nFft=1024 hop=2048\): .*hop.*at most the FFT size/,
    );
    expect(expandSweep(grid({ representation: ['logmel'], hop: [2048], nFft: [4096] })).runs).toHaveLength(1);
  });
});

describe('settings no configuration reads', () => {
  it('are refused, and accepted once some configuration reads them', () => {
    expect(() => expandSweep(grid({ momentum: [0.9, 0.99] }))).toThrow(
      'momentum is read by no configuration of the sweep (SGD only): varying it would only repeat runs',
    );
    expect(() => expandSweep(grid({ nMels: [32, 64] }))).toThrow(/^nMels is read by no configuration/);
    expect(expandSweep(grid({ optimizer: ['adam', 'sgd'], momentum: [0.9, 0.99] })).runs).toHaveLength(4);
  });

  it('refuses early stopping that could never stop a run', () => {
    const es = (earlyStopping: SweepSpec['earlyStopping'], epochs = 20) =>
      expandSweep(grid({ layers: [2, 3] }, { base: { overrides: { epochs } }, earlyStopping }));
    expect(() => es({ method: 'asha', rungs: [20, 30] })).toThrow(
      'earlyStopping: every rung is at or after the last epoch (20) of the longest run, so no run would ever be stopped',
    );
    expect(() => es({ method: 'median', minEpochs: 5 }, 5)).toThrow(
      'earlyStopping: minEpochs is at or after the last epoch (5) of the longest run, so no run would ever be stopped',
    );
    expect(es({ method: 'asha', rungs: [10, 30] }).sweep.earlyStopping).toMatchObject({ rungs: [10, 30] });
    expect(es({ method: 'asha' }, 2).runs).toHaveLength(2);
  });

  it('gives each run its own copy of its settings', () => {
    const { runs } = expandSweep(grid({ layers: [2] }, { seeds: 2 }));
    runs[0]!.config.model.hidden = 1;
    runs[0]!.overrides.model!.layers = 5;
    runs[0]!.values.layers = 5;
    expect(runs[1]!.config.model.hidden).toBe(128);
    expect(runs[1]!.overrides.model).toEqual({ layers: 2 });
    expect(runs[1]!.values).toEqual({ layers: 2 });
  });
});

describe('random expansion', () => {
  const spec = random(
    {
      lr: { kind: 'loguniform', min: 1e-5, max: 1e-2 },
      dropout: { kind: 'uniform', min: 0, max: 0.5 },
      hidden: { kind: 'int', min: 16, max: 256 },
      type: { kind: 'choice', values: ['lstm', 'gru', 'mlp'] },
    },
    20,
    { seed: 42 },
  );

  it('is reproducible from the sweep seed and different for another seed', () => {
    const a = expandSweep(spec).runs;
    expect(a).toHaveLength(20);
    expect(expandSweep(structuredClone(spec)).runs).toEqual(a);
    const b = expandSweep({ ...spec, seed: 43 }).runs;
    expect(b.map((r) => r.values)).not.toEqual(a.map((r) => r.values));
    // More trials keep the first ones.
    expect(expandSweep({ ...spec, trials: 30 }).runs.slice(0, 20)).toEqual(a);
  });

  it('draws within the bounds, fitted to the field', () => {
    for (const { values, config } of expandSweep({ ...spec, trials: 200 }).runs) {
      expect(values.lr).toBeGreaterThanOrEqual(1e-5);
      expect(values.lr).toBeLessThanOrEqual(1e-2);
      expect(values.dropout).toBeGreaterThanOrEqual(0);
      expect(values.dropout).toBeLessThanOrEqual(0.5);
      expect(Number.isInteger(values.hidden)).toBe(true);
      expect(values.hidden).toBeGreaterThanOrEqual(16);
      expect(values.hidden).toBeLessThanOrEqual(256);
      expect(['lstm', 'gru', 'mlp']).toContain(values.type);
      expect(config.lr).toBe(values.lr);
    }
  });

  it('draws log-uniformly in log space and uniformly otherwise', () => {
    const u = Array.from({ length: 2000 }, (_, i) => (i + 0.5) / 2000);
    const log = u.map(
      (x) => drawValue({ kind: 'loguniform', min: 1e-6, max: 1e-2 }, field('lr'), x) as number,
    );
    // Half the draws below the geometric middle (1e-4), a quarter below 1e-5.
    expect(log.filter((v) => v < 1e-4).length / 2000).toBeCloseTo(0.5, 2);
    expect(log.filter((v) => v < 1e-5).length / 2000).toBeCloseTo(0.25, 2);
    const lin = u.map((x) => drawValue({ kind: 'uniform', min: 0, max: 0.8 }, field('dropout'), x) as number);
    expect(lin.filter((v) => v < 0.4).length / 2000).toBeCloseTo(0.5, 2);
    const ints = u.map((x) => drawValue({ kind: 'int', min: 1, max: 4 }, field('layers'), x));
    expect([1, 2, 3, 4].map((k) => ints.filter((v) => v === k).length)).toEqual([500, 500, 500, 500]);
    // An integer field drawn log-uniformly is rounded; the ends are reached.
    expect(drawValue({ kind: 'loguniform', min: 16, max: 512 }, field('hidden'), 0)).toBe(16);
    expect(drawValue({ kind: 'loguniform', min: 16, max: 512 }, field('hidden'), 0.999999)).toBe(512);
    expect(drawValue({ kind: 'uniform', min: 0.1, max: 0.2 }, field('dropout'), 1 / 3)).toBe(0.1333);
  });

  it('draws a grid list uniformly as a choice, and repeats each trial with its seeds', () => {
    const { runs } = expandSweep(
      random({ weightDecay: { kind: 'loguniform', min: 1e-6, max: 1e-3 } }, 8, {
        grid: { layers: [2, 3], optimizer: ['adam', 'sgd'] },
        seeds: 3,
        seed: 5,
      }),
    );
    expect(runs).toHaveLength(24);
    expect(runs.map((r) => r.seed)).toEqual(Array.from({ length: 24 }, (_, i) => 5 + (i % 3)));
    expect(runs.map((r) => r.trial)).toEqual(Array.from({ length: 24 }, (_, i) => Math.floor(i / 3)));
    for (const r of runs) {
      expect(Object.keys(r.values)).toEqual(['layers', 'optimizer', 'weightDecay']);
      expect(r.label).toMatch(/^layers=[23] optimizer=(adam|sgd) weightDecay=\S+ seed=[567]$/);
    }
    const layers = new Set(runs.map((r) => r.values.layers));
    expect(layers).toEqual(new Set([2, 3]));
  });

  it('cuts the trials to the budget', () => {
    const full = expandSweep({ ...spec, seeds: 2 }).runs;
    const cut = expandSweep({ ...spec, seeds: 2, budget: 9 });
    expect(cut.runs).toEqual(full.slice(0, 8));
    expect(cut.configurations).toBe(4);
  });
});
