import { SAMPLE_RATE } from '../../shared/constants';
import type { FeatureConfig } from '../../shared/features';
import { nsynthWavProblem, readPcm16, readWavInfo, WavError } from '../datasets/wav';
import { clipRange, featureShape } from './config';
import { dctMatrix, hannWindow, melFilterbank, RealFft, reflectPad } from './dsp';

/** Turns one clip's samples into its features (steps x dims, time-major), before normalization. */
export type Extractor = (pcm: Float32Array) => Float32Array;

/** Floor added to the mel power before the log, as the reference does. */
export const LOG_FLOOR = 1e-6;

/** Builds an extractor for `config` with its FFT, window, filterbank and DCT tables made once. */
export function createExtractor(config: FeatureConfig): Extractor {
  const { steps, dims } = featureShape(config);
  const samples = clipRange(config).count;
  const fit = (pcm: Float32Array): Float32Array => {
    if (pcm.length === samples) return pcm;
    const out = new Float32Array(samples);
    out.set(pcm.subarray(0, samples));
    return out;
  };
  if (config.representation === 'raw') return (pcm) => fit(pcm).slice(0, steps * dims);

  const { nFft, hop, nMels } = config;
  const fft = new RealFft(nFft);
  const window = hannWindow(nFft);
  const bands = melFilterbank(nMels, nFft, SAMPLE_RATE);
  const mfcc = config.representation === 'mfcc';
  const dct = mfcc ? dctMatrix(config.nMfcc, nMels) : undefined;
  const frame = new Float64Array(nFft);
  const power = new Float64Array(nFft / 2 + 1);
  const mel = new Float64Array(nMels);
  return (pcm) => {
    const padded = reflectPad(fit(pcm), nFft / 2);
    const out = new Float32Array(steps * dims);
    for (let t = 0; t < steps; t++) {
      const offset = t * hop;
      for (let i = 0; i < nFft; i++) frame[i] = padded[offset + i]! * window[i]!;
      fft.power(frame, power);
      for (let m = 0; m < nMels; m++) {
        const { first, weights } = bands[m]!;
        let sum = 0;
        for (let j = 0; j < weights.length; j++) sum += weights[j]! * power[first + j]!;
        mel[m] = Math.log(sum + LOG_FLOOR);
      }
      if (!dct) {
        out.set(mel, t * dims);
        continue;
      }
      for (let k = 0; k < dims; k++) {
        let sum = 0;
        for (let i = 0; i < nMels; i++) sum += dct[k * nMels + i]! * mel[i]!;
        out[t * dims + k] = sum;
      }
    }
    return out;
  };
}

let memo: { key: string; extract: Extractor } | undefined;

/** One clip's features (steps x dims, time-major), before normalization; `pcm` is cut to the clip length. */
export function computeFeatures(pcm: Float32Array, config: FeatureConfig): Float32Array {
  const key = JSON.stringify(config);
  if (memo?.key !== key) memo = { key, extract: createExtractor(config) };
  return memo.extract(pcm);
}

/** Scales one clip's features in place to mean 0 and (population) std 1 over all its values. */
export function normalizeClip(features: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < features.length; i++) sum += features[i]!;
  const mean = sum / features.length;
  let sq = 0;
  for (let i = 0; i < features.length; i++) sq += (features[i]! - mean) ** 2;
  // The floor keeps a silent clip (std 0) at zeros rather than NaN, like the reference's std + 1e-5.
  const scale = 1 / (Math.sqrt(sq / features.length) + 1e-5);
  for (let i = 0; i < features.length; i++) features[i] = (features[i]! - mean) * scale;
  return features;
}

/** Reads the clip `config` asks for from a note's WAV file; throws WavError for a file that is not 16-bit mono. */
export function readClip(file: string, config: FeatureConfig): Float32Array {
  const info = readWavInfo(file);
  const problem = nsynthWavProblem(info, SAMPLE_RATE, 0);
  if (problem) throw new WavError(problem);
  const { start, count } = clipRange(config);
  return readPcm16(file, start, count, info);
}
