import { CliContext } from './cli/context';
import { UsageError } from './cli/args';
import { DATASET_USAGE, datasetCommand } from './cli/commands/dataset';
import { FEATURES_USAGE, featuresCommand } from './cli/commands/features';
import { RUNS_USAGE, runsCommand } from './cli/commands/runs';

const USAGE = `timbre — Timbre Workbench on the command line

Usage: timbre <command> [options]      (every command takes --help)

Commands:
  dataset   render, import, list and show data sets (NSynth json/wav layout)
  features  compute and cache audio features of a data set
  runs      list, show, compare and delete training runs

Data lives under TIMBRE_HOME (now: ${process.env.TIMBRE_HOME || 'the per-user app-data folder'}).

${DATASET_USAGE}

${RUNS_USAGE}

${FEATURES_USAGE}`;

const COMMANDS: Record<string, (ctx: CliContext, argv: string[]) => Promise<void>> = {
  dataset: datasetCommand,
  features: featuresCommand,
  runs: runsCommand,
};

/** Runs one command line; returns the process exit code. Errors become one readable line. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  const ctx = new CliContext();
  try {
    if (!run) throw new UsageError(`Unknown command "${command}". Run \`timbre --help\` for the list.`);
    await run(ctx, rest);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`timbre: ${err.message}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`timbre: ${message}\n`);
    if (process.env.TIMBRE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  } finally {
    ctx.close();
  }
}
