import { describe, expect, it } from 'vitest';
import { fft, paintSpectrogram, rampColor, spectrogram } from '../../src-renderer/src/lib/spectrogram';
import { mulberry32 } from '../../src-main/core/random';

describe('fft', () => {
  it('matches a direct DFT', () => {
    const n = 64;
    const rand = mulberry32(7);
    const x = Array.from({ length: n }, () => rand() * 2 - 1);
    const re = Float64Array.from(x);
    const im = new Float64Array(n);
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let r = 0;
      let i = 0;
      for (let t = 0; t < n; t++) {
        r += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        i += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(r, 9);
      expect(im[k]).toBeCloseTo(i, 9);
    }
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });
});

describe('spectrogram', () => {
  const rate = 16000;
  const sine = (hz: number, seconds: number, amp = 1) =>
    Float32Array.from({ length: rate * seconds }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

  it('puts a full-scale 1 kHz sine at its bin at about 0 dB, in every frame', () => {
    const s = spectrogram(sine(1000, 1), rate, 512, 128);
    expect(s.bins).toBe(257);
    expect(s.binHz).toBe(31.25);
    expect(s.frames).toBe(Math.floor((16000 - 512) / 128) + 1);
    for (const f of [0, 50, s.frames - 1]) {
      const row = s.db.subarray(f * s.bins, (f + 1) * s.bins);
      const peak = row.indexOf(Math.max(...row));
      expect(peak).toBe(32);
      expect(row[peak]).toBeCloseTo(0, 0);
      expect(row[100]!).toBeLessThan(-60);
    }
  });

  it('is 20 dB lower for a tenth of the amplitude', () => {
    const loud = spectrogram(sine(1000, 0.25), rate);
    const quiet = spectrogram(sine(1000, 0.25, 0.1), rate);
    expect(quiet.db[32]! - loud.db[32]!).toBeCloseTo(-20, 3);
  });

  it('paints low frequencies at the bottom and loud cells bright', () => {
    const spec = spectrogram(sine(1000, 0.5), rate);
    const w = 20;
    const h = 40;
    const px = paintSpectrogram(spec, w, h, { minHz: 30 });
    expect(px.length).toBe(w * h * 4);
    const brightness = (y: number) => px[(y * w + 10) * 4]! + px[(y * w + 10) * 4 + 1]!;
    // 1 kHz on a log axis from 30 Hz to 8 kHz sits about five eighths of the way up.
    const rows = Array.from({ length: h }, (_, y) => brightness(y));
    const brightest = rows.indexOf(Math.max(...rows));
    const expected = h - 1 - Math.floor((h * Math.log(1000 / 30)) / Math.log(8000 / 30));
    expect(Math.abs(brightest - expected)).toBeLessThanOrEqual(1);
    expect(rows[0]).toBeLessThan(rows[brightest]! / 4);
    expect(rampColor(0)).toEqual([0, 0, 4]);
    expect(rampColor(1)).toEqual([252, 255, 164]);
  });
});
