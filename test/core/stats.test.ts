import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src-main/core/random';
import {
  bootstrapDiff,
  compareSentence,
  summarize,
  tCdf,
  tQuantile,
  tSf,
  tTwoSided,
  welch,
  type BootstrapResult,
  type MetricScale,
  type WelchResult,
} from '../../src-main/shared/stats';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../fixtures/stats_reference.py', import.meta.url));

type Num = number | 'inf' | '-inf' | 'nan';
interface Reference {
  cdf: { cdf: Num; sf: Num; twoSided: Num }[];
  ppf: Num[];
  /** scipy's CDF and upper tail at our quantiles. */
  back: { cdf: Num; sf: Num; twoSided: Num }[];
  summaries: { n: number; mean: Num; sd: Num; sem: Num; ci95: [Num, Num]; min: Num; max: Num; median: Num }[];
  welch: { diff: Num; se: Num; df: Num; t: Num; p: Num; ci95: [Num, Num] }[];
}

const num = (x: Num): number => (x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x === 'nan' ? NaN : x);

/** Fails unless ours and the reference agree to `rel` relative or `abs` absolute (infinities exactly). */
function close(ours: number | null | undefined, ref: Num, rel: number, what: string, abs = 0): void {
  const r = num(ref);
  if (ours === null || ours === undefined) throw new Error(`${what}: ours is ${ours}, reference ${r}`);
  if (Math.abs(ours - r) <= abs) return;
  if (!Number.isFinite(r) || r === 0) {
    if (!(ours === r || Math.abs(ours) < 1e-300)) throw new Error(`${what}: ours ${ours}, reference ${r}`);
    return;
  }
  const err = Math.abs(ours - r) / Math.abs(r);
  if (!(err <= rel))
    throw new Error(`${what}: ours ${ours}, reference ${r} (relative error ${err.toExponential(2)})`);
}

// Normal draws from a seeded generator (Box–Muller): test data that is the same on every machine.
function normals(n: number, mu: number, sigma: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const u = 1 - random();
    const v = random();
    return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  });
}

// Degrees of freedom: fractional ones as Welch's test gives them, tiny and huge ones.
const CDF_DOFS = [0.1, 0.5, 1, 1.5, 2, 2.7, 3, 4.3, 5, 9.99, 10, 30, 100, 1e3, 1e5, 1e7, 1e10, 1e20, 1e300];
const CDF_TS = [-40, -7, -2, -0.3, 0, 0.5, 1.96, 5, 1e3];
const PPF_DOFS = [0.2, 0.5, 1, 1.5, 2, 2.7, 3.3, 5, 10, 29.5, 100, 1e4, 1e7, 1e10, 1e20, 1e300];
const PPF_PS = [1e-12, 1e-8, 1e-4, 0.025, 0.1, 0.3, 0.5, 0.8, 0.975, 1 - 1e-6, 1 - 1e-12];
const CDF_CASES = CDF_DOFS.flatMap((dof) => CDF_TS.map((t) => [t, dof] as [number, number]));
const PPF_CASES = PPF_DOFS.flatMap((dof) => PPF_PS.map((p) => [p, dof] as [number, number]));

// The seed study's four seeds of one configuration (issue 13), and another group beside it.
const SEEDS_A = [58.1, 60.2, 61.8, 62.3];
const SEEDS_B = [60.5, 61.9, 63.0, 62.2];

const SUMMARIES: number[][] = [
  SEEDS_A,
  SEEDS_A.map((x) => x / 100),
  [1, 2], // n = 2: one degree of freedom
  [0.6, 0.7],
  [3.5, -2, 7, 0.25, 11],
  [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 5], // a naive sum of squares loses these digits
  normals(50, 0.64, 0.02, 7),
];

const WELCH: [number[], number[]][] = [
  [SEEDS_A, SEEDS_B],
  [SEEDS_A.map((x) => x / 100), SEEDS_B.map((x) => x / 100)],
  [
    [0.61, 0.64],
    [0.6, 0.58],
  ], // n = 2 each: df down to 1
  [
    [1, 2],
    [3, 4, 5, 6, 7, 8, 9],
  ],
  [
    [0.6, 0.6, 0.6],
    [0.55, 0.58, 0.61],
  ], // one group without spread: df = nB - 1
  [
    [10, 10.1, 9.9, 10.05],
    [0, 30, -20, 45, 5],
  ], // very unequal variances
  [normals(200, 0.65, 0.03, 1), normals(150, 0.64, 0.05, 2)], // large n
  [
    [1, 2, 3],
    [1, 2, 3],
  ], // equal means: t = 0, p = 1
];

let ref: Reference;

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy.stats']);
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import numpy and scipy, which this test needs as its reference ` +
        `(apt-get install -y python3-numpy python3-scipy): ${probe.error?.message ?? probe.stderr.toString()}`,
    );
  }
  const back = PPF_CASES.map(([p, dof]) => [tQuantile(p, dof), dof]);
  const out = execFileSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ cdf: CDF_CASES, ppf: PPF_CASES, back, summaries: SUMMARIES, welch: WELCH }),
    maxBuffer: 1 << 24,
  });
  ref = JSON.parse(out.toString()) as Reference;
});

describe("Student's t against scipy.stats.t", () => {
  it('CDF, upper tail and two-sided p agree to 1e-10 relative, at fractional, tiny and huge dof', () => {
    CDF_CASES.forEach(([t, dof], i) => {
      const r = ref.cdf[i]!;
      close(tCdf(t, dof), r.cdf, 1e-10, `tCdf(${t}, ${dof})`);
      close(tSf(t, dof), r.sf, 1e-10, `tSf(${t}, ${dof})`);
      close(tTwoSided(t, dof), r.twoSided, 1e-10, `tTwoSided(${t}, ${dof})`);
    });
  });

  it("quantiles: scipy's CDF at ours gives back p to 1e-10, from p = 1e-12 to 1 - 1e-12", () => {
    PPF_CASES.forEach(([p, dof], i) => {
      const r = ref.back[i]!;
      // the smaller tail, so that p near 1 is checked to as many digits as p near 0
      if (p <= 0.5) close(p, r.cdf, 1e-10, `scipy t.cdf(tQuantile(${p}, ${dof}))`);
      else close(1 - p, r.sf, 1e-10, `scipy t.sf(tQuantile(${p}, ${dof}))`);
    });
  });

  it("quantiles agree with scipy's t.ppf to its own precision", () => {
    // Debian's scipy 1.10 inverts less precisely than it integrates: its t.ppf(1e-12, 100) gives back
    // 1.0000000853e-12 through its own t.cdf, and t.ppf(0.975, 1) is 2e-11 off tan(0.475π). Hence the
    // round trip above is the strict check, and this one allows scipy's 5e-9 (and a median of 7e-17).
    PPF_CASES.forEach(([p, dof], i) =>
      close(tQuantile(p, dof), ref.ppf[i]!, 5e-9, `tQuantile(${p}, ${dof})`, 1e-15),
    );
  });

  it('quantiles match the closed forms at 1 and 2 dof', () => {
    for (const p of [1e-12, 1e-5, 0.025, 0.3, 0.7, 0.975, 1 - 1e-9]) {
      // Cauchy: -cot(πp), written with the smaller tail so that p = 1e-12 keeps its digits
      const cauchy = p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p));
      close(tQuantile(p, 1), cauchy, 1e-13, `tQuantile(${p}, 1)`);
      close(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-13, `tQuantile(${p}, 2)`);
    }
  });

  it('quantile and CDF invert each other, tails to their last digits', () => {
    for (const dof of [0.3, 1, 2.5, 7.77, 1e6, 1e12, 1e30]) {
      for (const p of [1e-12, 1e-6, 0.01, 0.3]) {
        const t = tQuantile(p, dof);
        expect(Math.abs(tCdf(t, dof) - p) / p).toBeLessThan(1e-12);
        expect(Math.abs(tSf(-t, dof) - p) / p).toBeLessThan(1e-12);
        const upper = 1 - p; // rounded, but 1 - upper is exact: the quantiles mirror each other exactly
        expect(tQuantile(upper, dof)).toBe(-tQuantile(1 - upper, dof));
      }
    }
  });

  it('heavy tails reach 1e233 at dof 0.05, and beyond the largest double give ±Infinity', () => {
    const t = tQuantile(1e-12, 0.05);
    expect(t).toBeLessThan(-1e233);
    expect(Math.abs(tCdf(t, 0.05) - 1e-12) / 1e-12).toBeLessThan(1e-12);
    expect(tQuantile(1e-12, 0.01)).toBe(-Infinity);
    expect(tQuantile(1 - 1e-12, 0.01)).toBe(Infinity);
  });

  it('ends and wrong arguments', () => {
    expect(tQuantile(0, 3)).toBe(-Infinity);
    expect(tQuantile(1, 3)).toBe(Infinity);
    expect(tQuantile(0.5, 3)).toBe(0);
    expect(tCdf(Infinity, 3)).toBe(1);
    expect(tCdf(-Infinity, 3)).toBe(0);
    expect(() => tCdf(1, 0)).toThrow(/degrees of freedom above 0/);
    expect(() => tQuantile(1.5, 3)).toThrow(/probability in \[0, 1\]/);
  });
});

describe('summarize against numpy and scipy.stats.t.interval', () => {
  it('n, mean, sd, sem, 95 % CI, min, max and median agree to 1e-12', () => {
    SUMMARIES.forEach((xs, i) => {
      const ours = summarize(xs);
      const r = ref.summaries[i]!;
      const what = `summarize(case ${i})`;
      expect(ours.n).toBe(r.n);
      close(ours.mean, r.mean, 1e-14, `${what}.mean`);
      for (const k of ['sd', 'sem', 'min', 'max', 'median'] as const)
        close(ours[k], r[k], 1e-12, `${what}.${k}`);
      // the interval through scipy's t.ppf, good to about 1e-10 (see the quantile tests)
      close(ours.ci95?.[0], r.ci95[0], 1e-9, `${what}.ci95[0]`);
      close(ours.ci95?.[1], r.ci95[1], 1e-9, `${what}.ci95[1]`);
    });
  });

  it('the seed study: 58.1, 60.2, 61.8, 62.3 has sd 1.9 points', () => {
    const s = summarize(SEEDS_A);
    expect(s.mean).toBeCloseTo(60.6, 12);
    expect(s.sd!.toFixed(1)).toBe('1.9');
  });

  it('no values, one value, identical values', () => {
    expect(summarize([])).toEqual({
      n: 0,
      mean: null,
      sd: null,
      sem: null,
      ci95: null,
      min: null,
      max: null,
      median: null,
    });
    expect(summarize([0.64])).toEqual({
      n: 1,
      mean: 0.64,
      sd: null,
      sem: null,
      ci95: null,
      min: 0.64,
      max: 0.64,
      median: 0.64,
    });
    const same = summarize([0.1, 0.1, 0.1]);
    expect(same).toMatchObject({ n: 3, mean: 0.1, sd: 0, sem: 0, ci95: [0.1, 0.1], median: 0.1 });
  });

  it('refuses NaN and infinities, naming where', () => {
    expect(() => summarize([0.5, NaN])).toThrow('A group has NaN at position 2');
    expect(() => summarize([Infinity])).toThrow(/finite numbers/);
  });
});

describe("Welch's test against scipy.stats.ttest_ind(equal_var=False)", () => {
  it('difference, se, df, t, p and the 95 % CI of the difference agree', () => {
    WELCH.forEach(([a, b], i) => {
      const ours = welch(a, b);
      const r = ref.welch[i]!;
      const what = `welch(case ${i})`;
      if (ours.kind !== 'welch') throw new Error(`${what}: too few`);
      expect(ours.nA).toBe(a.length);
      expect(ours.nB).toBe(b.length);
      // diff of near-equal means: compared absolutely, at the scale of the values
      expect(Math.abs(ours.diff - num(r.diff))).toBeLessThan(1e-12 * Math.max(1, ...a.map(Math.abs)));
      for (const k of ['se', 'df', 't'] as const) close(ours[k], r[k], 1e-10, `${what}.${k}`);
      close(ours.p, r.p, 1e-9, `${what}.p`);
      close(ours.ci95[0], r.ci95[0], 1e-9, `${what}.ci95[0]`);
      close(ours.ci95[1], r.ci95[1], 1e-9, `${what}.ci95[1]`);
    });
  });

  it('neither group varies: se 0, df nA + nB - 2, and no NaN', () => {
    expect(welch([0.6, 0.6], [0.5, 0.5, 0.5])).toEqual({
      kind: 'welch',
      diff: 0.09999999999999998,
      se: 0,
      df: 3,
      t: Infinity,
      p: 0,
      ci95: [0.09999999999999998, 0.09999999999999998],
      nA: 2,
      nB: 3,
    });
    expect(welch([0.5, 0.5], [0.5, 0.5])).toMatchObject({ diff: 0, se: 0, t: 0, p: 1, ci95: [0, 0] });
    expect(welch([0.4, 0.4], [0.5, 0.5])).toMatchObject({ t: -Infinity, p: 0 });
  });

  it('a group below 2 runs: too few', () => {
    expect(welch([0.6], [0.5, 0.55])).toEqual({ kind: 'too-few', nA: 1, nB: 2 });
    expect(welch([], [])).toEqual({ kind: 'too-few', nA: 0, nB: 0 });
    expect(() => welch([0.6, NaN], [0.5, 0.55])).toThrow('Group A has NaN at position 2');
  });
});

describe('bootstrap of the difference of means', () => {
  const a = normals(30, 0.65, 0.03, 11);
  const b = normals(30, 0.63, 0.03, 12);

  it('the same seed gives the same result; another seed, another interval', () => {
    const one = bootstrapDiff(a, b, { seed: 5 });
    expect(bootstrapDiff(a, b, { seed: 5 })).toEqual(one);
    const other = bootstrapDiff(a, b, { seed: 6 }) as BootstrapResult;
    expect(other.ci95).not.toEqual((one as BootstrapResult).ci95);
    expect(bootstrapDiff(a, b)).toEqual(bootstrapDiff(a, b, { seed: 0, resamples: 10000 }));
  });

  it("its interval is close to Welch's on normal data, and the verdicts agree", () => {
    const boot = bootstrapDiff(a, b, { seed: 1 }) as BootstrapResult;
    const w = welch(a, b) as WelchResult;
    const width = w.ci95[1] - w.ci95[0];
    expect(boot.diff).toBe(w.diff);
    expect(Math.abs(boot.ci95[0] - w.ci95[0])).toBeLessThan(0.1 * width);
    expect(Math.abs(boot.ci95[1] - w.ci95[1])).toBeLessThan(0.1 * width);
    expect(boot.p < 0.05).toBe(w.p < 0.05);
    const same = bootstrapDiff(a, normals(30, 0.65, 0.03, 13), { seed: 1 }) as BootstrapResult;
    expect(same.p).toBeGreaterThan(0.05);
    expect(same.ci95[0]).toBeLessThan(0);
    expect(same.ci95[1]).toBeGreaterThan(0);
  });

  it('no spread, too few, wrong resamples', () => {
    expect(bootstrapDiff([0.6, 0.6], [0.5, 0.5], { resamples: 999 })).toMatchObject({
      ci95: [0.09999999999999998, 0.09999999999999998],
      p: 2 / 1000,
    });
    expect(bootstrapDiff([0.5, 0.5], [0.5, 0.5])).toMatchObject({ diff: 0, ci95: [0, 0], p: 1 });
    expect(bootstrapDiff([0.6], [0.5, 0.5])).toEqual({ kind: 'too-few', nA: 1, nB: 2 });
    expect(() => bootstrapDiff(a, b, { resamples: 10.5 })).toThrow(/whole number of resamples/);
  });
});

describe('compareSentence', () => {
  const accuracy: MetricScale = { higherIsBetter: true, unit: 'share' };
  const loss: MetricScale = { higherIsBetter: false, unit: 'plain' };
  const result = (diff: number, lo: number, hi: number, p: number, nA = 3, nB = 3) => ({
    diff,
    ci95: [lo, hi] as [number, number],
    p,
    nA,
    nB,
  });

  it("says the issue's sentence", () => {
    expect(compareSentence('BLSTM', 'LSTM', result(-0.011, -0.03, 0.008, 0.21), accuracy, 'seeds')).toBe(
      'BLSTM is 1.1 points worse than LSTM, 95 % CI -3.0 to +0.8: not significant with 3 seeds each',
    );
  });

  it('lower is better for a loss; unequal groups; significant', () => {
    expect(compareSentence('GRU', 'MLP', result(-0.0213, -0.0351, -0.0076, 0.004, 3, 4), loss)).toBe(
      'GRU is 0.021 better than MLP, 95 % CI -0.035 to -0.008: significant with 3 and 4 runs',
    );
    expect(compareSentence('GRU', 'MLP', result(0.0213, 0.0076, 0.0351, 0.004, 5, 5), loss, 'seeds')).toBe(
      'GRU is 0.021 worse than MLP, 95 % CI +0.008 to +0.035: significant with 5 seeds each',
    );
  });

  it('ties, and an end that rounds to 0 keeps its sign', () => {
    expect(compareSentence('A', 'B', result(0, -0.02, 0.02, 1), accuracy)).toBe(
      'A and B score the same, 95 % CI -2.0 to +2.0: not significant with 3 runs each',
    );
    expect(compareSentence('A', 'B', result(0.0003, 0.0001, 0.0005, 0.01), accuracy)).toBe(
      'A and B differ by less than 0.05 points, 95 % CI +0.0 to +0.1: significant with 3 runs each',
    );
  });

  it('too few runs', () => {
    expect(compareSentence('A', 'B', { kind: 'too-few', nA: 1, nB: 3 }, accuracy, 'seeds')).toBe(
      'A and B cannot be compared yet: each needs at least 2 seeds (they have 1 and 3)',
    );
  });

  it("the seed study's groups through welch() and bootstrapDiff()", () => {
    const a = SEEDS_A.map((x) => x / 100);
    const b = SEEDS_B.map((x) => x / 100);
    expect(compareSentence('MLP', 'LSTM', welch(a, b), accuracy, 'seeds')).toBe(
      'MLP is 1.3 points worse than LSTM, 95 % CI -4.1 to +1.5: not significant with 4 seeds each',
    );
    // narrower than Welch's: with 4 values a group the bootstrap knows nothing of the t distribution's tails
    expect(compareSentence('MLP', 'LSTM', bootstrapDiff(a, b, { seed: 3 }), accuracy, 'seeds')).toBe(
      'MLP is 1.3 points worse than LSTM, 95 % CI -3.2 to +0.4: not significant with 4 seeds each',
    );
  });
});
