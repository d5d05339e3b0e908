// Per-family scores of a confusion matrix (rows = true family, columns = predicted): the one
// definition core stores with each evaluation and the renderer shows for a validation epoch,
// whose matrix comes without them.
import type { ClassMetrics } from './training';

/** Precision, recall, F1 and support of each family of a confusion matrix. */
export function perClassMetrics(confusion: number[][], labels: readonly string[]): ClassMetrics[] {
  return confusion.map((row, c) => {
    const tp = row[c] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + (r[c] ?? 0), 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label: labels[c] ?? String(c), precision, recall, f1, support };
  });
}
