import { FeatureConfigError, validateFeatureConfig } from '../../core/features/config';
import type { FeatureConfig } from '../../shared/features';
import { choiceFlag, intFlag, numberFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson, table } from '../output';
import { watchProgress } from '../progress';

export const FEATURES_USAGE = `Usage:
  timbre features [--dataset ID|NAME] [--features raw|logmel|mfcc] [--start S] [--seconds S] [--frame N]
                  [--n-fft N] [--hop N] [--n-mels N] [--n-mfcc N] [--normalization none|standard|clip]
                  [--max-per-family N] [--json]
      Compute (once) and cache a data set's features under TIMBRE_HOME/features.
      Defaults: the default data set; raw frames of 160 samples from the first 1 s (the seed's input).`;

/** The feature flags shared by every command that trains or computes features. */
export const FEATURE_FLAGS = {
  features: { type: 'string' },
  start: { type: 'string' },
  seconds: { type: 'string' },
  frame: { type: 'string' },
  'n-fft': { type: 'string' },
  hop: { type: 'string' },
  'n-mels': { type: 'string' },
  'n-mfcc': { type: 'string' },
  normalization: { type: 'string' },
  'max-per-family': { type: 'string' },
} as const;

/** Turns feature flags into a partial FeatureConfig; ranges across fields are checked by the core. */
export function featureFlags(values: Record<string, unknown>): Partial<FeatureConfig> {
  const config: Partial<FeatureConfig> = {
    representation: choiceFlag(values.features, 'features', ['raw', 'logmel', 'mfcc'] as const),
    start: numberFlag(values.start, 'start', 0, 3.99),
    seconds: numberFlag(values.seconds, 'seconds', 0.01, 4),
    frame: intFlag(values.frame, 'frame', 1, 16000),
    nFft: intFlag(values['n-fft'], 'n-fft', 64, 8192),
    hop: intFlag(values.hop, 'hop', 16, 8192),
    nMels: intFlag(values['n-mels'], 'n-mels', 8, 256),
    nMfcc: intFlag(values['n-mfcc'], 'n-mfcc', 2, 256),
    normalization: choiceFlag(values.normalization, 'normalization', ['none', 'standard', 'clip'] as const),
    maxPerFamily: intFlag(values['max-per-family'], 'max-per-family', 0, 10_000_000),
  };
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
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
