import { spectralExtractor } from './spectral';
import type { RepresentationDef } from './types';

/** Log mel spectrogram frames. */
export const logmelRepresentation: RepresentationDef = {
  id: 'logmel',
  label: 'log-mel',
  description: 'Log mel spectrogram: one frame of nMels bands every hop samples',
  uses: ['nFft', 'hop', 'nMels'],
  steps: 'stft',
  dims: 'nMels',
  summary: (f) => `logmel ${f.nMels} mels`,
  extractor: (config, samples) => spectralExtractor(config, samples),
};
