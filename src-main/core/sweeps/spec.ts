// A sweep's specification checked and its defaults filled: every value against the settings' schema
// (shared/train-checks.ts), the base against resolveTrainConfig, the run count against its caps.
import type { TrainOverrides } from '../../shared/contract';
import { fieldOf, fieldProblem, quoted } from '../../shared/train-checks';
import type { FieldDef, FieldKey } from '../../shared/train-schema';
import type { TrainConfig } from '../../shared/training';
import {
  MAX_ASHA_ETA,
  MAX_SWEEP_NAME,
  MAX_SWEEP_RUNS,
  MAX_SWEEP_SEEDS,
  type SweepDistribution,
  type SweepMethod,
  type SweepSpec,
} from '../../shared/sweeps';
import { errorKind, WorkbenchError } from '../errors';
import { resolveTrainConfig } from '../training/config';
import { trainingOptions } from '../training/options';
import { ASHA_DEFAULTS, MEDIAN_DEFAULTS, type ResolvedEarlyStopping } from './asha';

/** A sweep specification that cannot be run; the message names the setting and what is allowed. */
export const SweepError = errorKind('SweepError', 'bad-argument');
export type SweepError = InstanceType<typeof SweepError>;

/** One varied setting: grid lists are `choice` distributions. */
export interface SweepAxis {
  field: FieldDef;
  dist: SweepDistribution;
}

/** A checked sweep with its defaults filled and its axes in schema order. */
export interface ValidSweep {
  name: string;
  preset: string;
  overrides: TrainOverrides;
  /** The base configuration, resolved. */
  base: TrainConfig;
  method: SweepMethod;
  axes: SweepAxis[];
  /** Configurations before the budget: the grid's combinations, or the random trials. */
  configurations: number;
  seeds: number;
  seed: number;
  /** Runs after the budget (whole configurations times seeds). */
  runs: number;
  /** Whether the budget left configurations out. */
  truncated: boolean;
  earlyStopping: ResolvedEarlyStopping | null;
}

const whole = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** "must be a whole number from 1 to 100" for a count of the sweep's own. */
export function checkWhole(what: string, v: unknown, min: number, max: number): number {
  if (!whole(v, min, max))
    throw new SweepError(`${what} must be a whole number from ${min} to ${max} (got ${quoted(v)})`);
  return v;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

let options: ReturnType<typeof trainingOptions> | undefined;

/** The schema with the registries (model types, representations) joined, built once. */
export function sweepOptions(): ReturnType<typeof trainingOptions> {
  return (options ??= trainingOptions());
}

/** The schema's problem with one value of a field on its own ("must be ..."), or null. */
export function valueProblem(field: FieldDef, value: unknown): string | null {
  // No other values given: the field's own range (model type narrowing and cross-field rules are
  // checked on whole configurations when the sweep is expanded).
  return fieldProblem(field, { [field.key]: value }, sweepOptions());
}

function checkValue(subject: string, field: FieldDef, value: unknown): void {
  const problem = valueProblem(field, value);
  if (problem) throw new SweepError(`${subject} ${problem} (got ${quoted(value)})`);
}

function checkList(where: string, field: FieldDef, values: unknown): SweepDistribution {
  if (!Array.isArray(values) || values.length === 0)
    throw new SweepError(`${where} of ${field.key} must list at least one value`);
  const seen = new Set<unknown>();
  for (const v of values) {
    checkValue(`${where} value of ${field.key}`, field, v);
    if (seen.has(v)) throw new SweepError(`${where} of ${field.key} lists ${quoted(v)} twice`);
    seen.add(v);
  }
  return { kind: 'choice', values: [...values] };
}

function checkDistribution(field: FieldDef, d: unknown): SweepDistribution {
  const where = `random ${field.key}`;
  if (!isRecord(d))
    throw new SweepError(`${where} must be a distribution (choice, uniform, loguniform, int)`);
  if (d.kind === 'choice') return checkList('random choice', field, d.values);
  if (d.kind !== 'uniform' && d.kind !== 'loguniform' && d.kind !== 'int')
    throw new SweepError(
      `${where}: kind must be one of choice, uniform, loguniform, int (got ${quoted(d.kind)})`,
    );
  if (field.kind === 'choice' || field.pow2)
    throw new SweepError(
      `${where}: ${field.key} takes ${field.pow2 ? 'powers of two' : 'words'}; list them (kind choice)`,
    );
  for (const bound of ['min', 'max'] as const) checkValue(`${where}: ${bound}`, field, d[bound]);
  const { min, max } = d as { min: number; max: number };
  if (!(min < max)) throw new SweepError(`${where}: min must be below max (got ${min} and ${max})`);
  if (d.kind === 'loguniform' && min <= 0)
    throw new SweepError(`${where}: loguniform needs a min above 0 (got ${min})`);
  if (d.kind === 'int' && !(Number.isInteger(min) && Number.isInteger(max)))
    throw new SweepError(`${where}: int needs whole numbers as min and max (got ${min} and ${max})`);
  return { kind: d.kind, min, max };
}

function fieldByKey(key: string, where: string): FieldDef {
  const all = sweepOptions().fields;
  const field = all.find((f) => f.key === key);
  if (!field)
    throw new SweepError(`unknown setting "${key}" in ${where}; one of ${all.map((f) => f.key).join(', ')}`);
  if (field.key === 'seed')
    throw new SweepError(`seed cannot be varied in ${where}: set seeds (runs per configuration) instead`);
  return field;
}

function checkAxes(spec: SweepSpec, method: SweepMethod): SweepAxis[] {
  const grid: unknown = spec.grid ?? {};
  const random: unknown = spec.random ?? {};
  if (!isRecord(grid)) throw new SweepError('grid must map settings to lists of values');
  if (!isRecord(random)) throw new SweepError('random must map settings to distributions');
  if (method === 'grid' && Object.keys(random).length)
    throw new SweepError('random distributions need method "random" (a grid lists values)');
  const axes = new Map<FieldKey, SweepAxis>();
  for (const [key, values] of Object.entries(grid)) {
    const field = fieldByKey(key, 'grid');
    axes.set(field.key, { field, dist: checkList('grid', field, values) });
  }
  for (const [key, d] of Object.entries(random)) {
    const field = fieldByKey(key, 'random');
    if (axes.has(field.key)) throw new SweepError(`${key} is in both grid and random: vary it once`);
    axes.set(field.key, { field, dist: checkDistribution(field, d) });
  }
  if (method === 'random' && axes.size === 0)
    throw new SweepError('a random sweep needs at least one setting to vary');
  // Schema order, whatever order the spec was written in: the expansion is the same after a round trip.
  const order = sweepOptions().fields.map((f) => f.key);
  return [...axes.values()].sort((a, b) => order.indexOf(a.field.key) - order.indexOf(b.field.key));
}

function checkBase(spec: SweepSpec): { preset: string; overrides: TrainOverrides; base: TrainConfig } {
  if (!isRecord(spec.base)) throw new SweepError('base must be a preset and overrides');
  const preset = spec.base.preset ?? 'seed-lstm';
  const overrides = structuredClone(spec.base.overrides ?? {});
  try {
    return { preset, overrides, base: resolveTrainConfig(preset, overrides) };
  } catch (err) {
    if (err instanceof WorkbenchError)
      throw new SweepError(`base configuration: ${err.message}`, { cause: err });
    throw err;
  }
}

function checkEpoch(what: string, v: unknown): number {
  const problem = valueProblem(fieldOf(sweepOptions(), 'epochs'), v);
  if (problem) throw new SweepError(`${what} ${problem} (got ${quoted(v)})`);
  return v as number;
}

/** Checks early-stopping settings and fills their defaults; throws SweepError. */
export function checkEarlyStopping(s: unknown): ResolvedEarlyStopping {
  if (!isRecord(s) || (s.method !== 'asha' && s.method !== 'median'))
    throw new SweepError(
      `earlyStopping.method must be one of asha, median (got ${quoted(isRecord(s) ? s.method : s)})`,
    );
  const minRuns = (d: number) =>
    s.minRuns === undefined ? d : checkWhole('earlyStopping.minRuns', s.minRuns, 1, MAX_SWEEP_RUNS);
  if (s.method === 'median') {
    const minEpochs = checkEpoch('earlyStopping.minEpochs', s.minEpochs ?? MEDIAN_DEFAULTS.minEpochs);
    return { method: 'median', minEpochs, minRuns: minRuns(MEDIAN_DEFAULTS.minRuns) };
  }
  const eta =
    s.eta === undefined ? ASHA_DEFAULTS.eta : checkWhole('earlyStopping.eta', s.eta, 2, MAX_ASHA_ETA);
  if (s.rungs !== undefined && s.minEpochs !== undefined)
    throw new SweepError('earlyStopping: give rungs or minEpochs, not both');
  const minEpochs = checkEpoch('earlyStopping.minEpochs', s.minEpochs ?? ASHA_DEFAULTS.minEpochs);
  let rungs: number[] | null = null;
  if (s.rungs !== undefined) {
    if (!Array.isArray(s.rungs) || s.rungs.length === 0)
      throw new SweepError('earlyStopping.rungs must list at least one epoch');
    rungs = s.rungs.map((r) => checkEpoch('earlyStopping.rungs: an epoch', r));
    for (let i = 1; i < rungs.length; i++)
      if (rungs[i]! <= rungs[i - 1]!)
        throw new SweepError(`earlyStopping.rungs must increase (got ${rungs.join(', ')})`);
  }
  return { method: 'asha', rungs, minEpochs: rungs ? rungs[0]! : minEpochs, eta, minRuns: minRuns(eta) };
}

/** Checks a sweep specification and fills its defaults; throws SweepError naming the problem. */
export function validateSweepSpec(spec: SweepSpec): ValidSweep {
  if (!isRecord(spec)) throw new SweepError('a sweep specification must be an object');
  const name = typeof spec.name === 'string' ? spec.name.trim() : '';
  if (!name || name.length > MAX_SWEEP_NAME)
    throw new SweepError(`name must be 1 to ${MAX_SWEEP_NAME} characters (got ${quoted(spec.name)})`);
  const method = spec.method;
  if (method !== 'grid' && method !== 'random')
    throw new SweepError(`method must be one of grid, random (got ${quoted(method)})`);
  const { preset, overrides, base } = checkBase(spec);
  const axes = checkAxes(spec, method);
  let configurations: number;
  if (method === 'grid') {
    if (spec.trials !== undefined)
      throw new SweepError('trials is for random sweeps (a grid runs every combination)');
    configurations = axes.reduce((n, a) => n * (a.dist as { values: unknown[] }).values.length, 1);
  } else configurations = checkWhole('trials', spec.trials, 1, MAX_SWEEP_RUNS);
  const seeds = spec.seeds === undefined ? 1 : checkWhole('seeds', spec.seeds, 1, MAX_SWEEP_SEEDS);
  const seed = spec.seed ?? base.seed;
  const seedProblem = valueProblem(fieldOf(sweepOptions(), 'seed'), seed);
  if (seedProblem) throw new SweepError(`the sweep's seed ${seedProblem} (got ${quoted(seed)})`);
  const total = configurations * seeds;
  let runs = total;
  if (spec.budget !== undefined) {
    const budget = checkWhole('budget', spec.budget, 1, MAX_SWEEP_RUNS);
    if (budget < seeds) throw new SweepError(`budget ${budget} is below one configuration's ${seeds} seeds`);
    runs = Math.min(total, Math.floor(budget / seeds) * seeds);
  } else if (total > MAX_SWEEP_RUNS)
    throw new SweepError(
      `the sweep would create ${total} runs (${configurations} configurations x ${seeds} seeds); ` +
        `at most ${MAX_SWEEP_RUNS}: vary fewer values or set a budget`,
    );
  const earlyStopping = spec.earlyStopping === undefined ? null : checkEarlyStopping(spec.earlyStopping);
  return {
    name,
    preset,
    overrides,
    base,
    method,
    axes,
    configurations,
    seeds,
    seed: seed as number,
    runs,
    truncated: runs < total,
    earlyStopping,
  };
}
