// A comparison of two groups said in one plain sentence, the answer the seed study needed:
// "BLSTM is 1.1 points worse than LSTM, 95 % CI -3.0 to +0.8: not significant with 3 seeds each".
import type { TooFewRuns } from './means';

/** The significance level of the sentences. */
export const ALPHA = 0.05;

/** How a metric reads: which way is better, and its unit. */
export interface MetricScale {
  /** True when a higher value is better (accuracy), false when lower is (loss). */
  higherIsBetter: boolean;
  /** 'share': a value in [0, 1] said in percentage points; 'plain': said as it is (a loss). */
  unit: 'share' | 'plain';
  /** Decimals of the numbers said (default 1 for points, 3 for plain values). */
  digits?: number;
}

/** What a sentence needs of a comparison: welch() and bootstrapDiff() results both fit. */
export interface ComparedMeans {
  /** mean(A) - mean(B). */
  diff: number;
  ci95: [number, number];
  p: number;
  nA: number;
  nB: number;
}

/** Whether the groups' runs are seed replicates of one configuration each ("seeds") or any runs. */
export type Replicates = 'seeds' | 'runs';

function counted(nA: number, nB: number, replicates: Replicates): string {
  const word = (n: number) => (n === 1 ? replicates.slice(0, -1) : replicates);
  return nA === nB ? `${nA} ${word(nA)} each` : `${nA} and ${nB} ${word(nB)}`;
}

/**
 * One sentence comparing group A with group B, e.g. "BLSTM is 1.1 points worse than LSTM, 95 % CI
 * -3.0 to +0.8: not significant with 3 seeds each". The interval is of mean(A) - mean(B) in the
 * metric's unit, each end signed ("+0.0" is a positive end that rounds to 0); significant means
 * p < 0.05. A difference of exactly 0 reads "A and B score the same", one that rounds to 0 "A and B
 * differ by less than 0.05 points"; a group below 2 runs gets a sentence saying so. No final period.
 */
export function compareSentence(
  nameA: string,
  nameB: string,
  result: ComparedMeans | TooFewRuns,
  metric: MetricScale,
  replicates: Replicates = 'runs',
): string {
  if ('kind' in result && result.kind === 'too-few') {
    const have =
      result.nA === result.nB ? `each has ${result.nA}` : `they have ${result.nA} and ${result.nB}`;
    return `${nameA} and ${nameB} cannot be compared yet: each needs at least 2 ${replicates} (${have})`;
  }
  const r = result as ComparedMeans;
  const share = metric.unit === 'share';
  const digits = metric.digits ?? (share ? 1 : 3);
  const scale = share ? 100 : 1;
  const unit = share ? ' points' : '';
  const signed = (v: number) => {
    const text = Math.abs(v * scale).toFixed(digits);
    return v > 0 ? `+${text}` : v < 0 ? `-${text}` : text;
  };
  const size = Math.abs(r.diff * scale).toFixed(digits);
  let claim: string;
  if (r.diff === 0) claim = `${nameA} and ${nameB} score the same`;
  else if (Number(size) === 0) {
    claim = `${nameA} and ${nameB} differ by less than ${(0.5 * 10 ** -digits).toFixed(digits + 1)}${unit}`;
  } else {
    const better = r.diff > 0 === metric.higherIsBetter;
    claim = `${nameA} is ${size}${unit} ${better ? 'better' : 'worse'} than ${nameB}`;
  }
  const verdict = r.p < ALPHA ? 'significant' : 'not significant';
  return `${claim}, 95 % CI ${signed(r.ci95[0])} to ${signed(r.ci95[1])}: ${verdict} with ${counted(r.nA, r.nB, replicates)}`;
}
