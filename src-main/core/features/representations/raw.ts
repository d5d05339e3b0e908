import type { RepresentationDef } from './types';

/** The seed's input: the clip cut into frames of `frame` raw samples. */
export const rawRepresentation: RepresentationDef = {
  id: 'raw',
  label: 'raw',
  description: 'Frames of raw samples (the seed: 100 x 160 for 1 s)',
  uses: ['frame'],
  steps: 'frames',
  dims: 'frame',
  summary: (f) => `raw ${f.frame}-sample frames`,
  extractor: (config, samples) => {
    const length = Math.floor(samples / config.frame) * config.frame;
    return (pcm) => pcm.slice(0, length);
  },
};
