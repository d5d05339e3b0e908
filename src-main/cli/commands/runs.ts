import fs from 'node:fs';
import { RunStateError } from '../../core/workbench';
import type { RunDetail } from '../../shared/training';
import { negativesAsValues, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { compareRuns, describeComparison, describeRun, runsTable } from '../format-runs';
import { agreed, printJson } from '../output';
import { parseSweepId } from './sweep';

export const RUNS_USAGE = `Usage:
  timbre runs list [--sweep ID] [--json]
      Every training run (or a sweep's), newest first: settings, status, epochs, accuracy, duration.
  timbre runs show ID [--json]
      Everything a run recorded: parameters, epochs, test evaluations with confusion matrices, models.
  timbre runs compare ID ID... [--json]
      The parameters that differ between runs, and their best and last metrics side by side.
  timbre runs delete ID [--yes] [--json]
      Delete a run, all it recorded and its models under TIMBRE_HOME/models (asks first unless --yes).`;

/** `timbre runs ...` */
export async function runsCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(ctx, rest);
    case 'show':
      return show(ctx, rest);
    case 'compare':
      return compare(ctx, rest);
    case 'delete':
      return deleteCmd(ctx, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(RUNS_USAGE);
      return;
    default:
      throw new UsageError(`Unknown command "runs ${sub}".\n${RUNS_USAGE}`);
  }
}

const usageOf = (sub: number) =>
  RUNS_USAGE.split('\n')
    .slice(1 + sub * 2, 3 + sub * 2)
    .join('\n');

/** A run id as typed: a positive whole number, else a UsageError. */
export function parseRunId(text: string, usage: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`A run id is a positive whole number (got "${text}").\n${usage}`);
  }
  return id;
}

async function list(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(0);
  const options = { sweep: { type: 'string' }, json: { type: 'boolean' } } as const;
  const { values, positionals } = parseFlags(negativesAsValues(argv, options), options, usage);
  if (values.help) return console.log(usage);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${usage}`);
  const wb = ctx.workbench();
  const sweep = values.sweep === undefined ? undefined : await wb.getSweep(parseSweepId(values.sweep));
  const runs = (await wb.listRuns()).filter((r) => !sweep || r.sweepId === sweep.id);
  if (values.json) return printJson(runs);
  if (sweep && !runs.length) return console.log(`Sweep ${sweep.id} "${sweep.name}" has no runs left.`);
  if (!runs.length) return console.log('No runs yet; every training run is listed here once it starts.');
  console.log(runsTable(runs));
}

async function show(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(1);
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  if (positionals.length !== 1) throw new UsageError(`Give one run id.\n${usage}`);
  const run = await ctx.workbench().getRun(parseRunId(positionals[0]!, usage));
  if (values.json) return printJson(run);
  console.log(describeRun(run));
}

async function compare(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(2);
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  if (positionals.length < 2) throw new UsageError(`Give two or more run ids to compare.\n${usage}`);
  const ids = positionals.map((p) => parseRunId(p, usage));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`Run ${twice} is given twice; give each run once.\n${usage}`);
  const wb = ctx.workbench();
  const runs: RunDetail[] = [];
  for (const id of ids) runs.push(await wb.getRun(id));
  const comparison = compareRuns(runs);
  if (values.json) return printJson(comparison);
  console.log(describeComparison(comparison));
}

async function deleteCmd(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(3);
  const { values, positionals } = parseFlags(
    argv,
    { yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' } },
    usage,
  );
  if (values.help) return console.log(usage);
  if (positionals.length !== 1) throw new UsageError(`Give one run id.\n${usage}`);
  const id = parseRunId(positionals[0]!, usage);
  const wb = ctx.workbench();
  const run = await wb.getRun(id);
  if (run.status === 'running' || run.status === 'queued') {
    // Checked before asking; deleteRun checks again, atomically.
    throw new RunStateError(`Run ${id} "${run.name}" is ${run.status}; cancel it before deleting it.`);
  }
  const label = `run ${id} "${run.name}"`;
  if (!(await agreed(values.yes, `Deleting ${label} cannot be undone`, `Delete ${label}? [y/N] `))) {
    process.stderr.write(`Kept ${label}.\n`);
    return;
  }
  const modelsDir = await wb.runModelFolder(id);
  const hadModels = fs.existsSync(modelsDir);
  await wb.deleteRun(id);
  if (values.json) return printJson({ deleted: id, name: run.name, modelsDir: hadModels ? modelsDir : null });
  console.log(`Deleted ${label}${hadModels ? ` and its models in ${modelsDir}` : ''}.`);
}
