import { FeatureConfigError, validateFeatureConfig } from '../../core/features/config';
import type { FeatureConfig } from '../../shared/features';
import { parseFlags, UsageError } from '../args';
import { trainingOptions } from '../../core/training/options';
import { FEATURE_FLAGS, trainOverridesFromFlags, trainSynopsis } from '../train-flags';
import type { CliContext } from '../context';
import { printJson, table } from '../output';
import { watchProgress } from '../progress';

export const FEATURES_USAGE = `Usage:
  timbre features [--dataset ID|NAME] [--json]
                  ${trainSynopsis(trainingOptions(), '                  ', (f) => f.section === 'features')}
      Compute (once) and cache a data set's features under TIMBRE_HOME/features.
      Defaults: the default data set; raw frames of 160 samples from the first 1 s (the seed's input).`;

export { FEATURE_FLAGS };

/** Turns feature flags into a partial FeatureConfig (ranges from the schema); ranges across fields are checked by the core. */
export function featureFlags(values: Record<string, unknown>): Partial<FeatureConfig> {
  return trainOverridesFromFlags(values, trainingOptions()).features ?? {};
}

/** Runs a check, turning a bad combination of feature values into a usage error (exit 2). */
export function asUsageError<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw err instanceof FeatureConfigError ? new UsageError(err.message) : err;
  }
}

/** `timbre features ...` */
export async function featuresCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    { ...FEATURE_FLAGS, dataset: { type: 'string' }, json: { type: 'boolean' } },
    FEATURES_USAGE,
  );
  if (values.help) return console.log(FEATURES_USAGE);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${FEATURES_USAGE}`);
  const config = featureFlags(values);
  // Check the whole configuration before anything is rendered or read.
  asUsageError(() => validateFeatureConfig(config));
  const dataset = await ctx.dataset(values.dataset);
  const wb = ctx.workbench();
  const stop = watchProgress(wb);
  try {
    const info = await wb.buildFeatures(dataset.id, config);
    stop();
    if (values.json) return printJson(info);
    console.log(
      `${info.built ? 'Computed' : 'Reused'} features of "${dataset.name}": ${info.config.representation}, ` +
        `${info.shape.steps} steps x ${info.shape.dims} values per note\n${info.dir}\n`,
    );
    console.log(
      table(
        ['split', 'notes'],
        Object.entries(info.splits).map(([s, v]) => [s, v!.notes]),
      ),
    );
  } finally {
    stop();
    stop();
  }
}
