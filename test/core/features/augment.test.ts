import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  augmentRandom,
  Augmenter,
  augmentsValues,
  gainRange,
  betaSample,
  playbackRatio,
  readSteps,
  trainingFeatures,
  type AugmentConfig,
} from '../../../src-main/core/features/augment';
import { spectralExtractor } from '../../../src-main/core/features/representations/spectral';
import { SAMPLE_RATE } from '../../../src-main/shared/constants';
import {
  balancedOrder,
  BatchReader,
  classWeights,
  type Batch,
} from '../../../src-main/core/features/batches';
import { ensureFeatureCache, splitFiles } from '../../../src-main/core/features/cache';
import { featureShape, validateFeatureConfig } from '../../../src-main/core/features/config';
import { seededRandom } from '../../../src-main/core/features/batches';
import { DEFAULT_TRAIN_CONFIG } from '../../../src-main/shared/train-schema';
import type { FeatureConfig } from '../../../src-main/shared/features';
import { tempDir, writeNotes } from './synthetic';
import { clipStarts, evaluateSplit } from '../../../src-main/core/training/evaluate';
import { buildModel } from '../../../src-main/core/training/models/build';

const OFF: AugmentConfig = {
  shift: 0,
  gain: 0,
  pitch: 0,
  timeMasks: 0,
  timeMaskWidth: 10,
  freqMasks: 0,
  freqMaskWidth: 8,
  mixup: 0,
};
const STEPS = 20;
const DIMS = 12;
const CLASSES = 11;
const LOGMEL = validateFeatureConfig({ representation: 'logmel', nMels: DIMS });

// A batch of n notes of random values between 1 and 2 (none 0), labels cycling over 3 families.
function batch(n: number, salt = 0): Batch {
  const random = seededRandom(1000 + salt);
  const x = Float32Array.from({ length: n * STEPS * DIMS }, () => 1 + random());
  return {
    x,
    y: Int32Array.from({ length: n }, (_, i) => i % 3),
    indices: Int32Array.from({ length: n }, (_, i) => i),
  };
}

// Standardized features: masks fill with 0, the train mean.
const STATS = { mean: Array(DIMS).fill(0), std: Array(DIMS).fill(2), count: 1 };

function augmenter(
  c: Partial<AugmentConfig>,
  features: FeatureConfig = LOGMEL,
  stats: typeof STATS | null = STATS,
) {
  return new Augmenter(
    { ...OFF, ...c },
    { shape: { steps: STEPS, dims: DIMS }, features, stats, classes: CLASSES },
  );
}

// The runs of consecutive indices in a sorted list.
function runsOf(sorted: number[]): number[][] {
  const out: number[][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v === last[last.length - 1]! + 1) last.push(v);
    else out.push([v]);
  }
  return out;
}

describe('augmentation', () => {
  const all: Partial<AugmentConfig> = {
    gain: 6,
    pitch: 2,
    timeMasks: 2,
    timeMaskWidth: 5,
    freqMasks: 2,
    freqMaskWidth: 3,
    mixup: 0.4,
  };

  it('is the same for the same seed and differs for another seed', () => {
    const a = augmenter(all);
    const once = a.apply(batch(8), augmentRandom(11, 'values'));
    const again = a.apply(batch(8), augmentRandom(11, 'values'));
    const other = a.apply(batch(8), augmentRandom(12, 'values'));
    expect(again.x).toEqual(once.x);
    expect(again.targets).toEqual(once.targets);
    expect(other.x).not.toEqual(once.x);
    // The batch given is left as it was.
    const b = batch(8);
    a.apply(b, augmentRandom(11, 'values'));
    expect(b.x).toEqual(batch(8).x);
  });

  it('masks at most the given number of stretches, each within its width, in time and in bands', () => {
    const a = augmenter({ timeMasks: 2, timeMaskWidth: 5, freqMasks: 3, freqMaskWidth: 4 });
    const random = seededRandom(5);
    let maskedSomething = false;
    for (let trial = 0; trial < 40; trial++) {
      const src = batch(1, trial);
      const { x } = a.apply(src, random);
      const zero = (t: number, d: number) => x[t * DIMS + d] === 0;
      const steps = Array.from({ length: STEPS }, (_, t) => t).filter((t) =>
        Array.from({ length: DIMS }, (_, d) => d).every((d) => zero(t, d)),
      );
      const bands = Array.from({ length: DIMS }, (_, d) => d).filter((d) =>
        Array.from({ length: STEPS }, (_, t) => t).every((t) => zero(t, d)),
      );
      // Stretches may touch or overlap: what is masked is at most masks x width cells, in as many runs.
      expect(steps.length).toBeLessThanOrEqual(2 * 5);
      expect(runsOf(steps).length).toBeLessThanOrEqual(2);
      expect(bands.length).toBeLessThanOrEqual(3 * 4);
      expect(runsOf(bands).length).toBeLessThanOrEqual(3);
      // Every other cell is untouched.
      for (let t = 0; t < STEPS; t++)
        for (let d = 0; d < DIMS; d++)
          if (!steps.includes(t) && !bands.includes(d)) expect(x[t * DIMS + d]).toBe(src.x[t * DIMS + d]);
      if (steps.length && bands.length) maskedSomething = true;
    }
    expect(maskedSomething).toBe(true);
  });

  it('masks raw frames over time only, with the note mean when not standardized', () => {
    const raw = validateFeatureConfig({ representation: 'raw', frame: DIMS });
    const a = augmenter({ timeMasks: 1, timeMaskWidth: STEPS, freqMasks: 3, freqMaskWidth: 4 }, raw, null);
    const src = batch(1);
    const mean = src.x.reduce((s, v) => s + v, 0) / src.x.length;
    const { x } = a.apply(src, seededRandom(1));
    const changed = Array.from(x.keys()).filter((i) => x[i] !== src.x[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length % DIMS).toBe(0);
    for (const i of changed) expect(x[i]).toBeCloseTo(mean, 2);
  });

  it('mixes each batch with a shuffle of itself: targets sum to 1 and weigh the features alike', () => {
    const a = augmenter({ mixup: 0.4 });
    const random = seededRandom(3);
    const lambdas = new Set<number>();
    for (let trial = 0; trial < 10; trial++) {
      const src = batch(6);
      const out = a.apply(src, random);
      const t = out.targets!;
      expect(t.length).toBe(6 * CLASSES);
      const size = STEPS * DIMS;
      for (let i = 0; i < 6; i++) {
        const row = Array.from(t.subarray(i * CLASSES, (i + 1) * CLASSES));
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
        // The weight of its own family (plus the partner's when the same) is at least λ's share.
        expect(row[src.y[i]!]).toBeGreaterThan(0);
        // x_i = λ x_i + (1 - λ) x_p for one partner p, with λ read back from the first value.
        const found = Array.from({ length: 6 }, (_, p) => p).some((p) => {
          if (p === i) return out.x[i * size] === src.x[i * size];
          const lambda = (out.x[i * size]! - src.x[p * size]!) / (src.x[i * size]! - src.x[p * size]!);
          const mixed = [1, 7, size - 1].every(
            (k) =>
              Math.abs(
                out.x[i * size + k]! - (lambda * src.x[i * size + k]! + (1 - lambda) * src.x[p * size + k]!),
              ) < 1e-2,
          );
          if (mixed) lambdas.add(lambda);
          return mixed;
        });
        expect(found).toBe(true);
      }
    }
    expect(lambdas.size).toBeGreaterThan(1);
    for (const l of lambdas) expect(l >= -1e-3 && l <= 1 + 1e-3).toBe(true);
  });

  it('draws Beta(alpha, alpha) with its mean 1/2 and its variance 1 / (4 (2 alpha + 1))', () => {
    for (const alpha of [0.2, 1, 3]) {
      const random = seededRandom(9);
      const draws = Array.from({ length: 20000 }, () => betaSample(alpha, random));
      for (const d of draws) expect(d >= 0 && d <= 1).toBe(true);
      const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
      const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
      expect(mean).toBeCloseTo(0.5, 1);
      expect(variance).toBeCloseTo(1 / (4 * (2 * alpha + 1)), 2);
    }
  });

  it('moves log-mel values by the same offset per note, within ± gain in ln(power), divided by the std', () => {
    const a = augmenter({ gain: 6 });
    const random = seededRandom(2);
    const offsets: number[] = [];
    for (let trial = 0; trial < 30; trial++) {
      const src = batch(1);
      const { x } = a.apply(src, random);
      const d0 = x[0]! - src.x[0]!;
      for (let i = 0; i < x.length; i += 17) expect(x[i]! - src.x[i]!).toBeCloseTo(d0, 3);
      offsets.push(d0);
    }
    const most = (6 * Math.log(10)) / 10 / 2;
    for (const d of offsets) expect(Math.abs(d)).toBeLessThanOrEqual(most + 1e-4);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeGreaterThan(most / 2);
  });

  it('scales raw samples by the amplitude of the gain', () => {
    const raw = validateFeatureConfig({ representation: 'raw', frame: DIMS });
    const a = augmenter({ gain: 12 }, raw, null);
    const src = batch(1);
    const { x } = a.apply(src, seededRandom(4));
    const factor = x[5]! / src.x[5]!;
    expect(Math.abs(20 * Math.log10(factor))).toBeLessThanOrEqual(12 + 1e-4);
    for (let i = 0; i < x.length; i += 13) expect(x[i]! / src.x[i]!).toBeCloseTo(factor, 4);
  });

  it('leaves clips scaled one by one as they are: a louder note scales to the same values', () => {
    for (const representation of ['logmel', 'raw'] as const) {
      const features = validateFeatureConfig({
        representation,
        nMels: DIMS,
        frame: DIMS,
        normalization: 'clip',
      });
      expect(gainRange({ features, gain: 6 })).toBe(0);
      const a = augmenter({ gain: 6, timeMasks: 1 }, features, null);
      const plain = augmenter({ timeMasks: 1 }, features, null);
      expect(augmentsValues({ ...OFF, gain: 6, features })).toBe(false);
      const src = batch(4);
      // The same draws as without gain: the masks fall where they would.
      expect(a.apply(src, seededRandom(5)).x).toEqual(plain.apply(src, seededRandom(5)).x);
    }
    expect(gainRange({ features: LOGMEL, gain: 6 })).toBe(6);
  });
});

describe('random pitch shift', () => {
  // A decaying tone of three harmonics from `f0` Hz, `samples` long, played back `ratio` times as fast.
  const tone = (f0: number, samples: number, ratio = 1) =>
    Float32Array.from({ length: samples }, (_, i) => {
      const t = (i * ratio) / SAMPLE_RATE;
      const env = Math.exp(-t / 0.25);
      return (
        env *
        (0.6 * Math.sin(2 * Math.PI * f0 * t) +
          0.3 * Math.sin(4 * Math.PI * f0 * t) +
          0.2 * Math.sin(6 * Math.PI * f0 * t))
      );
    });
  // Upward zero crossings per second of a signal: its fundamental, for a tone whose first harmonic leads.
  const frequency = (x: Float32Array) => {
    let ups = 0;
    for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 && x[i]! >= 0) ups++;
    return (ups * SAMPLE_RATE) / x.length;
  };

  it('reads longer rows, computes the features over a longer clip, and leaves MFCC as it is', () => {
    expect(readSteps(100, 0, 500)).toBe(100);
    expect(readSteps(100, 2, 500)).toBe(Math.ceil(100 * 2 ** (2 / 12)) + 1);
    expect(readSteps(100, 2, 110)).toBe(110);
    expect(playbackRatio(12)).toBe(2);
    expect(playbackRatio(-12)).toBe(0.5);
    const one = validateFeatureConfig({ representation: 'logmel', seconds: 1 });
    // 1 s played up to 2 semitones faster, two hops to spare, the random start after it.
    expect(trainingFeatures({ features: one, shift: 0.25, pitch: 2 }).seconds).toBeCloseTo(
      2 ** (2 / 12) + 512 / SAMPLE_RATE + 0.25,
      4,
    );
    const mfcc = validateFeatureConfig({ representation: 'mfcc' });
    expect(trainingFeatures({ features: mfcc, shift: 0, pitch: 2 })).toBe(mfcc);
    expect(augmentsValues({ ...OFF, pitch: 2, features: mfcc })).toBe(false);
    expect(augmentsValues({ ...OFF, pitch: 2, features: one })).toBe(true);
    // Within the note: at most 4 s from the start.
    expect(
      trainingFeatures({ features: validateFeatureConfig({ start: 3, seconds: 0.9 }), shift: 0, pitch: 4 })
        .seconds,
    ).toBe(1);
  });

  it('resamples raw samples: a tone comes out at its frequency times the ratio, every ratio within ± pitch', () => {
    const frame = 160;
    const steps = 20;
    const raw = validateFeatureConfig({ representation: 'raw', frame });
    const inSteps = readSteps(steps, 3, 1000);
    const a = new Augmenter(
      { ...OFF, pitch: 3 },
      { shape: { steps, dims: frame }, inSteps, features: raw, stats: null, classes: CLASSES },
    );
    // For one ratio, the tone played faster, up to linear interpolation's error (under 0.012 here:
    // h^2 / 8 max |x''| summed over the harmonics).
    const out = new Float32Array(steps * frame);
    a.resample(tone(400, inSteps * frame), out, 1.15);
    const want = tone(400, steps * frame, 1.15);
    for (let i = 0; i < out.length; i++) expect(Math.abs(out[i]! - want[i]!)).toBeLessThan(0.012);
    // Random ratios: 30 notes of one batch, each its own.
    const n = 30;
    const x = new Float32Array(n * inSteps * frame);
    for (let i = 0; i < n; i++) x.set(tone(400, inSteps * frame), i * inSteps * frame);
    const b = { x, y: new Int32Array(n), indices: Int32Array.from({ length: n }, (_, i) => i) };
    const shifted = a.apply(b, augmentRandom(7, 'values'));
    expect(shifted.x.length).toBe(n * steps * frame);
    const semitones = Array.from(
      { length: n },
      (_, i) =>
        12 * Math.log2(frequency(shifted.x.subarray(i * steps * frame, (i + 1) * steps * frame)) / 400),
    );
    // Counting crossings over 0.2 s is good to 5 Hz: 0.25 semitones at 400 Hz.
    for (const st of semitones) expect(Math.abs(st)).toBeLessThanOrEqual(3.25);
    expect(Math.max(...semitones) - Math.min(...semitones)).toBeGreaterThan(3);
    expect(a.apply(b, augmentRandom(7, 'values')).x).toEqual(shifted.x);
  });

  it("warps log-mel frames as the resampled sound's log-mel: much nearer to it than the frames unshifted", () => {
    const config = validateFeatureConfig({ representation: 'logmel', nMels: 64, seconds: 0.5 });
    const steps = featureShape(config).steps;
    const ratio = playbackRatio(2);
    const inSteps = readSteps(steps, 2, 1000);
    const inSamples = (inSteps - 1) * config.hop + 1;
    const original = spectralExtractor(
      { ...config, seconds: inSamples / SAMPLE_RATE },
      inSamples,
    )(tone(330, inSamples));
    expect(original.length).toBe(inSteps * 64);
    const truth = spectralExtractor(config, 0.5 * SAMPLE_RATE)(tone(330, 0.5 * SAMPLE_RATE, ratio));
    const stats = { mean: Array(64).fill(-3), std: Array(64).fill(2.5), count: 1 };
    for (const s of [null, stats]) {
      const a = new Augmenter(
        { ...OFF, pitch: 2 },
        { shape: { steps, dims: 64 }, inSteps, features: config, stats: s, classes: CLASSES },
      );
      const scaled = s ? original.map((v, i) => (v - s.mean[i % 64]) / s.std[i % 64]) : original;
      const warped = new Float32Array(steps * 64);
      a.resample(scaled, warped, ratio);
      const unscaled = s ? warped.map((v, i) => v * s.std[i % 64] + s.mean[i % 64]) : warped;
      // Where the sound is (within 8 of the loudest band's ln power, about 35 dB), the mean distance.
      const top = Math.max(...truth);
      const distance = (x: Float32Array) => {
        let sum = 0;
        let cells = 0;
        truth.forEach((v, i) => {
          if (v > top - 8) [sum, cells] = [sum + Math.abs(x[i]! - v), cells + 1];
        });
        return sum / cells;
      };
      const unshifted = original.subarray(0, steps * 64);
      expect(distance(unscaled)).toBeLessThan(distance(unshifted) / 2);
      // Each frame's loudest band (the fundamental) lands where the resampled sound has it, within one band.
      for (let t = 2; t < steps - 2; t++) {
        const argmax = (x: Float32Array) => {
          const row = Array.from(x.subarray(t * 64, (t + 1) * 64));
          return row.indexOf(Math.max(...row));
        };
        expect(Math.abs(argmax(unscaled) - argmax(truth))).toBeLessThanOrEqual(1);
      }
      // Ratio 1 changes nothing.
      const same = new Float32Array(steps * 64);
      a.resample(scaled, same, 1);
      same.forEach((v, i) => expect(v).toBeCloseTo(scaled[i]!, 4));
    }
  });
});

describe('class balance', () => {
  const labels = Int32Array.from([...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)]);

  it('weighs classes by the inverse of their share, so every class weighs the same in total', () => {
    const w = classWeights(labels, 4);
    expect(Array.from(w)).toEqual([100 / 180, 100 / 90, 100 / 30, 0].map((v) => Math.fround(v)));
    expect(60 * w[0]!).toBeCloseTo(10 * w[2]!, 4);
  });

  it('draws family-balanced epochs, the same for the same seed', () => {
    const order = balancedOrder(labels, 3000, 7);
    expect(balancedOrder(labels, 3000, 7)).toEqual(order);
    expect(balancedOrder(labels, 3000, 8)).not.toEqual(order);
    const counts = [0, 0, 0];
    for (const row of order) counts[labels[row]!]!++;
    for (const n of counts) expect(n).toBeGreaterThan(900);
    // Rows of the rare class are drawn again and again, those of the common one not all.
    expect(new Set(order.filter((r) => labels[r] === 2)).size).toBe(10);
  });
});

describe('random clip start', () => {
  const tmp = tempDir();
  let reader: BatchReader;
  let full: Float32Array;
  let window: number;
  let cacheSteps: number;

  beforeAll(async () => {
    const notes = writeNotes(path.join(tmp.dir, 'data'), { train: [3, 3] });
    const config = {
      ...DEFAULT_TRAIN_CONFIG,
      features: validateFeatureConfig({ representation: 'logmel', seconds: 0.5, nMels: 8 }),
      shift: 0.25,
    };
    const longer = trainingFeatures(config);
    expect(longer.seconds).toBe(0.75);
    const info = await ensureFeatureCache({
      featuresRoot: path.join(tmp.dir, 'features'),
      source: { fingerprint: 'fp', notes },
      config: validateFeatureConfig(longer),
      workers: 0,
    });
    window = featureShape(config.features).steps;
    cacheSteps = info.shape.steps;
    reader = BatchReader.open(info, 'train', window);
    full = new Float32Array(new Uint8Array(fs.readFileSync(splitFiles(info.dir, 'train').features)).buffer);
  });
  afterAll(() => {
    reader.close();
    tmp.remove();
  });

  it('computes the features over the longer clip, within the note', () => {
    expect(cacheSteps).toBeGreaterThan(window);
    expect(
      trainingFeatures({ features: validateFeatureConfig({ start: 3, seconds: 0.8 }), shift: 1 }).seconds,
    ).toBe(1);
    expect(trainingFeatures({ features: LOGMEL, shift: 0 })).toBe(LOGMEL);
  });

  it('cuts each row to the window: at its start for evaluation, at random starts for training', () => {
    const dims = reader.shape.dims;
    const rowFull = cacheSteps * dims;
    expect(reader.shape.steps).toBe(window);
    const [first] = [...reader.sequential(6)];
    for (let r = 0; r < 6; r++) {
      expect(first!.x.subarray(r * window * dims, (r + 1) * window * dims)).toEqual(
        full.subarray(r * rowFull, r * rowFull + window * dims),
      );
    }
    const starts = new Set<number>();
    const random = augmentRandom(3, 'offsets');
    for (let epoch = 0; epoch < 8; epoch++) {
      for (const b of reader.shuffled(6, epoch, random)) {
        b.indices.forEach((row, k) => {
          const got = b.x.subarray(k * window * dims, (k + 1) * window * dims);
          let start = -1;
          for (let o = 0; o <= cacheSteps - window && start < 0; o++) {
            const want = full.subarray(row * rowFull + o * dims, row * rowFull + (o + window) * dims);
            if (want.every((v, i) => v === got[i])) start = o;
          }
          expect(start).toBeGreaterThanOrEqual(0);
          starts.add(start);
        });
      }
    }
    expect(starts.size).toBeGreaterThan(3);
    // The same epoch seed gives the same starts.
    const again = (s: number) =>
      [...reader.shuffled(6, 1, augmentRandom(s, 'offsets'))].map((b) => Array.from(b.x));
    expect(again(5)).toEqual(again(5));
    expect(again(5)).not.toEqual(again(6));
  });

  it('evaluates over clips spread from the first start to the last, averaging their probabilities', async () => {
    expect(clipStarts(1, 5)).toEqual([0]);
    expect(clipStarts(9, 1)).toEqual([0]);
    expect(clipStarts(9, 3)).toEqual([0, 4, 8]);
    expect(clipStarts(3, 8)).toEqual([0, 1, 2]);
    await tf.setBackend('cpu');
    const model = buildModel(
      { type: 'mlp', hidden: 8, layers: 1, dropout: 0, activation: 'relu', readout: 'last' },
      reader.shape,
      1,
      11,
    );
    const one = evaluateSplit(tf, model, reader, 4);
    const three = evaluateSplit(tf, model, reader, 4, 3);
    const starts = clipStarts(reader.offsets, 3);
    expect(starts.length).toBe(3);
    const rows = Int32Array.from({ length: reader.count }, (_, i) => i);
    const want = new Float32Array(reader.count * 11);
    for (const start of starts) {
      const b = reader.read(rows, new Int32Array(reader.count).fill(start));
      const p = tf.softmax(model.apply(tf.tensor3d(b.x, [reader.count, window, reader.shape.dims]), false));
      (p.dataSync() as Float32Array).forEach((v, i) => (want[i]! += v / 3));
    }
    three.probabilities.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    expect(three.probabilities).not.toEqual(one.probabilities);
    model.dispose();
  });
});
