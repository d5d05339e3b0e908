// The New run form's state: what it starts from, what the user typed, and the request it makes.
// Which fields there are, their labels and ranges come from trainingOptions() (the schema).
import type { RunRequest, TrainOverrides } from '../../../src-main/shared/contract';
import { clipSamples, featureShapeOf, flatten, setField } from '../../../src-main/shared/train-checks';
import type { FieldDef, FieldKey, TrainingOptions } from '../../../src-main/shared/train-schema';
import type { BackendName, PresetName, TrainConfig } from '../../../src-main/shared/training';
import { checkFields, flatValues, parseNum, type FieldState } from './run-checks.svelte';

export type { FieldState } from './run-checks.svelte';

/** Field values by key, as the form holds them (text for numbers, the word for choices). */
export type FieldTexts = Partial<Record<FieldKey, string>>;

/** A configuration's numeric settings as the form's text. */
export function valuesOf(config: TrainConfig, options: TrainingOptions): FieldTexts {
  const flat = flatten(config);
  const out: FieldTexts = {};
  for (const f of options.fields) if (f.kind !== 'choice') out[f.key] = String(flat[f.key]);
  return out;
}

/** A configuration's select-type settings. */
export function choicesOf(config: TrainConfig, options: TrainingOptions): FieldTexts {
  const flat = flatten(config);
  const out: FieldTexts = {};
  for (const f of options.fields) if (f.kind === 'choice') out[f.key] = String(flat[f.key]);
  return out;
}

/**
 * The whole configuration as overrides: the form's values, and for a field the current choices
 * do not use, the base configuration's value when the typed one is not valid.
 */
export function overridesOf(
  values: FieldTexts,
  choices: FieldTexts,
  fields: Partial<Record<FieldKey, FieldState>>,
  base: TrainConfig,
  options: TrainingOptions,
): TrainOverrides {
  const baseFlat = flatten(base);
  const out: Record<string, unknown> = {};
  for (const f of options.fields) {
    if (f.kind === 'choice') setField(out, f, choices[f.key]);
    else setField(out, f, fields[f.key]?.valid ? parseNum(values[f.key] ?? '') : baseFlat[f.key]);
  }
  return out as TrainOverrides;
}

/** Time steps x values per step a feature configuration gives, or null if it is not valid. */
export function shapeOf(
  values: FieldTexts,
  choices: FieldTexts,
  options: TrainingOptions,
): { steps: number; dims: number } | null {
  const rep = options.representations.find((r) => r.id === choices.representation);
  const flat = flatValues(values, choices);
  const samples = clipSamples(flat);
  if (!rep || samples === null) return null;
  const shape = featureShapeOf(rep, flat, samples);
  return shape.steps > 0 && shape.dims > 0 && Number.isFinite(shape.steps) ? shape : null;
}

/** The New run form: a preset or a run to start from, every setting, data set, backend, name. */
export class RunForm {
  /** The schema with the registered model types and representations (api.trainingOptions()). */
  options = $state.raw<TrainingOptions | null>(null);
  preset = $state<PresetName>('seed-lstm');
  base = $state.raw<TrainConfig | null>(null);
  values = $state<FieldTexts>({});
  choices = $state<FieldTexts>({});
  /** A data set id, or '' for the default set (rendered on first launch if missing). */
  dataset = $state('');
  backend = $state<BackendName | 'auto'>('auto');
  name = $state('');

  fields: Partial<Record<FieldKey, FieldState>> = $derived(
    checkFields(this.values, this.choices, this.options),
  );
  invalid: FieldKey[] = $derived(
    (Object.keys(this.fields) as FieldKey[]).filter((k) => this.fields[k]!.error),
  );

  /** The schema's field of a key. */
  field(key: FieldKey): FieldDef {
    return this.options!.fields.find((f) => f.key === key)!;
  }

  /** Fills every field from a configuration (a preset's or an earlier run's). */
  fill(config: TrainConfig, preset: PresetName): void {
    this.preset = preset;
    this.base = config;
    this.values = valuesOf(config, this.options!);
    this.choices = choicesOf(config, this.options!);
  }

  /** Whether a field differs from the configuration the form started from. */
  changed(key: FieldKey): boolean {
    if (!this.base || !this.options) return false;
    const base = flatten(this.base)[key];
    if (this.field(key).kind === 'choice') return String(base) !== this.choices[key];
    return parseNum(this.values[key] ?? '') !== base;
  }

  /** The request createRun and validateRun take. */
  request(): RunRequest {
    const overrides = overridesOf(this.values, this.choices, this.fields, this.base!, this.options!);
    return {
      preset: this.preset,
      overrides,
      dataset: this.dataset ? Number(this.dataset) : undefined,
      name: this.name.trim() || undefined,
      backend: this.backend === 'auto' ? undefined : this.backend,
    };
  }
}
