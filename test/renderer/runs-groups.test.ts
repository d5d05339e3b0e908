import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-main/shared/training';
import { extraColumn } from '../../src-renderer/src/lib/runs-columns';
import { groupRows, isGroup, statOf, statText, type GroupHead } from '../../src-renderer/src/lib/runs-groups';
import type { Column } from '../../src-renderer/src/lib/runs-view.svelte';

const run = (id: number, more: Partial<RunSummary>): RunSummary =>
  ({
    id,
    name: `r${id}`,
    status: 'finished',
    model: 'lstm',
    lr: 0.001,
    tags: [],
    sweepId: null,
    bestValAccuracy: null,
    testAccuracy: null,
    ...more,
  }) as RunSummary;

const val: Column = {
  key: 'val',
  label: 'Best val',
  title: 'Best validation accuracy',
  width: 64,
  numeric: true,
  metric: 'share',
  value: (r) => (r.bestValAccuracy === null ? null : r.bestValAccuracy * 100),
};
const model: Column = { key: 'model', label: 'Model', title: 'Model type', width: 52, value: (r) => r.model };

// Written out apart from the app's: mean, and the sample standard deviation in two passes.
function meanSd(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))];
}

describe('the runs table grouped', () => {
  it('puts each group head before its runs, in the order of its first run, with n and mean ± sd', () => {
    const rows = [
      run(6, { sweepId: 2, bestValAccuracy: 0.61 }),
      run(5, { sweepId: null, bestValAccuracy: 0.5 }),
      run(4, { sweepId: 2, bestValAccuracy: 0.58 }),
      run(3, { sweepId: 2, bestValAccuracy: null }),
      run(2, { sweepId: 2, bestValAccuracy: 0.623 }),
    ];
    const items = groupRows(rows, 'sweep', {
      columns: [model, val],
      metrics: [val],
      sweepName: (id) => (id === 2 ? 'lr sweep' : undefined),
      collapsed: new Set(),
    });
    expect(items.map((i) => (isGroup(i) ? i.label : i.id))).toEqual([
      'sweep 2 lr sweep',
      6,
      4,
      3,
      2,
      'no sweep',
      5,
    ]);
    const head = items[0] as GroupHead;
    expect(head.runs).toHaveLength(4);
    const [mean, sd] = meanSd([61, 58, 62.3]);
    expect(head.stats.val!.n).toBe(3);
    expect(head.stats.val!.mean).toBeCloseTo(mean, 10);
    expect(head.stats.val!.sd).toBeCloseTo(sd, 10);
    expect(statText(head.stats.val, val)).toBe(`${mean.toFixed(1)} ± ${sd.toFixed(1)}`);
    // One value has no spread; none shows nothing.
    expect(statText((items[5] as GroupHead).stats.val, val)).toBe('50.0');
    expect(statText(statOf([]), val)).toBe('');

    // A folded group keeps its head (and its runs, for selecting them) without listing them.
    const folded = groupRows(rows, 'sweep', {
      columns: [model, val],
      metrics: [val],
      collapsed: new Set([head.key]),
    });
    expect(folded.map((i) => (isGroup(i) ? i.label : i.id))).toEqual(['sweep 2', 'no sweep', 5]);
    expect((folded[0] as GroupHead).runs).toHaveLength(4);
  });

  it('groups by configuration, labelled by the settings that tell them apart, and by a column', () => {
    const rows = [run(3, {}), run(2, {}), run(1, {})];
    const keys = ['batch=32 lr=0.001 model.type="lstm"', 'batch=32 lr=0.0003 model.type="lstm"'];
    const items = groupRows(rows, 'configuration', {
      columns: [model, val],
      metrics: [],
      configuration: {
        of: new Map([
          [3, 2],
          [2, 1],
          [1, 2],
        ]),
        keys,
      },
      collapsed: new Set(),
    });
    expect(items.map((i) => (isGroup(i) ? i.label : i.id))).toEqual(['lr=0.0003', 3, 1, 'lr=0.001', 2]);
    // Without the configurations yet, the runs as they are.
    expect(groupRows(rows, 'configuration', { columns: [], metrics: [], collapsed: new Set() })).toBe(rows);

    const dropout = extraColumn(
      'model.dropout',
      new Map([
        [3, 0.2],
        [2, 0.5],
        [1, 0.2],
      ]),
    )!;
    const byDropout = groupRows(rows, 'column:model.dropout', {
      columns: [model, dropout],
      metrics: [],
      collapsed: new Set(),
    });
    expect(byDropout.filter(isGroup).map((g) => [g.label, g.runs.length])).toEqual([
      ['Dropout = 0.2', 2],
      ['Dropout = 0.5', 1],
    ]);
  });

  it('groups 10,000 runs in one pass, in a few milliseconds', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) =>
      run(10_000 - i, { sweepId: i % 50, bestValAccuracy: (i % 97) / 100, testAccuracy: (i % 89) / 100 }),
    );
    const test: Column = { ...val, key: 'test', value: (r) => (r.testAccuracy ?? 0) * 100 };
    const ctx = { columns: [model, val, test], metrics: [val, test], collapsed: new Set<string>() };
    groupRows(rows, 'sweep', ctx);
    const t0 = performance.now();
    const items = groupRows(rows, 'sweep', ctx);
    const ms = performance.now() - t0;
    console.log(`10,000 runs grouped by sweep in ${ms.toFixed(1)} ms`);
    expect(items).toHaveLength(10_050);
    expect(ms).toBeLessThan(100);
  });
});
