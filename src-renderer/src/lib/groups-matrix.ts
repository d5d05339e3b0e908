// What a cell of a group's mean confusion matrix says on hover: shares averaged over runs, not counts.
import { pct } from '../../../src-main/shared/format';
import type { GroupMatrix } from '../../../src-main/shared/group-compare';

const at = (m: GroupMatrix, r: number, c: number) => m.matrix[r]?.[c] ?? 0;
const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/** "bass notes predicted as guitar: 18 % on average over 3 runs" (", correct" on the diagonal). */
export function shareCellText(m: GroupMatrix, r: number, c: number): string {
  const t = m.labels[r] ?? '';
  const p = m.labels[c] ?? '';
  const tail = r === c ? ', correct' : '';
  return `${t} notes predicted as ${p}${tail}: ${pct(at(m, r, c), 0)} on average over ${runs(m.runs)}`;
}

/** "bass notes predicted as guitar: 18 % in A, 12 % in B (+6 points), A worse" */
export function diffCellText(a: GroupMatrix, b: GroupMatrix, r: number, c: number): string {
  const t = a.labels[r] ?? '';
  const p = a.labels[c] ?? '';
  const x = at(a, r, c);
  const y = at(b, r, c);
  const points = Math.round((x - y) * 100);
  const what = `${t} notes predicted as ${p}: ${pct(x, 0)} in A, ${pct(y, 0)} in B`;
  if (points === 0) return `${what}, about the same`;
  const better = (r === c) === points > 0;
  return `${what} (${points > 0 ? '+' : '−'}${Math.abs(points)} points), A ${better ? 'better' : 'worse'}`;
}
