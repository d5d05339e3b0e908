import type { Split } from './constants';

/** How each clip's values are scaled before training. */
export type Normalization = 'none' | 'standard' | 'clip';

/**
 * What a model sees of each note. The defaults reproduce the seed study:
 * the first 1 s as 100 frames of 160 raw samples.
 */
export interface FeatureConfig {
  /** Where the clip starts, seconds into the note. Default 0; 0 to 3.99. */
  start: number;
  /** Clip length in seconds. Default 1; start + seconds at most 4. */
  seconds: number;
  /** `raw`: frames of `frame` samples; `logmel`: log mel spectrogram; `mfcc`: cepstra of it. */
  representation: 'raw' | 'logmel' | 'mfcc';
  /** raw only: samples per time step. Default 160 (100 steps per second). 1 to 16000. */
  frame: number;
  /** logmel/mfcc: FFT size, a power of two. Default 1024; 64 to 8192. */
  nFft: number;
  /** logmel/mfcc: hop between frames in samples. Default 256; 16 to nFft. */
  hop: number;
  /** logmel/mfcc: number of mel bands. Default 64; 8 to 256. */
  nMels: number;
  /** mfcc: number of coefficients kept. Default 20; 2 to nMels. */
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
