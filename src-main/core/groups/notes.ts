import { FAMILIES } from '../../shared/constants';
import type { HardNote, HardNotes } from '../../shared/group-compare';
import type { NoteTally, TestEvaluation } from '../store/group-queries';

const familyName = (i: number) => FAMILIES[i] ?? `family ${i}`;

/**
 * The test evaluations hard notes are read from: each run's newest of its best weights, on the data
 * set most of them were evaluated on (the same notes, so that an error rate means one thing).
 */
export function evaluationsToRead(
  selected: readonly number[],
  evaluations: readonly TestEvaluation[],
): { datasetId: number | null; read: TestEvaluation[]; leftOut: number[] } {
  const counts = new Map<number | null, number>();
  for (const e of evaluations) counts.set(e.datasetId, (counts.get(e.datasetId) ?? 0) + 1);
  // The most common data set; ties go to the newest (highest id).
  const datasetId = [...counts].sort((a, b) => b[1] - a[1] || (b[0] ?? -1) - (a[0] ?? -1))[0]?.[0] ?? null;
  const read = evaluations.filter((e) => e.datasetId === datasetId);
  const readRuns = new Set(read.map((e) => e.runId));
  return { datasetId, read, leftOut: selected.filter((id) => !readRuns.has(id)) };
}

/** Notes by error rate across the runs, worst first (then by how many runs erred, then by name). */
export function hardNotesOf(
  tallies: readonly NoteTally[],
  read: readonly TestEvaluation[],
  leftOut: number[],
  datasetId: number | null,
  limit: number,
): HardNotes {
  const notes = new Map<
    string,
    { family: number; runs: number; wrong: number; mistaken: Map<number, number> }
  >();
  for (const [noteStr, trueFamily, predicted, runs] of tallies) {
    const n = notes.get(noteStr) ?? { family: trueFamily, runs: 0, wrong: 0, mistaken: new Map() };
    n.runs += runs;
    if (predicted !== trueFamily) {
      n.wrong += runs;
      n.mistaken.set(predicted, (n.mistaken.get(predicted) ?? 0) + runs);
    }
    notes.set(noteStr, n);
  }
  const all: HardNote[] = [...notes].map(([noteStr, n]) => {
    const top = [...n.mistaken].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    return {
      noteStr,
      family: familyName(n.family),
      runs: n.runs,
      wrong: n.wrong,
      errorRate: n.runs ? n.wrong / n.runs : 0,
      confusedWith: top ? familyName(top[0]) : null,
      confusedCount: top?.[1] ?? 0,
    };
  });
  all.sort(
    (a, b) =>
      b.errorRate - a.errorRate ||
      b.wrong - a.wrong ||
      (a.noteStr < b.noteStr ? -1 : a.noteStr > b.noteStr ? 1 : 0),
  );
  return {
    runs: read.map((e) => e.runId),
    datasetId,
    leftOut,
    notes: all.slice(0, limit),
    total: all.length,
  };
}

/** The probability a prediction's float32 probabilities give its predicted family. */
export function confidenceOf(probabilities: Buffer, predicted: number): number {
  const count = Math.floor(probabilities.byteLength / 4);
  if (predicted < 0 || predicted >= count) return 0;
  return probabilities.readFloatLE(predicted * 4);
}

export { familyName };
