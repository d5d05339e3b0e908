// A sweep's specification from the command line: `timbre train`'s setting flags give the base
// configuration, --grid and --random say what varies, --asha or --median-stop how bad runs stop.
import { PRESET_NAMES } from '../../core/training/config';
import { trainingOptions } from '../../core/training/options';
import {
  MAX_ASHA_ETA,
  type EarlyStopping,
  type SweepDistribution,
  type SweepSpec,
  type SweepValue,
} from '../../shared/sweeps';
import { fieldOf } from '../../shared/train-checks';
import type { FieldDef, FieldKey } from '../../shared/train-schema';
import { choiceFlag, intFlag, UsageError } from '../args';
import { TRAIN_FLAGS, trainOverridesFromFlags } from '../train-flags';

/** The schema's settings, model types and representations (what the flags and their help are made of). */
export const OPTIONS = trainingOptions();

/** parseArgs options of everything a sweep's specification is made of (`sweep plan` and `sweep create`). */
export const SPEC_FLAGS = {
  ...TRAIN_FLAGS,
  preset: { type: 'string' },
  name: { type: 'string' },
  grid: { type: 'string', multiple: true },
  random: { type: 'string', multiple: true },
  trials: { type: 'string' },
  seeds: { type: 'string' },
  budget: { type: 'string' },
  asha: { type: 'boolean' },
  'asha-rungs': { type: 'string' },
  'asha-eta': { type: 'string' },
  'asha-min-epochs': { type: 'string' },
  'median-stop': { type: 'boolean' },
  'median-min-epochs': { type: 'string' },
} as const;

// A setting by its key (weightDecay) or its flag (weight-decay).
function fieldNamed(flag: string, key: string): FieldDef {
  const field = OPTIONS.fields.find((f) => f.key === key || f.flag === key);
  if (!field)
    throw new UsageError(
      `--${flag}: unknown setting "${key}" (one of ${OPTIONS.fields.map((f) => f.key).join(', ')})`,
    );
  return field;
}

// "lr=1e-3,3e-4" → the field and its raw text after "=".
function splitEntry(flag: string, entry: string): [FieldDef, string] {
  const eq = entry.indexOf('=');
  if (eq <= 0 || eq === entry.length - 1)
    throw new UsageError(
      `--${flag} must look like KEY=${flag === 'grid' ? 'V1,V2' : 'DIST'} (got "${entry}")`,
    );
  return [fieldNamed(flag, entry.slice(0, eq).trim()), entry.slice(eq + 1).trim()];
}

// One value typed for the field: a number for a numeric field, the word for a choice.
function valueOf(flag: string, field: FieldDef, text: string): SweepValue {
  if (field.kind === 'choice') return text;
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} ${field.key}: "${text}" is not a number`);
  return n;
}

const list = (flag: string, field: FieldDef, text: string) =>
  text.split(',').map((v) => valueOf(flag, field, v.trim()));

// "loguniform:1e-6:1e-3", "int:1:4", "choice:adam,sgd".
function distributionOf(field: FieldDef, text: string): SweepDistribution {
  const [kind, ...rest] = text.split(':');
  if (kind === 'choice' && rest.length === 1) return { kind, values: list('random', field, rest[0]!) };
  if ((kind === 'uniform' || kind === 'loguniform' || kind === 'int') && rest.length === 2) {
    const [min, max] = rest.map((v) => Number(v));
    if (rest.every((v) => v.trim() !== '') && Number.isFinite(min) && Number.isFinite(max))
      return { kind, min: min!, max: max! };
  }
  throw new UsageError(
    `--random ${field.key}: "${text}" must be uniform:A:B, loguniform:A:B, int:A:B or choice:V1,V2,...`,
  );
}

// Each --grid / --random entry into its field's list or distribution; a setting named twice is refused.
function collect<T>(flag: string, entries: string[] | undefined, read: (f: FieldDef, t: string) => T) {
  const out: Partial<Record<FieldKey, T>> = {};
  for (const entry of entries ?? []) {
    const [field, text] = splitEntry(flag, entry);
    if (out[field.key] !== undefined) throw new UsageError(`--${flag}: ${field.key} is given twice`);
    out[field.key] = read(field, text);
  }
  return out;
}

// An epoch of an early-stopping flag: from 1 to the most epochs a run may train.
const MAX_EPOCHS = fieldOf(OPTIONS, 'epochs').max!;
const epochOf = (value: unknown, flag: string) => intFlag(value, flag, 1, MAX_EPOCHS);
const epochFlag = (values: Record<string, unknown>, flag: string) => epochOf(values[flag], flag);

/**
 * The early-stopping rule the flags ask for, or undefined: --asha (any --asha-* flag implies it)
 * or --median-stop (--median-min-epochs implies it). Epochs beyond the runs' are core's to refuse.
 */
function earlyStoppingFromFlags(values: Record<string, unknown>): EarlyStopping | undefined {
  const asha = values.asha === true || ['asha-rungs', 'asha-eta', 'asha-min-epochs'].some((f) => f in values);
  const median = values['median-stop'] === true || 'median-min-epochs' in values;
  if (asha && median) throw new UsageError('--asha and --median-stop are two rules; choose one');
  if (median) {
    const minEpochs = epochFlag(values, 'median-min-epochs');
    return { method: 'median', ...(minEpochs === undefined ? {} : { minEpochs }) };
  }
  if (!asha) return undefined;
  if (values['asha-rungs'] !== undefined && values['asha-min-epochs'] !== undefined)
    throw new UsageError('--asha-rungs lists the rungs, --asha-min-epochs derives them; give one');
  const rungs =
    values['asha-rungs'] === undefined
      ? undefined
      : String(values['asha-rungs'])
          .split(',')
          .map((r) => epochOf(r.trim(), 'asha-rungs')!);
  if (rungs?.some((r, i) => i > 0 && r <= rungs[i - 1]!))
    throw new UsageError(`--asha-rungs must increase (got "${String(values['asha-rungs'])}")`);
  const eta = intFlag(values['asha-eta'], 'asha-eta', 2, MAX_ASHA_ETA);
  const minEpochs = epochFlag(values, 'asha-min-epochs');
  return {
    method: 'asha',
    ...(rungs ? { rungs } : {}),
    ...(eta === undefined ? {} : { eta }),
    ...(minEpochs === undefined ? {} : { minEpochs }),
  };
}

/** The sweep spec the command line asks for; throws UsageError naming the flag. */
export function sweepSpecFromFlags(values: Record<string, unknown>): SweepSpec {
  const grid = collect('grid', values.grid as string[] | undefined, (f, t) => list('grid', f, t));
  const random = collect('random', values.random as string[] | undefined, distributionOf);
  const isRandom = Object.keys(random).length > 0 || values.trials !== undefined;
  const count = (flag: string) => intFlag(values[flag], flag, 1, Number.MAX_SAFE_INTEGER);
  const overrides = trainOverridesFromFlags(values, OPTIONS);
  const earlyStopping = earlyStoppingFromFlags(values);
  return {
    name: values.name === undefined ? 'sweep' : String(values.name),
    base: { preset: choiceFlag(values.preset, 'preset', PRESET_NAMES, 'seed-lstm'), overrides },
    method: isRandom ? 'random' : 'grid',
    ...(Object.keys(grid).length ? { grid } : {}),
    ...(isRandom ? { random, trials: count('trials') ?? 1 } : {}),
    seeds: count('seeds'),
    budget: count('budget'),
    seed: overrides.seed,
    ...(earlyStopping ? { earlyStopping } : {}),
  };
}
