import { describe, expect, it } from 'vitest';
import type { NotePrediction } from '../../src-main/shared/contract';
import {
  abNeighbours,
  filterNotes,
  nearestCorrect,
  pitchName,
  sliceNotes,
  sortNotes,
} from '../../src-renderer/src/lib/audition';

// Families: 0 bass, 3 guitar, 4 keyboard.
const note = (
  noteStr: string,
  trueFamily: number,
  predicted: number,
  pitch: number,
  velocity: number,
  confidence = 0.5,
  source = 0,
): NotePrediction => ({
  noteStr,
  trueFamily,
  predicted,
  confidence,
  runnerUp: predicted === 0 ? 1 : 0,
  margin: confidence / 2,
  trueProbability: predicted === trueFamily ? confidence : 0.1,
  pitch,
  velocity,
  instrument: noteStr.slice(0, noteStr.lastIndexOf('-', noteStr.lastIndexOf('-') - 1)),
  source,
});

const notes = [
  note('bass_acoustic_000-040-100', 0, 3, 40, 100, 0.81),
  note('bass_acoustic_000-041-100', 0, 0, 41, 100, 0.6),
  note('bass_acoustic_000-052-050', 0, 0, 52, 50, 0.7),
  note('guitar_acoustic_001-040-050', 3, 3, 40, 50, 0.9),
  note('guitar_acoustic_001-043-100', 3, 3, 43, 100, 0.4),
  note('guitar_acoustic_001-040-100', 3, 4, 40, 100, 0.3),
  note('keyboard_synthetic_002-060-127', 4, 0, 60, 127, 0.55, 2),
];

describe('filterNotes', () => {
  it('shows the misclassified notes by default, all or only the correct ones on demand', () => {
    const names = (f: Parameters<typeof filterNotes>[1]) => filterNotes(notes, f).map((n) => n.noteStr);
    expect(names({ trueFamily: null, pred: null, show: 'wrong' })).toEqual([
      'bass_acoustic_000-040-100',
      'guitar_acoustic_001-040-100',
      'keyboard_synthetic_002-060-127',
    ]);
    expect(names({ trueFamily: null, pred: null, show: 'all' })).toHaveLength(notes.length);
    expect(names({ trueFamily: 0, pred: null, show: 'right' })).toEqual([
      'bass_acoustic_000-041-100',
      'bass_acoustic_000-052-050',
    ]);
  });

  it('gives exactly one confusion-matrix cell for a true and a predicted family', () => {
    for (let t = 0; t < 5; t++) {
      for (let p = 0; p < 5; p++) {
        const cell = filterNotes(notes, { trueFamily: t, pred: p, show: 'all' });
        expect(cell.map((n) => n.noteStr)).toEqual(
          notes.filter((n) => n.trueFamily === t && n.predicted === p).map((n) => n.noteStr),
        );
      }
    }
  });
});

describe('sortNotes', () => {
  it('sorts by a column either way, ties in note order', () => {
    const byConf = sortNotes(notes, 'confidence', true).map((n) => n.confidence);
    expect(byConf).toEqual([...byConf].sort((a, b) => b - a));
    const byPitch = sortNotes(notes, 'pitch', false);
    expect(byPitch.slice(0, 3).map((n) => n.noteStr)).toEqual([
      'bass_acoustic_000-040-100',
      'guitar_acoustic_001-040-050',
      'guitar_acoustic_001-040-100',
    ]);
    expect(sortNotes(notes, 'true', true)[0]!.trueFamily).toBe(4);
    expect(notes[0]!.noteStr).toBe('bass_acoustic_000-040-100');
  });
});

describe('A/B neighbours', () => {
  it('picks the nearest correct note of the predicted and of the true family', () => {
    // A bass at 40/100 heard as guitar: guitar 040-050 (two velocity steps) is nearer than 043-100 (three semitones).
    const { b, c } = abNeighbours(notes[0]!, notes);
    expect(b?.noteStr).toBe('guitar_acoustic_001-040-050');
    expect(c?.noteStr).toBe('bass_acoustic_000-041-100');
  });

  it('never offers the note itself or a misclassified one, and nothing for a correct note', () => {
    const g = notes[5]!; // guitar heard as keyboard; no keyboard note is correct
    const { b, c } = abNeighbours(g, notes);
    expect(b).toBeNull();
    expect(c?.noteStr).toBe('guitar_acoustic_001-040-050');
    expect(nearestCorrect(notes[3]!, 3, notes)?.noteStr).toBe('guitar_acoustic_001-043-100');
    expect(abNeighbours(notes[1]!, notes)).toEqual({ b: null, c: null });
  });
});

describe('slices', () => {
  it('counts notes and correct ones by octave, velocity, source and instrument', () => {
    const s = sliceNotes(notes);
    expect(s.pitch.map((x) => [x.label, x.notes, x.correct])).toEqual([
      ['C2–B2', 5, 3],
      ['C3–B3', 1, 1],
      ['C4–B4', 1, 0],
    ]);
    expect(s.velocity.map((x) => [x.label, x.notes, x.correct])).toEqual([
      ['50', 2, 2],
      ['100', 4, 2],
      ['127', 1, 0],
    ]);
    expect(s.source.map((x) => [x.label, x.accuracy])).toEqual([
      ['acoustic', 4 / 6],
      ['synthetic', 0],
    ]);
    expect(s.instrument.map((x) => [x.label, x.notes])).toEqual([
      ['bass_acoustic_000', 3],
      ['guitar_acoustic_001', 3],
      ['keyboard_synthetic_002', 1],
    ]);
  });

  it('names pitches with middle C as C4', () => {
    expect([pitchName(60), pitchName(21), pitchName(37), pitchName(108)]).toEqual(['C4', 'A0', 'C#2', 'C8']);
  });
});
