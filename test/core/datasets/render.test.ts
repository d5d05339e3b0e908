import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseHeldOutFont,
  defaultSoundfonts,
  MAX_SHARED_SAMPLES,
  readSoundfont,
  renderDataset,
  RenderError,
  RENDER_MARKER,
  sharedSamples,
  type RenderSummary,
  type SoundfontContents,
} from '../../../src-main/core/datasets/render/render-dataset';
import { familiesIn, planRender } from '../../../src-main/core/datasets/render/plan';
import { nsynthWavProblem, readPcm16, readWavInfo } from '../../../src-main/core/datasets/wav';
import { FAMILIES, NOTE_SAMPLES, SAMPLE_RATE, SPLITS, type Split } from '../../../src-main/shared/constants';
import type { NsynthNote, Progress } from '../../../src-main/shared/types';

const NOTE_KEYS = [
  'instrument',
  'instrument_family',
  'instrument_family_str',
  'instrument_source',
  'instrument_source_str',
  'instrument_str',
  'note',
  'note_str',
  'pitch',
  'qualities',
  'qualities_str',
  'sample_rate',
  'velocity',
];

let dir: string;
let first: string;
let summary: RenderSummary;
const progress: (Progress & { at: number })[] = [];

function examples(root: string, split: Split): Record<string, NsynthNote> {
  return JSON.parse(fs.readFileSync(path.join(root, `nsynth-${split}`, 'examples.json'), 'utf8'));
}

function filesUnder(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .sort();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-render-'));
  first = path.join(dir, 'first');
  summary = await renderDataset({
    out: first,
    preset: 'tiny',
    workers: 2,
    onProgress: (p) => progress.push({ ...p, at: performance.now() }),
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('renderDataset tiny', () => {
  it('summarises what it wrote', () => {
    expect(summary.preset).toBe('tiny');
    expect(summary.seed).toBe(0);
    expect(summary.soundfonts).toEqual(defaultSoundfonts());
    expect(summary.notes).toBeGreaterThanOrEqual(250);
    expect(summary.notes).toBeLessThanOrEqual(400);
    const perSplit = SPLITS.reduce((n, s) => n + summary.splits[s].notes, 0);
    expect(perSplit).toBe(summary.notes);
    expect(summary.notesPerSecond).toBeGreaterThan(0);
    expect(summary.realtimeFactor).toBeCloseTo(summary.notesPerSecond * 4, 5);
    expect(fs.existsSync(path.join(first, RENDER_MARKER))).toBe(true);
  });

  it('writes the NSynth json/wav layout with every key, sorted', () => {
    const noteIds = new Set<number>();
    for (const split of SPLITS) {
      const ex = examples(first, split);
      const keys = Object.keys(ex);
      expect(keys.length).toBe(summary.splits[split].notes);
      expect(keys).toEqual([...keys].sort());
      const audio = fs.readdirSync(path.join(first, `nsynth-${split}`, 'audio')).sort();
      expect(audio).toEqual(keys.map((k) => `${k}.wav`).sort());
      for (const [key, n] of Object.entries(ex)) {
        expect(Object.keys(n).sort()).toEqual(NOTE_KEYS);
        expect(n.note_str).toBe(key);
        expect(key).toMatch(/^[a-z_]+_(acoustic|electronic|synthetic)_\d{3}-\d{3}-\d{3}$/);
        expect(key).toBe(
          `${n.instrument_str}-${String(n.pitch).padStart(3, '0')}-${String(n.velocity).padStart(3, '0')}`,
        );
        expect(n.instrument_str.startsWith(`${n.instrument_family_str}_${n.instrument_source_str}_`)).toBe(
          true,
        );
        expect(FAMILIES[n.instrument_family]).toBe(n.instrument_family_str);
        expect([25, 50, 75, 100, 127]).toContain(n.velocity);
        expect(n.pitch).toBeGreaterThanOrEqual(21);
        expect(n.pitch).toBeLessThanOrEqual(108);
        expect(n.sample_rate).toBe(SAMPLE_RATE);
        expect(n.qualities).toHaveLength(10);
        expect(noteIds.has(n.note)).toBe(false);
        noteIds.add(n.note);
      }
    }
  });

  it('writes 64000-sample 16-bit mono 16 kHz WAVs that are not silent', () => {
    for (const split of SPLITS) {
      for (const key of Object.keys(examples(first, split))) {
        const file = path.join(first, `nsynth-${split}`, 'audio', `${key}.wav`);
        const info = readWavInfo(file);
        expect(nsynthWavProblem(info, SAMPLE_RATE, NOTE_SAMPLES)).toBeUndefined();
        expect(info.dataBytes).toBe(NOTE_SAMPLES * 2);
        const samples = readPcm16(file, 0, NOTE_SAMPLES, info);
        expect(samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0)).toBeGreaterThan(1e-4);
      }
    }
  });

  it('splits by instrument as NSynth does', () => {
    const owner = new Map<string, Split>();
    for (const split of SPLITS) {
      const families = new Set<string>();
      for (const n of Object.values(examples(first, split))) {
        expect(owner.get(n.instrument_str) ?? split).toBe(split);
        owner.set(n.instrument_str, split);
        families.add(n.instrument_family_str);
      }
      const expected = split === 'train' ? FAMILIES : FAMILIES.filter((f) => f !== 'synth_lead');
      expect([...families].sort()).toEqual([...expected].sort());
    }
  });

  it('reports throttled progress up to the total', () => {
    const render = progress.filter((p) => p.phase === 'render');
    expect(render.length).toBeGreaterThan(1);
    expect(render.at(-1)!.done).toBe(render.at(-1)!.total);
    expect(render.at(-1)!.total).toBe(summary.notes + summary.silent);
    // Throttled: a few reports per second at most, whatever the machine's speed.
    for (let i = 1; i < render.length - 1; i++)
      expect(render[i]!.at - render[i - 1]!.at).toBeGreaterThan(200);
  });

  it('writes byte-identical files for the same arguments, over a previous render, on any worker count', async () => {
    const second = path.join(dir, 'second');
    // A previous render's folder, with a stale note that must not survive.
    fs.mkdirSync(path.join(second, 'nsynth-train', 'audio'), { recursive: true });
    fs.writeFileSync(path.join(second, RENDER_MARKER), '{}\n');
    fs.writeFileSync(path.join(second, 'nsynth-train', 'audio', 'stale.wav'), 'x');
    await renderDataset({ out: second, preset: 'tiny', seed: 0, workers: 1 });
    const files = filesUnder(first);
    expect(filesUnder(second)).toEqual(files);
    for (const f of files) {
      expect(fs.readFileSync(path.join(second, f)).equals(fs.readFileSync(path.join(first, f))), f).toBe(
        true,
      );
    }
  });
});

describe('renderDataset errors', () => {
  it('names a missing or invalid SoundFont', async () => {
    const missing = path.join(dir, 'missing.sf2');
    await expect(renderDataset({ out: path.join(dir, 'x1'), soundfonts: [missing] })).rejects.toThrow(
      RenderError,
    );
    await expect(renderDataset({ out: path.join(dir, 'x1'), soundfonts: [missing] })).rejects.toThrow(
      missing,
    );
    const bad = path.join(dir, 'bad.sf3');
    fs.writeFileSync(bad, 'not a soundfont at all');
    await expect(renderDataset({ out: path.join(dir, 'x2'), soundfonts: [bad] })).rejects.toThrow(
      new RegExp(`SoundFont ${bad.replace(/[.\\]/g, '\\$&')} is not a valid`),
    );
    expect(fs.existsSync(path.join(dir, 'x1'))).toBe(false);
  });

  it('refuses a non-empty folder that is not a previous render', async () => {
    const out = path.join(dir, 'occupied');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'thesis.txt'), 'precious');
    await expect(renderDataset({ out, preset: 'tiny' })).rejects.toThrow(
      /not empty and is not a previous render/,
    );
    expect(fs.readdirSync(out)).toEqual(['thesis.txt']);
  });

  it('stops before work when already cancelled', async () => {
    const out = path.join(dir, 'cancelled');
    await expect(renderDataset({ out, preset: 'tiny', signal: AbortSignal.abort() })).rejects.toThrow(
      /abort/i,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('the font a split by SoundFont holds out', () => {
  const files = defaultSoundfonts();
  const fonts = files.map(readSoundfont);

  it('reads each shipped font with its samples: they share a few names by chance, MuseScore many of FluidR3Mono', () => {
    const [tim, fluid, muse] = fonts as [SoundfontContents, SoundfontContents, SoundfontContents];
    expect(tim.samples.size).toBeGreaterThan(400);
    expect(sharedSamples(tim.samples, fluid.samples) / tim.samples.size).toBeLessThan(0.1);
    expect(sharedSamples(tim.samples, muse.samples) / tim.samples.size).toBeLessThan(0.1);
    // MuseScore General grew out of FluidR3: a third of FluidR3Mono's recordings are in it.
    expect(sharedSamples(fluid.samples, muse.samples) / fluid.samples.size).toBeGreaterThan(
      MAX_SHARED_SAMPLES,
    );
  });

  it('picks, when none is named, a font whose recordings no other font has', () => {
    expect(chooseHeldOutFont(files, fonts, undefined)).toBe(0);
    // A copy of TimGM6mb beside it: neither may be held out, FluidR3Mono (no MuseScore here) may.
    const copy = { programs: fonts[0]!.programs, samples: new Set(fonts[0]!.samples) };
    const three = [files[0]!, files[1]!, '/x/Copy.sf2'];
    expect(chooseHeldOutFont(three, [fonts[0]!, fonts[1]!, copy], undefined)).toBe(1);
  });

  it('refuses a named font whose recordings a training font has, naming both and the share', () => {
    expect(chooseHeldOutFont(files, fonts, 0)).toBe(0);
    expect(() => chooseHeldOutFont(files, fonts, 1)).toThrow(
      /^FluidR3Mono_GM shares \d+ of its \d+ samples' names \(3\d %\) with MuseScore_General_Lite: .* Hold out another font, or leave MuseScore_General_Lite out$/,
    );
    const copy = { programs: fonts[0]!.programs, samples: new Set(fonts[0]!.samples) };
    expect(() => chooseHeldOutFont([files[0]!, '/x/Copy.sf2'], [fonts[0]!, copy], undefined)).toThrow(
      'Every one of TimGM6mb, Copy shares its recordings with another of them',
    );
  });
});

describe('planRender', () => {
  const programs = defaultSoundfonts().map((f) => readSoundfont(f).programs);

  it('sizes the default preset for a few-minute epoch, over every instrument of the fonts', () => {
    const plan = planRender('default', 0, programs);
    expect(plan.notes.length).toBeGreaterThanOrEqual(4000);
    expect(plan.notes.length).toBeLessThanOrEqual(6000);
    expect(plan.instruments.length).toBeGreaterThan(250);
    expect(new Set(plan.notes.map((n) => n.noteStr)).size).toBe(plan.notes.length);
    expect(new Set(plan.instruments.map((i) => i.str)).size).toBe(plan.instruments.length);
    expect(familiesIn(plan, 'train').size).toBe(FAMILIES.length);
    for (const split of ['valid', 'test'] as const) {
      expect(familiesIn(plan, split).size).toBe(FAMILIES.length - 1);
      expect(familiesIn(plan, split).has('synth_lead')).toBe(false);
    }
    const trainShare = plan.instruments.filter((i) => plan.splitOf.get(i.id) === 'train').length;
    expect(trainShare / plan.instruments.length).toBeGreaterThan(0.75);
  });

  it('is deterministic in the seed, and the seed matters', () => {
    const a = planRender('default', 7, programs);
    const b = planRender('default', 7, programs);
    const c = planRender('default', 8, programs);
    const key = (p: typeof a) => p.notes.map((n) => `${n.noteStr}:${n.split}`).join(',');
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
  });
});
