import { NOTE_SECONDS, SAMPLE_RATE } from '../../shared/constants';
import type { FeatureConfig, FeatureShape } from '../../shared/features';
import type { TrainConfig } from '../../shared/training';
import type { Batch } from './batches';
import { seededRandom } from './batches';
import { dctMatrix } from './dsp';
import type { FeatureStats } from './normalize';

/** The augmentation settings of a run (each 0 = off). */
export type AugmentConfig = Pick<
  TrainConfig,
  'shift' | 'gain' | 'timeMasks' | 'timeMaskWidth' | 'freqMasks' | 'freqMaskWidth' | 'mixup'
>;

/** A training batch after augmentation: `targets` (batch x classes) when mixup mixed the labels. */
export interface AugmentedBatch extends Batch {
  targets: Float32Array | null;
}

/** What the augmenter must know of the features to change them as the audio would change. */
export interface AugmentContext {
  /** The rows it is given (the window the model sees). */
  shape: FeatureShape;
  features: FeatureConfig;
  /** The train statistics `standard` normalization applied, or null. */
  stats: FeatureStats | null;
  classes: number;
}

/**
 * The feature configuration a run's features are computed with: with a random start (`shift`), the
 * clip lengthened by it (within the note), so every start up to `shift` has its window in the cache.
 */
export function trainingFeatures(c: Pick<TrainConfig, 'features' | 'shift'>): FeatureConfig {
  if (!(c.shift > 0)) return c.features;
  const samples = Math.round(
    Math.min(NOTE_SECONDS - c.features.start, c.features.seconds + c.shift) * SAMPLE_RATE,
  );
  return { ...c.features, seconds: samples / SAMPLE_RATE };
}

/** Whether any augmentation of the batches' values is on (the random start is the reader's). */
export function augmentsValues(c: AugmentConfig): boolean {
  return c.gain > 0 || c.timeMasks > 0 || (c.freqMasks > 0 && c.freqMaskWidth > 0) || c.mixup > 0;
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
 * mean (0 after `standard`, else the note's own mean). Under per-clip normalization gain changes
 * nothing (each clip is rescaled to 0..1).
 */
export class Augmenter {
  // The change of each dimension's value per dB of gain: an offset (log-mel, MFCC) or, for raw, null.
  private readonly perDb: Float64Array | null;

  constructor(
    private readonly c: AugmentConfig,
    private readonly ctx: AugmentContext,
  ) {
    const { dims } = ctx.shape;
    const f = ctx.features;
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
    const x = batch.x.slice();
    const n = batch.y.length;
    const { steps, dims } = this.ctx.shape;
    const size = steps * dims;
    for (let i = 0; i < n; i++) {
      const row = x.subarray(i * size, (i + 1) * size);
      if (this.c.gain > 0) this.applyGain(row, (2 * random() - 1) * this.c.gain);
      if (this.c.timeMasks > 0 || this.c.freqMasks > 0) this.mask(row, random);
    }
    if (!(this.c.mixup > 0) || n < 2) return { x, y: batch.y.slice(), indices: batch.indices, targets: null };
    return this.mix(x, batch, random);
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
