import type { Split } from './constants';

/** How each clip's values can be scaled before training. */
export const NORMALIZATIONS = ['none', 'standard', 'clip'] as const;
/** How each clip's values are scaled before training. */
export type Normalization = (typeof NORMALIZATIONS)[number];

/** A registered feature representation's id (raw, logmel, mfcc): core/features/representations lists them. */
export type RepresentationId = string;

/**
 * What a model sees of each note. The defaults reproduce the seed study: the first 1 s as 100 frames
 * of 160 raw samples. Ranges, labels and help of every field: shared/train-fields.ts.
 */
export interface FeatureConfig {
  /** Where the clip starts, seconds into the note. */
  start: number;
  /** Clip length in seconds. */
  seconds: number;
  /** `raw`: frames of `frame` samples; `logmel`: log mel spectrogram; `mfcc`: cepstra of it. */
  representation: RepresentationId;
  /** raw: samples per time step. */
  frame: number;
  /** logmel/mfcc: FFT size. */
  nFft: number;
  /** logmel/mfcc: hop between frames in samples. */
  hop: number;
  /** logmel/mfcc: number of mel bands. */
  nMels: number;
  /** mfcc: number of coefficients kept. */
  nMfcc: number;
  /** `standard`: per-dimension mean/std of the train split; `clip`: each clip to mean 0, std 1. */
  normalization: Normalization;
  /** Keep at most this many notes per family per split (0 = all), a balanced subset. */
  maxPerFamily: number;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  start: 0,
  seconds: 1,
  representation: 'raw',
  frame: 160,
  nFft: 1024,
  hop: 256,
  nMels: 64,
  nMfcc: 20,
  normalization: 'none',
  maxPerFamily: 0,
};

/** Shape of one note's features: time steps x values per step. */
export interface FeatureShape {
  steps: number;
  dims: number;
}

/** A computed feature cache, as its meta.json describes it. */
export interface FeatureCacheInfo {
  dir: string;
  key: string;
  fingerprint: string;
  config: FeatureConfig;
  shape: FeatureShape;
  splits: Partial<Record<Split, { notes: number }>>;
}
