// `timbre sweep plan`: a sweep's dry run. The base configuration takes `timbre train`'s flags;
// --grid and --random say what varies. Nothing is created or written.
import { WorkbenchError } from '../../core/errors';
import { PRESET_NAMES } from '../../core/training/config';
import { trainingOptions } from '../../core/training/options';
import type { SweepDistribution, SweepSpec, SweepValue } from '../../shared/sweeps';
import type { FieldDef, FieldKey } from '../../shared/train-schema';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson, table } from '../output';
import { TRAIN_FLAGS, trainFlagsHelp, trainOverridesFromFlags, trainSynopsis } from '../train-flags';

const OPTIONS = trainingOptions();

/** The usage text of `timbre sweep` (its --help, and the tail of its usage errors). */
export const SWEEP_USAGE = `Usage:
  timbre sweep plan [--preset ${PRESET_NAMES.join('|')}] [--name TEXT] [--json]
                    [--grid KEY=V1,V2,...]... [--random KEY=DIST]... [--trials N]
                    [--seeds K] [--budget N] [--seed N]
                    ${trainSynopsis(OPTIONS, '                    ')}
      List the runs a sweep would create, without creating anything. The setting flags give the
      base configuration (as for \`timbre train\`); KEY is a setting's key or flag (lr, layers,
      weightDecay or weight-decay ...). --grid runs every combination of its values; --random draws
      --trials configurations, DIST being uniform:A:B, loguniform:A:B, int:A:B or choice:V1,V2,...
      (a --grid list is then drawn from too). --seeds K repeats each configuration with K seeds,
      --budget N keeps at most N runs (whole configurations), --seed seeds the draws and the runs.`;

const FLAGS = {
  ...TRAIN_FLAGS,
  preset: { type: 'string' },
  name: { type: 'string' },
  grid: { type: 'string', multiple: true },
  random: { type: 'string', multiple: true },
  trials: { type: 'string' },
  seeds: { type: 'string' },
  budget: { type: 'string' },
  json: { type: 'boolean' },
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

/** The sweep spec the command line asks for; throws UsageError naming the flag. */
export function sweepSpecFromFlags(values: Record<string, unknown>): SweepSpec {
  const grid = collect('grid', values.grid as string[] | undefined, (f, t) => list('grid', f, t));
  const random = collect('random', values.random as string[] | undefined, distributionOf);
  const isRandom = Object.keys(random).length > 0 || values.trials !== undefined;
  const count = (flag: string) => intFlag(values[flag], flag, 1, Number.MAX_SAFE_INTEGER);
  const overrides = trainOverridesFromFlags(values, OPTIONS);
  return {
    name: values.name === undefined ? 'sweep' : String(values.name),
    base: { preset: choiceFlag(values.preset, 'preset', PRESET_NAMES, 'seed-lstm'), overrides },
    method: isRandom ? 'random' : 'grid',
    ...(Object.keys(grid).length ? { grid } : {}),
    ...(isRandom ? { random, trials: count('trials') ?? 1 } : {}),
    seeds: count('seeds'),
    budget: count('budget'),
    seed: overrides.seed,
  };
}

/** `timbre sweep plan ...` */
export async function sweepCommand(ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = parseFlags(argv, FLAGS, SWEEP_USAGE);
  if (values.help || positionals.length === 0)
    return values.help ? console.log(`${SWEEP_USAGE}\n\n${trainFlagsHelp(OPTIONS)}`) : usage('');
  if (positionals[0] !== 'plan') return usage(`Unknown sweep command "${positionals[0]}".`);
  if (positionals.length > 1) return usage(`Unexpected argument "${positionals[1]}".`);
  const spec = sweepSpecFromFlags(values);
  const plan = await ctx
    .workbench()
    .planSweep(spec)
    .catch((err: unknown) => {
      throw err instanceof WorkbenchError && err.code === 'bad-argument' ? new UsageError(err.message) : err;
    });
  if (values.json) return printJson(plan);
  const cut = plan.truncated ? ` (the budget keeps ${plan.total})` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  console.log(
    `${plural(plan.configurations, 'configuration')} x ${plural(plan.seeds, 'seed')} = ` +
      `${plural(plan.total, 'run')}${cut}`,
  );
  console.log(
    table(
      ['run', 'label'],
      plan.runs.map((r) => [r.index + 1, r.label]),
    ),
  );
}

function usage(message: string): never {
  throw new UsageError(`${message ? `${message}\n` : ''}${SWEEP_USAGE}`);
}
