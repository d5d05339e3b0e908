import { createHash } from 'node:crypto';
import { SAMPLE_RATE } from '../../shared/constants';
import { DEFAULT_FEATURES, type FeatureConfig, type FeatureShape } from '../../shared/features';
import { quoted } from '../../shared/train-checks';
import { featureShapeOf, firstProblem, flatten } from '../../shared/train-checks';
import { joinRegistries, type TrainingOptions } from '../../shared/train-schema';
import {
  findRepresentation,
  REPRESENTATION_LIST,
  representationInfo,
  type RepresentationDef,
} from './representations/registry';
import { WorkbenchError } from '../errors';

/** Bumped whenever the bytes a feature cache holds would change for the same configuration. */
export const FEATURE_CACHE_VERSION = 1;

/** A feature setting out of its allowed range; `field` names the FeatureConfig key. */
export class FeatureConfigError extends WorkbenchError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('bad-argument', `Feature setting "${field}": ${message}`, { name: 'FeatureConfigError' });
  }
}

let featureOptions: TrainingOptions | undefined;

/** Fills defaults into a partial configuration and checks every range (the schema's); throws FeatureConfigError. */
export function validateFeatureConfig(partial: Partial<FeatureConfig> = {}): FeatureConfig {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_FEATURES)) {
      throw new FeatureConfigError(
        key,
        `unknown setting; one of ${Object.keys(DEFAULT_FEATURES).join(', ')}`,
      );
    }
  }
  const config: FeatureConfig = { ...DEFAULT_FEATURES };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  // Feature fields depend on no model type: the model registry (and tfjs) stays out of feature workers.
  featureOptions ??= joinRegistries([], representationInfo());
  const problem = firstProblem(
    flatten({ features: config }),
    featureOptions,
    (f) => f.section === 'features',
  );
  if (problem) {
    const key = problem.field.key as keyof FeatureConfig;
    throw new FeatureConfigError(key, `${problem.problem} (got ${quoted(config[key])})`);
  }
  return config;
}

/** The registered representation of a configuration; FeatureConfigError for an unknown one. */
export function representationOf(config: FeatureConfig): RepresentationDef {
  const found = findRepresentation(config.representation);
  if (!found)
    throw new FeatureConfigError(
      'representation',
      `must be one of ${REPRESENTATION_LIST.map((r) => r.id).join(', ')} (got ${quoted(config.representation)})`,
    );
  return found;
}

/** The clip in samples: first sample and count. */
export function clipRange(config: FeatureConfig): { start: number; count: number } {
  return { start: Math.round(config.start * SAMPLE_RATE), count: Math.round(config.seconds * SAMPLE_RATE) };
}

/** Time steps x values per step of one note's features under `config`. */
export function featureShape(config: FeatureConfig): FeatureShape {
  return featureShapeOf(representationOf(config), flatten({ features: config }), clipRange(config).count);
}

/**
 * The configuration with settings its representation ignores reset to their defaults and times
 * rounded to whole samples, so that equivalent configurations share one cache.
 */
export function normalizeFeatureConfig(config: FeatureConfig): FeatureConfig {
  const { start, count } = clipRange(config);
  const uses = representationOf(config).uses as readonly string[];
  const ignored = new Set<string>(
    REPRESENTATION_LIST.flatMap((r) => r.uses).filter((k) => !uses.includes(k)),
  );
  // Keys in DEFAULT_FEATURES' order, whatever order `config` has: the cache key's JSON relies on it.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_FEATURES) as (keyof FeatureConfig)[])
    out[key] = ignored.has(key) ? DEFAULT_FEATURES[key] : config[key];
  return { ...(out as unknown as FeatureConfig), start: start / SAMPLE_RATE, seconds: count / SAMPLE_RATE };
}

/** Stable name of the cache of a data set (by fingerprint) under a configuration. */
export function featureCacheKey(fingerprint: string, config: FeatureConfig): string {
  const n = normalizeFeatureConfig(config);
  // Keys in a fixed order: JSON.stringify follows insertion order, which normalizeFeatureConfig fixes.
  const text = JSON.stringify({ v: FEATURE_CACHE_VERSION, fingerprint, config: n });
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${n.representation}-${hash}`;
}
