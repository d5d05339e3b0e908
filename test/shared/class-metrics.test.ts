import { describe, expect, it } from 'vitest';
import { perClassMetrics } from '../../src-main/shared/class-metrics';

describe('per-family scores', () => {
  it('reads precision, recall, F1 and support off a confusion matrix', () => {
    const m = [
      [8, 2, 0],
      [1, 3, 0],
      [0, 0, 0],
    ];
    const [a, b, c] = perClassMetrics(m, ['bass', 'brass', 'flute']);
    expect(a).toEqual({ label: 'bass', precision: 8 / 9, recall: 0.8, f1: expect.any(Number), support: 10 });
    expect(a!.f1).toBeCloseTo((2 * (8 / 9) * 0.8) / (8 / 9 + 0.8), 12);
    expect(b).toMatchObject({ precision: 0.6, recall: 0.75, support: 4 });
    // A family with no notes and no predictions scores 0, never NaN.
    expect(c).toEqual({ label: 'flute', precision: 0, recall: 0, f1: 0, support: 0 });
  });
});
