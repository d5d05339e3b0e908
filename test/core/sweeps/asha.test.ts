import { describe, expect, it } from 'vitest';
import {
  ashaDecision,
  ashaRungs,
  earlyStopDecision,
  isRung,
  median,
  medianDecision,
  type ResolvedAsha,
  type ResolvedEarlyStopping,
  type ResolvedMedian,
  type RunHistory,
} from '../../../src-main/core/sweeps/asha';
import { checkEarlyStopping } from '../../../src-main/core/sweeps/spec';

const asha = (more: Partial<ResolvedAsha> = {}): ResolvedAsha => ({
  method: 'asha',
  rungs: [2],
  minEpochs: 2,
  eta: 3,
  minRuns: 3,
  ...more,
});
const med = (more: Partial<ResolvedMedian> = {}): ResolvedMedian => ({
  method: 'median',
  minEpochs: 3,
  minRuns: 3,
  ...more,
});
const run = (id: string, valAccuracy: (number | null)[], epochs?: number): RunHistory => ({
  id,
  valAccuracy,
  epochs,
});

/**
 * Replays a sweep: `events` are [run id, epoch] in the order the runs log them; each run's history
 * is cut to what it has logged, a stopped run logs nothing more. Returns each stopped run's reason.
 */
function replay(
  s: ResolvedEarlyStopping,
  full: Record<string, number[]>,
  events: [string, number][],
  epochs?: number,
): Record<string, string> {
  const logged: Record<string, number> = {};
  const stopped: Record<string, string> = {};
  const history = (id: string) => run(id, full[id]!.slice(0, logged[id] ?? 0), epochs);
  for (const [id, epoch] of events) {
    if (stopped[id]) continue;
    expect(epoch).toBe((logged[id] ?? 0) + 1);
    logged[id] = epoch;
    const decision = earlyStopDecision(s, history(id), Object.keys(logged).map(history));
    if (decision.stop) stopped[id] = decision.reason;
  }
  return stopped;
}

describe('ASHA rungs', () => {
  it('are minEpochs * eta^k below the longest run, or the listed ones', () => {
    expect(ashaRungs(asha({ rungs: null, minEpochs: 1, eta: 3 }), 20)).toEqual([1, 3, 9]);
    expect(ashaRungs(asha({ rungs: null, minEpochs: 2, eta: 2 }), 20)).toEqual([2, 4, 8, 16]);
    expect(ashaRungs(asha({ rungs: [2, 5, 10] }), 8)).toEqual([2, 5]);
    const derived = asha({ rungs: null, minEpochs: 1, eta: 3 });
    expect([1, 2, 3, 4, 9, 27].map((e) => isRung(derived, e))).toEqual([
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it('take their defaults from checkEarlyStopping', () => {
    expect(ashaRungs(checkEarlyStopping({ method: 'asha' }) as ResolvedAsha, 30)).toEqual([1, 3, 9, 27]);
    expect(
      ashaRungs(checkEarlyStopping({ method: 'asha', minEpochs: 2, eta: 4 }) as ResolvedAsha, 40),
    ).toEqual([2, 8, 32]);
  });
});

describe('ASHA decisions', () => {
  // Best validation accuracy up to epoch 4 of six runs: a .60, b .55, c .50, d .45, e .412, f .30.
  const six = [
    run('a', [0.3, 0.6, 0.5, 0.55]),
    run('b', [0.2, 0.3, 0.55, 0.5]),
    run('c', [0.5, 0.4, 0.45, 0.48]),
    run('d', [0.1, 0.2, 0.3, 0.45]),
    run('e', [0.3, 0.35, 0.412, 0.4]),
    run('f', [0.1, 0.2, 0.25, 0.3]),
  ];
  const s = asha({ rungs: [4], minEpochs: 4 });

  it('keeps the top 1/eta of the runs that reached the rung, on their best accuracy so far', () => {
    const decisions = six.map((r) => ashaDecision(s, r, six));
    expect(decisions.map((d) => d.stop)).toEqual([false, false, true, true, true, true]);
    expect(decisions[4]).toEqual({
      stop: true,
      reason: 'stopped by ASHA at epoch 4: validation accuracy 41.2 % not in the top 1/3 of 6 runs',
    });
    // eta 2 keeps three of six.
    expect(six.map((r) => ashaDecision({ ...s, eta: 2 }, r, six).stop)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('decides the same whatever the order of the runs, whether or not the list holds the run itself', () => {
    const reversed = [...six].reverse();
    const withoutE = six.filter((r) => r.id !== 'e');
    for (const r of six) expect(ashaDecision(s, r, reversed)).toEqual(ashaDecision(s, r, six));
    expect(ashaDecision(s, six[4]!, withoutE)).toEqual(ashaDecision(s, six[4]!, six));
  });

  it('decides nothing off a rung, at a run’s last epoch, without accuracy, or before minRuns runs', () => {
    expect(ashaDecision(s, run('e', [0.3, 0.35, 0.412]), six).stop).toBe(false);
    expect(ashaDecision(s, run('e', [0.3, 0.35, 0.412, 0.4], 4), six).stop).toBe(false);
    expect(ashaDecision(s, run('e', [null, null, null, null]), six).stop).toBe(false);
    expect(ashaDecision({ ...s, minRuns: 7 }, six[5]!, six).stop).toBe(false);
    // Runs that have not reached the rung do not count.
    const early = six.map((r, i) => (i < 1 ? r : run(String(r.id), r.valAccuracy.slice(0, 3))));
    expect(ashaDecision(s, run('f', [0.1, 0.2, 0.25, 0.3]), early).stop).toBe(false);
  });

  it('counts a tie at the cutoff as in the top', () => {
    const tied = ['x', 'y', 'z'].map((id) => run(id, [0.1, 0.5]));
    expect(tied.map((r) => ashaDecision(asha(), r, tied).stop)).toEqual([false, false, false]);
  });

  it('promotes and stops runs as they arrive at the rung, counted exactly', () => {
    // Nine runs reach rung 2 one after another; at each arrival n runs have reached it, top max(1, n/3) go on.
    const scores = [0.5, 0.4, 0.6, 0.3, 0.7, 0.55, 0.2, 0.65, 0.1];
    const full = Object.fromEntries(scores.map((v, i) => [`r${i + 1}`, [0.05, v, 0.9]]));
    const events = scores.flatMap((_, i): [string, number][] => [
      [`r${i + 1}`, 1],
      [`r${i + 1}`, 2],
    ]);
    const stopped = replay(asha(), full, events, 3);
    expect(Object.keys(stopped)).toEqual(['r4', 'r6', 'r7', 'r9']);
    expect(stopped.r6).toBe(
      'stopped by ASHA at epoch 2: validation accuracy 55.0 % not in the top 1/3 of 6 runs',
    );
    expect(stopped.r9).toBe(
      'stopped by ASHA at epoch 2: validation accuracy 10.0 % not in the top 1/3 of 9 runs',
    );
    // Deterministic: the same events give the same decisions.
    expect(replay(asha(), full, events, 3)).toEqual(stopped);
  });

  it('halves again at the next rung, among the runs that reached it', () => {
    // Rungs 1 and 3, eta 2, minRuns 2; four runs in lockstep.
    const full = {
      a: [0.6, 0.6, 0.7, 0.8, 0.9],
      b: [0.5, 0.6, 0.65, 0.7, 0.7],
      c: [0.4, 0.5, 0.6, 0.6, 0.6],
      d: [0.3, 0.4, 0.5, 0.5, 0.5],
    };
    const events = [1, 2, 3, 4, 5].flatMap((e) => Object.keys(full).map((id): [string, number] => [id, e]));
    const stopped = replay(asha({ rungs: [1, 3], minEpochs: 1, eta: 2, minRuns: 2 }), full, events, 5);
    // Epoch 1: a (alone) goes on, b is second of 2, c third of 3 (keep 1), d fourth of 4 (keep 2): b, c, d stop.
    expect(Object.keys(stopped)).toEqual(['b', 'c', 'd']);
    // Arriving worst first at rung 1, each is the best so far: all go on. At rung 3, in the order
    // c a d b: c alone, a first of 2, d third of 3 (keep 1) stops, b second of 4 (keep 2) goes on.
    const order = (ids: string, e: number) => [...ids].map((id): [string, number] => [id, e]);
    const async = [
      ...order('dcba', 1),
      ...order('abcd', 2),
      ...order('cadb', 3),
      ...order('abcd', 4),
      ...order('abcd', 5),
    ];
    expect(replay(asha({ rungs: [1, 3], minEpochs: 1, eta: 2, minRuns: 2 }), full, async, 5)).toEqual({
      d: 'stopped by ASHA at epoch 3: validation accuracy 50.0 % not in the top 1/2 of 3 runs',
    });
  });
});

describe('median stopping', () => {
  const others = [
    run('o1', [0.2, 0.4, 0.6, 0.6, 0.7]),
    run('o2', [0.3, 0.5, 0.7]),
    run('o3', [0.1, 0.2, 0.3, 0.4]),
    run('o4', [0.5, 0.5]),
  ];

  it('stops a run whose best so far is below the median of the others’ running means at its epoch', () => {
    // Means up to epoch 3 of the runs that reached it: o1 .4, o2 .5, o3 .2 (o4 has not): median .4.
    expect(medianDecision(med(), run('r', [0.3, 0.35, 0.38]), others)).toEqual({
      stop: true,
      reason:
        'stopped by the median rule at epoch 3: best validation accuracy 38.0 % below the median 40.0 % of 3 other runs',
    });
    // A tie with the median (0.4 against (0.2 + 0.4 + 0.6) / 3) goes on.
    expect(medianDecision(med(), run('r', [0.4, 0.35, 0.38]), others).stop).toBe(false);
    const four = [...others, run('o5', [0.6, 0.6, 0.6])];
    expect(medianDecision(med(), run('r', [0.3, 0.44, 0.38]), four)).toMatchObject({
      stop: true,
      reason: expect.stringContaining('below the median 45.0 % of 4 other runs'),
    });
  });

  it('waits for minEpochs and minRuns, and decides nothing at the last epoch', () => {
    expect(medianDecision(med(), run('r', [0.01, 0.01]), others).stop).toBe(false);
    expect(medianDecision(med({ minRuns: 4 }), run('r', [0.01, 0.01, 0.01]), others).stop).toBe(false);
    expect(medianDecision(med(), run('r', [0.01, 0.01, 0.01], 3), others).stop).toBe(false);
    expect(medianDecision(med({ minRuns: 1 }), run('r', [0.01, 0.01, 0.01]), []).stop).toBe(false);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('stops runs in lockstep, counted exactly', () => {
    const full = {
      A: [0.5, 0.6, 0.7, 0.8],
      B: [0.4, 0.5, 0.6, 0.7],
      C: [0.2, 0.25, 0.3, 0.35],
      D: [0.45, 0.48, 0.5, 0.6],
    };
    const events = [1, 2, 3, 4].flatMap((e) => Object.keys(full).map((id): [string, number] => [id, e]));
    const stopped = replay(med({ minEpochs: 2, minRuns: 2 }), full, events, 4);
    expect(stopped).toEqual({
      C: 'stopped by the median rule at epoch 2: best validation accuracy 25.0 % below the median 50.0 % of 2 other runs',
      D: 'stopped by the median rule at epoch 3: best validation accuracy 50.0 % below the median 55.0 % of 2 other runs',
    });
  });

  it('does nothing without settings', () => {
    expect(earlyStopDecision(null, run('r', [0]), others)).toEqual({ stop: false });
  });
});
