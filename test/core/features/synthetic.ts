// Small synthetic note sets for the feature tests: seeded tones with noise, written as NSynth WAVs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Split } from '../../../src-main/shared/constants';
import { NOTE_SAMPLES, SAMPLE_RATE } from '../../../src-main/shared/constants';
import type { NoteRecord } from '../../../src-main/shared/types';
import { encodeWav16 } from '../../../src-main/core/datasets/wav';
import { seededRandom } from '../../../src-main/core/features/batches';

/** A temp directory removed by the returned function. */
export function tempDir(prefix = 'timbre-features-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A decaying harmonic tone at `pitch` (MIDI) with seeded noise; `silent` gives zeros. */
export function synthNote(seed: number, pitch: number, samples = NOTE_SAMPLES, silent = false): Float32Array {
  const out = new Float32Array(samples);
  if (silent) return out;
  const random = seededRandom(seed);
  const f0 = 440 * 2 ** ((pitch - 69) / 12);
  const noise = 0.02 + 0.1 * random();
  for (let i = 0; i < samples; i++) {
    const t = i / SAMPLE_RATE;
    const env = Math.exp(-t * (0.5 + random() * 0.01));
    const tone = 0.5 * Math.sin(2 * Math.PI * f0 * t) + 0.2 * Math.sin(2 * Math.PI * 2 * f0 * t + seed);
    out[i] = env * tone + noise * (random() * 2 - 1);
  }
  return out;
}

/** Writes `counts[split][family]` notes as WAV files under `dir` and returns their records. */
export function writeNotes(dir: string, counts: Partial<Record<Split, number[]>>): NoteRecord[] {
  const notes: NoteRecord[] = [];
  let seed = 1;
  for (const [split, perFamily] of Object.entries(counts) as [Split, number[]][]) {
    const audio = path.join(dir, `nsynth-${split}`, 'audio');
    fs.mkdirSync(audio, { recursive: true });
    perFamily.forEach((count, family) => {
      for (let k = 0; k < count; k++) {
        const pitch = 40 + ((family * 7 + k * 5) % 48);
        const instrumentStr = `fam${family}_synthetic_${String(k % 3).padStart(3, '0')}`;
        const noteStr = `${instrumentStr}-${String(pitch).padStart(3, '0')}-${String(25 + k).padStart(3, '0')}`;
        const file = path.join(audio, `${noteStr}.wav`);
        fs.writeFileSync(file, encodeWav16(synthNote(seed++, pitch), SAMPLE_RATE));
        notes.push({ split, noteStr, family, source: 2, instrumentStr, pitch, velocity: 25 + k, path: file });
      }
    });
  }
  return notes;
}
