import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  bestEpoch,
  compareEpochs,
  confusionMatrix,
  isBetterEpoch,
  perClassMetrics,
  type EpochScore,
} from '../../../src-main/core/training/metrics';

describe('metrics', () => {
  it('counts a confusion matrix and derives precision, recall, F1 as by hand', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 0, 1];
    const m = confusionMatrix(truth, pred, 3);
    expect(m).toEqual([
      [2, 1, 0],
      [1, 1, 0],
      [0, 1, 0],
    ]);
    expect(accuracyOf(m)).toBeCloseTo(3 / 6);
    const [a, b, c] = perClassMetrics(m, ['a', 'b', 'c']);
    expect(a).toMatchObject({ label: 'a', precision: 2 / 3, recall: 2 / 3, support: 3 });
    expect(a!.f1).toBeCloseTo(2 / 3);
    expect(b!.precision).toBeCloseTo(1 / 3);
    expect(b!.recall).toBeCloseTo(1 / 2);
    expect(b!.f1).toBeCloseTo((2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2));
    expect(c).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
  });
});

describe('the best-epoch rule', () => {
  const e = (epoch: number, valAccuracy: number | null, valLoss: number | null): EpochScore => ({
    epoch,
    valAccuracy,
    valLoss,
  });

  it('takes the highest validation accuracy, ties to the lower loss, then the earlier epoch', () => {
    expect(bestEpoch([e(1, 0.5, 1), e(2, 0.7, 2), e(3, 0.6, 0.1)])?.epoch).toBe(2);
    expect(bestEpoch([e(1, 0.7, 1.2), e(2, 0.7, 0.9), e(3, 0.7, 1)])?.epoch).toBe(2);
    expect(bestEpoch([e(1, 0.7, 1), e(2, 0.7, 1), e(3, 0.6, 1)])?.epoch).toBe(1);
    expect(bestEpoch([])).toBeUndefined();
  });

  it('ranks a missing or NaN loss last, and an epoch without validation below one with', () => {
    expect(bestEpoch([e(1, 0.7, NaN), e(2, 0.7, 3)])?.epoch).toBe(2);
    expect(bestEpoch([e(1, 0.7, null), e(2, 0.7, 3)])?.epoch).toBe(2);
    expect(compareEpochs(e(5, 0.1, 9), e(6, null, null))).toBeLessThan(0);
  });

  it('without a validation split, the latest epoch is the best', () => {
    expect(bestEpoch([e(1, null, null), e(3, null, null), e(2, null, null)])?.epoch).toBe(3);
  });

  it('as the trainer applies it epoch by epoch, it picks what bestEpoch picks of them all', () => {
    const epochs = [e(1, 0.4, 2), e(2, 0.6, 1.5), e(3, 0.6, 1.4), e(4, 0.6, 1.4), e(5, 0.55, 1)];
    let best: EpochScore | null = null;
    for (const epoch of epochs) if (isBetterEpoch(epoch, best)) best = epoch;
    expect(best?.epoch).toBe(3);
    expect(bestEpoch(epochs)?.epoch).toBe(3);
    expect(isBetterEpoch(e(1, 0, 0), null)).toBe(true);
  });
});
