import { NOTE_SECONDS, SAMPLE_RATE } from '../../shared/constants';
import type { FeatureConfig, FeatureShape } from '../../shared/features';
import type { TrainConfig } from '../../shared/training';
import type { Batch } from './batches';
import { seededRandom } from './batches';
import { dctMatrix, hzToMel, melToHz } from './dsp';
import type { FeatureStats } from './normalize';

/** The augmentation settings of a run (each 0 = off). */
export type AugmentConfig = Pick<
  TrainConfig,
  'shift' | 'gain' | 'pitch' | 'timeMasks' | 'timeMaskWidth' | 'freqMasks' | 'freqMaskWidth' | 'mixup'
>;

/** A training batch after augmentation: `targets` (batch x classes) when mixup mixed the labels. */
export interface AugmentedBatch extends Batch {
  targets: Float32Array | null;
}

/** What the augmenter must know of the features to change them as the audio would change. */
export interface AugmentContext {
  /** The rows it gives (the window the model sees). */
  shape: FeatureShape;
  /** Steps of the rows it is given, when longer than `shape`'s (a pitch shift reads past the window). */
  inSteps?: number;
  features: FeatureConfig;
  /** The train statistics `standard` normalization applied, or null. */
  stats: FeatureStats | null;
  classes: number;
}

/**
 * The semitones a run's training notes are pitch-shifted by at most: its `pitch` where its
 * representation can be resampled from the cache (raw samples, log-mel frames), else 0 (MFCC).
 */
export function pitchRange(c: Pick<TrainConfig, 'features'> & Partial<Pick<TrainConfig, 'pitch'>>): number {
  const pitch = c.pitch ?? 0;
  return pitch > 0 && ['raw', 'logmel'].includes(c.features.representation) ? pitch : 0;
}

/**
 * The dB a run's training notes are made louder or softer by at most: its `gain`, or 0 where each
 * clip is scaled to mean 0 and sd 1 (a louder note scales to the same values).
 */
export function gainRange(c: Pick<TrainConfig, 'features' | 'gain'>): number {
  return c.gain > 0 && c.features.normalization !== 'clip' ? c.gain : 0;
}

/** The playback-rate ratio of a pitch shift by `semitones` (1 when 0; below 1 when negative). */
export function playbackRatio(semitones: number): number {
  return Math.pow(2, semitones / 12);
}

/**
 * Steps of each training row a run reads before augmentation: the model's window, or with a pitch
 * shift enough to play it back up to the largest ratio faster, plus one to interpolate (within
 * the `cacheSteps` the cache has).
 */
export function readSteps(windowSteps: number, pitch: number, cacheSteps: number): number {
  if (!(pitch > 0)) return windowSteps;
  return Math.min(cacheSteps, Math.ceil(windowSteps * playbackRatio(pitch)) + 1);
}

/**
 * The feature configuration a run's features are computed with: with a random start (`shift`), the
 * clip lengthened by it (within the note), so every start up to `shift` has its window in the cache;
 * with a pitch shift, lengthened further so the window played back faster (up to the largest
 * ratio) is there too, with two steps to spare.
 */
export function trainingFeatures(
  c: Pick<TrainConfig, 'features' | 'shift'> & Partial<Pick<TrainConfig, 'pitch'>>,
): FeatureConfig {
  const pitch = pitchRange(c);
  if (!(c.shift > 0) && !(pitch > 0)) return c.features;
  const f = c.features;
  const stepSeconds = pitch > 0 ? (2 * (f.representation === 'raw' ? f.frame : f.hop)) / SAMPLE_RATE : 0;
  const seconds = f.seconds * playbackRatio(pitch) + stepSeconds + c.shift;
  const samples = Math.round(Math.min(NOTE_SECONDS - f.start, seconds) * SAMPLE_RATE);
  return { ...f, seconds: samples / SAMPLE_RATE };
}

/** Whether any augmentation of the batches' values is on (the random start is the reader's). */
export function augmentsValues(c: AugmentConfig & Pick<TrainConfig, 'features'>): boolean {
  return (
    pitchRange(c) > 0 ||
    gainRange(c) > 0 ||
    c.timeMasks > 0 ||
    (c.freqMasks > 0 && c.freqMaskWidth > 0) ||
    c.mixup > 0
  );
}

// A standard normal draw (Box-Muller).
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

// A Gamma(shape, 1) draw: Marsaglia and Tsang, with the boost U^(1/shape) below shape 1.
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(alpha, alpha) draw, as mixup's weight. */
export function betaSample(alpha: number, random: () => number): number {
  const a = gamma(alpha, random);
  const b = gamma(alpha, random);
  return a + b > 0 ? a / (a + b) : 0.5;
}

/**
 * Changes training batches as their audio would have changed (gain), masks them (SpecAugment) and
 * mixes them (mixup), all drawn from the generator it is given, so a run's seed fixes them. Works
 * on the cache's values: gain is an offset of the log (log-mel; MFCC: through the DCT) or a factor
 * of the samples (raw), carried through the `standard` normalization; masks set values to the
 * mean (0 after `standard`, else the note's own mean). Under per-clip normalization there is no
 * gain (see gainRange).
 */
export class Augmenter {
  // The change of each dimension's value per dB of gain: an offset (log-mel, MFCC) or, for raw, null.
  private readonly perDb: Float64Array | null;
  // Semitones of the largest pitch shift (0 = none).
  private readonly pitch: number;
  // dB of the largest gain (0 = none).
  private readonly gain: number;
  // A note's values before resampling, unscaled (reused from note to note).
  private unscaled = new Float64Array(0);

  constructor(
    private readonly c: AugmentConfig,
    private readonly ctx: AugmentContext,
  ) {
    const { dims } = ctx.shape;
    const f = ctx.features;
    this.pitch = pitchRange({ features: f, pitch: c.pitch });
    this.gain = gainRange({ features: f, gain: c.gain });
    if (ctx.inSteps !== undefined && ctx.inSteps < ctx.shape.steps)
      throw new RangeError(`rows of ${ctx.inSteps} steps cannot give windows of ${ctx.shape.steps}`);
    // ln(power) moves by ln(10) / 10 per dB.
    const lnPerDb = Math.log(10) / 10;
    if (f.representation === 'logmel') this.perDb = new Float64Array(dims).fill(lnPerDb);
    else if (f.representation === 'mfcc') {
      const dct = dctMatrix(dims, f.nMels);
      this.perDb = new Float64Array(dims);
      for (let k = 0; k < dims; k++) {
        let sum = 0;
        for (let i = 0; i < f.nMels; i++) sum += dct[k * f.nMels + i]!;
        this.perDb[k] = lnPerDb * sum;
      }
    } else this.perDb = null;
    if (this.perDb && ctx.stats) for (let d = 0; d < dims; d++) this.perDb[d]! /= ctx.stats.std[d]!;
  }

  /** The batch augmented (a new one; the given one is left as it was). */
  apply(batch: Batch, random: () => number): AugmentedBatch {
    const n = batch.y.length;
    const { steps, dims } = this.ctx.shape;
    const size = steps * dims;
    const inSize = (this.ctx.inSteps ?? steps) * dims;
    const x = inSize === size ? batch.x.slice() : new Float32Array(n * size);
    for (let i = 0; i < n; i++) {
      const row = x.subarray(i * size, (i + 1) * size);
      const from = batch.x.subarray(i * inSize, (i + 1) * inSize);
      // The ratio drawn first, and only when on: runs without it draw what they drew before.
      if (this.pitch > 0) this.resample(from, row, playbackRatio((2 * random() - 1) * this.pitch));
      else if (inSize !== size) row.set(from.subarray(0, size));
      if (this.gain > 0) this.applyGain(row, (2 * random() - 1) * this.gain);
      if (this.c.timeMasks > 0 || this.c.freqMasks > 0) this.mask(row, random);
    }
    if (!(this.c.mixup > 0) || n < 2) return { x, y: batch.y.slice(), indices: batch.indices, targets: null };
    return this.mix(x, batch, random);
  }

  /**
   * One note played back `ratio` times as fast (pitch up by 12 log2(ratio) semitones, and shorter):
   * raw samples resampled by linear interpolation; log-mel frames as the resampled audio's would
   * be, every frequency times `ratio` and time divided by it, so a band reads the band at its
   * frequency / ratio of the frame at its time x ratio (bilinear; past the edges, the edge). Under
   * `standard` normalization the values are unscaled first and scaled again after.
   */
  resample(from: Float32Array, to: Float32Array, ratio: number): void {
    const { dims } = this.ctx.shape;
    const stats = this.ctx.stats;
    // The values as computed (unscaled), once per cell.
    const src =
      this.unscaled.length >= from.length ? this.unscaled : (this.unscaled = new Float64Array(from.length));
    for (let i = 0; i < from.length; i++)
      src[i] = stats ? from[i]! * stats.std[i % dims]! + stats.mean[i % dims]! : from[i]!;
    if (this.ctx.features.representation === 'raw') {
      const last = from.length - 1;
      for (let j = 0; j < to.length; j++) {
        const p = Math.min(j * ratio, last);
        const a = Math.floor(p);
        const w = p - a;
        to[j] = w > 0 ? (1 - w) * src[a]! + w * src[a + 1]! : src[a]!;
      }
    } else {
      // Log-mel: band k's centre is at (k + 1) mel steps (melFilterbank's spacing, 0 Hz to Nyquist).
      const melStep = hzToMel(SAMPLE_RATE / 2) / (dims + 1);
      const k0 = new Int32Array(dims);
      const wk = new Float64Array(dims);
      for (let k = 0; k < dims; k++) {
        const q = Math.max(0, Math.min(dims - 1, hzToMel(melToHz((k + 1) * melStep) / ratio) / melStep - 1));
        // The lower of the two bands it lies between (one band: itself, weight 0 on the next).
        k0[k] = Math.max(0, Math.min(Math.floor(q), dims - 2));
        wk[k] = dims > 1 ? q - k0[k]! : 0;
      }
      const lastStep = from.length / dims - 1;
      const steps = to.length / dims;
      for (let t = 0; t < steps; t++) {
        const p = Math.min(t * ratio, lastStep);
        const a = Math.min(Math.floor(p), Math.max(0, lastStep - 1)) * dims;
        const b = Math.min(a + dims, lastStep * dims);
        const wt = p - a / dims;
        for (let k = 0; k < dims; k++) {
          const lo = k0[k]!;
          const w = wk[k]!;
          const va = w > 0 ? (1 - w) * src[a + lo]! + w * src[a + lo + 1]! : src[a + lo]!;
          const vb = w > 0 ? (1 - w) * src[b + lo]! + w * src[b + lo + 1]! : src[b + lo]!;
          to[t * dims + k] = (1 - wt) * va + wt * vb;
        }
      }
    }
    if (stats)
      for (let i = 0; i < to.length; i++) to[i] = (to[i]! - stats.mean[i % dims]!) / stats.std[i % dims]!;
  }

  private applyGain(row: Float32Array, db: number): void {
    const { dims } = this.ctx.shape;
    const stats = this.ctx.stats;
    if (this.perDb) {
      for (let i = 0; i < row.length; i++) row[i]! += db * this.perDb[i % dims]!;
      return;
    }
    // Raw samples scale by the amplitude factor; after `standard`, (m x - mean) / std.
    const m = Math.pow(10, db / 20);
    for (let i = 0; i < row.length; i++) {
      const d = i % dims;
      row[i] = stats ? m * row[i]! + ((m - 1) * stats.mean[d]!) / stats.std[d]! : m * row[i]!;
    }
  }

  private mask(row: Float32Array, random: () => number): void {
    const { steps, dims } = this.ctx.shape;
    let fill = 0;
    if (!this.ctx.stats) {
      for (let i = 0; i < row.length; i++) fill += row[i]!;
      fill /= row.length;
    }
    for (let m = 0; m < this.c.timeMasks; m++) {
      const width = Math.min(steps, Math.floor(random() * (this.c.timeMaskWidth + 1)));
      const t0 = Math.floor(random() * (steps - width + 1));
      row.fill(fill, t0 * dims, (t0 + width) * dims);
    }
    if (this.ctx.features.representation === 'raw') return;
    for (let m = 0; m < this.c.freqMasks; m++) {
      const width = Math.min(dims, Math.floor(random() * (this.c.freqMaskWidth + 1)));
      const f0 = Math.floor(random() * (dims - width + 1));
      for (let t = 0; t < steps; t++) row.fill(fill, t * dims + f0, t * dims + f0 + width);
    }
  }

  // Mixup (Zhang et al. 2018): one weight per batch, each note mixed with a shuffled partner.
  private mix(x: Float32Array, batch: Batch, random: () => number): AugmentedBatch {
    const n = batch.y.length;
    const { classes } = this.ctx;
    const size = this.ctx.shape.steps * this.ctx.shape.dims;
    const lambda = betaSample(this.c.mixup, random);
    const partner = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [partner[i], partner[j]] = [partner[j]!, partner[i]!];
    }
    const mixed = new Float32Array(x.length);
    const targets = new Float32Array(n * classes);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = partner[i]!;
      for (let k = 0; k < size; k++)
        mixed[i * size + k] = lambda * x[i * size + k]! + (1 - lambda) * x[p * size + k]!;
      targets[i * classes + batch.y[i]!]! += lambda;
      targets[i * classes + batch.y[p]!]! += 1 - lambda;
      // The label training accuracy is counted against: the larger share.
      y[i] = lambda >= 0.5 ? batch.y[i]! : batch.y[p]!;
    }
    return { x: mixed, y, indices: batch.indices, targets };
  }
}

/** A fresh generator for one epoch's augmentation, from the run's epoch seed (a resumed epoch repeats it). */
export function augmentRandom(epochSeed: number, stream: 'values' | 'offsets'): () => number {
  return seededRandom((epochSeed ^ (stream === 'values' ? 0x5bd1e995 : 0x27d4eb2f)) >>> 0);
}
