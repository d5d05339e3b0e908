import { NotFoundError } from '../../core/workbench';
import { BACKENDS } from '../../shared/training';
import { choiceFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { describeEvaluation } from '../format-runs';
import { printJson } from '../output';
import { watchProgress } from '../progress';

export const TEST_USAGE = `Usage:
  timbre test --model RUN_ID|MODEL_DIR [--dataset ID|NAME] [--split train|valid|test] [--backend node|wasm|cpu] [--json]
      Evaluate a saved model (a run's best weights, or a saved model folder) and record the evaluation.`;

/** `timbre test ...`: the seed's test mode. */
export async function testCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      model: { type: 'string' },
      dataset: { type: 'string' },
      split: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
    },
    TEST_USAGE,
  );
  if (values.help) return console.log(TEST_USAGE);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${TEST_USAGE}`);
  if (!values.model) throw new UsageError(`--model RUN_ID|MODEL_DIR is required.\n${TEST_USAGE}`);
  const split = choiceFlag(values.split, 'split', ['train', 'valid', 'test'] as const, 'test');
  const backend = choiceFlag(values.backend, 'backend', BACKENDS);
  const wb = ctx.workbench();
  if (values.dataset !== undefined) {
    await wb.getDataset(values.dataset).catch((err: unknown) => {
      throw err instanceof NotFoundError ? new UsageError(`--dataset: ${err.message}`) : err;
    });
  }
  // The model is checked before the default data set is rendered (which can take minutes).
  const stop = watchProgress(wb);
  let ev;
  try {
    ev = await wb.testModel({ model: values.model, dataset: values.dataset, split, backend });
  } finally {
    stop();
  }
  if (values.json) return printJson(ev);
  console.log(`${ev.modelDir} on the ${split} split (${ev.backend} backend):`);
  console.log(describeEvaluation(ev));
}
