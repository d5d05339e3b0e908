// The training configuration's schema: every setting's key, label, help, default and range, once.
// Plain data (no runtime imports beyond shared/): core validation, the API's argument shapes, the
// CLI's flags and --help, and the New run form's labels and inline checks all read it. Model types
// and feature representations are registries in core; trainingOptions() joins them to these fields.
import type { TrainConfig } from './training';

/** Every setting's key; unique across the model, training and feature sections. */
export type FieldKey =
  | keyof TrainConfig['model']
  | Exclude<keyof TrainConfig, 'model' | 'features'>
  | keyof TrainConfig['features'];

/** Where in a TrainConfig a field lives (and the form group that shows it). */
export type FieldSection = 'model' | 'training' | 'features';

/** A field's value type: a whole number, any finite number, or one word of a list. */
export type FieldKind = 'int' | 'number' | 'choice';

/** One allowed word of a choice field. */
export interface FieldChoice {
  value: string;
  label: string;
  /** Shown beside the select when this value is picked. */
  hint?: string;
}

/** A narrower range one model type allows for a setting (e.g. a CNN's 1-4 layers). */
export interface FieldNarrowing {
  min?: number;
  max?: number;
}

/** Which choices use a field; a list left out means every one does. */
export interface FieldUsers {
  modelTypes?: string[];
  representations?: string[];
  optimizers?: string[];
  /** Normalizations under which the field does anything (gain: not per clip). */
  normalizations?: string[];
}

/** One setting of a TrainConfig. */
export interface FieldDef {
  key: FieldKey;
  section: FieldSection;
  /** The CLI flag, without the dashes. */
  flag: string;
  label: string;
  help: string;
  kind: FieldKind;
  default: number | string;
  min?: number;
  max?: number;
  /** The minimum itself is not allowed. */
  openMin?: boolean;
  /** Only powers of two. */
  pow2?: boolean;
  unit?: string;
  /** Said after the range, e.g. "0 = off". */
  note?: string;
  /** Allowed words (choice fields); model types and representations are filled from the registries. */
  choices?: FieldChoice[];
  /** Which model types / representations / optimizers read the field (filled by trainingOptions). */
  usedBy?: FieldUsers;
}

/** A registered model type as the shells see it. */
export interface ModelTypeInfo {
  id: string;
  label: string;
  description: string;
  /** The model fields it reads; the others are ignored. */
  uses: FieldKey[];
  /** Ranges narrower than the field's own for this type. */
  narrow: Partial<Record<FieldKey, FieldNarrowing>>;
}

/** A registered feature representation as the shells see it. */
export interface RepresentationInfo {
  id: string;
  label: string;
  description: string;
  /** The representation-specific feature fields it reads (start, seconds, normalization... are common). */
  uses: FieldKey[];
  /** Time steps of a clip: frames of `frame` samples, or one STFT frame per `hop` (torch.stft, center=True). */
  steps: 'frames' | 'stft';
  /** The field that says how many values each step has (frame, nMels, nMfcc...). */
  dims: FieldKey;
}

/** What the New run form, the CLI's --help and validation learn about the settings. */
export interface TrainingOptions {
  /** Every setting in form order, choices and users filled from the registries. */
  fields: FieldDef[];
  modelTypes: ModelTypeInfo[];
  representations: RepresentationInfo[];
}

import { TRAIN_FIELDS } from './train-fields';

export { DEFAULT_TRAIN_CONFIG, TRAIN_FIELDS } from './train-fields';

/** The ids of `list` that use `key`; undefined when all do, or (unless `always`) when none does. */
function users(list: { id: string; uses: string[] }[], key: string, always: boolean): string[] | undefined {
  const ids = list.filter((x) => x.uses.includes(key)).map((x) => x.id);
  return ids.length === list.length || (!always && ids.length === 0) ? undefined : ids;
}

/**
 * The schema joined with the registries: the model type and representation choices filled in, and
 * each field marked with the types / representations that read it (when not all of them do).
 */
export function joinRegistries(
  modelTypes: ModelTypeInfo[],
  representations: RepresentationInfo[],
): TrainingOptions {
  const fields = TRAIN_FIELDS.map((f): FieldDef => {
    const usedBy: FieldUsers = { ...f.usedBy };
    if (f.section === 'model' && f.key !== 'type') usedBy.modelTypes = users(modelTypes, f.key, true);
    if (f.section === 'features') usedBy.representations = users(representations, f.key, false);
    for (const k of ['modelTypes', 'representations', 'optimizers', 'normalizations'] as const)
      if (usedBy[k] === undefined) delete usedBy[k];
    const choices =
      f.key === 'type'
        ? modelTypes.map((t) => ({ value: t.id, label: t.label }))
        : f.key === 'representation'
          ? representations.map((r) => ({ value: r.id, label: r.label }))
          : f.choices?.map((c) => ({ ...c }));
    const field: FieldDef = { ...f, choices };
    if (!choices) delete field.choices;
    if (Object.keys(usedBy).length) field.usedBy = usedBy;
    else delete field.usedBy;
    return field;
  });
  return { fields, modelTypes, representations };
}
