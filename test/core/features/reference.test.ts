import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTE_SAMPLES, SAMPLE_RATE } from '../../../src-main/shared/constants';
import type { FeatureConfig } from '../../../src-main/shared/features';
import { encodeWav16 } from '../../../src-main/core/datasets/wav';
import { featureShape, validateFeatureConfig } from '../../../src-main/core/features/config';
import { computeFeatures, readClip } from '../../../src-main/core/features/extract';
import { synthNote, tempDir } from './synthetic';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../fixtures/features_reference.py', import.meta.url));

const CONFIGS: Record<string, Partial<FeatureConfig>> = {
  raw: {},
  rawOffset: { start: 1.5, seconds: 2.5, frame: 400 },
  logmel: { representation: 'logmel' },
  logmelSmall: { representation: 'logmel', start: 0.25, seconds: 0.5, nFft: 512, hop: 160, nMels: 40 },
  logmelTail: { representation: 'logmel', start: 3.5, seconds: 0.5, nFft: 2048, hop: 500, nMels: 128 },
  mfcc: { representation: 'mfcc' },
  mfcc13: { representation: 'mfcc', seconds: 2, nFft: 256, hop: 128, nMels: 40, nMfcc: 13 },
};

describe('features against an independent numpy/scipy computation', () => {
  const tmp = tempDir();
  const files: string[] = [];
  let reference: Record<string, number[][]>;

  beforeAll(() => {
    const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy.fft, scipy.signal, scipy.io.wavfile']);
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `${PYTHON} cannot import numpy and scipy, which this test needs as its reference ` +
          `(apt-get install -y python3-numpy python3-scipy): ${probe.error?.message ?? probe.stderr.toString()}`,
      );
    }
    const clips = [
      synthNote(7, 45),
      synthNote(8, 81),
      new Float32Array(NOTE_SAMPLES), // silence: every mel band at the log floor
      Float32Array.from(
        { length: NOTE_SAMPLES },
        (_, i) => 0.9 * Math.sin((2 * Math.PI * 3000 * i) / SAMPLE_RATE),
      ),
    ];
    clips.forEach((clip, i) => {
      const file = path.join(tmp.dir, `clip${i}.wav`);
      fs.writeFileSync(file, encodeWav16(clip, SAMPLE_RATE));
      files.push(file);
    });
    const configs = Object.entries(CONFIGS).map(([name, c]) => ({ name, ...validateFeatureConfig(c) }));
    const out = execFileSync(PYTHON, [SCRIPT], {
      input: JSON.stringify({ files, configs }),
      maxBuffer: 1 << 28,
    });
    reference = JSON.parse(out.toString()) as Record<string, number[][]>;
  });
  afterAll(() => tmp.remove());

  for (const [name, partial] of Object.entries(CONFIGS)) {
    it(`${name} matches`, () => {
      const config = validateFeatureConfig(partial);
      const { steps, dims } = featureShape(config);
      files.forEach((file, i) => {
        const ours = computeFeatures(readClip(file, config), config);
        const ref = reference[name]![i]!;
        expect(ours.length).toBe(steps * dims);
        expect(ref.length).toBe(steps * dims);
        let worst = 0;
        for (let k = 0; k < ref.length; k++) {
          const diff = Math.abs(ours[k]! - ref[k]!);
          // raw samples are exact; spectral values agree to 1e-3 absolute or relative, whichever is looser.
          const allowed = config.representation === 'raw' ? 0 : 1e-3 * Math.max(1, Math.abs(ref[k]!));
          worst = Math.max(worst, diff / Math.max(allowed, 1e-30));
          if (diff > allowed) {
            throw new Error(`${name} clip ${i} value ${k}: ours ${ours[k]} reference ${ref[k]}`);
          }
        }
        expect(worst).toBeLessThanOrEqual(1);
      });
    });
  }
});
