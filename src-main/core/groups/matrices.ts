import type { GroupMatrix } from '../../shared/group-compare';
import { FAMILIES } from '../../shared/constants';

/** A confusion matrix as row shares: each true family's row sums to 1 (a row without notes stays 0). */
export function rowShares(matrix: readonly (readonly number[])[]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

/**
 * A group's mean confusion matrix, of row shares so that runs on test sets of different sizes weigh
 * the same: from the runs' test evaluations (best weights) when every run of the group has one,
 * else from each run's last validation matrix; null when no run has either.
 */
export function meanMatrixOf(
  ids: readonly number[],
  tests: ReadonlyMap<number, { matrix: number[][]; labels: string[] }>,
  validations: ReadonlyMap<number, number[][]>,
): GroupMatrix | null {
  const fromTests = ids.length > 0 && ids.every((id) => tests.has(id));
  const matrices = fromTests
    ? ids.map((id) => tests.get(id)!.matrix)
    : ids.flatMap((id) => (validations.has(id) ? [validations.get(id)!] : []));
  if (!matrices.length) return null;
  const size = matrices[0]!.length;
  const same = matrices.filter((m) => m.length === size);
  const sum = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (const m of same) {
    rowShares(m).forEach((row, i) => row.forEach((v, j) => (sum[i]![j]! += v)));
  }
  const labels = fromTests ? tests.get(ids[0]!)!.labels : [...FAMILIES].slice(0, size);
  return {
    labels,
    source: fromTests ? 'test' : 'validation',
    runs: same.length,
    matrix: sum.map((row) => row.map((v) => v / same.length)),
  };
}
