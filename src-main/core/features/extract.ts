import { SAMPLE_RATE } from '../../shared/constants';
import type { FeatureConfig } from '../../shared/features';
import { nsynthWavProblem, readPcm16, readWavInfo, WavError } from '../datasets/wav';
import { clipRange, representationOf } from './config';
import type { Extractor } from './representations/registry';

export { LOG_FLOOR } from './representations/spectral';
export type { Extractor };

/** Builds an extractor for `config` (its representation's, from the registry) with its tables made once. */
export function createExtractor(config: FeatureConfig): Extractor {
  const samples = clipRange(config).count;
  const extract = representationOf(config).extractor(config, samples);
  return (pcm) => {
    if (pcm.length === samples) return extract(pcm);
    const fitted = new Float32Array(samples);
    fitted.set(pcm.subarray(0, samples));
    return extract(fitted);
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
