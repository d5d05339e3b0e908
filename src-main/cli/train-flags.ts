// `timbre train`'s setting flags, their checks and their --help lines, all read from the schema
// (trainingOptions()): a field or model type added there appears here without an edit.
import type { TrainOverrides } from '../shared/contract';
import {
  choiceValues,
  numberProblem,
  rangeOf,
  rangeWords,
  setField,
  type FieldRange,
} from '../shared/train-checks';
import { TRAIN_FIELDS, type FieldDef, type TrainingOptions } from '../shared/train-schema';
import { UsageError } from './args';

const flagsOf = (fields: readonly FieldDef[]): Record<string, { type: 'string' }> =>
  Object.fromEntries(fields.map((f) => [f.flag, { type: 'string' as const }]));

/** parseArgs options of every setting's flag (--model, --lr, --n-mels, ...), one per schema field. */
export const TRAIN_FLAGS = flagsOf(TRAIN_FIELDS);

/** parseArgs options of the feature settings' flags (--features, --seconds, --n-mels, ...). */
export const FEATURE_FLAGS = flagsOf(TRAIN_FIELDS.filter((f) => f.section === 'features'));

// The field's own range, before any other value narrows it (core checks those with every value known).
const ownRange = (field: FieldDef, options: TrainingOptions): FieldRange => rangeOf(field, {}, options);

function flagValue(field: FieldDef, raw: unknown, options: TrainingOptions): string | number {
  const text = String(raw);
  if (field.kind === 'choice') {
    const allowed = choiceValues(field);
    if (!allowed.includes(text))
      throw new UsageError(`--${field.flag} must be one of ${allowed.join(', ')} (got "${text}")`);
    return text;
  }
  const n = text.trim() === '' ? NaN : Number(text);
  const problem = numberProblem(n, ownRange(field, options));
  if (problem) throw new UsageError(`--${field.flag} ${problem} (got "${text}")`);
  return n;
}

/**
 * The overrides the setting flags ask for, each checked against its field's own range; what
 * depends on other values (a CNN's layers, hop <= FFT size, ...) is core validation's.
 */
export function trainOverridesFromFlags(
  values: Record<string, unknown>,
  options: TrainingOptions,
): TrainOverrides {
  const out: Record<string, unknown> = {};
  for (const field of options.fields) {
    if (values[field.flag] !== undefined) setField(out, field, flagValue(field, values[field.flag], options));
  }
  return out as TrainOverrides;
}

// What a flag's value looks like in the synopsis.
function placeholder(field: FieldDef): string {
  if (field.kind === 'choice') return choiceValues(field).join('|');
  return field.unit === 's' ? 'S' : field.kind === 'int' ? 'N' : 'X';
}

// "1 to 8 (cnn: 1 to 4)": the field's range in words, with each model type's narrower one.
function allowed(field: FieldDef, options: TrainingOptions): string {
  if (field.kind === 'choice') return `one of ${choiceValues(field).join(', ')}`;
  const words = (r: FieldRange) => rangeWords(r).replace(/^an? (whole )?number,? (from )?/, '');
  const own = words(ownRange(field, options));
  const narrower = options.modelTypes
    .filter((t) => t.narrow[field.key])
    .map((t) => `${t.id}: ${words({ ...ownRange(field, options), ...t.narrow[field.key] })}`);
  return narrower.length ? `${own} (${narrower.join('; ')})` : own;
}

/** The synopsis of the setting flags (default all), wrapped for a usage text: "[--model mlp|cnn|...] [--lr X] ...". */
export function trainSynopsis(
  options: TrainingOptions,
  indent: string,
  only: (f: FieldDef) => boolean = () => true,
): string {
  const lines: string[] = [];
  let line = '';
  for (const f of options.fields.filter(only)) {
    const word = `[--${f.flag} ${placeholder(f)}]`;
    if (line && line.length + word.length > 96 - indent.length) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

/** One block per setting: flag, allowed values, default and help; model types and representations described. */
export function trainFlagsHelp(options: TrainingOptions): string {
  const out = ['Settings (defaults are the seed-lstm preset; a preset sets its own, flags override it):'];
  for (const f of options.fields) {
    const by = f.usedBy && [
      ...(f.usedBy.modelTypes ?? []),
      ...(f.usedBy.representations ?? []),
      ...(f.usedBy.optimizers ?? []),
    ];
    const withNorm = f.usedBy?.normalizations;
    const users =
      (by?.length ? ` Used by ${by.join(', ')}.` : '') +
      (withNorm ? ` Used with normalization ${withNorm.join(', ')}.` : '');
    const note = f.note ? `; ${f.note}` : '';
    out.push(
      `  --${f.flag} ${placeholder(f)}`.padEnd(28) + ` ${allowed(f, options)}${note}; default ${f.default}`,
    );
    out.push(`      ${f.label}. ${f.help}${users}`);
  }
  out.push('Model types (--model):');
  for (const t of options.modelTypes) out.push(`  ${t.id.padEnd(8)} ${t.description}`);
  out.push('Representations (--features):');
  for (const r of options.representations) out.push(`  ${r.id.padEnd(8)} ${r.description}`);
  return out.join('\n');
}
