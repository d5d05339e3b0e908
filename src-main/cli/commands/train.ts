import { NotFoundError } from '../../core/workbench';
import { WorkbenchError } from '../../core/errors';
import type { RunEventPayload, TrainOverrides } from '../../shared/contract';
import { BACKENDS, type RunDetail } from '../../shared/training';
import { PRESET_NAMES } from '../../core/training/config';
import { trainingOptions } from '../../core/training/options';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { fixed, humanDuration, pct } from '../../shared/format';
import { ProgressBar } from '../progress';
import { TRAIN_FLAGS, trainFlagsHelp, trainOverridesFromFlags, trainSynopsis } from '../train-flags';

// The settings' flags, ranges and help come from the schema (the same object wb.trainingOptions() gives).
const OPTIONS = trainingOptions();

export const TRAIN_USAGE = `Usage:
  timbre train [--preset ${PRESET_NAMES.join('|')}] [--dataset ID|NAME] [--name TEXT]
               [--backend node|wasm|cpu] [--json]
               ${trainSynopsis(OPTIONS, '               ')}
      Train a model in a worker thread; every epoch is committed to the database as it ends.
      Defaults: the seed-lstm preset on the built-in default data set. Ctrl-C cancels the run.
  timbre train --resume RUN_ID [--backend node|wasm|cpu] [--json]
      Continue an interrupted or cancelled run from its last committed epoch.`;

const FLAGS = {
  ...TRAIN_FLAGS,
  preset: { type: 'string' },
  dataset: { type: 'string' },
  name: { type: 'string' },
  backend: { type: 'string' },
  resume: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Turns the training flags into preset overrides, checking each flag's own range (from the schema). */
export function trainOverrides(values: Record<string, unknown>): TrainOverrides {
  return trainOverridesFromFlags(values, OPTIONS);
}

/**
 * Draws a run's progress on stderr (stdout keeps the result): features first, then one bar per
 * epoch and a line per finished epoch with loss, accuracy, rate and ETA.
 */
function progressPrinter() {
  const bar = new ProgressBar('notes');
  let epochs = 0;
  let batchSize = 0;
  return {
    setRun: (run: { epochs: number; batch: number }) => {
      epochs = run.epochs;
      batchSize = run.batch;
    },
    finish: () => bar.finish(),
    onEvent(runId: number, e: RunEventPayload) {
      if (e.type === 'features') bar.update({ phase: 'features', done: e.done, total: e.total });
      else if (e.type === 'ready') {
        bar.finish();
        process.stderr.write(`Training run ${runId} on the ${e.backend} backend (${e.version}).\n`);
      } else if (e.type === 'batch') {
        // Batches left in the whole run, at the current rate (validation passes not counted).
        const left = e.batches - e.batch + (epochs - e.epoch) * e.batches;
        const eta = e.samplesPerSecond > 0 ? humanDuration((left * batchSize) / e.samplesPerSecond) : '?';
        bar.update(
          { phase: `epoch ${e.epoch}/${epochs}`, done: e.batch, total: e.batches },
          `loss ${fixed(e.loss)} acc ${pct(e.accuracy)}  ${e.samplesPerSecond.toFixed(1)} samples/s  ETA ${eta}`,
        );
      } else if (e.type === 'epoch') {
        bar.finish();
        const m = e.metrics;
        const val = m.valLoss === null ? '' : `  val loss ${fixed(m.valLoss)} acc ${pct(m.valAccuracy)}`;
        const line =
          `epoch ${m.epoch}/${epochs}  loss ${fixed(m.trainLoss)} acc ${pct(m.trainAccuracy)}${val}` +
          `  ${m.samplesPerSecond.toFixed(1)} samples/s  ${humanDuration(m.seconds)}` +
          `  ETA ${humanDuration(m.seconds * (epochs - m.epoch))}`;
        process.stderr.write(`${line}\n`);
      } else if (e.type === 'log') {
        bar.finish();
        process.stderr.write(`${e.message}\n`);
      }
    },
  };
}

function summaryJson(run: RunDetail) {
  const test = run.evaluations.filter((e) => e.split === 'test' && e.weights === 'best').pop();
  return {
    id: run.id,
    status: run.status,
    backend: run.backend,
    error: run.error,
    test: test ? { accuracy: test.accuracy, confusion: test.confusion, labels: test.labels } : null,
    epochs: run.history,
  };
}

/** `timbre train ...` */
export async function trainCommand(ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = parseFlags(argv, FLAGS, TRAIN_USAGE);
  if (values.help) return console.log(`${TRAIN_USAGE}\n\n${trainFlagsHelp(OPTIONS)}`);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${TRAIN_USAGE}`);
  const backend = choiceFlag(values.backend, 'backend', BACKENDS);
  const resume =
    values.resume === undefined ? undefined : intFlag(values.resume, 'resume', 1, Number.MAX_SAFE_INTEGER);
  let preset: string | undefined;
  let overrides: TrainOverrides = {};
  if (resume === undefined) {
    preset = choiceFlag(values.preset, 'preset', PRESET_NAMES, 'seed-lstm');
    overrides = trainOverrides(values);
  }
  const wb = ctx.workbench('own');
  if (resume === undefined) {
    // Everything is checked before anything is written.
    await wb.validateRun({ preset, overrides }).catch((err: unknown) => {
      throw err instanceof WorkbenchError && err.code === 'bad-argument' ? new UsageError(err.message) : err;
    });
  }
  if (values.dataset !== undefined) {
    await wb.getDataset(values.dataset).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new UsageError(`--dataset: ${err.message}`) : err;
    });
  } else if (resume === undefined) await ctx.defaultDataset();
  const printer = progressPrinter();
  let runId = 0;
  const stop = wb.subscribe((e) => {
    if (e.type === 'run' && e.runId === runId) printer.onEvent(runId, e.event);
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nCancelling (Ctrl-C again to quit at once)...\n');
    void wb.cancelRun(runId);
  };
  process.on('SIGINT', onSigint);
  try {
    const run =
      resume !== undefined
        ? await wb.resumeRun(resume, backend)
        : await wb.createRun({ preset, overrides, dataset: values.dataset, name: values.name, backend });
    runId = run.id;
    printer.setRun(run);
    const done = await wb.waitForRun(runId);
    printer.finish();
    if (values.json) printJson(summaryJson(done));
    else {
      const test = summaryJson(done).test;
      const acc = test
        ? `; test accuracy ${pct(test.accuracy)} (best-validation epoch ${done.bestEpoch})`
        : '';
      process.stdout.write(`Run ${done.id} ${done.status}${acc}.\n`);
    }
    if (done.status === 'failed') {
      process.stderr.write(`timbre: run ${done.id} failed: ${done.error}\n`);
      return 1;
    }
    return done.status === 'finished' ? 0 : 130;
  } finally {
    process.off('SIGINT', onSigint);
    stop();
  }
}
