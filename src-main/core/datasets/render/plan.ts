import { FAMILIES, VELOCITIES, type Family, type Split } from '../../../shared/constants';
import { listInstruments, type RenderInstrument } from './instruments';
import { mulberry32 } from '../../random';

/** Sizes of rendered data set the app knows. */
export type RenderPreset = 'tiny' | 'default';
export const RENDER_PRESETS: readonly RenderPreset[] = ['tiny', 'default'];

/**
 * How instruments go to splits: 'instrument' as NSynth does (every font in every split), or
 * 'soundfont': train on every font but one, validate and test on that held-out font's instruments.
 */
export type SplitBy = 'instrument' | 'soundfont';
export const SPLIT_BYS: readonly SplitBy[] = ['instrument', 'soundfont'];

/** How a plan splits its instruments. */
export interface PlanOptions {
  /** Default 'instrument'. */
  splitBy?: SplitBy;
  /** With 'soundfont': index of the held-out font; default {@link bestHeldOutFont}. */
  heldOutFont?: number;
}

/** One note to render, with where it goes. */
export interface PlannedNote {
  /** Unique integer id (the `note` field). */
  note: number;
  noteStr: string;
  instrument: RenderInstrument;
  pitch: number;
  velocity: number;
  split: Split;
}

/** Which instruments and notes a render makes, and the split of each instrument. */
export interface RenderPlan {
  preset: RenderPreset;
  seed: number;
  instruments: RenderInstrument[];
  splitOf: Map<number, Split>;
  splitBy: SplitBy;
  /** With splitBy 'soundfont', the font whose instruments are valid and test; null otherwise. */
  heldOutFont: number | null;
  /** In (font, program, pitch, velocity) order, so workers meet each font in one stretch. */
  notes: PlannedNote[];
}

// tiny: enough instruments per family for two in train and one each in valid and test.
const TINY_PER_FAMILY = 4;
const TINY_SYNTH_LEADS = 2;
const TINY_PITCHES = 4;
// default: ~258 instruments x ~10 pitches x 2 velocities ~ 5000 notes, an epoch of the seed LSTM
// in a few minutes; spreading over many instruments matters more than dense pitch grids.
const DEFAULT_PITCHES = 10;
const VELOCITIES_PER_PITCH = 2;
const VALID_SHARE = 0.1;
const TEST_SHARE = 0.1;

export { mulberry32 };

// Mixing a purpose tag into the seed gives independent streams: the split of an instrument does not
// move when another instrument's notes change, and the reverse.
function stream(seed: number, tag: string): () => number {
  let h = 2166136261 ^ (seed >>> 0);
  for (let i = 0; i < tag.length; i++) h = Math.imul(h ^ tag.charCodeAt(i), 16777619);
  return mulberry32(h >>> 0);
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Splits instruments as NSynth does: none in two splits, about 80/10/10 per family, synth_lead in
 * train only, and every other family in valid and test as soon as it has three instruments.
 */
export function assignSplits(instruments: readonly RenderInstrument[], seed: number): Map<number, Split> {
  const splitOf = new Map<number, Split>();
  for (const family of FAMILIES) {
    const members = instruments.filter((i) => i.family === family);
    if (family === 'synth_lead') {
      for (const m of members) splitOf.set(m.id, 'train');
      continue;
    }
    const order = shuffled(members, stream(seed, `split:${family}`));
    const n = order.length;
    // One instrument: train only; two: train and test; from three on every split, then ~10 % each.
    const nTest = n >= 2 ? Math.max(1, Math.round(n * TEST_SHARE)) : 0;
    const nValid = n >= 3 ? Math.max(1, Math.round(n * VALID_SHARE)) : 0;
    order.forEach((m, i) => splitOf.set(m.id, i < nTest ? 'test' : i < nTest + nValid ? 'valid' : 'train'));
  }
  return splitOf;
}

/**
 * Splits by SoundFont: every instrument of the other fonts trains; the held-out font's instruments
 * go half to test, half to valid per family (test gets the odd one, so a family with one
 * instrument there is tested). No instrument is in two splits; reproducible from the seed.
 */
export function assignFontSplits(
  instruments: readonly RenderInstrument[],
  heldOutFont: number,
  seed: number,
): Map<number, Split> {
  const splitOf = new Map<number, Split>();
  for (const i of instruments) if (i.font !== heldOutFont) splitOf.set(i.id, 'train');
  for (const family of FAMILIES) {
    const members = instruments.filter((i) => i.family === family && i.font === heldOutFont);
    const order = shuffled(members, stream(seed, `font-split:${family}`));
    const nTest = Math.ceil(order.length / 2);
    order.forEach((m, i) => splitOf.set(m.id, i < nTest ? 'test' : 'valid'));
  }
  return splitOf;
}

/**
 * The font to hold out when none is named: the one whose instruments cover the most families that
 * the other fonts also train on (the most test families a model can learn); the first on a tie.
 * Only fonts `eligible` says may be held out are considered (all by default; at least one must be).
 */
export function bestHeldOutFont(
  programs: readonly (readonly number[])[],
  eligible: (font: number) => boolean = () => true,
): number {
  const all = listInstruments(programs);
  let best = -1;
  let bestCount = -1;
  for (let font = 0; font < programs.length; font++) {
    if (!eligible(font)) continue;
    const held = new Set(all.filter((i) => i.font === font).map((i) => i.family));
    const trained = new Set(all.filter((i) => i.font !== font).map((i) => i.family));
    const count = [...held].filter((f) => trained.has(f)).length;
    if (count > bestCount) [best, bestCount] = [font, count];
  }
  return best;
}

// Picks `count` instruments of one family spread over its programs and over the fonts.
function pickSpread(members: readonly RenderInstrument[], count: number): RenderInstrument[] {
  const programs = [...new Set(members.map((m) => m.program))].sort((a, b) => a - b);
  const picked: RenderInstrument[] = [];
  for (let i = 0; i < count && picked.length < members.length; i++) {
    const program = programs[Math.floor((i * programs.length) / count)];
    const free = members.filter((m) => !picked.includes(m));
    const same = free.filter((m) => m.program === program);
    picked.push(same.length > 0 ? same[i % same.length]! : free[0]!);
  }
  return picked;
}

function tinyInstruments(all: readonly RenderInstrument[]): RenderInstrument[] {
  const chosen = new Set<RenderInstrument>();
  for (const family of FAMILIES) {
    const members = all.filter((i) => i.family === family);
    const count = family === 'synth_lead' ? TINY_SYNTH_LEADS : TINY_PER_FAMILY;
    for (const m of pickSpread(members, count)) chosen.add(m);
  }
  return all.filter((i) => chosen.has(i));
}

// tiny split by font: half of each family's picks from the held-out font, half from the others.
function tinyFontInstruments(all: readonly RenderInstrument[], heldOutFont: number): RenderInstrument[] {
  const chosen = new Set<RenderInstrument>();
  for (const family of FAMILIES) {
    const members = all.filter((i) => i.family === family);
    const half = (family === 'synth_lead' ? TINY_SYNTH_LEADS : TINY_PER_FAMILY) / 2;
    for (const m of pickSpread(
      members.filter((i) => i.font !== heldOutFont),
      half,
    ))
      chosen.add(m);
    for (const m of pickSpread(
      members.filter((i) => i.font === heldOutFont),
      half,
    ))
      chosen.add(m);
  }
  return all.filter((i) => chosen.has(i));
}

function tinyPitches(inst: RenderInstrument): number[] {
  // Inner points of the range: the extremes are where a font is most likely to have no sample.
  const span = inst.high - inst.low;
  const out = new Set<number>();
  for (let j = 0; j < TINY_PITCHES; j++) out.add(inst.low + Math.round(((j + 0.5) * span) / TINY_PITCHES));
  return [...out];
}

function defaultPitches(inst: RenderInstrument, rand: () => number): number[] {
  const span = inst.high - inst.low + 1;
  const step = Math.max(1, Math.ceil(span / DEFAULT_PITCHES));
  const out: number[] = [];
  for (let p = inst.low + Math.floor(rand() * step); p <= inst.high; p += step) out.push(p);
  return out;
}

function pickVelocities(rand: () => number): number[] {
  return shuffled(VELOCITIES, rand)
    .slice(0, VELOCITIES_PER_PITCH)
    .sort((a, b) => a - b);
}

/** The family names present in a plan's split, for checks and summaries. */
export function familiesIn(plan: RenderPlan, split: Split): Set<Family> {
  return new Set(plan.notes.filter((n) => n.split === split).map((n) => n.instrument.family));
}

/**
 * Plans a render: instruments, notes and splits. `programs[i]` lists the bank-0 GM programs font i
 * has. Pure and deterministic in (preset, seed, programs, options).
 */
export function planRender(
  preset: RenderPreset,
  seed: number,
  programs: readonly (readonly number[])[],
  options: PlanOptions = {},
): RenderPlan {
  const splitBy = options.splitBy ?? 'instrument';
  const all = listInstruments(programs);
  let instruments: RenderInstrument[];
  let splitOf: Map<number, Split>;
  let heldOutFont: number | null = null;
  if (splitBy === 'soundfont') {
    if (programs.length < 2) throw new Error('A split by SoundFont needs at least two SoundFonts');
    const held = options.heldOutFont ?? bestHeldOutFont(programs);
    if (!Number.isInteger(held) || held < 0 || held >= programs.length) {
      throw new Error(`No SoundFont number ${held} to hold out (there are ${programs.length})`);
    }
    heldOutFont = held;
    instruments = preset === 'tiny' ? tinyFontInstruments(all, held) : all;
    splitOf = assignFontSplits(instruments, held, seed);
  } else {
    instruments = preset === 'tiny' ? tinyInstruments(all) : all;
    splitOf = assignSplits(instruments, seed);
  }
  const notes: PlannedNote[] = [];
  for (const inst of instruments) {
    const rand = stream(seed, `notes:${inst.id}`);
    const pitches = preset === 'tiny' ? tinyPitches(inst) : defaultPitches(inst, rand);
    for (const pitch of pitches) {
      for (const velocity of pickVelocities(rand)) {
        notes.push({
          note: notes.length,
          noteStr: `${inst.str}-${String(pitch).padStart(3, '0')}-${String(velocity).padStart(3, '0')}`,
          instrument: inst,
          pitch,
          velocity,
          split: splitOf.get(inst.id)!,
        });
      }
    }
  }
  return { preset, seed, instruments, splitOf, splitBy, heldOutFont, notes };
}
