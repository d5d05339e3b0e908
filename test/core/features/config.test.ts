import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, type FeatureConfig } from '../../../src-main/shared/features';
import {
  featureCacheKey,
  FeatureConfigError,
  featureShape,
  validateFeatureConfig,
} from '../../../src-main/core/features/config';
import { dctMatrix, hannWindow, melFilterbank, RealFft } from '../../../src-main/core/features/dsp';

function fieldOf(partial: Record<string, unknown>): string {
  try {
    validateFeatureConfig(partial as Partial<FeatureConfig>);
  } catch (err) {
    expect(err).toBeInstanceOf(FeatureConfigError);
    expect((err as Error).message).toContain(`"${(err as FeatureConfigError).field}"`);
    expect((err as Error).message).toMatch(/must be|needs|one of/);
    return (err as FeatureConfigError).field;
  }
  throw new Error(`accepted ${JSON.stringify(partial)}`);
}

describe('feature configuration', () => {
  it('fills the seed defaults: 100 steps of 160 raw samples', () => {
    expect(validateFeatureConfig({})).toEqual(DEFAULT_FEATURES);
    expect(featureShape(DEFAULT_FEATURES)).toEqual({ steps: 100, dims: 160 });
    expect(featureShape(validateFeatureConfig({ seconds: 4 }))).toEqual({ steps: 400, dims: 160 });
  });

  it('gives the torch.stft frame count for log-mel and MFCC', () => {
    expect(featureShape(validateFeatureConfig({ representation: 'logmel' }))).toEqual({
      steps: 63,
      dims: 64,
    });
    expect(featureShape(validateFeatureConfig({ representation: 'mfcc', nMfcc: 13 }))).toEqual({
      steps: 63,
      dims: 13,
    });
    expect(featureShape(validateFeatureConfig({ representation: 'logmel', seconds: 4, hop: 512 }))).toEqual({
      steps: 126,
      dims: 64,
    });
  });

  it('names the field and its allowed range in every error', () => {
    expect(fieldOf({ start: -1 })).toBe('start');
    expect(fieldOf({ start: 4 })).toBe('start');
    expect(fieldOf({ start: 3, seconds: 1.5 })).toBe('seconds');
    expect(fieldOf({ seconds: 0 })).toBe('seconds');
    expect(fieldOf({ seconds: '1' })).toBe('seconds');
    expect(fieldOf({ representation: 'cqt' })).toBe('representation');
    expect(fieldOf({ frame: 0 })).toBe('frame');
    expect(fieldOf({ frame: 1.5 })).toBe('frame');
    expect(fieldOf({ seconds: 0.01, frame: 400 })).toBe('frame');
    expect(fieldOf({ representation: 'logmel', nFft: 1000 })).toBe('nFft');
    expect(fieldOf({ representation: 'logmel', nFft: 16384 })).toBe('nFft');
    expect(fieldOf({ representation: 'logmel', seconds: 0.05, nFft: 2048 })).toBe('nFft');
    expect(fieldOf({ representation: 'logmel', nFft: 512, hop: 1024 })).toBe('hop');
    expect(fieldOf({ representation: 'logmel', hop: 8 })).toBe('hop');
    expect(fieldOf({ nMels: 300 })).toBe('nMels');
    expect(fieldOf({ representation: 'mfcc', nMels: 16, nMfcc: 20 })).toBe('nMfcc');
    expect(fieldOf({ normalization: 'minmax' })).toBe('normalization');
    expect(fieldOf({ maxPerFamily: -1 })).toBe('maxPerFamily');
    expect(fieldOf({ nfft: 512 })).toBe('nfft');
  });

  it('ignores settings the representation does not use, in validation and in the cache key', () => {
    expect(() => validateFeatureConfig({ representation: 'logmel', nMels: 16 })).not.toThrow();
    const raw = validateFeatureConfig({});
    const key = featureCacheKey('fp1', raw);
    expect(key).toBe(featureCacheKey('fp1', { ...raw, nMels: 128, nFft: 2048 }));
    expect(key).not.toBe(featureCacheKey('fp2', raw));
    expect(key).not.toBe(featureCacheKey('fp1', { ...raw, frame: 320 }));
    expect(key).not.toBe(featureCacheKey('fp1', { ...raw, normalization: 'standard' }));
    expect(key).not.toBe(featureCacheKey('fp1', { ...raw, maxPerFamily: 10 }));
    const mel = validateFeatureConfig({ representation: 'logmel' });
    expect(featureCacheKey('fp1', mel)).toBe(featureCacheKey('fp1', { ...mel, nMfcc: 13, frame: 400 }));
    expect(featureCacheKey('fp1', mel)).not.toBe(featureCacheKey('fp1', { ...mel, hop: 128 }));
  });
});

describe('signal processing', () => {
  it('real FFT power equals a direct DFT', () => {
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + (i % 5) * 0.1);
    const power = new Float64Array(n / 2 + 1);
    new RealFft(n).power(x, power);
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        re += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
        im -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(power[k]).toBeCloseTo(re * re + im * im, 9);
    }
  });

  it('periodic Hann, orthonormal DCT, and mel bands that cover the spectrum', () => {
    const w = hannWindow(8);
    expect(w[0]).toBe(0);
    expect(w[4]).toBeCloseTo(1, 12);
    const dct = dctMatrix(16, 16);
    for (let a = 0; a < 16; a++) {
      for (let b = 0; b < 16; b++) {
        let dot = 0;
        for (let i = 0; i < 16; i++) dot += dct[a * 16 + i]! * dct[b * 16 + i]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
    const bands = melFilterbank(64, 1024, 16000);
    expect(bands).toHaveLength(64);
    expect(bands[0]!.first).toBeGreaterThan(0);
    expect(bands[63]!.first + bands[63]!.weights.length).toBeLessThanOrEqual(513);
    expect(Math.max(...bands[40]!.weights)).toBeGreaterThan(0.9);
  });
});
