import { describe, expect, it } from 'vitest';
import { accuracyOf, confusionMatrix, perClassMetrics } from '../../../src-main/core/training/metrics';

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
