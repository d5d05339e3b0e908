// `timbre queue run`: this process runs the lasting queue (its Workbench opened with queue: 'run')
// and prints a line as each run starts, ends an epoch and ends, until SIGINT/SIGTERM (or, with
// --until-empty, until nothing waits, prepares or trains). Closing the Workbench afterwards leaves
// the queue as it was: runs training here wait again, from their last committed epoch.
import type { WorkbenchLocalApi } from '../../core/local-api';
import type { QueueState, RunEventPayload, WorkbenchEvent } from '../../shared/contract';
import { fixed, humanDuration, pct } from '../../shared/format';
import { runnerText } from '../format-runs';

/** What `queue run` was asked: stop once the queue is empty, or only on a signal. */
export interface RunQueueOptions {
  untilEmpty: boolean;
}

// "14:02:11 ": when a line was printed (a queue may run for days).
const say = (line: string): void => {
  process.stdout.write(`${new Date().toTimeString().slice(0, 8)} ${line}\n`);
};
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const PAUSED = 'The queue is paused: no run starts until `timbre queue resume`.';

/** A run training here as its lines name it: looked up once, when it starts. */
interface Known {
  epochs: number;
  /** Its features are being computed (said once). */
  features?: boolean;
  testAccuracy?: number;
}

/** Turns the Workbench's events into the lines of `queue run`; `empty` is called once nothing is left. */
class QueuePrinter {
  private readonly known = new Map<number, Known>();
  /** The queue as last seen. */
  last?: QueueState;

  constructor(
    private readonly wb: WorkbenchLocalApi,
    private readonly empty?: () => void,
  ) {}

  onEvent(event: WorkbenchEvent): void {
    if (event.type === 'queue') this.onState(event.state);
    else if (event.type === 'run') this.onRun(event.runId, event.event);
    else if (event.type === 'log') say(event.message);
  }

  /** Who runs the queue, pauses, settings, and the runs this process has just claimed. */
  onState(state: QueueState): void {
    const before = this.last;
    this.last = state;
    const kind = state.runner.kind;
    if (kind !== before?.runner.kind) {
      if (kind === 'here')
        say(
          `${before ? 'Took over the queue' : 'Running the queue'}: ${state.training.length} starting, ` +
            `${state.queued.length} waiting; up to ${plural(state.runsAtOnce, 'run')} at once.`,
        );
      else if (kind === 'elsewhere')
        say(`The queue is run by ${runnerText(state.runner)}: waiting to take over when it stops.`);
    }
    if (state.paused !== (before?.paused ?? false)) say(state.paused ? PAUSED : 'The queue is resumed.');
    if (before && state.runsAtOnce !== before.runsAtOnce)
      say(`Up to ${plural(state.runsAtOnce, 'run')} train at once now.`);
    if (kind === 'here') {
      const had = new Set(before?.runner.kind === 'here' ? before.training.map((t) => t.runId) : []);
      for (const t of state.training) if (!had.has(t.runId)) void this.starting(t.runId);
    }
    if (!state.training.length && !state.queued.length) this.empty?.();
  }

  // A run this process has just claimed: its epochs (read once), then its start line.
  private async starting(runId: number): Promise<void> {
    const run = await this.wb.getRun(runId).catch(() => null);
    if (!run) return;
    this.known.set(runId, { epochs: run.epochs });
    const from = run.epochsDone ? `, from epoch ${run.epochsDone + 1}` : '';
    const sweep = run.sweepId === null ? '' : `, sweep ${run.sweepId}`;
    say(`run ${runId} "${run.name}" starts (${plural(run.epochs, 'epoch')}${from}${sweep}).`);
  }

  private onRun(runId: number, e: RunEventPayload): void {
    const run = this.known.get(runId);
    switch (e.type) {
      case 'features':
        if (!run || run.features || e.done >= e.total) return;
        run.features = true;
        return say(`run ${runId}: computing its features (${e.total} notes).`);
      case 'ready':
        return say(`run ${runId}: training on the ${e.backend} backend (${e.version}).`);
      case 'epoch': {
        const m = e.metrics;
        const val = m.valLoss === null ? '' : `  val loss ${fixed(m.valLoss)} acc ${pct(m.valAccuracy)}`;
        return say(
          `run ${runId}: epoch ${m.epoch}/${run?.epochs ?? '?'}  loss ${fixed(m.trainLoss)} ` +
            `acc ${pct(m.trainAccuracy)}${val}  ${m.samplesPerSecond.toFixed(1)} samples/s  ${humanDuration(m.seconds)}`,
        );
      }
      case 'evaluation':
        if (run && e.split === 'test' && e.weights === 'best') run.testAccuracy = e.accuracy;
        return;
      case 'log':
        return say(`run ${runId}: ${e.message}`);
      case 'ended': {
        this.known.delete(runId);
        const test = run?.testAccuracy === undefined ? '' : `; test accuracy ${pct(run.testAccuracy)}`;
        return say(`run ${runId} ${e.status}${e.error ? `: ${e.error}` : test}.`);
      }
    }
  }
}

/**
 * Runs the queue in this process: opens the Workbench with `open` (signals are caught before, as
 * from then on runs may train here) and prints its life until SIGINT/SIGTERM, or until it is empty
 * with `untilEmpty`. Resolves with the exit code; the caller then closes the Workbench.
 */
export async function runQueue(open: () => WorkbenchLocalApi, options: RunQueueOptions): Promise<number> {
  let stop: (why: NodeJS.Signals | 'empty') => void = () => {};
  const stopped = new Promise<NodeJS.Signals | 'empty'>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let unsubscribe = () => {};
  try {
    const wb = open();
    const printer = new QueuePrinter(wb, options.untilEmpty ? () => stop('empty') : undefined);
    unsubscribe = wb.subscribe((event) => printer.onEvent(event));
    const info = await wb.appInfo();
    say(
      `Queue runner of ${info.home} (process ${process.pid}); Ctrl-C stops it, runs training here wait again.`,
    );
    // The Workbench published the queue (and may have claimed runs) as it opened, before anyone
    // listened: start from the queue as it is now.
    if (!printer.last) printer.onState(await wb.queueState());
    const why = await stopped;
    if (why === 'empty') say('The queue is empty: nothing waits, prepares or trains.');
    else {
      const last = printer.last;
      const here = last?.runner.kind === 'here' ? last.training.map((t) => `run ${t.runId}`) : [];
      const back = here.length
        ? `: ${here.join(', ')} wait${here.length === 1 ? 's' : ''} again, to continue from the last committed epoch`
        : '';
      say(`Stopping (${why})${back}.`);
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    unsubscribe();
  }
}
