import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareGroupsOf, type GroupedRun } from '../../../src-main/core/groups/compare';
import { Workbench } from '../../../src-main/core/workbench';
import { GROUP_METRIC_KEYS } from '../../../src-main/shared/group-compare';
import { summarize, welch, type WelchResult } from '../../../src-main/shared/stats';
import { tempDir } from '../../helpers/tmp';
import { ACC, PREDICTED, seedGroups, type Seeded } from './fixture';

// Groups of runs compared through the Workbench, over a real SQLite file with runs whose results
// are known: the statistics, the pairs, the curves, the mean matrices and the hard notes.

let wb: Workbench;
let seeded: Seeded;
let cleanup: () => void;

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  const home = path.join(t.dir, 'home');
  wb = new Workbench({ home, queue: 'watch' });
  seeded = seedGroups(home);
});
afterEach(async () => {
  await wb.close();
  cleanup();
});

const close = (a: number | null, b: number) => expect(a).toBeCloseTo(b, 12);

describe('groups of runs compared', () => {
  it('groups a sweep by configuration: n, mean, sd and CI per group, and the pair tested and said', async () => {
    const c = await wb.compareGroups({ select: { sweep: seeded.sweep }, groupBy: 'configuration' });
    expect(c.groups.map((g) => g.label)).toEqual(['lr=0.0003', 'lr=0.001']);
    expect(c.replicates).toBe('seeds');
    const [slow, fast] = c.groups;
    expect(fast!.runs).toEqual(seeded.fast);
    const expected = summarize(ACC.fast);
    expect(fast!.metrics.testAccuracy.n).toBe(3);
    close(fast!.metrics.testAccuracy.mean, expected.mean!);
    close(fast!.metrics.testAccuracy.sd, 0.02);
    close(fast!.metrics.testAccuracy.ci95![0], expected.ci95![0]);
    close(slow!.metrics.testLoss.mean, 1 - summarize(ACC.slow).mean!);
    // Validation accuracy at the best epoch is the third's (it rises every epoch).
    close(
      fast!.metrics.bestValAccuracy.mean,
      summarize(ACC.fast.map((a, i) => a - 0.1 + 0.06 + (i + 1) * 0.001)).mean!,
    );
    expect(c.pairs).toHaveLength(1);
    const pair = c.pairs[0]!;
    expect([pair.a, pair.b]).toEqual([slow!.key, fast!.key]);
    const w = welch(ACC.slow, ACC.fast) as WelchResult;
    expect(pair.result).toMatchObject({ kind: 'welch', nA: 3, nB: 3 });
    close((pair.result as WelchResult).p, w.p);
    close((pair.result as WelchResult).diff, w.diff);
    expect(pair.sentence).toMatch(
      /^lr=0\.0003 is 5\.0 points worse than lr=0\.001, 95 % CI -\d+\.\d to \+?-?\d+\.\d: (not )?significant with 3 seeds each$/,
    );
    expect(c.varying).toEqual(['lr']);
    expect(c.points.map((p) => p.values)).toContainEqual({ lr: 0.001 });
    expect(c.importance).toHaveLength(1);
    expect(c.importance[0]!.correlation).toBeGreaterThan(0.5);
  });

  it('takes any runs: a run without the metric counts in the group but not in n, and a deleted id is named', async () => {
    const ids = [...seeded.fast, seeded.untested, ...seeded.slow, 9999];
    const c = await wb.compareGroups({
      select: { runs: ids },
      groupBy: ['lr'],
      metric: 'lastValAccuracy',
      test: 'bootstrap',
    });
    expect(c.missing).toEqual([9999]);
    const fast = c.groups.find((g) => g.values.lr === 0.001)!;
    expect(fast.runs).toHaveLength(4);
    expect(fast.metrics.testAccuracy.n).toBe(3);
    expect(fast.metrics.lastValAccuracy.n).toBe(4);
    expect(c.pairs[0]!.result.kind).toBe('bootstrap');
    // The fourth seed is one more seed of the same configuration.
    expect(c.replicates).toBe('seeds');
  });

  it('groups by sweep, and by several settings at once', async () => {
    const bySweep = await wb.compareGroups({
      select: { runs: [...seeded.fast, seeded.untested] },
      groupBy: 'sweep',
    });
    expect(bySweep.groups.map((g) => [g.label, g.runs.length])).toEqual([
      [`sweep ${seeded.sweep} lr`, 3],
      ['no sweep', 1],
    ]);
    const byRun = await wb.compareGroups({
      select: { runs: [...seeded.fast, ...seeded.slow, seeded.untested] },
      groupBy: ['seed', 'lr'],
    });
    expect(byRun.groups).toHaveLength(7);
    // 7 groups of one run each: every pair (21), each too few for a test, and no seeds to speak of.
    expect(byRun.pairs).toHaveLength(21);
    expect(byRun.pairs[0]!.result.kind).toBe('too-few');
    expect(byRun.replicates).toBe('runs');
  });

  it('refuses what it cannot compare, saying why', async () => {
    await expect(wb.compareGroups({ select: { sweep: 77 }, groupBy: 'configuration' })).rejects.toThrow(
      /No sweep 77/,
    );
    await expect(wb.compareGroups({ select: { runs: [4242] }, groupBy: 'configuration' })).rejects.toThrow(
      /None of runs 4242/,
    );
    await expect(
      wb.groupCurves(
        Array.from({ length: 21 }, () => [seeded.fast[0]!]),
        'valAccuracy',
      ),
    ).rejects.toThrow(/at most 20 groups/);
  });

  it('draws each group curve as mean, sd, min-max and CI per epoch, with the runs behind it', async () => {
    const [fast, slow] = await wb.groupCurves(
      [seeded.fast, [...seeded.slow, seeded.untested]],
      'valAccuracy',
    );
    expect(fast!.points.map((p) => p.epoch)).toEqual([1, 2, 3]);
    const third = ACC.fast.map((a, i) => a - 0.1 + 0.06 + (i + 1) * 0.001);
    const s = summarize(third);
    const p3 = fast!.points[2]!;
    close(p3.mean, s.mean!);
    close(p3.sd, s.sd!);
    close(p3.min, s.min!);
    close(p3.ci95![1], s.ci95![1]);
    expect(fast!.runs.map((r) => r.id)).toEqual(seeded.fast);
    // The untested run reached epoch 1 only: 4 runs there, 3 after.
    expect(slow!.points.map((p) => p.n)).toEqual([4, 3, 3]);
    expect(slow!.runs.at(-1)!.values).toEqual([0.3]);
    // Without the runs' own series: the same curves, no series.
    const bare = await wb.groupCurves([seeded.fast, [...seeded.slow, seeded.untested]], 'valAccuracy', {
      runs: false,
    });
    expect(bare.map((c) => c.points)).toEqual([fast!.points, slow!.points]);
    expect(bare.map((c) => c.runs)).toEqual([[], []]);
  });

  it('averages confusion matrices as row shares, from test evaluations when every run has one', async () => {
    const [fast, mixed] = await wb.groupMatrices([seeded.fast, [...seeded.slow, seeded.untested]]);
    expect(fast).toMatchObject({ source: 'test', runs: 3 });
    // bass (row 0) is always taken for flute (column 2) by the fast runs.
    expect(fast!.matrix[0]![2]).toBe(1);
    // brass (row 1): right in 2 of 3 fast runs, keyboard (4) in 1.
    close(fast!.matrix[1]![1]!, 2 / 3);
    close(fast!.matrix[1]![4]!, 1 / 3);
    // The untested run has no test evaluation: the group falls back to validation matrices.
    expect(mixed).toMatchObject({ source: 'validation', runs: 3 });
  });

  it('lists the notes every model gets wrong first, with what they are taken for, and one note across runs', async () => {
    const hard = await wb.hardNotes({ sweep: seeded.sweep });
    expect(hard.runs).toHaveLength(6);
    expect(hard.total).toBe(4);
    expect(hard.notes.map((n) => [n.noteStr, n.wrong, n.runs])).toEqual([
      ['bass_1-040-100', 6, 6],
      ['brass_2-050-100', 3, 6],
      ['guitar_4-070-100', 1, 6],
      ['flute_3-060-100', 0, 6],
    ]);
    expect(hard.notes[0]).toMatchObject({
      family: 'bass',
      confusedWith: 'flute',
      confusedCount: 5,
      errorRate: 1,
    });
    const limited = await wb.hardNotes({ runs: [...seeded.fast, seeded.untested] }, 1);
    expect(limited.notes).toHaveLength(1);
    expect(limited.leftOut).toEqual([seeded.untested]);

    const across = await wb.noteAcrossRuns({ sweep: seeded.sweep }, 'brass_2-050-100');
    expect(across.family).toBe('brass');
    expect(across.runs.map((r) => r.correct)).toEqual(
      PREDICTED['brass_2-050-100']!.predicted.map((p) => p === 1),
    );
    expect(across.runs[1]).toMatchObject({ predicted: 'keyboard', group: 'lr=0.001' });
    close(across.runs[0]!.confidence, Math.fround(0.9));
    await expect(wb.noteAcrossRuns({ sweep: seeded.sweep }, 'nope')).rejects.toThrow(/no.*note "nope"/i);
  });
});

describe('groups compared, from runs in memory', () => {
  // 12 learning rates x 2 seeds; accuracy rises with log(lr), batch is noise.
  const runs: GroupedRun[] = Array.from({ length: 24 }, (_, i) => {
    const lr = 1e-5 * 2 ** Math.floor(i / 2);
    const acc = 0.3 + 0.03 * Math.log2(lr / 1e-5) + (i % 2) * 0.01;
    const metrics = Object.fromEntries(GROUP_METRIC_KEYS.map((m) => [m, null])) as GroupedRun['metrics'];
    return {
      id: i + 1,
      summary: { name: `r${i}`, sweepId: null } as GroupedRun['summary'],
      params: { lr, batch: [16, 32, 64][i % 3]!, seed: i % 2 },
      metrics: { ...metrics, testAccuracy: acc },
    };
  });

  it('compares each group with the best when there are more than 10, best first', () => {
    const c = compareGroupsOf(runs, { select: { runs: [] }, groupBy: ['lr'] });
    expect(c.groups).toHaveLength(12);
    expect(c.pairs).toHaveLength(11);
    const best = c.groups.at(-1)!;
    expect(c.pairs.every((p) => p.a === best.key)).toBe(true);
  });

  it('finds the setting that matters: correlation and forest importance of lr above batch', () => {
    const c = compareGroupsOf(runs, { select: { runs: [] }, groupBy: 'configuration' });
    const [batch, lr] = c.importance;
    expect(c.importance.map((s) => s.key)).toEqual(['batch', 'lr']);
    expect(lr!.correlation).toBeGreaterThan(0.95);
    expect(Math.abs(batch!.correlation!)).toBeLessThan(0.3);
    expect(lr!.forest).toBeGreaterThan(0.8);
    expect(lr!.forest! + batch!.forest!).toBeCloseTo(1, 9);
    // The same runs give the same forest.
    expect(compareGroupsOf(runs, { select: { runs: [] }, groupBy: 'configuration' }).importance).toEqual(
      c.importance,
    );
  });
});
