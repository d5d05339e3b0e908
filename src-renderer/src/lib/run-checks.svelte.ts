// The New run form's checks. The ranges mirror the doc comments of shared/training.ts and
// shared/features.ts; the server checks again on submit.
import { NOTE_SECONDS, SAMPLE_RATE } from '../../../src-main/shared/constants';
import type { FeatureConfig } from '../../../src-main/shared/features';
import type { ModelSpec, TrainConfig } from '../../../src-main/shared/training';

export type NumKey =
  | 'hidden'
  | 'layers'
  | 'dropout'
  | 'lr'
  | 'momentum'
  | 'weightDecay'
  | 'batch'
  | 'epochs'
  | 'patience'
  | 'seed'
  | 'start'
  | 'seconds'
  | 'frame'
  | 'nFft'
  | 'hop'
  | 'nMels'
  | 'nMfcc'
  | 'maxPerFamily';

/** The select-type settings. */
export interface Choices {
  type: ModelSpec['type'];
  activation: ModelSpec['activation'];
  readout: ModelSpec['readout'];
  optimizer: TrainConfig['optimizer'];
  representation: FeatureConfig['representation'];
  normalization: FeatureConfig['normalization'];
}

/** A numeric field's allowed values. */
interface Bounds {
  min: number;
  max: number;
  int?: boolean;
  /** The minimum itself is not allowed. */
  openMin?: boolean;
  pow2?: boolean;
  unit?: string;
}

/** What a field says next to it: its range, and an error when the value is outside it. */
export interface FieldState {
  hint: string;
  error: string | null;
  /** Not used by the current model / optimizer / representation. */
  off: string | null;
  /** The value is in range, whether or not the field is used. */
  valid: boolean;
}

/** Human labels of the numeric fields (the server's names in its messages, capitalized). */
export const LABELS: Record<NumKey, string> = {
  hidden: 'Hidden units',
  layers: 'Layers',
  dropout: 'Dropout',
  lr: 'Learning rate',
  momentum: 'Momentum',
  weightDecay: 'Weight decay',
  batch: 'Batch',
  epochs: 'Epochs',
  patience: 'Patience',
  seed: 'Seed',
  start: 'Start',
  seconds: 'Seconds',
  frame: 'Frame',
  nFft: 'FFT size',
  hop: 'Hop',
  nMels: 'Mel bands',
  nMfcc: 'MFCCs',
  maxPerFamily: 'Max per family',
};

const fmt = (n: number) => (n === Number.MAX_SAFE_INTEGER ? '∞' : String(+n.toFixed(6)));

// Short, for the hint beside a field; the error says it in words.
function rangeText(b: Bounds): string {
  const u = b.unit ? ` ${b.unit}` : '';
  if (b.pow2) return `2ⁿ, ${fmt(b.min)}–${fmt(b.max)}`;
  if (b.openMin) return `> ${fmt(b.min)}, ≤ ${fmt(b.max)}${u}`;
  if (b.max === Number.MAX_SAFE_INTEGER) return `≥ ${fmt(b.min)}`;
  return `${fmt(b.min)}–${fmt(b.max)}${u}`;
}

function errorText(b: Bounds): string {
  const u = b.unit ? ` ${b.unit}` : '';
  if (b.pow2) return `Must be a power of two from ${fmt(b.min)} to ${fmt(b.max)}`;
  if (b.openMin) return `Must be above ${fmt(b.min)} and at most ${fmt(b.max)}${u}`;
  if (b.max === Number.MAX_SAFE_INTEGER) return `Must be a whole number, ${fmt(b.min)} or more`;
  return `Must be a ${b.int ? 'whole number' : 'number'} from ${fmt(b.min)} to ${fmt(b.max)}${u}`;
}

/** The value of a field as typed, or null when it is not a number at all. */
export function parseNum(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

function checkValue(text: string, b: Bounds): string | null {
  const v = parseNum(text);
  if (v === null)
    return `${text.trim() === '' ? 'Required' : 'Not a number'}: ${errorText(b).replace(/^Must be a/, 'a')}`;
  const inRange = (b.openMin ? v > b.min : v >= b.min) && v <= b.max + 1e-9;
  if (!inRange || (b.int && !Number.isInteger(v)) || (b.pow2 && (v & (v - 1)) !== 0)) return errorText(b);
  return null;
}

/** Every numeric field's hint and error, given all current values (some ranges depend on others). */
export function checkFields(values: Record<NumKey, string>, c: Choices): Record<NumKey, FieldState> {
  const n = (k: NumKey) => parseNum(values[k]);
  const start = n('start');
  const seconds = n('seconds');
  const maxSeconds =
    start !== null && start >= 0 && start <= 3.99 ? +(NOTE_SECONDS - start).toFixed(6) : NOTE_SECONDS;
  const samples = seconds !== null && seconds > 0 ? Math.round(seconds * SAMPLE_RATE) : 16000;
  const nFft = n('nFft');
  const nMels = n('nMels');
  const spectral = c.representation !== 'raw';
  const bounds: Record<NumKey, Bounds> = {
    hidden: { min: 1, max: 4096, int: true },
    layers: { min: 1, max: 8, int: true },
    dropout: { min: 0, max: 0.9 },
    lr: { min: 0, max: 10, openMin: true },
    momentum: { min: 0, max: 0.999 },
    weightDecay: { min: 0, max: 1 },
    batch: { min: 1, max: 4096, int: true },
    epochs: { min: 1, max: 10000, int: true },
    patience: { min: 0, max: 10000, int: true },
    seed: { min: 0, max: 2 ** 31 - 1, int: true },
    start: { min: 0, max: 3.99, unit: 's' },
    seconds: { min: 0.01, max: maxSeconds, unit: 's' },
    frame: { min: 1, max: Math.min(16000, samples), int: true },
    nFft: { min: 64, max: 8192, int: true, pow2: true },
    hop: { min: 16, max: nFft !== null && nFft >= 64 && nFft <= 8192 ? nFft : 8192, int: true },
    nMels: { min: 8, max: 256, int: true },
    nMfcc: { min: 2, max: nMels !== null && nMels >= 8 && nMels <= 256 ? nMels : 256, int: true },
    maxPerFamily: { min: 0, max: Number.MAX_SAFE_INTEGER, int: true },
  };
  const off: Partial<Record<NumKey, string>> = {
    momentum: c.optimizer === 'sgd' ? undefined : 'SGD only',
    frame: c.representation === 'raw' ? undefined : 'raw only',
    nFft: spectral ? undefined : 'log-mel, MFCC',
    hop: spectral ? undefined : 'log-mel, MFCC',
    nMels: spectral ? undefined : 'log-mel, MFCC',
    nMfcc: c.representation === 'mfcc' ? undefined : 'MFCC only',
  };
  const hints: Partial<Record<NumKey, string>> = {
    patience: '0 = off',
    maxPerFamily: '0 = all notes',
  };
  const out = {} as Record<NumKey, FieldState>;
  for (const key of Object.keys(bounds) as NumKey[]) {
    const b = bounds[key];
    const disabled = off[key] ?? null;
    let error = checkValue(values[key], b);
    // torch.stft's reflect padding needs a clip longer than half the FFT.
    if (!error && key === 'nFft' && nFft !== null && nFft / 2 >= samples) {
      error = `Needs a clip of more than ${nFft / 2} samples; this clip has ${samples}`;
    }
    out[key] = {
      hint: [rangeText(b), hints[key]].filter(Boolean).join('; '),
      error: disabled ? null : error,
      off: disabled,
      valid: error === null,
    };
  }
  return out;
}
