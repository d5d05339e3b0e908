import { FAMILIES, SOURCES, type Family, type Source } from '../../../shared/constants';

/** What one General MIDI program (bank 0) becomes in an NSynth-style data set. */
export interface GmProgram {
  program: number;
  /** General MIDI name, for messages and reports. */
  name: string;
  family: Family;
  source: Source;
  /** Lowest and highest MIDI pitch rendered (inclusive, within the piano's 21-108). */
  low: number;
  high: number;
}

/** Lowest and highest pitch NSynth renders (a piano's keys). */
export const PIANO_LOW = 21;
export const PIANO_HIGH = 108;

// [program, name, family, source, low, high]. Ranges follow each instrument's written compass,
// widened a little where GM fonts usually have samples, so few rendered notes are silent.
// Left out: 47 timpani and 55 orchestra hit (no NSynth family fits), 88+ (pads, effects,
// ethnic, percussion, sound effects: NSynth has no such families).
type Row = [number, string, Family, Source, number, number];
const ROWS: Row[] = [
  [0, 'Acoustic Grand Piano', 'keyboard', 'acoustic', 21, 108],
  [1, 'Bright Acoustic Piano', 'keyboard', 'acoustic', 21, 108],
  [2, 'Electric Grand Piano', 'keyboard', 'electronic', 21, 108],
  [3, 'Honky-tonk Piano', 'keyboard', 'acoustic', 21, 108],
  [4, 'Electric Piano 1', 'keyboard', 'electronic', 28, 103],
  [5, 'Electric Piano 2', 'keyboard', 'electronic', 28, 103],
  [6, 'Harpsichord', 'keyboard', 'acoustic', 29, 89],
  [7, 'Clavinet', 'keyboard', 'electronic', 29, 96],
  [8, 'Celesta', 'mallet', 'acoustic', 60, 108],
  [9, 'Glockenspiel', 'mallet', 'acoustic', 72, 108],
  [10, 'Music Box', 'mallet', 'acoustic', 60, 96],
  [11, 'Vibraphone', 'mallet', 'acoustic', 53, 89],
  [12, 'Marimba', 'mallet', 'acoustic', 45, 96],
  [13, 'Xylophone', 'mallet', 'acoustic', 65, 108],
  [14, 'Tubular Bells', 'mallet', 'acoustic', 55, 84],
  [15, 'Dulcimer', 'mallet', 'acoustic', 48, 96],
  [16, 'Drawbar Organ', 'organ', 'electronic', 24, 96],
  [17, 'Percussive Organ', 'organ', 'electronic', 24, 96],
  [18, 'Rock Organ', 'organ', 'electronic', 24, 96],
  [19, 'Church Organ', 'organ', 'acoustic', 24, 96],
  [20, 'Reed Organ', 'organ', 'acoustic', 36, 96],
  [21, 'Accordion', 'organ', 'acoustic', 41, 89],
  // A harmonica is a free-reed wind instrument: NSynth's reed family fits it better than organ.
  [22, 'Harmonica', 'reed', 'acoustic', 60, 96],
  [23, 'Tango Accordion', 'organ', 'acoustic', 41, 89],
  [24, 'Acoustic Guitar (nylon)', 'guitar', 'acoustic', 40, 84],
  [25, 'Acoustic Guitar (steel)', 'guitar', 'acoustic', 40, 84],
  [26, 'Electric Guitar (jazz)', 'guitar', 'electronic', 40, 86],
  [27, 'Electric Guitar (clean)', 'guitar', 'electronic', 40, 86],
  [28, 'Electric Guitar (muted)', 'guitar', 'electronic', 40, 86],
  [29, 'Overdriven Guitar', 'guitar', 'electronic', 40, 86],
  [30, 'Distortion Guitar', 'guitar', 'electronic', 40, 86],
  [31, 'Guitar Harmonics', 'guitar', 'electronic', 52, 88],
  [32, 'Acoustic Bass', 'bass', 'acoustic', 28, 60],
  [33, 'Electric Bass (finger)', 'bass', 'electronic', 28, 67],
  [34, 'Electric Bass (pick)', 'bass', 'electronic', 28, 67],
  [35, 'Fretless Bass', 'bass', 'electronic', 28, 67],
  [36, 'Slap Bass 1', 'bass', 'electronic', 28, 67],
  [37, 'Slap Bass 2', 'bass', 'electronic', 28, 67],
  [38, 'Synth Bass 1', 'bass', 'synthetic', 24, 72],
  [39, 'Synth Bass 2', 'bass', 'synthetic', 24, 72],
  [40, 'Violin', 'string', 'acoustic', 55, 103],
  [41, 'Viola', 'string', 'acoustic', 48, 91],
  [42, 'Cello', 'string', 'acoustic', 36, 81],
  [43, 'Contrabass', 'string', 'acoustic', 28, 67],
  [44, 'Tremolo Strings', 'string', 'acoustic', 28, 96],
  // Pizzicato strings and harp are plucked strings of the orchestra: NSynth files them as string.
  [45, 'Pizzicato Strings', 'string', 'acoustic', 28, 96],
  [46, 'Orchestral Harp', 'string', 'acoustic', 24, 103],
  [48, 'String Ensemble 1', 'string', 'acoustic', 28, 96],
  [49, 'String Ensemble 2', 'string', 'acoustic', 28, 96],
  [50, 'Synth Strings 1', 'string', 'synthetic', 28, 96],
  [51, 'Synth Strings 2', 'string', 'synthetic', 28, 96],
  [52, 'Choir Aahs', 'vocal', 'acoustic', 40, 84],
  [53, 'Voice Oohs', 'vocal', 'acoustic', 40, 84],
  [54, 'Synth Voice', 'vocal', 'synthetic', 40, 88],
  [56, 'Trumpet', 'brass', 'acoustic', 54, 86],
  [57, 'Trombone', 'brass', 'acoustic', 40, 72],
  [58, 'Tuba', 'brass', 'acoustic', 28, 58],
  [59, 'Muted Trumpet', 'brass', 'acoustic', 54, 82],
  [60, 'French Horn', 'brass', 'acoustic', 34, 77],
  [61, 'Brass Section', 'brass', 'acoustic', 36, 84],
  [62, 'Synth Brass 1', 'brass', 'synthetic', 36, 96],
  [63, 'Synth Brass 2', 'brass', 'synthetic', 36, 96],
  [64, 'Soprano Sax', 'reed', 'acoustic', 56, 88],
  [65, 'Alto Sax', 'reed', 'acoustic', 49, 81],
  [66, 'Tenor Sax', 'reed', 'acoustic', 44, 76],
  [67, 'Baritone Sax', 'reed', 'acoustic', 36, 69],
  [68, 'Oboe', 'reed', 'acoustic', 58, 91],
  [69, 'English Horn', 'reed', 'acoustic', 52, 81],
  [70, 'Bassoon', 'reed', 'acoustic', 34, 75],
  [71, 'Clarinet', 'reed', 'acoustic', 50, 91],
  [72, 'Piccolo', 'flute', 'acoustic', 74, 108],
  [73, 'Flute', 'flute', 'acoustic', 60, 96],
  [74, 'Recorder', 'flute', 'acoustic', 60, 98],
  [75, 'Pan Flute', 'flute', 'acoustic', 60, 96],
  [76, 'Blown Bottle', 'flute', 'acoustic', 60, 84],
  [77, 'Shakuhachi', 'flute', 'acoustic', 55, 84],
  [78, 'Whistle', 'flute', 'acoustic', 72, 103],
  [79, 'Ocarina', 'flute', 'acoustic', 60, 91],
  [80, 'Lead 1 (square)', 'synth_lead', 'synthetic', 36, 96],
  [81, 'Lead 2 (sawtooth)', 'synth_lead', 'synthetic', 36, 96],
  [82, 'Lead 3 (calliope)', 'synth_lead', 'synthetic', 36, 96],
  [83, 'Lead 4 (chiff)', 'synth_lead', 'synthetic', 36, 96],
  [84, 'Lead 5 (charang)', 'synth_lead', 'synthetic', 36, 96],
  [85, 'Lead 6 (voice)', 'synth_lead', 'synthetic', 36, 96],
  [86, 'Lead 7 (fifths)', 'synth_lead', 'synthetic', 36, 96],
  [87, 'Lead 8 (bass + lead)', 'synth_lead', 'synthetic', 28, 96],
];

/** The GM programs that map to an NSynth family, in program order. */
export const GM_PROGRAMS: readonly GmProgram[] = ROWS.map(([program, name, family, source, low, high]) => ({
  program,
  name,
  family,
  source,
  low: Math.max(PIANO_LOW, low),
  high: Math.min(PIANO_HIGH, high),
}));

const BY_PROGRAM = new Map(GM_PROGRAMS.map((p) => [p.program, p]));

/** The mapping of a GM program number, or undefined when no NSynth family fits it. */
export function gmProgram(program: number): GmProgram | undefined {
  return BY_PROGRAM.get(program);
}

/** One (SoundFont, GM program) pair: an instrument of the rendered data set. */
export interface RenderInstrument extends GmProgram {
  /** Unique id over every instrument the given fonts offer (the `instrument` field). */
  id: number;
  /** NSynth-style name, `<family>_<source>_<3-digit number>`. */
  str: string;
  /** Index of the SoundFont in the list of fonts. */
  font: number;
}

/**
 * Every instrument the fonts offer, numbered in (font, program) order, so that an instrument keeps
 * its id and name whichever preset or seed picks it. `programs[i]` lists font i's bank-0 programs.
 */
export function listInstruments(programs: readonly (readonly number[])[]): RenderInstrument[] {
  const counters = new Map<string, number>();
  const out: RenderInstrument[] = [];
  programs.forEach((list, font) => {
    for (const program of [...new Set(list)].sort((a, b) => a - b)) {
      const gm = gmProgram(program);
      if (!gm) continue;
      const key = `${gm.family}_${gm.source}`;
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      out.push({ ...gm, id: out.length, str: `${key}_${String(n).padStart(3, '0')}`, font });
    }
  });
  return out;
}

/** NSynth's integer code of a family name. */
export function familyIndex(family: Family): number {
  return FAMILIES.indexOf(family);
}

/** NSynth's integer code of a source name. */
export function sourceIndex(source: Source): number {
  return SOURCES.indexOf(source);
}
