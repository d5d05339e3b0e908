// A sweep's runs: its configurations (a grid's combinations, or random draws from the sweep's
// seed), each repeated with its seeds, cut to the budget, and every one checked by resolveTrainConfig.
//
// Grid order: the varied settings in schema order (type, hidden, layers ... representation ...),
// the last varying fastest, each list's values in the order given. Random: trial i draws one value
// per setting, in schema order, from one mulberry32 stream seeded by the sweep's seed, so a sweep
// with more trials (or a larger budget) keeps the first ones. Seeds: replicate r of every
// configuration trains with seed (sweep seed + r) mod 2^31, the same k seeds for every
// configuration, so that two configurations differ by their settings and not by their seeds.
// A varied setting that no configuration reads (momentum when every run uses Adam) is refused.
import type { TrainOverrides } from '../../shared/contract';
import type { SweepDistribution, SweepRunPlan, SweepSpec, SweepValue } from '../../shared/sweeps';
import { fieldOf, flatten, isUsed, setField, usersText } from '../../shared/train-checks';
import type { FieldDef, FieldKey } from '../../shared/train-schema';
import type { TrainConfig } from '../../shared/training';
import { WorkbenchError } from '../errors';
import { mulberry32 } from '../random';
import { resolveTrainConfig } from '../training/config';
import { ashaRungs } from './asha';
import { SweepError, sweepOptions, validateSweepSpec, type SweepAxis, type ValidSweep } from './spec';

/** A sweep's runs, and what the budget left out. */
export interface SweepExpansion {
  sweep: ValidSweep;
  runs: SweepRunPlan[];
  /** Configurations kept after the budget. */
  configurations: number;
}

/** A number as labels show it: at most 4 significant digits ("0.001", "1e-7", "128"). */
export function valueText(v: SweepValue): string {
  return typeof v === 'number' ? String(+v.toPrecision(4)) : v;
}

/** A configuration's label: "lr=0.001 layers=2" (settings in schema order). */
export function configLabel(values: Partial<Record<FieldKey, SweepValue>>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' ');
}

/** One value of a distribution from a uniform number u in [0, 1), fitted to the field's kind. */
export function drawValue(dist: SweepDistribution, field: FieldDef, u: number): SweepValue {
  if (dist.kind === 'choice') return dist.values[Math.floor(u * dist.values.length)]!;
  const { min, max } = dist;
  if (dist.kind === 'int') return min + Math.floor(u * (max - min + 1));
  const x =
    dist.kind === 'uniform'
      ? min + u * (max - min)
      : Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min)));
  // Whole numbers for an integer field; otherwise 4 significant digits, readable in labels and flags.
  const fitted = field.kind === 'int' ? Math.round(x) : +x.toPrecision(4);
  return Math.min(max, Math.max(min, fitted));
}

/** The values of grid combination i: mixed radix, the last setting varying fastest. */
function gridValues(axes: SweepAxis[], i: number): Partial<Record<FieldKey, SweepValue>> {
  const picked: SweepValue[] = [];
  for (let a = axes.length - 1; a >= 0; a--) {
    const values = (axes[a]!.dist as { values: SweepValue[] }).values;
    picked[a] = values[i % values.length]!;
    i = Math.floor(i / values.length);
  }
  return Object.fromEntries(axes.map((axis, a) => [axis.field.key, picked[a]]));
}

/** A configuration's overrides: the base's with the values written in their sections. */
function withValues(base: TrainOverrides, axes: SweepAxis[], values: Partial<Record<FieldKey, SweepValue>>) {
  const overrides = copySections(base) as Record<string, unknown>;
  for (const { field } of axes) setField(overrides, field, values[field.key]);
  return overrides as TrainOverrides;
}

/** A copy of a configuration or overrides, its sections copied (their values are plain). */
function copySections<T extends TrainOverrides>(x: T): T {
  const copy = { ...x };
  if (x.model) copy.model = { ...x.model };
  if (x.features) copy.features = { ...x.features };
  return copy;
}

/** Refuses a varied setting that no configuration reads (momentum under Adam): it would only repeat runs. */
function checkAllRead(axes: SweepAxis[], configs: TrainConfig[]): void {
  for (const { field } of axes)
    if (!configs.some((c) => isUsed(field, flatten(c))))
      throw new SweepError(
        `${field.key} is read by no configuration of the sweep (${usersText(field, sweepOptions())}): ` +
          'varying it would only repeat runs',
      );
}

/** The configuration resolved; SweepError naming the trial and its values when it is not allowed. */
function resolveTrial(
  sweep: ValidSweep,
  trial: number,
  overrides: TrainOverrides,
  label: string,
): TrainConfig {
  try {
    return resolveTrainConfig(sweep.preset, overrides);
  } catch (err) {
    if (!(err instanceof WorkbenchError)) throw err;
    throw new SweepError(`trial ${trial} (${label || 'the base'}): ${err.message}`, { cause: err });
  }
}

/** The seed of replicate r: the sweep's seed plus r, wrapped into the schema's range of seeds. */
export function replicateSeed(sweepSeed: number, r: number): number {
  const span = fieldOf(sweepOptions(), 'seed').max! + 1;
  return (sweepSeed + r) % span;
}

/** Refuses early stopping that could never stop a run: every rung (or minEpochs) at or after the last epoch. */
function checkStopsSomething(sweep: ValidSweep, configs: TrainConfig[]): void {
  const s = sweep.earlyStopping;
  if (!s) return;
  const longest = Math.max(...configs.map((c) => c.epochs));
  const useless = s.method === 'asha' ? ashaRungs(s, longest).length === 0 : s.minEpochs >= longest;
  if (useless)
    throw new SweepError(
      `earlyStopping: ${s.method === 'asha' ? 'every rung is' : 'minEpochs is'} at or after the last epoch ` +
        `(${longest}) of the longest run, so no run would ever be stopped`,
    );
}

/** The varied values of each configuration of a checked sweep, in order (random ones drawn from its seed). */
function trialValues(sweep: ValidSweep): Partial<Record<FieldKey, SweepValue>>[] {
  const rng = mulberry32(sweep.seed);
  return Array.from({ length: sweep.runs / sweep.seeds }, (_, trial) =>
    sweep.method === 'grid'
      ? gridValues(sweep.axes, trial)
      : Object.fromEntries(sweep.axes.map((a) => [a.field.key, drawValue(a.dist, a.field, rng())])),
  );
}

/** The label of a run: its configuration's values and its seed. */
function runLabel(label: string, seed: number): string {
  return label ? `${label} seed=${seed}` : `seed=${seed}`;
}

/**
 * What a stored sweep's page names each run by, without resolving every configuration again:
 * `labelOf(trial, replicate)` and `valuesOf(trial)`.
 */
export function sweepLabels(spec: SweepSpec): {
  valuesOf(trial: number): Partial<Record<FieldKey, SweepValue>>;
  labelOf(trial: number, replicate: number): string;
} {
  const sweep = validateSweepSpec(spec);
  const values = trialValues(sweep);
  return {
    valuesOf: (trial) => ({ ...values[trial] }),
    labelOf: (trial, replicate) =>
      runLabel(values[trial] ? configLabel(values[trial]) : '', replicateSeed(sweep.seed, replicate)),
  };
}

/** Checks a sweep and lists its runs in order; throws SweepError for the spec or a trial that fails. */
export function expandSweep(spec: SweepSpec): SweepExpansion {
  const sweep = validateSweepSpec(spec);
  const runs: SweepRunPlan[] = [];
  const configs: TrainConfig[] = [];
  const trials = trialValues(sweep);
  for (const [trial, values] of trials.entries()) {
    const overrides = withValues(sweep.overrides, sweep.axes, values);
    const label = configLabel(values);
    const config = resolveTrial(sweep, trial, overrides, label);
    configs.push(config);
    for (let replicate = 0; replicate < sweep.seeds; replicate++) {
      const seed = replicateSeed(sweep.seed, replicate);
      runs.push({
        index: runs.length,
        trial,
        replicate,
        seed,
        preset: sweep.preset,
        overrides: { ...copySections(overrides), seed },
        values: { ...values },
        config: { ...copySections(config), seed },
        label: runLabel(label, seed),
      });
    }
  }
  checkAllRead(sweep.axes, configs);
  checkStopsSomething(sweep, configs);
  return { sweep, runs, configurations: trials.length };
}
