// Checks of training settings against the schema, the same for core, the CLI and the New run form:
// one message text per problem ("must be a whole number from 1 to 4 for cnn").
import { NOTE_SECONDS, SAMPLE_RATE } from './constants';
import type { FieldDef, FieldKey, RepresentationInfo, TrainingOptions } from './train-schema';
import type { TrainConfig } from './training';

/** Settings by field key: a TrainConfig flattened, or what a form or flags hold. */
export type FlatValues = Partial<Record<FieldKey, unknown>>;

/** A configuration's (or overrides') values by field key; missing sections give missing keys. */
export function flatten(config: {
  model?: Partial<TrainConfig['model']>;
  features?: Partial<TrainConfig['features']>;
}): FlatValues {
  const { model, features, ...top } = config as Record<string, unknown> & typeof config;
  return { ...top, ...model, ...features } as FlatValues;
}

/** Writes one field's value into a configuration-shaped object (its section created on demand). */
export function setField(target: Record<string, unknown>, field: FieldDef, value: unknown): void {
  if (field.section === 'training') target[field.key] = value;
  else ((target[field.section] ??= {}) as Record<string, unknown>)[field.key] = value;
}

/** What a numeric field allows, given the other values; `why` says what narrowed it. */
export interface FieldRange {
  min: number;
  max: number;
  int: boolean;
  openMin?: boolean;
  pow2?: boolean;
  unit?: string;
  why?: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const inStaticRange = (f: FieldDef, v: unknown): boolean =>
  num(v) !== null && (v as number) >= f.min! && (v as number) <= f.max!;

/** The field of a key; throws for a key the schema does not have (a programming error). */
export function fieldOf(options: TrainingOptions, key: FieldKey): FieldDef {
  const f = options.fields.find((x) => x.key === key);
  if (!f) throw new Error(`no training setting "${key}"`);
  return f;
}

/** Whether the current model type, representation, optimizer and normalization use this field. */
export function isUsed(field: FieldDef, values: FlatValues): boolean {
  const u = field.usedBy;
  if (!u) return true;
  if (u.modelTypes && !u.modelTypes.includes(values.type as string)) return false;
  if (u.representations && !u.representations.includes(values.representation as string)) return false;
  if (u.normalizations && !u.normalizations.includes(values.normalization as string)) return false;
  return !u.optimizers || u.optimizers.includes(values.optimizer as string);
}

/** For a field some choices ignore, which ones use it: "SGD only", "not for MLP" (null when all do). */
export function usersText(field: FieldDef, options: TrainingOptions): string | null {
  const u = field.usedBy;
  if (!u) return null;
  const lists: [string[] | undefined, FieldKey][] = [
    [u.modelTypes, 'type'],
    [u.representations, 'representation'],
    [u.optimizers, 'optimizer'],
    [u.normalizations, 'normalization'],
  ];
  for (const [ids, key] of lists) {
    if (!ids) continue;
    const all = choiceValues(fieldOf(options, key));
    // Model types and optimizers as acronyms (MLP, SGD: their labels are long or lowercase),
    // representations by label (log-mel, MFCC).
    const name = (id: string) =>
      key === 'representation' || key === 'normalization'
        ? (fieldOf(options, key).choices?.find((c) => c.value === id)?.label ?? id)
        : id.toUpperCase();
    const others = all.filter((id) => !ids.includes(id));
    if (key === 'normalization')
      return `not with ${others.map((id) => `${name(id)} normalization`).join(' / ')}`;
    if (ids.length > 1 && others.length < ids.length) return `not for ${others.map(name).join(' / ')}`;
    return ids.length ? `${ids.map(name).join(' / ')} only` : 'not used';
  }
  return null;
}

/** The clip's length in samples, when `seconds` is a usable number. */
export function clipSamples(values: FlatValues): number | null {
  const s = num(values.seconds);
  return s !== null && s > 0 ? Math.round(s * SAMPLE_RATE) : null;
}

/** The range a numeric field allows given the other values (model type narrowing, cross-field rules). */
export function rangeOf(field: FieldDef, values: FlatValues, options: TrainingOptions): FieldRange {
  const r: FieldRange = {
    min: field.min!,
    max: field.max!,
    int: field.kind === 'int',
    openMin: field.openMin,
    pow2: field.pow2,
    unit: field.unit,
  };
  if (!isUsed(field, values)) return r;
  const type = options.modelTypes.find((t) => t.id === values.type);
  const narrow = field.section === 'model' ? type?.narrow[field.key] : undefined;
  if (narrow) return { ...r, min: narrow.min ?? r.min, max: narrow.max ?? r.max, why: `for ${type!.id}` };
  const other = (key: FieldKey) => {
    const f = fieldOf(options, key);
    const v = values[key];
    return inStaticRange(f, v) && (!f.pow2 || ((v as number) & ((v as number) - 1)) === 0)
      ? (v as number)
      : null;
  };
  const samples = clipSamples(values);
  const start = other('start');
  if (field.key === 'seconds' && start !== null)
    return {
      ...r,
      max: +(NOTE_SECONDS - start).toFixed(6),
      why: `(start + seconds at most ${NOTE_SECONDS} s)`,
    };
  const seconds = other('seconds');
  if (field.key === 'shift' && start !== null && seconds !== null)
    return {
      ...r,
      max: Math.max(0, +(NOTE_SECONDS - start - seconds).toFixed(6)),
      why: `(start + seconds + shift at most ${NOTE_SECONDS} s)`,
    };
  if (field.key === 'evalClips' && other('shift') === 0)
    return { ...r, max: 1, why: '(more need a Random start)' };
  if (field.key === 'frame' && samples !== null && samples < r.max)
    return { ...r, max: samples, why: `(the clip has ${samples} samples)` };
  if (field.key === 'hop' && other('nFft') !== null)
    return { ...r, max: other('nFft')!, why: '(at most the FFT size)' };
  if (field.key === 'nMfcc' && other('nMels') !== null)
    return { ...r, max: other('nMels')!, why: '(at most the mel bands)' };
  return r;
}

const fmt = (n: number) => (n === Number.MAX_SAFE_INTEGER ? '∞' : String(+n.toFixed(6)));

/** The allowed values in words: "a whole number from 1 to 4 for cnn". */
export function rangeWords(r: FieldRange): string {
  const u = r.unit ? ` ${r.unit}` : '';
  const why = r.why ? ` ${r.why}` : '';
  if (r.pow2) return `a power of two from ${fmt(r.min)} to ${fmt(r.max)}${why}`;
  if (r.openMin) return `a number above ${fmt(r.min)} and at most ${fmt(r.max)}${u}${why}`;
  if (r.max === Number.MAX_SAFE_INTEGER) return `a whole number, ${fmt(r.min)} or more${why}`;
  return `a ${r.int ? 'whole number' : 'number'} from ${fmt(r.min)} to ${fmt(r.max)}${u}${why}`;
}

/** The allowed values in short, for a hint beside a field: "1–4", "2ⁿ, 64–8192", "> 0, ≤ 10". */
export function rangeHint(r: FieldRange): string {
  const u = r.unit ? ` ${r.unit}` : '';
  if (r.pow2) return `2ⁿ, ${fmt(r.min)}–${fmt(r.max)}`;
  if (r.openMin) return `> ${fmt(r.min)}, ≤ ${fmt(r.max)}${u}`;
  if (r.max === Number.MAX_SAFE_INTEGER) return `≥ ${fmt(r.min)}`;
  return `${fmt(r.min)}–${fmt(r.max)}${u}`;
}

/** What is wrong with a number for a range ("must be ..."), or null. */
export function numberProblem(value: unknown, r: FieldRange): string | null {
  const v = num(value);
  const ok =
    v !== null &&
    (r.openMin ? v > r.min : v >= r.min) &&
    v <= r.max + 1e-9 &&
    (!r.int || Number.isInteger(v)) &&
    (!r.pow2 || (v & (v - 1)) === 0);
  return ok ? null : `must be ${rangeWords(r)}`;
}

/** The words a choice field allows. */
export function choiceValues(field: FieldDef): string[] {
  return (field.choices ?? []).map((c) => c.value);
}

/** What is wrong with one field's value given the others ("must be ..."), or null. */
export function fieldProblem(field: FieldDef, values: FlatValues, options: TrainingOptions): string | null {
  const value = values[field.key];
  if (field.kind === 'choice') {
    const allowed = choiceValues(field);
    return allowed.includes(value as string) ? null : `must be one of ${allowed.join(', ')}`;
  }
  const problem = numberProblem(value, rangeOf(field, values, options));
  if (problem) return problem;
  // torch.stft's reflect padding of nFft/2 needs a clip longer than that.
  const samples = clipSamples(values);
  if (field.key === 'nFft' && isUsed(field, values) && samples !== null && (value as number) / 2 >= samples)
    return `needs a clip of more than ${(value as number) / 2} samples; the clip has ${samples}`;
  return null;
}

/** A value as a message quotes it: numbers bare, anything else as JSON. */
export function quoted(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** A field's problem: `problem` is "must be ...", `message` is "<key> <problem> (got <value>)". */
export interface SettingProblem {
  field: FieldDef;
  problem: string;
  message: string;
}

/** The first problem among the given fields (default: all, in schema order), or null. */
export function firstProblem(
  values: FlatValues,
  options: TrainingOptions,
  only: (f: FieldDef) => boolean = () => true,
): SettingProblem | null {
  for (const field of options.fields.filter(only)) {
    const problem = fieldProblem(field, values, options);
    if (problem)
      return { field, problem, message: `${field.key} ${problem} (got ${quoted(values[field.key])})` };
  }
  return null;
}

/** Time steps x values per step of a clip of `samples` samples under a representation's declared layout. */
export function featureShapeOf(
  rep: Pick<RepresentationInfo, 'steps' | 'dims'>,
  values: FlatValues,
  samples: number,
): { steps: number; dims: number } {
  // torch.stft with center=True pads nFft/2 on both sides: one frame per hop, plus one.
  const steps =
    rep.steps === 'frames'
      ? Math.floor(samples / (values.frame as number))
      : 1 + Math.floor(samples / (values.hop as number));
  return { steps, dims: values[rep.dims] as number };
}
