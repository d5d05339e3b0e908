// The New run form's state: what it starts from, what the user typed, and the request it makes.
import type { RunRequest, TrainOverrides } from '../../../src-main/shared/contract';
import { SAMPLE_RATE } from '../../../src-main/shared/constants';
import type { BackendName, PresetName, TrainConfig } from '../../../src-main/shared/training';
import { checkFields, parseNum, type Choices, type FieldState, type NumKey } from './run-checks.svelte';

export { LABELS, type Choices, type FieldState, type NumKey } from './run-checks.svelte';

const MODEL_KEYS = ['hidden', 'layers', 'dropout'] as const;
const FEATURE_KEYS = ['start', 'seconds', 'frame', 'nFft', 'hop', 'nMels', 'nMfcc', 'maxPerFamily'] as const;
const TOP_KEYS = ['lr', 'momentum', 'weightDecay', 'batch', 'epochs', 'patience', 'seed'] as const;

/** A configuration's numeric settings as the form's text. */
export function valuesOf(config: TrainConfig): Record<NumKey, string> {
  const out = {} as Record<NumKey, string>;
  for (const k of MODEL_KEYS) out[k] = String(config.model[k]);
  for (const k of FEATURE_KEYS) out[k] = String(config.features[k]);
  for (const k of TOP_KEYS) out[k] = String(config[k]);
  return out;
}

/** A configuration's select-type settings. */
export function choicesOf(config: TrainConfig): Choices {
  return {
    type: config.model.type,
    activation: config.model.activation,
    readout: config.model.readout,
    optimizer: config.optimizer,
    representation: config.features.representation,
    normalization: config.features.normalization,
  };
}

/**
 * The whole configuration as overrides: the form's values, and for a field the current choices
 * do not use, the base configuration's value when the typed one is not valid.
 */
export function overridesOf(
  values: Record<NumKey, string>,
  choices: Choices,
  fields: Record<NumKey, FieldState>,
  base: TrainConfig,
): TrainOverrides {
  const baseValues = valuesOf(base);
  const v = (k: NumKey) => (fields[k].valid ? parseNum(values[k])! : Number(baseValues[k]));
  return {
    model: {
      type: choices.type,
      activation: choices.activation,
      readout: choices.readout,
      hidden: v('hidden'),
      layers: v('layers'),
      dropout: v('dropout'),
    },
    features: {
      representation: choices.representation,
      normalization: choices.normalization,
      start: v('start'),
      seconds: v('seconds'),
      frame: v('frame'),
      nFft: v('nFft'),
      hop: v('hop'),
      nMels: v('nMels'),
      nMfcc: v('nMfcc'),
      maxPerFamily: v('maxPerFamily'),
    },
    optimizer: choices.optimizer,
    lr: v('lr'),
    momentum: v('momentum'),
    weightDecay: v('weightDecay'),
    batch: v('batch'),
    epochs: v('epochs'),
    patience: v('patience'),
    seed: v('seed'),
  };
}

/** Time steps x values per step a feature configuration gives, or null if it is not valid. */
export function shapeOf(values: Record<NumKey, string>, c: Choices): { steps: number; dims: number } | null {
  const n = (k: NumKey) => parseNum(values[k]);
  const seconds = n('seconds');
  if (seconds === null || seconds <= 0) return null;
  const samples = Math.round(seconds * SAMPLE_RATE);
  if (c.representation === 'raw') {
    const frame = n('frame');
    return frame && frame > 0 ? { steps: Math.floor(samples / frame), dims: frame } : null;
  }
  const hop = n('hop');
  const dims = c.representation === 'mfcc' ? n('nMfcc') : n('nMels');
  return hop && hop > 0 && dims ? { steps: 1 + Math.floor(samples / hop), dims } : null;
}

/** The New run form: a preset or a run to start from, every setting, data set, backend, name. */
export class RunForm {
  preset = $state<PresetName>('seed-lstm');
  base = $state.raw<TrainConfig | null>(null);
  values = $state<Record<NumKey, string>>({} as Record<NumKey, string>);
  choices = $state<Choices>({
    type: 'lstm',
    activation: 'relu',
    readout: 'last',
    optimizer: 'adam',
    representation: 'raw',
    normalization: 'none',
  });
  /** A data set id, or '' for the default set (rendered on first launch if missing). */
  dataset = $state('');
  backend = $state<BackendName | 'auto'>('auto');
  name = $state('');

  fields: Record<NumKey, FieldState> = $derived(checkFields(this.values, this.choices));
  invalid: NumKey[] = $derived((Object.keys(this.fields) as NumKey[]).filter((k) => this.fields[k].error));

  /** Fills every field from a configuration (a preset's or an earlier run's). */
  fill(config: TrainConfig, preset: PresetName): void {
    this.preset = preset;
    this.base = config;
    this.values = valuesOf(config);
    this.choices = choicesOf(config);
  }

  /** Whether a field differs from the configuration the form started from. */
  changed(key: NumKey | keyof Choices): boolean {
    if (!this.base) return false;
    if (key in this.choices)
      return choicesOf(this.base)[key as keyof Choices] !== this.choices[key as keyof Choices];
    const typed = parseNum(this.values[key as NumKey]);
    return typed !== Number(valuesOf(this.base)[key as NumKey]);
  }

  /** The request createRun and validateRun take. */
  request(): RunRequest {
    const overrides = overridesOf(this.values, this.choices, this.fields, this.base!);
    return {
      preset: this.preset,
      overrides,
      dataset: this.dataset ? Number(this.dataset) : undefined,
      name: this.name.trim() || undefined,
      backend: this.backend === 'auto' ? undefined : this.backend,
    };
  }
}
