// `timbre queue ...`: the lasting queue of this TIMBRE_HOME, shown and changed from any process
// (one-shot commands only watch it), and `timbre queue run`, which trains it.
import { RunStateError } from '../../core/workbench';
import { MAX_RUNS_AT_ONCE, type QueueState } from '../../shared/contract';
import { unpackRuns } from '../../shared/run-list';
import type { SweepStatus } from '../../shared/sweeps';
import { isActive, type RunSummary } from '../../shared/training';
import { negativesAsValues, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { describeQueue, runnerHint } from '../format-runs';
import { printJson } from '../output';
import { runQueue } from './queue-run';

export const QUEUE_USAGE = `Usage:
  timbre queue list [--json]
      What prepares or trains now, what waits (in the order it starts), whether the queue is
      paused, how many runs train at once, and which process runs the queue.
  timbre queue run [--until-empty]
      Run the queue in this process, as the app and \`timbre serve\` do (for a headless machine):
      train its runs, printing a line as each starts, ends an epoch and ends. If another process runs it, wait and take over
      when that process is gone. Ctrl-C (or SIGTERM) stops: runs training here go back to waiting
      and continue from their last committed epoch in whichever process runs the queue next.
      --until-empty: stop once no run waits, prepares or trains.
  timbre queue pause [--json]           no run starts until the queue is resumed (those training go on)
  timbre queue resume [--json]          runs start again
  timbre queue move RUN_ID --to N|--top [--json]
      Move a waiting run to place N of the waiting runs (1: the next to start; --top is --to 1).
  timbre queue cancel RUN_ID [--json]   cancel a waiting run, or stop a preparing or training one
  timbre queue runs-at-once [N] [--json]
      How many runs train at once (1 to ${MAX_RUNS_AT_ONCE}); without N, the current number.`;

const JSON_FLAG = { json: { type: 'boolean' } } as const;

/** `timbre queue ...` */
export async function queueCommand(ctx: CliContext, argv: string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(ctx, rest);
    case 'run':
      return run(ctx, rest);
    case 'pause':
    case 'resume':
      return pauseOrResume(ctx, sub, rest);
    case 'move':
      return move(ctx, rest);
    case 'cancel':
      return cancel(ctx, rest);
    case 'runs-at-once':
      return runsAtOnce(ctx, rest);
    case undefined:
      throw new UsageError(QUEUE_USAGE);
    case '--help':
    case '-h':
    case 'help':
      return console.log(QUEUE_USAGE);
    default:
      throw new UsageError(`Unknown queue command "${sub}".\n${QUEUE_USAGE}`);
  }
}

// Parses a sub-command's flags; --help prints the usage (the caller then returns).
function flags<T extends Parameters<typeof parseFlags>[1]>(argv: string[], options: T) {
  const parsed = parseFlags(negativesAsValues(argv, options), options, QUEUE_USAGE);
  if ((parsed.values as { help?: boolean }).help) console.log(QUEUE_USAGE);
  return parsed;
}

function noMore(positionals: string[], from: number): void {
  if (positionals.length > from) throw new UsageError(`Unexpected argument "${positionals[from]}".`);
}

// A run id as typed; the one line of the error says what is wrong (no usage text after it).
function runId(text: string | undefined, what: string): number {
  const id = Number(text);
  if (text === undefined) throw new UsageError(`Give the id of the run to ${what}.`);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`A run id is a positive whole number (got "${text}").`);
  return id;
}

/** `timbre queue list` */
async function list(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  noMore(positionals, 0);
  const wb = ctx.workbench();
  const state = await wb.queueState();
  if (values.json) return printJson(state);
  const ids = new Set([...state.training.map((t) => t.runId), ...state.queued]);
  const runs = new Map<number, RunSummary>();
  const sweeps = new Map<number, SweepStatus>();
  if (ids.size) {
    for (const r of unpackRuns(await wb.listRuns())) if (ids.has(r.id)) runs.set(r.id, r);
    if ([...runs.values()].some((r) => r.sweepId !== null))
      for (const s of await wb.listSweeps()) sweeps.set(s.id, s.status);
  }
  console.log(describeQueue(state, runs, sweeps));
}

/** `timbre queue run [--until-empty]` */
async function run(ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = flags(argv, { 'until-empty': { type: 'boolean' } });
  if (values.help) return;
  noMore(positionals, 0);
  return runQueue(() => ctx.workbench('run'), { untilEmpty: values['until-empty'] === true });
}

/** `timbre queue pause|resume` */
async function pauseOrResume(ctx: CliContext, verb: 'pause' | 'resume', argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  noMore(positionals, 0);
  const wb = ctx.workbench();
  const state = verb === 'pause' ? await wb.pauseQueue() : await wb.resumeQueue();
  if (values.json) return printJson(state);
  const training = state.training.length;
  console.log(
    verb === 'pause'
      ? `The queue is paused: no run starts until \`timbre queue resume\`` +
          (training ? ` (${training} preparing or training go on).` : '.')
      : `The queue is resumed: ${state.queued.length} waiting.`,
  );
  if (verb === 'resume' && state.queued.length) console.log(runnerHint(state));
}

// "1st", "2nd", "3rd", "11th", "22nd".
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** `timbre queue move RUN_ID --to N|--top` */
async function move(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, {
    ...JSON_FLAG,
    to: { type: 'string' },
    top: { type: 'boolean' },
  });
  if (values.help) return;
  noMore(positionals, 1);
  const id = runId(positionals[0], 'move');
  if (values.top && values.to !== undefined) throw new UsageError('Give --to N or --top, not both.');
  if (!values.top && values.to === undefined) throw new UsageError('Say where to: --to N or --top.');
  const place = values.top ? 1 : placeOf(values.to!);
  const wb = ctx.workbench();
  const run = await wb.getRun(id);
  const before = await wb.queueState();
  if (!before.queued.includes(id))
    throw new RunStateError(
      `Run ${id} is ${run.status}, not waiting in the queue; only a waiting run can be moved.`,
    );
  const state = await wb.moveInQueue(id, place - 1);
  if (values.json) return printJson(state);
  const now = state.queued.indexOf(id) + 1;
  console.log(`Run ${id} is ${ordinal(now)} of ${state.queued.length} waiting.`);
}

// --to N: a place from 1 (beyond the last means last).
function placeOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--to must be a place in the queue, a whole number from 1 (got "${text}").`);
  return n;
}

/** `timbre queue cancel RUN_ID` */
async function cancel(ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  noMore(positionals, 1);
  const id = runId(positionals[0], 'cancel');
  const wb = ctx.workbench();
  const run = await wb.getRun(id);
  if (!isActive(run.status))
    throw new RunStateError(
      `Run ${id} is ${run.status}; only a waiting, preparing or training run can be cancelled.`,
    );
  if (!(await wb.cancelRun(id)))
    throw new RunStateError(
      `Run ${id} trains outside the queue, in the process that started it (\`timbre train\`): stop it there.`,
    );
  const now = await wb.getRun(id);
  if (values.json) return printJson({ cancelled: id, name: now.name, status: now.status });
  if (!isActive(now.status)) return console.log(`Run ${id} "${now.name}" is ${now.status}.`);
  const runner = (await wb.queueState()).runner.kind;
  console.log(
    runner === 'nobody'
      ? `Run ${id} "${now.name}" will stop as soon as a process runs the queue again.`
      : `Run ${id} "${now.name}" stops within a batch (the process running the queue was asked to).`,
  );
}

/** `timbre queue runs-at-once [N]` */
async function runsAtOnce(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = flags(argv, JSON_FLAG);
  if (values.help) return;
  noMore(positionals, 1);
  const wb = ctx.workbench();
  let state: QueueState;
  if (positionals[0] === undefined) state = await wb.queueState();
  else {
    const text = positionals[0];
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > MAX_RUNS_AT_ONCE)
      throw new UsageError(
        `Runs at once must be a whole number from 1 to ${MAX_RUNS_AT_ONCE} (got "${text}").`,
      );
    state = await wb.setRunsAtOnce(n);
  }
  if (values.json) return printJson(state);
  console.log(`Up to ${state.runsAtOnce} run${state.runsAtOnce === 1 ? '' : 's'} train at once.`);
}
