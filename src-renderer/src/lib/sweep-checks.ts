// The sweep form's inline checks: a varied setting's values or range against the setting's own range
// (shared/train-checks, the same rules core runs), and the sweep's own whole-number settings.
// planSweep checks everything again and has the last word; these only say early what is wrong.
import { fieldProblem, rangeHint, rangeOf, type FlatValues } from '../../../src-main/shared/train-checks';
import type { FieldDef, TrainingOptions } from '../../../src-main/shared/train-schema';
import type { SweepDistribution } from '../../../src-main/shared/sweeps';
import { parseNum } from './run-checks.svelte';

/** A numeric setting varies over listed values (a grid) or a range (random draws). */
export type VaryMode = 'list' | 'range';

/** How one setting varies, as the form holds it (text as typed). */
export interface Vary {
  mode: VaryMode;
  /** A numeric field's values, separated by commas or spaces: "1e-3, 3e-4, 1e-4". */
  list: string;
  /** A choice field's picked words. */
  picked: string[];
  min: string;
  max: string;
  /** Draw log-uniformly (a range above 0). */
  log: boolean;
}

/** What a varied setting says beside it, and what it becomes in the spec when it is valid. */
export interface VaryCheck {
  hint: string;
  error: string | null;
  /** Listed values as `choice`, or a range; null while there is an error. */
  dist: SweepDistribution | null;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Whether a field can be drawn from a range (powers of two and words can only be listed). */
export function rangeAllowed(field: FieldDef): boolean {
  return field.kind !== 'choice' && !field.pow2;
}

/** The separate values of a list as typed. */
export function listTokens(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

function problemOf(field: FieldDef, v: number, flat: FlatValues, options: TrainingOptions): string | null {
  return fieldProblem(field, { ...flat, [field.key]: v }, options);
}

function checkList(field: FieldDef, vary: Vary, flat: FlatValues, options: TrainingOptions): VaryCheck {
  if (field.kind === 'choice') {
    const order = (field.choices ?? []).map((c) => c.value);
    const values = order.filter((v) => vary.picked.includes(v));
    if (values.length === 0) return { hint: '', error: 'Pick at least one', dist: null };
    return { hint: `${values.length} of ${order.length}`, error: null, dist: { kind: 'choice', values } };
  }
  const range = rangeHint(rangeOf(field, flat, options));
  const tokens = listTokens(vary.list);
  if (tokens.length === 0)
    return { hint: '', error: `Required: values separated by commas, ${range}`, dist: null };
  const values: number[] = [];
  for (const t of tokens) {
    const v = parseNum(t);
    if (v === null) return { hint: '', error: `Not a number: "${t}"`, dist: null };
    const problem = problemOf(field, v, flat, options);
    if (problem) return { hint: '', error: `${t}: ${problem}`, dist: null };
    if (values.includes(v)) return { hint: '', error: `${t} is listed twice`, dist: null };
    values.push(v);
  }
  const count = `${values.length} value${values.length === 1 ? '' : 's'}`;
  return { hint: `${count}; ${range}`, error: null, dist: { kind: 'choice', values } };
}

function checkRange(field: FieldDef, vary: Vary, flat: FlatValues, options: TrainingOptions): VaryCheck {
  const range = rangeHint(rangeOf(field, flat, options));
  const bounds: number[] = [];
  for (const [what, text] of [
    ['Minimum', vary.min],
    ['Maximum', vary.max],
  ] as const) {
    const v = parseNum(text);
    if (v === null)
      return {
        hint: '',
        error: `${what} ${text.trim() ? 'is not a number' : 'required'}: ${range}`,
        dist: null,
      };
    const problem = problemOf(field, v, flat, options);
    if (problem) return { hint: '', error: `${what} ${problem}`, dist: null };
    bounds.push(v);
  }
  const [min, max] = bounds as [number, number];
  if (!(min < max)) return { hint: '', error: 'The minimum must be below the maximum', dist: null };
  if (vary.log && min <= 0) return { hint: '', error: 'Log scale needs a minimum above 0', dist: null };
  const int = field.kind === 'int';
  const kind = vary.log ? 'loguniform' : int ? 'int' : 'uniform';
  const how = vary.log ? 'log-uniform' : int ? 'whole numbers' : 'uniform';
  return { hint: `${how}; ${range}`, error: null, dist: { kind, min, max } };
}

/** A varied setting's hint, error and distribution, given the form's other values. */
export function checkVary(
  field: FieldDef,
  vary: Vary,
  flat: FlatValues,
  options: TrainingOptions,
): VaryCheck {
  const check =
    vary.mode === 'range' && rangeAllowed(field)
      ? checkRange(field, vary, flat, options)
      : checkList(field, vary, flat, options);
  return check.error ? { ...check, error: capitalized(check.error) } : check;
}

/** A whole-number setting of the sweep: its value, or the error that says the allowed range. */
export function wholeIn(
  text: string,
  min: number,
  max: number,
  optional = false,
): { value: number | undefined; error: string | null } {
  if (optional && text.trim() === '') return { value: undefined, error: null };
  const v = parseNum(text);
  if (v === null || !Number.isInteger(v) || v < min || v > max) {
    const what = text.trim() === '' ? 'Required' : v === null ? 'Not a number' : 'Must be';
    return {
      value: undefined,
      error: `${what}${what === 'Must be' ? '' : ':'} a whole number from ${min} to ${max}`,
    };
  }
  return { value: v, error: null };
}
