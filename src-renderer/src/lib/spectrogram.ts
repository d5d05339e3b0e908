// A short-time Fourier transform small enough to run in the window for one 4 s note.

/** In-place radix-2 FFT of (re, im); the length must be a power of two. */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`FFT length must be a power of two, not ${n}.`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    const half = size >> 1;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/** Power in decibels per frame and frequency bin. */
export interface Spectrogram {
  frames: number;
  /** size / 2 + 1 bins from 0 Hz to the Nyquist frequency. */
  bins: number;
  /** Hz per bin. */
  binHz: number;
  /** Seconds between frames. */
  hopSeconds: number;
  /** frames × bins, frame-major, in dB relative to full scale. */
  db: Float32Array;
}

/** Hann-windowed STFT of mono samples: `size` samples per frame (power of two), `hop` between frames. */
export function spectrogram(samples: Float32Array, sampleRate: number, size = 512, hop = 128): Spectrogram {
  const bins = size / 2 + 1;
  const frames = Math.max(1, Math.floor((samples.length - size) / hop) + 1);
  const db = new Float32Array(frames * bins);
  const window = Float64Array.from(
    { length: size },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size),
  );
  // A full-scale sine through the Hann window peaks at (size / 4)²: that is 0 dB.
  const ref = (size / 4) ** 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let f = 0; f < frames; f++) {
    const from = f * hop;
    for (let i = 0; i < size; i++) {
      re[i] = (samples[from + i] ?? 0) * window[i]!;
      im[i] = 0;
    }
    fft(re, im);
    for (let b = 0; b < bins; b++) {
      db[f * bins + b] = 10 * Math.log10((re[b]! ** 2 + im[b]! ** 2) / ref + 1e-12);
    }
  }
  return { frames, bins, binHz: sampleRate / size, hopSeconds: hop / sampleRate, db };
}

// Magma-like ramp, dark (quiet) to bright (loud): readable in both themes.
const STOPS: [number, number, number][] = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

/** The colour of a level between 0 (quiet) and 1 (loud). */
export function rampColor(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/**
 * Paints a spectrogram into RGBA pixels: time left to right over `width`, frequency bottom to top
 * on a log scale from `minHz` to the Nyquist frequency, `rangeDb` below the loudest cell as black.
 */
export function paintSpectrogram(
  spec: Spectrogram,
  width: number,
  height: number,
  options: { minHz?: number; rangeDb?: number } = {},
): Uint8ClampedArray<ArrayBuffer> {
  const minHz = options.minHz ?? 30;
  const range = options.rangeDb ?? 80;
  const maxHz = spec.binHz * (spec.bins - 1);
  let top = -Infinity;
  for (const v of spec.db) if (v > top) top = v;
  const floor = top - range;
  // Each pixel row covers a band of bins; the loudest bin of the band is shown.
  const band = Array.from({ length: height }, (_, y) => {
    const hz = (row: number) => minHz * (maxHz / minHz) ** (row / height);
    const lo = Math.floor(hz(height - 1 - y) / spec.binHz);
    const hi = Math.max(lo, Math.ceil(hz(height - y) / spec.binHz) - 1);
    return [Math.min(lo, spec.bins - 1), Math.min(hi, spec.bins - 1)] as const;
  });
  const out = new Uint8ClampedArray(width * height * 4);
  for (let x = 0; x < width; x++) {
    const frame = Math.min(spec.frames - 1, Math.floor((x / width) * spec.frames));
    const base = frame * spec.bins;
    for (let y = 0; y < height; y++) {
      const [lo, hi] = band[y]!;
      let v = -Infinity;
      for (let b = lo; b <= hi; b++) v = Math.max(v, spec.db[base + b]!);
      const [r, g, bl] = rampColor((v - floor) / range);
      const p = (y * width + x) * 4;
      out[p] = r;
      out[p + 1] = g;
      out[p + 2] = bl;
      out[p + 3] = 255;
    }
  }
  return out;
}
