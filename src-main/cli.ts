import { CliContext } from './cli/context';
import { UsageError } from './cli/args';
import { exitCodeOf } from './core/errors';
import { datasetCommand } from './cli/commands/dataset';
import { dbCommand } from './cli/commands/db';
import { featuresCommand } from './cli/commands/features';
import { notesCommand } from './cli/commands/notes';
import { queueCommand } from './cli/commands/queue';
import { reportCommand } from './cli/commands/report';
import { runsCommand } from './cli/commands/runs';
import { serveCommand } from './cli/commands/serve';
import { sweepCommand } from './cli/commands/sweep';
import { testCommand } from './cli/commands/test-model';
import { trainCommand } from './cli/commands/train';
import { workerCommand } from './cli/commands/worker';
import { REPORT_FORMAT_LIST } from './core/reports/registry';
import { trainingOptions } from './core/training/options';

// The model types and report formats come from their registries, so a new one shows here unedited.
const usage = () => `timbre — Timbre Workbench on the command line

Usage: timbre <command> [options]      (every command takes --help)

Commands:
  dataset   render, import, list and show data sets (NSynth json/wav layout)
  features  compute and cache audio features of a data set
  train     train a model (${trainingOptions()
    .modelTypes.map((t) => t.id.toUpperCase())
    .join(', ')}); every run is kept
  sweep     plan, create and follow sweeps: many runs from a grid or random search of settings
  queue     the lasting training queue: list, pause, resume, move, cancel; \`queue run\` trains it
  runs      list, show, compare and delete training runs
  test      evaluate a saved model on a split of a data set
  notes     a run's misclassified notes, a note's WAV, a note's prediction per epoch
  report    export runs as ${REPORT_FORMAT_LIST.map((f) => f.label.replace(/ \(.*\)$/, '')).join(', ')}
  serve     serve the workbench UI to a browser (the browser shell)
  worker    train runs a hub (\`serve --redis\`) hands out through Redis (cluster mode)
  db        check the database, take a backup, restore one

Data lives under TIMBRE_HOME (now: ${process.env.TIMBRE_HOME || 'the per-user app-data folder'}).`;

// A command returns nothing for success, or its own exit code.
const COMMANDS: Record<string, (ctx: CliContext, argv: string[]) => Promise<number | void>> = {
  dataset: datasetCommand,
  features: featuresCommand,
  train: trainCommand,
  sweep: sweepCommand,
  queue: queueCommand,
  runs: runsCommand,
  test: testCommand,
  notes: notesCommand,
  report: reportCommand,
  serve: serveCommand,
  worker: workerCommand,
  db: dbCommand,
};

/** Runs one command line; returns the process exit code. Errors become one readable line. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(usage());
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  const ctx = new CliContext();
  try {
    if (!run) throw new UsageError(`Unknown command "${command}". Run \`timbre --help\` for the list.`);
    return (await run(ctx, rest)) ?? 0;
  } catch (err) {
    // The terminal is the user's own: every message is shown, internal faults included.
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`timbre: ${message}\n`);
    if (process.env.TIMBRE_DEBUG && err instanceof Error && !(err instanceof UsageError))
      process.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  } finally {
    await ctx.close();
  }
}
