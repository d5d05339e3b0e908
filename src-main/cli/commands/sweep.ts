// `timbre sweep ...`: plan a sweep (a dry run), create one (its runs queued), and follow, pause,
// resume, extend or cancel the sweeps made. The specification's flags are sweep-spec.ts's.
import { WorkbenchError } from '../../core/errors';
import { NotFoundError } from '../../core/workbench';
import { PRESET_NAMES } from '../../core/training/config';
import type { WorkbenchLocalApi } from '../../core/local-api';
import { humanDuration } from '../../shared/format';
import { MAX_SWEEP_RUNS, MAX_SWEEP_SEEDS, type SweepSpec, type SweepSummary } from '../../shared/sweeps';
import { intFlag, negativesAsValues, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { runnerHint } from '../format-runs';
import { printJson, table } from '../output';
import { watchProgress } from '../progress';
import { trainFlagsHelp, trainSynopsis } from '../train-flags';
import { countsText, describeSweep, sweepsTable } from './sweep-format';
import { OPTIONS, SPEC_FLAGS, sweepSpecFromFlags } from './sweep-spec';

const SPEC_SYNOPSIS = `[--preset ${PRESET_NAMES.join('|')}]
                      [--name TEXT] [--json] [--grid KEY=V1,V2,...]... [--random KEY=DIST]...
                      [--trials N] [--seeds K] [--budget N] [--seed N]
                      [--asha [--asha-rungs E1,E2,... | --asha-min-epochs E] [--asha-eta N]]
                      [--median-stop [--median-min-epochs E]]
                      ${trainSynopsis(OPTIONS, '                      ')}`;

/** The usage text of `timbre sweep` (its --help, and the tail of its usage errors). */
export const SWEEP_USAGE = `Usage:
  timbre sweep plan   ${SPEC_SYNOPSIS}
      List the runs a sweep would create, without creating anything. The setting flags give the
      base configuration (as for \`timbre train\`); KEY is a setting's key or flag (lr, layers,
      weightDecay or weight-decay ...). --grid runs every combination of its values; --random draws
      --trials configurations, DIST being uniform:A:B, loguniform:A:B, int:A:B or choice:V1,V2,...
      (a --grid list is then drawn from too). --seeds K repeats each configuration with K seeds,
      --budget N keeps at most N runs (whole configurations), --seed seeds the draws and the runs.
      --asha stops a run at a rung epoch (E1, E1*eta, ... from --asha-min-epochs, default 1; or
      --asha-rungs) unless it is in the top 1/eta (default 3) of the runs that got there;
      --median-stop stops one whose best validation accuracy is below the others' median (from
      epoch 3, or --median-min-epochs). Stopped runs keep what they logged.
  timbre sweep create [--dataset ID|NAME|FOLDER] (and everything plan takes)
      Create the sweep and queue its runs (default data set: the built-in one). The process that
      runs the queue trains them: \`timbre queue run\`, \`timbre serve\` or the app.
  timbre sweep list [--json]
      Every sweep, newest first: status, what it varies, its runs by status, its best run.
  timbre sweep show ID [--json]
      One sweep: its settings and what it varies, its runs counted by status, its best run, and
      every run with its status, epochs and accuracy.
  timbre sweep pause ID [--json]     its waiting runs wait (those training go on)
  timbre sweep resume ID [--json]    its waiting runs take their places in the queue again
  timbre sweep cancel ID [--json]    its waiting runs are cancelled, those training stop
  timbre sweep extend ID [--trials N] [--seeds N] [--json]
      Add runs: N more random trials, or N more seeds for every configuration.`;

const CREATE_FLAGS = { ...SPEC_FLAGS, dataset: { type: 'string' }, json: { type: 'boolean' } } as const;
const JSON_FLAG = { json: { type: 'boolean' } } as const;
const EXTEND_FLAGS = { ...JSON_FLAG, trials: { type: 'string' }, seeds: { type: 'string' } } as const;

/** `timbre sweep ...` */
export async function sweepCommand(ctx: CliContext, argv: string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'plan':
      return plan(ctx, rest);
    case 'create':
      return create(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'show':
      return show(ctx, rest);
    case 'pause':
    case 'resume':
    case 'cancel':
      return setState(ctx, sub, rest);
    case 'extend':
      return extend(ctx, rest);
    case undefined:
      return usage('');
    case '--help':
    case '-h':
    case 'help':
      return console.log(`${SWEEP_USAGE}\n\n${trainFlagsHelp(OPTIONS)}`);
    default:
      return usage(`Unknown sweep command "${sub}".`);
  }
}

function usage(message: string): never {
  throw new UsageError(`${message ? `${message}\n` : ''}${SWEEP_USAGE}`);
}

// Parses a sub-command's flags; --help prints the whole usage (with the settings for plan and create).
function flags<T extends Parameters<typeof parseFlags>[1]>(argv: string[], options: T, settings = false) {
  const parsed = parseFlags(negativesAsValues(argv, options), options, SWEEP_USAGE);
  if ((parsed.values as { help?: boolean }).help)
    console.log(settings ? `${SWEEP_USAGE}\n\n${trainFlagsHelp(OPTIONS)}` : SWEEP_USAGE);
  return parsed;
}

// A sweep that cannot be made (a value out of range, rungs that do not increase) is the command line's fault.
const asUsage = (err: unknown) => {
  throw err instanceof WorkbenchError && err.code === 'bad-argument' ? new UsageError(err.message) : err;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `timbre sweep plan ...`: the runs a sweep would create; nothing is created or written. */
async function plan(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, { ...SPEC_FLAGS, ...JSON_FLAG }, true);
  if (values.help) return;
  if (positionals.length) usage(`Unexpected argument "${positionals[0]}".`);
  const plan = await ctx.workbench().planSweep(sweepSpecFromFlags(values)).catch(asUsage);
  if (values.json) return printJson(plan);
  const cut = plan.truncated ? ` (the budget keeps ${plan.total})` : '';
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

/** `timbre sweep create ...`: checks everything, then creates the sweep with its runs queued. */
async function create(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, CREATE_FLAGS, true);
  if (values.help) return;
  if (positionals.length) usage(`Unexpected argument "${positionals[0]}".`);
  const spec: SweepSpec = sweepSpecFromFlags(values);
  const wb = ctx.workbench();
  // The spec first, the data set next (the default one may take a while to render the first time).
  const planned = await wb.planSweep(spec).catch(asUsage);
  const dataset =
    values.dataset === undefined
      ? await ctx.defaultDataset()
      : await wb.getDataset(values.dataset).catch((err: unknown) => {
          throw err instanceof NotFoundError ? new UsageError(`--dataset: ${err.message}`) : err;
        });
  const stop = watchProgress(wb);
  const sweep = await wb
    .createSweep(spec, dataset.id)
    .catch(asUsage)
    .finally(() => stop());
  if (values.json) return printJson(sweep);
  const estimate = planned.estimatedSeconds
    ? `, about ${humanDuration(planned.estimatedSeconds)} of training one run at a time`
    : '';
  console.log(
    `Created sweep ${sweep.id} "${sweep.name}": ${plural(sweep.configurations, 'configuration')} x ` +
      `${plural(sweep.seeds, 'seed')} = ${plural(sweep.counts.total, 'run')} queued on data set ` +
      `"${dataset.name}"${estimate}.`,
  );
  console.log(runnerHint(await wb.queueState()));
}

/** `timbre sweep list`: every sweep, newest first. */
async function list(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  if (positionals.length) usage(`Unexpected argument "${positionals[0]}".`);
  const sweeps = await ctx.workbench().listSweeps();
  if (values.json) return printJson(sweeps);
  if (!sweeps.length) return console.log('No sweeps yet: `timbre sweep create` makes one.');
  console.log(sweepsTable(sweeps));
}

/** A sweep id as typed: a positive whole number, else a one-line UsageError. */
export function parseSweepId(text: string | undefined): number {
  if (text === undefined) usage('Give a sweep id (`timbre sweep list` shows them).');
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`A sweep id is a positive whole number (got "${text}").`);
  return id;
}

// The one sweep id a sub-command takes.
function oneId(positionals: string[]): number {
  if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}".`);
  return parseSweepId(positionals[0]);
}

/** `timbre sweep show ID`: one sweep with every run. */
async function show(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  const sweep = await ctx.workbench().getSweep(oneId(positionals));
  if (values.json) return printJson(sweep);
  console.log(describeSweep(sweep));
}

const DONE: Record<'pause' | 'resume' | 'cancel', string> = {
  pause: 'is paused: its waiting runs wait until `timbre sweep resume`; those training go on',
  resume: 'is active again: its waiting runs take their places in the queue',
  cancel: 'is cancelled: its waiting runs are cancelled, those training stop within a batch',
};

/** `timbre sweep pause|resume|cancel ID`. */
async function setState(ctx: CliContext, verb: 'pause' | 'resume' | 'cancel', argv: string[]) {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  const id = oneId(positionals);
  const wb = ctx.workbench();
  const call = { pause: wb.pauseSweep, resume: wb.resumeSweep, cancel: wb.cancelSweep }[verb];
  const sweep = await call.call(wb, id);
  if (values.json) return printJson(sweep);
  await printChange(wb, sweep, DONE[verb], verb === 'resume');
}

/** `timbre sweep extend ID --trials N | --seeds N`. */
async function extend(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, EXTEND_FLAGS);
  if (values.help) return;
  const id = oneId(positionals);
  const trials = intFlag(values.trials, 'trials', 1, MAX_SWEEP_RUNS);
  const seeds = intFlag(values.seeds, 'seeds', 1, MAX_SWEEP_SEEDS);
  if (trials === undefined && seeds === undefined)
    throw new UsageError('Say how to extend the sweep: --trials N (a random sweep) and/or --seeds N.');
  const wb = ctx.workbench();
  const before = (await wb.getSweep(id)).counts.total;
  const sweep = await wb
    .extendSweep(id, { ...(trials ? { trials } : {}), ...(seeds ? { seeds } : {}) })
    .catch(asUsage);
  if (values.json) return printJson(sweep);
  const added = sweep.counts.total - before;
  await printChange(wb, sweep, `has ${plural(added, 'more run')}, queued`, added > 0);
}

// "Sweep 3 "lr study" is paused: ...", its counts, and who runs the queue when runs wait for it.
async function printChange(wb: WorkbenchLocalApi, s: SweepSummary, what: string, queued: boolean) {
  console.log(`Sweep ${s.id} "${s.name}" ${what}.`);
  console.log(countsText(s));
  if (queued) console.log(runnerHint(await wb.queueState()));
}
