import type { ClassMetrics } from '../../shared/training';

/** A classes x classes matrix of counts: rows = true class, columns = predicted. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]!++;
  return m;
}

/** Precision, recall, F1 and support per class from a confusion matrix (0 where undefined). */
export function perClassMetrics(confusion: number[][], labels: readonly string[]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c]!, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label: labels[c]!, precision, recall, f1, support };
  });
}

/** Share of the diagonal in a confusion matrix. */
export function accuracyOf(confusion: number[][]): number {
  const total = confusion.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  return total ? confusion.reduce((a, r, i) => a + r[i]!, 0) / total : 0;
}
