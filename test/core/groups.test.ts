import { describe, expect, it } from 'vitest';
import {
  groupBy,
  groupByConfiguration,
  groupKey,
  paramText,
  seedReplicates,
  type GroupableRun,
  type ParamValue,
} from '../../src-main/shared/groups';

const run = (id: number, params: Record<string, ParamValue>): GroupableRun => ({ id, params });

// Two configurations of three and two seeds, as a sweep of model.type x seeds leaves them, plus a
// run with another learning rate and one named and tagged differently.
const RUNS = [
  run(1, { 'model.type': 'lstm', lr: 0.001, seed: 0, batch: 32 }),
  run(2, { 'model.type': 'blstm', lr: 0.001, seed: 0, batch: 32 }),
  run(3, { 'model.type': 'lstm', lr: 0.001, seed: 1, batch: 32 }),
  run(4, { 'model.type': 'blstm', lr: 0.001, seed: 1, batch: 32 }),
  run(5, { 'model.type': 'lstm', lr: 0.001, seed: 2, batch: 32, name: 'rerun', tags: 'best' }),
  run(6, { 'model.type': 'lstm', lr: 0.01, seed: 0, batch: 32 }),
];

describe('groupKey: identical except the seed', () => {
  it('ignores the seed, the name and tags; any other setting tells runs apart', () => {
    expect(groupKey(RUNS[0]!)).toBe(groupKey(RUNS[2]!));
    expect(groupKey(RUNS[0]!)).toBe(groupKey(RUNS[4]!));
    expect(groupKey(RUNS[0]!)).not.toBe(groupKey(RUNS[1]!));
    expect(groupKey(RUNS[0]!)).not.toBe(groupKey(RUNS[5]!));
  });

  it('does not depend on the order of keys; a null setting is like an absent one', () => {
    expect(groupKey(run(1, { b: 1, a: 'x', seed: 3 }))).toBe(groupKey(run(2, { a: 'x', b: 1, seed: 4 })));
    expect(groupKey(run(1, { a: 'x', c: null }))).toBe(groupKey(run(2, { a: 'x' })));
    expect(groupKey(run(1, { a: 1 }))).not.toBe(groupKey(run(2, { a: '1' })));
  });

  it('takes another seed key and other labels to ignore', () => {
    const a = run(1, { lr: 0.1, 'init.seed': 1, owner: 'ann' });
    const b = run(2, { lr: 0.1, 'init.seed': 2, owner: 'bob' });
    expect(groupKey(a)).not.toBe(groupKey(b));
    expect(groupKey(a, { seedKey: 'init.seed', ignore: ['owner'] })).toBe(
      groupKey(b, { seedKey: 'init.seed', ignore: ['owner'] }),
    );
  });
});

describe('groupBy one or several settings', () => {
  it('groups by one setting, groups in order of its values', () => {
    const groups = groupBy(RUNS, 'model.type');
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([
      ['model.type=blstm', [2, 4]],
      ['model.type=lstm', [1, 3, 5, 6]],
    ]);
    expect(groups[0]!.values).toEqual({ 'model.type': 'blstm' });
  });

  it('groups by several settings; numbers in numeric order; an absent setting as none', () => {
    const runs = [...RUNS, run(7, { 'model.type': 'lstm', seed: 0 })];
    expect(groupBy(runs, ['model.type', 'lr']).map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([
      ['model.type=blstm lr=0.001', [2, 4]],
      ['model.type=lstm lr=none', [7]],
      ['model.type=lstm lr=0.001', [1, 3, 5]],
      ['model.type=lstm lr=0.01', [6]],
    ]);
    const lrs = groupBy([run(1, { lr: 0.01 }), run(2, { lr: 0.0001 }), run(3, { lr: 0.001 })], 'lr');
    expect(lrs.map((g) => g.values.lr)).toEqual([0.0001, 0.001, 0.01]);
  });

  it('keeps the type of runs given', () => {
    const typed = [{ id: 1, params: { a: 1 }, name: 'x' }];
    expect(groupBy(typed, 'a')[0]!.runs[0]!.name).toBe('x');
  });
});

describe('groupByConfiguration', () => {
  it('one group per configuration, keyed by groupKey, labelled by the settings that differ', () => {
    const groups = groupByConfiguration(RUNS);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id)])).toEqual([
      ['lr=0.001 model.type=blstm', [2, 4]],
      ['lr=0.001 model.type=lstm', [1, 3, 5]],
      ['lr=0.01 model.type=lstm', [6]],
    ]);
    expect(groups[1]!.key).toBe(groupKey(RUNS[0]!));
    expect(groups[1]!.values).toEqual({ batch: 32, lr: 0.001, 'model.type': 'lstm' });
  });

  it('one configuration: "all runs"; no runs: no groups', () => {
    expect(groupByConfiguration(RUNS.slice(0, 1)).map((g) => g.label)).toEqual(['all runs']);
    expect(groupByConfiguration([])).toEqual([]);
  });
});

describe('seedReplicates', () => {
  it('true for one configuration with distinct seeds', () => {
    expect(seedReplicates([RUNS[0]!, RUNS[2]!, RUNS[4]!])).toBe(true);
  });

  it('false for two configurations, a seed twice, or no runs', () => {
    expect(seedReplicates([RUNS[0]!, RUNS[1]!])).toBe(false);
    expect(seedReplicates([RUNS[0]!, run(9, { ...RUNS[0]!.params })])).toBe(false);
    expect(seedReplicates([])).toBe(false);
  });
});

describe('paramText', () => {
  it('shows numbers without float noise, null as none, the rest as it is', () => {
    expect(paramText(0.1 * 3e-3)).toBe('0.0003');
    expect(paramText(1e-7)).toBe('1e-7');
    expect(paramText(128)).toBe('128');
    expect(paramText(null)).toBe('none');
    expect(paramText(false)).toBe('false');
    expect(groupBy([run(1, { lr: 0.1 * 3e-3 })], 'lr')[0]!.label).toBe('lr=0.0003');
  });
});
