import { SAMPLE_RATE } from '../../../shared/constants';
import type { FeatureConfig } from '../../../shared/features';
import { featureShapeOf, flatten } from '../../../shared/train-checks';
import { dctMatrix, hannWindow, melFilterbank, RealFft, reflectPad } from '../dsp';
import type { Extractor } from './types';

/** Floor added to the mel power before the log, as the reference does. */
export const LOG_FLOOR = 1e-6;

/**
 * Log mel spectrogram frames (reflect-padded STFT, Hann window, mel filterbank, log), and with
 * `nCoefficients` the DCT-II cepstra of each frame (MFCC); FFT, window, bands and DCT made once.
 */
export function spectralExtractor(config: FeatureConfig, samples: number, nCoefficients?: number): Extractor {
  const { nFft, hop, nMels } = config;
  const { steps } = featureShapeOf({ steps: 'stft', dims: 'nMels' }, flatten({ features: config }), samples);
  const dims = nCoefficients ?? nMels;
  const fft = new RealFft(nFft);
  const window = hannWindow(nFft);
  const bands = melFilterbank(nMels, nFft, SAMPLE_RATE);
  const dct = nCoefficients ? dctMatrix(nCoefficients, nMels) : undefined;
  const frame = new Float64Array(nFft);
  const power = new Float64Array(nFft / 2 + 1);
  const mel = new Float64Array(nMels);
  return (pcm) => {
    const padded = reflectPad(pcm, nFft / 2);
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
