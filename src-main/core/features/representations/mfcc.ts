import { spectralExtractor } from './spectral';
import type { RepresentationDef } from './types';

/** Mel-frequency cepstral coefficients of the log mel frames. */
export const mfccRepresentation: RepresentationDef = {
  id: 'mfcc',
  label: 'MFCC',
  description: 'MFCCs: the first nMfcc DCT coefficients of each log mel frame',
  uses: ['nFft', 'hop', 'nMels', 'nMfcc'],
  steps: 'stft',
  dims: 'nMfcc',
  summary: (f) => `mfcc ${f.nMfcc} of ${f.nMels} mels`,
  extractor: (config, samples) => spectralExtractor(config, samples, config.nMfcc),
};
