import { describe, expect, it } from 'vitest';
import { trainingOptions } from '../../src-main/core/training/options';
import {
  fieldOf,
  fieldProblem,
  flatten,
  rangeHint,
  rangeOf,
  usersText,
  isUsed,
  type FlatValues,
} from '../../src-main/shared/train-checks';
import { DEFAULT_TRAIN_CONFIG, type FieldKey } from '../../src-main/shared/train-schema';

const options = trainingOptions();
const values = (extra: FlatValues): FlatValues => ({ ...flatten(DEFAULT_TRAIN_CONFIG), ...extra });
const problem = (key: FieldKey, extra: FlatValues) =>
  fieldProblem(fieldOf(options, key), values(extra), options);

describe('the shared checks', () => {
  it('apply the cross-field rules only where the field is used', () => {
    expect(problem('hop', { representation: 'logmel', nFft: 512, hop: 1024 })).toBe(
      'must be a whole number from 16 to 512 (at most the FFT size)',
    );
    expect(problem('hop', { representation: 'raw', nFft: 512, hop: 1024 })).toBeNull();
    expect(problem('nMfcc', { representation: 'mfcc', nMels: 16, nMfcc: 20 })).toBe(
      'must be a whole number from 2 to 16 (at most the mel bands)',
    );
    expect(problem('nMfcc', { representation: 'logmel', nMels: 16, nMfcc: 20 })).toBeNull();
    expect(problem('seconds', { start: 3.5, seconds: 1 })).toBe(
      'must be a number from 0.01 to 0.5 s (start + seconds at most 4 s)',
    );
    expect(problem('frame', { seconds: 0.01, frame: 400 })).toBe(
      'must be a whole number from 1 to 160 (the clip has 160 samples)',
    );
    expect(problem('nFft', { representation: 'mfcc', seconds: 0.05, nFft: 2048 })).toBe(
      'needs a clip of more than 1024 samples; the clip has 800',
    );
    expect(problem('nFft', { representation: 'logmel', nFft: 1000 })).toBe(
      'must be a power of two from 64 to 8192',
    );
  });

  it('narrow a model field by the type and say so', () => {
    const layers = fieldOf(options, 'layers');
    expect(rangeHint(rangeOf(layers, values({ type: 'cnn' }), options))).toBe('1–4');
    expect(rangeHint(rangeOf(layers, values({ type: 'lstm' }), options))).toBe('1–8');
    expect(problem('layers', { type: 'cnn', layers: 6 })).toBe('must be a whole number from 1 to 4 for cnn');
    expect(problem('type', { type: 'transformer' })).toMatch(/^must be one of mlp, cnn, lstm, blstm/);
    expect(problem('lr', { lr: 0 })).toBe('must be a number above 0 and at most 10');
    expect(problem('seed', { seed: '1' })).toBe('must be a whole number from 0 to 2147483647');
  });

  it('say which choices use a field', () => {
    expect(usersText(fieldOf(options, 'momentum'), options)).toBe('SGD only');
    expect(usersText(fieldOf(options, 'nMfcc'), options)).toBe('MFCC only');
    expect(usersText(fieldOf(options, 'frame'), options)).toBe('raw only');
    expect(usersText(fieldOf(options, 'activation'), options)).toBe('MLP / CNN / CNN2D only');
    expect(usersText(fieldOf(options, 'readout'), options)).toBe('not for MLP');
    expect(usersText(fieldOf(options, 'batch'), options)).toBeNull();
    const gain = fieldOf(options, 'gain');
    expect(usersText(gain, options)).toBe('not with per clip normalization');
    expect(isUsed(gain, values({ normalization: 'clip' }))).toBe(false);
    expect(isUsed(gain, values({ normalization: 'standard' }))).toBe(true);
  });
});
