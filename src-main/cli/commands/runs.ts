import fs from 'node:fs';
import { RunStateError } from '../../core/workbench';
import { unpackRuns } from '../../shared/run-list';
import type { RunDetail } from '../../shared/training';
import { negativesAsValues, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { compareRuns, describeComparison, describeRun, runsTable } from '../format-runs';
import { describeGroups } from '../format-groups';
import {
  GROUP_METRIC_KEYS,
  GROUP_METRICS,
  type GroupBy,
  type GroupMetric,
  type GroupRequest,
} from '../../shared/group-compare';
import { agreed, printJson } from '../output';
import { parseSweepId } from './sweep';

export const RUNS_USAGE = `Usage:
  timbre runs list [--sweep ID] [--json]
      Every training run (or a sweep's), newest first: settings, status, epochs, accuracy, duration.
  timbre runs show ID [--json]
      Everything a run recorded: parameters, epochs, test evaluations with confusion matrices, models.
  timbre runs compare ID ID... [--json]
      The parameters that differ between runs, and their best and last metrics side by side.
  timbre runs compare [ID...] [--sweep ID] --group-by configuration|sweep|KEY[,KEY] [--metric NAME] [--test welch|bootstrap] [--json]
      Groups of runs (the given ones, or a sweep's): n, mean ± sd and 95 % CI of a metric per group,
      and every pair tested ("lr=0.0003 is 5.0 points worse than lr=0.001, 95 % CI ..."). Group by
      configuration (runs identical except the seed; the default with --sweep), sweep, or settings
      such as model.type or lr. Metrics: METRICS (default test_accuracy).
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

// The usage of one command: its line and the indented description under it.
const usageOf = (entry: number) => RUNS_USAGE.split(/\n(?= {2}timbre )/).slice(1)[entry]!;

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
  const runs = unpackRuns(await wb.listRuns({ sweep: sweep?.id ?? null }));
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
  const usage = `${usageOf(2)}\n${usageOf(3)}`;
  const options = {
    json: { type: 'boolean' },
    sweep: { type: 'string' },
    'group-by': { type: 'string' },
    metric: { type: 'string' },
    test: { type: 'string' },
  } as const;
  const { values, positionals } = parseFlags(argv, options, usage);
  if (values.help) return console.log(usage);
  const ids = positionals.map((p) => parseRunId(p, usage));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new UsageError(`Run ${twice} is given twice; give each run once.\n${usage}`);
  const grouped =
    values['group-by'] !== undefined ||
    values.sweep !== undefined ||
    values.metric !== undefined ||
    values.test !== undefined;
  if (grouped) return compareGroups(ctx, ids, values, usage);
  if (ids.length < 2) throw new UsageError(`Give two or more run ids to compare.\n${usage}`);
  const wb = ctx.workbench();
  const runs: RunDetail[] = [];
  for (const id of ids) runs.push(await wb.getRun(id));
  const comparison = compareRuns(runs);
  if (values.json) return printJson(comparison);
  console.log(describeComparison(comparison));
}

async function compareGroups(
  ctx: CliContext,
  ids: number[],
  values: { json?: boolean; sweep?: string; 'group-by'?: string; metric?: string; test?: string },
  usage: string,
): Promise<void> {
  if (values.sweep !== undefined && ids.length)
    throw new UsageError(`Give run ids or --sweep, not both.\n${usage}`);
  if (values.sweep === undefined && ids.length < 2)
    throw new UsageError(`Give two or more run ids, or --sweep ID, to compare groups.\n${usage}`);
  const request: GroupRequest = {
    select: values.sweep === undefined ? { runs: ids } : { sweep: parseSweepId(values.sweep) },
    groupBy: parseGroupBy(values['group-by'] ?? 'configuration', usage),
    metric: parseMetric(values.metric ?? 'test_accuracy', usage),
    test: parseTest(values.test ?? 'welch', usage),
  };
  const comparison = await ctx.workbench().compareGroups(request);
  if (values.json) return printJson(comparison);
  console.log(describeGroups(comparison));
}

/** `--group-by`: configuration, sweep, or setting keys joined by commas; a UsageError for anything else. */
export function parseGroupBy(text: string, usage: string): GroupBy {
  if (text === 'configuration' || text === 'sweep') return text;
  const keys = text.split(',').map((k) => k.trim());
  if (keys.some((k) => !/^[A-Za-z][\w.]{0,199}$/.test(k)))
    throw new UsageError(
      `--group-by takes configuration, sweep, or settings such as model.type,lr (got "${text}").\n${usage}`,
    );
  return keys;
}

/** `--metric`: a metric by its command-line name (test_accuracy) or its key (testAccuracy). */
export function parseMetric(text: string, usage: string): GroupMetric {
  const metric = GROUP_METRIC_KEYS.find((m) => m === text || GROUP_METRICS[m].cli === text);
  if (!metric)
    throw new UsageError(
      `Unknown metric "${text}"; one of ${GROUP_METRIC_KEYS.map((m) => GROUP_METRICS[m].cli).join(', ')}.\n${usage}`,
    );
  return metric;
}

/** `--test`: welch or bootstrap. */
export function parseTest(text: string, usage: string): 'welch' | 'bootstrap' {
  if (text !== 'welch' && text !== 'bootstrap')
    throw new UsageError(`--test is welch or bootstrap (got "${text}").\n${usage}`);
  return text;
}

async function deleteCmd(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(4);
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
