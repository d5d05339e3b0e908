import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timbre } from '../helpers/cli';
import { SPLITS, type Split } from '../../src-main/shared/constants';
import type { NsynthNote } from '../../src-main/shared/types';

let dir: string;
let home: string;
let out: string;

function examples(root: string, split: Split): NsynthNote[] {
  return Object.values(
    JSON.parse(fs.readFileSync(path.join(root, `nsynth-${split}`, 'examples.json'), 'utf8')) as Record<
      string,
      NsynthNote
    >,
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-split-'));
  home = path.join(dir, 'home');
  out = path.join(dir, 'by-font');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('timbre dataset render --split-by soundfont', () => {
  it('renders the tiny set with one font held out for valid and test, and says which', () => {
    const r = timbre(home, [
      'dataset',
      'render',
      '--out',
      out,
      '--preset',
      'tiny',
      '--split-by',
      'soundfont',
      '--held-out-font',
      'timgm',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/error/i);
    const summary = r.json() as { splitBy: string; heldOutFont: string; splitRule: string; notes: number };
    expect(summary.splitBy).toBe('soundfont');
    expect(summary.heldOutFont).toBe('TimGM6mb');
    expect(summary.splitRule).toBe(
      'by SoundFont: train on FluidR3Mono_GM and MuseScore_General_Lite; valid and test on TimGM6mb, ' +
        'its instruments about half each per family',
    );
    // Instruments are numbered in font order (TimGM6mb, FluidR3Mono, MuseScore): the held-out font's
    // instruments are one stretch of ids that the training split never uses.
    const byId = Object.fromEntries(
      SPLITS.map((s) => [s, new Set(examples(out, s).map((n) => n.instrument))]),
    );
    const heldIds = [...byId.valid!, ...byId.test!];
    const low = Math.min(...heldIds);
    const high = Math.max(...heldIds);
    for (const id of byId.train!) expect(id < low || id > high).toBe(true);
    expect([...byId.test!].some((id) => byId.valid!.has(id))).toBe(false);
    expect(byId.train!.size).toBeGreaterThan(10);
    expect(byId.test!.size).toBeGreaterThan(5);
    const marker = JSON.parse(fs.readFileSync(path.join(out, 'timbre-render.json'), 'utf8'));
    expect(marker.heldOutFont).toBe('TimGM6mb');
    expect(marker.splitRule).toBe(summary.splitRule);
  });

  it('records the rule with the data set, and dataset show says it', () => {
    expect(timbre(home, ['dataset', 'import', out, '--name', 'byfont']).code).toBe(0);
    const shown = timbre(home, ['dataset', 'show', 'byfont']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      'split        by SoundFont: train on FluidR3Mono_GM and MuseScore_General_Lite;',
    );
    const json = timbre(home, ['dataset', 'show', 'byfont', '--json']).json() as { splitRule: string };
    expect(json.splitRule).toMatch(/^by SoundFont: .* valid and test on TimGM6mb/);
  });

  it('refuses a font it does not have, one sharing its recordings with a training font, or a held-out font without the split, in one line', () => {
    // The tiny set split by SoundFont into an unused folder, holding out `font`.
    const holdOut = (font: string) =>
      timbre(home, [
        'dataset',
        'render',
        '--out',
        path.join(dir, 'bad'),
        '--preset',
        'tiny',
        '--split-by',
        'soundfont',
        '--held-out-font',
        font,
      ]);
    const bad = holdOut('Arachno');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim()).toMatch(
      /No SoundFont is named "Arachno"; hold out one of TimGM6mb, FluidR3Mono_GM/,
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    // MuseScore General grew out of FluidR3: holding out one while training on the other leaks.
    const shared = holdOut('fluidr3mono');
    expect(shared.code).not.toBe(0);
    expect(shared.stderr.trim()).toMatch(
      /FluidR3Mono_GM shares \d+ of its \d+ samples' names \(\d+ %\) with MuseScore_General_Lite: they are largely one set of recordings/,
    );
    expect(shared.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
    const alone = timbre(home, ['dataset', 'render', '--out', path.join(dir, 'bad'), '--held-out-font', 'x']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--held-out-font needs --split-by soundfont');
    const wrong = timbre(home, ['dataset', 'render', '--out', path.join(dir, 'bad'), '--split-by', 'pitch']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--split-by must be one of instrument, soundfont (got "pitch")');
  });
});
