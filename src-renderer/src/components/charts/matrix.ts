// Arithmetic and wording of confusion matrices (rows = true family, columns = predicted).
import { pct } from '../../../../src-main/shared/format';

/** The two ways a matrix's cells read: counts, or shares of their row. */
export const CELL_MODES = [
  { value: 'counts', label: 'counts' },
  { value: 'normalized', label: 'row %' },
] as const;

/** Sum of each row: how many notes of each true family. */
export function rowTotals(matrix: number[][]): number[] {
  return matrix.map((row) => row.reduce((a, b) => a + b, 0));
}

/** Each row divided by its total (rows without notes stay 0). */
export function normalizeRows(matrix: number[][]): number[][] {
  const totals = rowTotals(matrix);
  return matrix.map((row, i) => row.map((v) => (totals[i] ? v / totals[i]! : 0)));
}

/** B − A, cell by cell (matrices of the same labels). */
export function subtract(b: number[][], a: number[][]): number[][] {
  return b.map((row, i) => row.map((v, j) => v - (a[i]?.[j] ?? 0)));
}

/** A signed whole number with a true minus sign: "+3", "−2", "0". */
export function signed(v: number): string {
  return v > 0 ? `+${v}` : v < 0 ? `−${-v}` : '0';
}

/**
 * A cell's background: blue on the diagonal, orange off it, stronger with the row-normalized
 * value (0..1). In diff mode `v` is the change (−1..1): blue where B is better, red where worse.
 */
export function shade(diagonal: boolean, v: number, diff: boolean): string {
  if (Math.abs(v) < 1e-9) return 'transparent';
  if (diff)
    return diagonal === v > 0
      ? `rgba(33, 102, 172, ${0.85 * Math.abs(v)})`
      : `rgba(214, 96, 77, ${0.85 * Math.abs(v)})`;
  return diagonal ? `rgba(0, 114, 178, ${0.12 + 0.8 * v})` : `rgba(213, 94, 0, ${0.12 + 0.8 * v})`;
}

/** "42 bass notes predicted as guitar (18 %)" */
export function cellSentence(count: number, total: number, truth: string, predicted: string): string {
  const share = total ? ` (${pct(count / total, 0)})` : '';
  const noun = count === 1 ? 'note' : 'notes';
  const tail = truth === predicted ? ', correct' : '';
  return `${count} ${truth} ${noun} predicted as ${predicted}${tail}${share}`;
}

/** "B: 3 more bass notes predicted as guitar than A (12 % → 18 %), worse" */
export function diffSentence(
  delta: number,
  shareA: number,
  shareB: number,
  truth: string,
  predicted: string,
): string {
  const what = `${truth} notes predicted as ${predicted}`;
  const shares = `(${pct(shareA, 0)} → ${pct(shareB, 0)})`;
  if (delta === 0 && Math.round(shareA * 100) === Math.round(shareB * 100))
    return `A and B: as many ${what} ${shares}`;
  const better = (truth === predicted) === shareB - shareA > 0;
  const count = delta === 0 ? 'as many' : `${Math.abs(delta)} ${delta > 0 ? 'more' : 'fewer'}`;
  return `B: ${count} ${what} than A ${shares}, ${better ? 'better' : 'worse'}`;
}
