/** NSynth's instrument families, index = instrument_family. */
export const FAMILIES = [
  'bass',
  'brass',
  'flute',
  'guitar',
  'keyboard',
  'mallet',
  'organ',
  'reed',
  'string',
  'synth_lead',
  'vocal',
] as const;
export type Family = (typeof FAMILIES)[number];

/**
 * One fixed colour per instrument family, everywhere a family appears. Colour-blind-safe:
 * Okabe-Ito's eight plus three from Paul Tol's muted set.
 */
export const FAMILY_COLORS: Readonly<Record<string, string>> = {
  bass: '#0072B2',
  brass: '#E69F00',
  flute: '#56B4E9',
  guitar: '#009E73',
  keyboard: '#D55E00',
  mallet: '#CC79A7',
  organ: '#882255',
  reed: '#999933',
  string: '#332288',
  synth_lead: '#F0E442',
  vocal: '#117733',
};

/**
 * One fixed colour per run inside a comparison (up to 10), the same in every chart and table
 * of that view: Tol's bright + vibrant sets, distinct from each other in both themes.
 */
export const RUN_COLORS: readonly string[] = [
  '#4477AA',
  '#EE6677',
  '#228833',
  '#CCBB44',
  '#66CCEE',
  '#AA3377',
  '#EE7733',
  '#009988',
  '#BBBBBB',
  '#997700',
];

/** NSynth's instrument sources, index = instrument_source. */
export const SOURCES = ['acoustic', 'electronic', 'synthetic'] as const;
export type Source = (typeof SOURCES)[number];

/** NSynth's note qualities, index = position in the `qualities` bit vector. */
export const QUALITIES = [
  'bright',
  'dark',
  'distortion',
  'fast_decay',
  'long_release',
  'multiphonic',
  'nonlinear_env',
  'percussive',
  'reverb',
  'tempo-synced',
] as const;

export const SPLITS = ['train', 'valid', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Audio format of every NSynth note. */
export const SAMPLE_RATE = 16000;
export const NOTE_SECONDS = 4;
export const NOTE_SAMPLES = SAMPLE_RATE * NOTE_SECONDS;
/** NSynth holds each note for 3 s, then releases it for 1 s. */
export const HOLD_SECONDS = 3;
export const VELOCITIES = [25, 50, 75, 100, 127] as const;

/** Name of the data set the app renders for itself on first use. */
export const DEFAULT_DATASET_NAME = 'default';
/** Name of the default set's cross-SoundFont twin (one font held out for valid and test). */
export const CROSS_FONT_DATASET_NAME = 'default-by-soundfont';
