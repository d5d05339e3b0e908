// Plain-TypeScript signal processing for the features: real FFT, window, mel filterbank, DCT.
// Everything is computed in float64 and matches numpy/torch conventions (see each export).

/** A real FFT of a fixed power-of-two size, with its tables computed once. */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly rev: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two of at least 4, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.half = half;
    // A real signal of n samples is packed as n/2 complex samples (even + i*odd), transformed
    // with a complex FFT of n/2 points, then split apart with the twiddles of the full size n.
    this.rev = new Uint32Array(half);
    const bits = Math.log2(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /** Writes |X[k]|^2 for k = 0..size/2 of the real input `x` (length `size`) into `out`. */
  power(x: ArrayLike<number>, out: Float64Array): void {
    const { half, rev, re, im, cos, sin } = this;
    for (let i = 0; i < half; i++) {
      const j = rev[i]!;
      re[j] = x[2 * i]!;
      im[j] = x[2 * i + 1]!;
    }
    // Iterative radix-2 butterflies; the twiddle of stage `len` is e^{-2*pi*i*k/len} = table[k*size/len].
    for (let len = 2; len <= half; len <<= 1) {
      const halfLen = len >> 1;
      const step = this.size / len;
      for (let k = 0; k < halfLen; k++) {
        const wr = cos[k * step]!;
        const wi = -sin[k * step]!;
        for (let a = k; a < half; a += len) {
          const b = a + halfLen;
          const br = re[b]!;
          const bi = im[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    for (let k = 0; k <= half; k++) {
      const zr = re[k % half]!;
      const zi = im[k % half]!;
      const cr = re[(half - k) % half]!;
      const ci = -im[(half - k) % half]!;
      // Even part E = (Z[k] + conj Z[n/2-k]) / 2, odd part O = (Z[k] - conj Z[n/2-k]) / 2i.
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = k === half ? -1 : cos[k]!;
      const wi = k === half ? 0 : -sin[k]!;
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      out[k] = xr * xr + xi * xi;
    }
  }
}

/** Hann window; periodic (the default of torch.hann_window and scipy.signal.get_window) unless `symmetric`. */
export function hannWindow(n: number, symmetric = false): Float64Array {
  const w = new Float64Array(n);
  const denom = symmetric ? n - 1 : n;
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / denom);
  return w;
}

/** numpy.linspace(a, b, n): evenly spaced, the last value exactly `b`. */
export function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = n > 1 ? (b - a) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = a + i * step;
  if (n > 1) out[n - 1] = b;
  return out;
}

/** Hz to mel on the HTK scale. */
export function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

/** Mel on the HTK scale to Hz. */
export function melToHz(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/** One triangular mel filter as its non-zero run of FFT bins. */
export interface MelBand {
  first: number;
  weights: Float64Array;
}

/**
 * The reference's filterbank: `nMels` triangles evenly spaced on the HTK mel scale from 0 Hz to
 * Nyquist over `nFft/2 + 1` bins, unnormalised, weights rounded to float32 as the reference does.
 */
export function melFilterbank(nMels: number, nFft: number, rate: number): MelBand[] {
  const edges = linspace(hzToMel(0), hzToMel(rate / 2), nMels + 2).map(melToHz);
  const bins = linspace(0, rate / 2, nFft / 2 + 1);
  const bands: MelBand[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m]!;
    const mid = edges[m + 1]!;
    const hi = edges[m + 2]!;
    const row = Array.from(bins, (f) =>
      Math.fround(Math.max(0, Math.min((f - lo) / (mid - lo), (hi - f) / (hi - mid)))),
    );
    let first = row.findIndex((v) => v > 0);
    let last = row.length - 1 - [...row].reverse().findIndex((v) => v > 0);
    // A band narrower than one bin has no weights: its energy is 0 and its log is log(1e-6).
    if (first < 0) [first, last] = [0, -1];
    bands.push({ first, weights: Float64Array.from(row.slice(first, last + 1)) });
  }
  return bands;
}

/** The first `keep` rows of the orthonormal DCT-II matrix of size n (scipy.fft.dct(norm='ortho')). */
export function dctMatrix(keep: number, n: number): Float64Array {
  const m = new Float64Array(keep * n);
  for (let k = 0; k < keep; k++) {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / n);
    for (let i = 0; i < n; i++) m[k * n + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  return m;
}

/** Pads `x` by `pad` samples each side by reflection without repeating the edge (numpy's 'reflect'). */
export function reflectPad(x: Float32Array, pad: number): Float64Array {
  const n = x.length;
  if (pad >= n) throw new RangeError(`reflect padding of ${pad} needs more than ${pad} samples, got ${n}`);
  const out = new Float64Array(n + 2 * pad);
  for (let i = 0; i < pad; i++) {
    out[i] = x[pad - i]!;
    out[pad + n + i] = x[n - 2 - i]!;
  }
  for (let i = 0; i < n; i++) out[pad + i] = x[i]!;
  return out;
}
