// What the audition view does with a split's predictions: filter, sort, pick A/B neighbours, slice.
import type { NotePrediction } from '../../../src-main/shared/contract';
import { FAMILIES, SOURCES } from '../../../src-main/shared/constants';

/** Which notes the list shows by outcome. */
export type Show = 'wrong' | 'all' | 'right';
export const SHOWS: readonly Show[] = ['wrong', 'all', 'right'];

/** The list's filters: a true and a predicted family (null = any), and the outcome. */
export interface NoteFilter {
  trueFamily: number | null;
  pred: number | null;
  show: Show;
}

/** The notes that pass a filter, in their given order. */
export function filterNotes(notes: readonly NotePrediction[], f: NoteFilter): NotePrediction[] {
  return notes.filter(
    (n) =>
      (f.trueFamily === null || n.trueFamily === f.trueFamily) &&
      (f.pred === null || n.predicted === f.pred) &&
      (f.show === 'all' || (f.show === 'wrong') === (n.predicted !== n.trueFamily)),
  );
}

/** Columns the list sorts by. */
export const SORT_KEYS = [
  'confidence',
  'margin',
  'pitch',
  'velocity',
  'instrument',
  'true',
  'pred',
  'note',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What the note list shows: its filters and its order. */
export interface NoteQuery extends NoteFilter {
  sort: SortKey;
  descending: boolean;
}

/** Whether a column sorts largest first when picked: numbers read best that way, names A to Z. */
export function sortsDescending(key: SortKey): boolean {
  return key === 'confidence' || key === 'margin' || key === 'pitch' || key === 'velocity';
}

const value: Record<SortKey, (n: NotePrediction) => number | string> = {
  confidence: (n) => n.confidence,
  margin: (n) => n.margin,
  pitch: (n) => n.pitch,
  velocity: (n) => n.velocity,
  instrument: (n) => n.instrument,
  true: (n) => FAMILIES[n.trueFamily] ?? '',
  pred: (n) => FAMILIES[n.predicted] ?? '',
  note: (n) => n.noteStr,
};

const orNegInf = (x: number) => (Number.isNaN(x) ? -Infinity : x);

/** A sorted copy; ties keep note_str order, so the order is the same on every load. */
export function sortNotes(
  notes: readonly NotePrediction[],
  key: SortKey,
  descending: boolean,
): NotePrediction[] {
  const get = value[key];
  const sign = descending ? -1 : 1;
  return [...notes].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    // Unknown numbers (NaN: a per-epoch list has no probabilities) sort as the smallest.
    const c = typeof x === 'number' ? orNegInf(x) - orNegInf(y as number) || 0 : x.localeCompare(y as string);
    return c !== 0 ? sign * c : a.noteStr.localeCompare(b.noteStr);
  });
}

/**
 * How far apart two notes sound for an A/B comparison: semitones of pitch plus velocity steps
 * (NSynth's velocities are 25 apart), so one semitone weighs like one velocity step.
 */
export function noteDistance(a: NotePrediction, b: NotePrediction): number {
  return Math.abs(a.pitch - b.pitch) + Math.abs(a.velocity - b.velocity) / 25;
}

/** The correctly classified note of `family` nearest to `note` in pitch and velocity, other than itself. */
export function nearestCorrect(
  note: NotePrediction,
  family: number,
  notes: readonly NotePrediction[],
): NotePrediction | null {
  let best: NotePrediction | null = null;
  let bestD = Infinity;
  for (const n of notes) {
    if (n.trueFamily !== family || n.predicted !== family || n.noteStr === note.noteStr) continue;
    const d = noteDistance(note, n);
    if (d < bestD || (d === bestD && best && n.noteStr < best.noteStr)) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

/** Which of the compared notes plays: A the note itself, B and C its correct neighbours. */
export type Variant = 'a' | 'b' | 'c';

/** A misclassified note's comparisons: B, a correct note of the predicted family; C, one of the true family. */
export function abNeighbours(
  note: NotePrediction,
  notes: readonly NotePrediction[],
): { b: NotePrediction | null; c: NotePrediction | null } {
  if (note.predicted === note.trueFamily) return { b: null, c: null };
  return { b: nearestCorrect(note, note.predicted, notes), c: nearestCorrect(note, note.trueFamily, notes) };
}

const NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** A MIDI pitch as a note name, middle C (60) = C4. */
export function pitchName(pitch: number): string {
  return `${NAMES[((pitch % 12) + 12) % 12]}${Math.floor(pitch / 12) - 1}`;
}

/** One group of notes and how many of them the model got right. */
export interface Slice {
  key: string;
  label: string;
  /** Sorts the groups in their natural order (pitch, velocity, source index). */
  order: number;
  notes: number;
  correct: number;
  accuracy: number;
}

/** Accuracy of a split sliced four ways. */
export interface Slices {
  pitch: Slice[];
  velocity: Slice[];
  source: Slice[];
  instrument: Slice[];
}

function group(
  notes: readonly NotePrediction[],
  keyOf: (n: NotePrediction) => { key: string; label: string; order: number },
): Slice[] {
  const groups = new Map<string, Slice>();
  for (const n of notes) {
    const k = keyOf(n);
    const g = groups.get(k.key) ?? { ...k, notes: 0, correct: 0, accuracy: 0 };
    g.notes++;
    if (n.predicted === n.trueFamily) g.correct++;
    groups.set(k.key, g);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, accuracy: g.correct / g.notes }))
    .sort((a, b) => a.order - b.order || a.label.localeCompare(b.label));
}

/** Accuracy by octave of pitch (C to B), velocity, instrument source and instrument. */
export function sliceNotes(notes: readonly NotePrediction[]): Slices {
  return {
    pitch: group(notes, (n) => {
      const octave = Math.floor(n.pitch / 12);
      return {
        key: `o${octave}`,
        label: `${pitchName(octave * 12)}–${pitchName(octave * 12 + 11)}`,
        order: octave,
      };
    }),
    velocity: group(notes, (n) => ({ key: `v${n.velocity}`, label: String(n.velocity), order: n.velocity })),
    source: group(notes, (n) => ({
      key: `s${n.source}`,
      label: SOURCES[n.source] ?? `source ${n.source}`,
      order: n.source,
    })),
    instrument: group(notes, (n) => ({ key: n.instrument, label: n.instrument, order: 0 })),
  };
}
