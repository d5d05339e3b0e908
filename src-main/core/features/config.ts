import { createHash } from 'node:crypto';
import { NOTE_SECONDS, SAMPLE_RATE } from '../../shared/constants';
import { DEFAULT_FEATURES, type FeatureConfig, type FeatureShape } from '../../shared/features';
import { stftFrames } from './dsp';
import { WorkbenchError } from '../errors';

/** Bumped whenever the bytes a feature cache holds would change for the same configuration. */
export const FEATURE_CACHE_VERSION = 1;

/** A feature setting out of its allowed range; `field` names the FeatureConfig key. */
export class FeatureConfigError extends WorkbenchError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('bad-argument', `Feature setting "${field}": ${message}`, { name: 'FeatureConfigError' });
  }
}

const REPRESENTATIONS = ['raw', 'logmel', 'mfcc'] as const;
const NORMALIZATIONS = ['none', 'standard', 'clip'] as const;

function numberField(partial: Partial<FeatureConfig>, field: keyof FeatureConfig, allowed: string): number {
  const value = partial[field] ?? DEFAULT_FEATURES[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new FeatureConfigError(field, `${JSON.stringify(value)} is not a number; allowed: ${allowed}`);
  }
  return value;
}

function intField(partial: Partial<FeatureConfig>, field: keyof FeatureConfig, min: number, max: number) {
  const allowed = `an integer from ${min} to ${max}`;
  const value = numberField(partial, field, allowed);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FeatureConfigError(field, `${value} is out of range; allowed: ${allowed}`);
  }
  return value;
}

function choiceField<T extends string>(value: unknown, field: keyof FeatureConfig, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new FeatureConfigError(
      field,
      `${JSON.stringify(value)} is not allowed; allowed: ${allowed.join(', ')}`,
    );
  }
  return value as T;
}

/** Fills defaults into a partial configuration and checks every range; throws FeatureConfigError. */
export function validateFeatureConfig(partial: Partial<FeatureConfig> = {}): FeatureConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_FEATURES)) {
      throw new FeatureConfigError(
        key,
        `unknown setting; allowed: ${Object.keys(DEFAULT_FEATURES).join(', ')}`,
      );
    }
  }
  const start = numberField(partial, 'start', '0 to 3.99 s');
  if (start < 0 || start > 3.99) {
    throw new FeatureConfigError('start', `${start} s is out of range; allowed: 0 to 3.99 s`);
  }
  const seconds = numberField(partial, 'seconds', `0.01 to ${NOTE_SECONDS} - start s`);
  const maxSeconds = NOTE_SECONDS - start;
  if (seconds < 0.01 || seconds > maxSeconds + 1e-9) {
    throw new FeatureConfigError(
      'seconds',
      `${seconds} s is out of range; allowed: 0.01 to ${+maxSeconds.toFixed(6)} s (start + seconds at most ${NOTE_SECONDS} s)`,
    );
  }
  const config: FeatureConfig = {
    start,
    seconds,
    representation: choiceField(
      partial.representation ?? DEFAULT_FEATURES.representation,
      'representation',
      REPRESENTATIONS,
    ),
    frame: intField(partial, 'frame', 1, 16000),
    nFft: intField(partial, 'nFft', 64, 8192),
    hop: 0,
    nMels: intField(partial, 'nMels', 8, 256),
    nMfcc: 0,
    normalization: choiceField(
      partial.normalization ?? DEFAULT_FEATURES.normalization,
      'normalization',
      NORMALIZATIONS,
    ),
    maxPerFamily: intField(partial, 'maxPerFamily', 0, Number.MAX_SAFE_INTEGER),
  };
  if ((config.nFft & (config.nFft - 1)) !== 0) {
    throw new FeatureConfigError(
      'nFft',
      `${config.nFft} is not allowed; allowed: a power of two from 64 to 8192`,
    );
  }
  config.hop = intField(partial, 'hop', 16, config.representation === 'raw' ? 8192 : config.nFft);
  config.nMfcc = intField(partial, 'nMfcc', 2, config.representation === 'mfcc' ? config.nMels : 256);
  const samples = clipRange(config).count;
  if (config.representation === 'raw' && config.frame > samples) {
    throw new FeatureConfigError(
      'frame',
      `${config.frame} is longer than the clip's ${samples} samples; allowed: 1 to ${samples}`,
    );
  }
  // torch.stft's reflect padding of nFft/2 needs a clip longer than that.
  if (config.representation !== 'raw' && config.nFft / 2 >= samples) {
    throw new FeatureConfigError(
      'nFft',
      `${config.nFft} needs a clip of more than ${config.nFft / 2} samples, the clip has ${samples}; allowed: a power of two below ${2 * samples}`,
    );
  }
  return config;
}

/** The clip in samples: first sample and count. */
export function clipRange(config: FeatureConfig): { start: number; count: number } {
  return { start: Math.round(config.start * SAMPLE_RATE), count: Math.round(config.seconds * SAMPLE_RATE) };
}

/** Time steps x values per step of one note's features under `config`. */
export function featureShape(config: FeatureConfig): FeatureShape {
  const samples = clipRange(config).count;
  if (config.representation === 'raw') {
    return { steps: Math.floor(samples / config.frame), dims: config.frame };
  }
  const steps = stftFrames(samples, config.hop);
  return { steps, dims: config.representation === 'mfcc' ? config.nMfcc : config.nMels };
}

/**
 * The configuration with settings its representation ignores reset to their defaults and times
 * rounded to whole samples, so that equivalent configurations share one cache.
 */
export function normalizeFeatureConfig(config: FeatureConfig): FeatureConfig {
  const d = DEFAULT_FEATURES;
  const { start, count } = clipRange(config);
  const raw = config.representation === 'raw';
  return {
    start: start / SAMPLE_RATE,
    seconds: count / SAMPLE_RATE,
    representation: config.representation,
    frame: raw ? config.frame : d.frame,
    nFft: raw ? d.nFft : config.nFft,
    hop: raw ? d.hop : config.hop,
    nMels: raw ? d.nMels : config.nMels,
    nMfcc: config.representation === 'mfcc' ? config.nMfcc : d.nMfcc,
    normalization: config.normalization,
    maxPerFamily: config.maxPerFamily,
  };
}

/** Stable name of the cache of a data set (by fingerprint) under a configuration. */
export function featureCacheKey(fingerprint: string, config: FeatureConfig): string {
  const n = normalizeFeatureConfig(config);
  // Keys in a fixed order: JSON.stringify follows insertion order, which normalizeFeatureConfig fixes.
  const text = JSON.stringify({ v: FEATURE_CACHE_VERSION, fingerprint, config: n });
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${n.representation}-${hash}`;
}
