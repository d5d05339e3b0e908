// The New run form's checks: every range, message and "used by" comes from trainingOptions() and
// the shared checks (shared/train-checks.ts), the same ones core validation runs on submit.
import {
  fieldProblem,
  isUsed,
  rangeHint,
  rangeOf,
  usersText,
  type FlatValues,
} from '../../../src-main/shared/train-checks';
import type { FieldDef, FieldKey, TrainingOptions } from '../../../src-main/shared/train-schema';

/** What a field says next to it: its range, and an error when the value is outside it. */
export interface FieldState {
  hint: string;
  error: string | null;
  /** Not used by the current model / optimizer / representation. */
  off: string | null;
  /** The value is in range, whether or not the field is used. */
  valid: boolean;
}

/** The value of a field as typed, or null when it is not a number at all. */
export function parseNum(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  return Number(t);
}

/** The form's values by field key: numbers as typed (null when not a number), choices as picked. */
export function flatValues(
  values: Partial<Record<FieldKey, string>>,
  choices: Partial<Record<FieldKey, string>>,
): FlatValues {
  const flat: FlatValues = { ...choices };
  for (const [key, text] of Object.entries(values)) flat[key as FieldKey] = parseNum(text ?? '');
  return flat;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A numeric field's hint and error, given all current values (some ranges depend on others). */
export function checkField(
  field: FieldDef,
  text: string,
  flat: FlatValues,
  options: TrainingOptions,
): FieldState {
  const range = rangeOf(field, flat, options);
  const problem = fieldProblem(field, flat, options);
  let error: string | null = null;
  if (problem) {
    const typed = parseNum(text);
    // "Required: a whole number from 1 to 4096" for an empty field, "Not a number: ..." for letters.
    error =
      typed === null && problem.startsWith('must be ')
        ? `${text.trim() === '' ? 'Required' : 'Not a number'}: ${problem.slice('must be '.length)}`
        : capitalized(problem);
  }
  const off = isUsed(field, flat) ? null : (usersText(field, options) ?? 'not used');
  return {
    hint: [rangeHint(range), field.note].filter(Boolean).join('; '),
    error: off ? null : error,
    off,
    valid: error === null,
  };
}

/** Every numeric field's state. */
export function checkFields(
  values: Partial<Record<FieldKey, string>>,
  choices: Partial<Record<FieldKey, string>>,
  options: TrainingOptions | null,
): Partial<Record<FieldKey, FieldState>> {
  if (!options) return {};
  const flat = flatValues(values, choices);
  const out: Partial<Record<FieldKey, FieldState>> = {};
  for (const field of options.fields) {
    if (field.kind !== 'choice') out[field.key] = checkField(field, values[field.key] ?? '', flat, options);
  }
  return out;
}

/** Whether a choice field is ignored by the other current choices: which ones use it, or null. */
export function choiceOff(
  field: FieldDef,
  choices: Partial<Record<FieldKey, string>>,
  options: TrainingOptions,
): string | null {
  return isUsed(field, choices) ? null : (usersText(field, options) ?? 'not used');
}
