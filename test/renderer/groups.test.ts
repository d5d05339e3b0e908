import { describe, expect, it } from 'vitest';
import {
  GROUP_METRIC_KEYS,
  MAX_CURVE_GROUPS,
  MAX_CURVE_RUNS,
  type GroupComparison,
  type GroupMetric,
  type GroupStats,
} from '../../src-main/shared/group-compare';
import { compareSentence, summarize, welch } from '../../src-main/shared/stats';
import {
  curvePick,
  diffText,
  metricText,
  pairOf,
  pText,
  rangeText,
  ranked,
  runList,
} from '../../src-renderer/src/lib/groups';
import { bandOf } from '../../src-renderer/src/lib/groups-curves';
import { diffCellText, shareCellText } from '../../src-renderer/src/lib/groups-matrix';

/** A group whose runs have these test accuracies (ids from `first`). */
function group(label: string, first: number, values: number[]): GroupStats {
  const metrics = Object.fromEntries(
    GROUP_METRIC_KEYS.map((m) => [m, summarize(m === 'testAccuracy' ? values : [])]),
  ) as Record<GroupMetric, ReturnType<typeof summarize>>;
  return { key: label, label, values: {}, runs: values.map((_, i) => first + i), metrics };
}

function comparison(groups: GroupStats[], values: Record<number, number>): GroupComparison {
  return {
    groupBy: 'configuration',
    metric: 'testAccuracy',
    test: 'welch',
    replicates: 'seeds',
    varying: [],
    groups,
    pairs: [],
    points: groups.flatMap((g) =>
      g.runs.map((id) => ({
        id,
        name: `r${id}`,
        group: g.key,
        values: {},
        metrics: Object.fromEntries(
          GROUP_METRIC_KEYS.map((m) => [m, m === 'testAccuracy' ? values[id]! : null]),
        ) as Record<GroupMetric, number | null>,
      })),
    ),
    importance: [],
    missing: [],
  };
}

describe("the groups view's reading of a comparison", () => {
  it("says values in the metric's unit", () => {
    expect(metricText('testAccuracy', 0.6482)).toBe('64.8 %');
    expect(metricText('bestValLoss', 0.91234)).toBe('0.912');
    expect(metricText('seconds', 42.4)).toBe('42');
    expect(rangeText('testAccuracy', 0.581, 0.623)).toBe('58.1 – 62.3 %');
    expect(diffText('testAccuracy', -0.011)).toBe('−1.1 points');
    expect(diffText('bestValLoss', 0.0123)).toBe('+0.012');
    expect(pText(0.0004)).toBe('p < 0.001');
    expect(pText(0.0342)).toBe('p = 0.034');
    expect(runList([3])).toBe('run 3');
    expect(runList([3, 4, 7])).toBe('runs 3, 4 and 7');
    expect(runList([1, 2, 3, 4, 5], 2)).toBe('runs 1, 2 and 3 more');
  });

  it('ranks groups best first, losses lowest first, groups without a value last', () => {
    const a = group('a', 1, [0.5, 0.52]);
    const b = group('b', 3, [0.6, 0.62]);
    const none = group('none', 5, []);
    expect(ranked([a, none, b], 'testAccuracy').map((g) => g.key)).toEqual(['b', 'a', 'none']);
  });

  it('tests a pair the server did not, as the server would, and says it the same way', () => {
    const lstm = group('LSTM', 1, [0.581, 0.602, 0.618]);
    const blstm = group('BLSTM', 4, [0.57, 0.59, 0.6]);
    const values = { 1: 0.581, 2: 0.602, 3: 0.618, 4: 0.57, 5: 0.59, 6: 0.6 };
    const c = comparison([blstm, lstm], values);
    const pair = pairOf(c, 'BLSTM', 'LSTM')!;
    const expected = welch([0.57, 0.59, 0.6], [0.581, 0.602, 0.618]);
    expect(pair.result).toEqual(expected);
    expect(pair.sentence).toBe(
      compareSentence('BLSTM', 'LSTM', expected, { higherIsBetter: true, unit: 'share' }, 'seeds'),
    );
    expect(pair.sentence).toMatch(
      /^BLSTM is 1\.4 points worse than LSTM, 95 % CI .*: not significant with 3 seeds each$/,
    );
    // The server's own pair is taken as it is.
    const served = { a: 'LSTM', b: 'BLSTM', result: expected, sentence: 'as served' };
    expect(pairOf({ ...c, pairs: [served] }, 'LSTM', 'BLSTM')).toBe(served);
    expect(pairOf(c, 'LSTM', 'LSTM')).toBeNull();
  });

  it('draws at most 20 groups (the best) and 100 runs, and says so', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      group(
        `g${i}`,
        i * 10,
        Array.from({ length: 10 }, () => i / 100),
      ),
    );
    const pick = curvePick(many, 'testAccuracy');
    expect(pick.groups).toHaveLength(MAX_CURVE_GROUPS);
    expect(pick.groups.map((g) => g.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 10));
    const runs = pick.groups.reduce((s, g) => s + g.runs.length, 0);
    expect(runs).toBeLessThanOrEqual(MAX_CURVE_RUNS);
    expect(pick.cut).toBe(
      'Curves of the 20 best of 30 groups on test accuracy, at most 5 runs of each (100 of 300 runs).',
    );
    expect(curvePick(many.slice(0, 3), 'testAccuracy').cut).toBeNull();
  });

  it('spans a band by sd, min–max or the interval, and leaves it out where it cannot be drawn', () => {
    const points = [
      { epoch: 1, n: 1, mean: 0.5, sd: null, min: 0.5, max: 0.5, ci95: null },
      { epoch: 2, n: 3, mean: 0.6, sd: 0.02, min: 0.57, max: 0.62, ci95: [0.55, 0.65] as [number, number] },
    ];
    expect(bandOf(points, 'sd').upper.map((p) => p.y)).toEqual([null, 0.62]);
    expect(bandOf(points, 'minmax').lower.map((p) => p.y)).toEqual([null, 0.57]);
    expect(bandOf(points, 'ci').upper.map((p) => p.y)).toEqual([null, 0.65]);
  });

  it('says a mean matrix cell as a share, and A − B in points', () => {
    const a = {
      labels: ['bass', 'guitar'],
      source: 'test' as const,
      runs: 3,
      matrix: [
        [0.7, 0.3],
        [0.1, 0.9],
      ],
    };
    const b = {
      ...a,
      matrix: [
        [0.82, 0.18],
        [0.1, 0.9],
      ],
    };
    expect(shareCellText(a, 0, 1)).toBe('bass notes predicted as guitar: 30 % on average over 3 runs');
    expect(diffCellText(a, b, 0, 1)).toBe(
      'bass notes predicted as guitar: 30 % in A, 18 % in B (+12 points), A worse',
    );
    expect(diffCellText(a, b, 0, 0)).toBe(
      'bass notes predicted as bass: 70 % in A, 82 % in B (−12 points), A worse',
    );
    expect(diffCellText(a, b, 1, 1)).toMatch(/about the same$/);
  });
});
