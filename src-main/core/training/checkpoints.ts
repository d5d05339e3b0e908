import type * as tfType from '@tensorflow/tfjs';
import { FAMILIES } from '../../shared/constants';
import type { TrainConfig } from '../../shared/training';
import type { FeatureCacheInfo, FeatureConfig } from '../../shared/features';
import { modelFolder } from './model-dirs';
import { loadModelDir, type NamedWeight } from './model-io';
import type { Model } from './models/types';

type Tf = typeof tfType;

/** Folder of the checkpoint written after `epoch`. */
export function checkpointDir(modelDir: string, epoch: number): string {
  return modelFolder(modelDir, 'checkpoint', epoch);
}

/** A model's weights, and with an optimizer its state too (names prefixed `optimizer/`), as saved. */
export async function weightsOf(model: Model, optimizer?: tfType.Optimizer): Promise<NamedWeight[]> {
  const out: NamedWeight[] = model
    .namedWeights()
    .map((w) => ({ name: w.name, shape: w.tensor.shape, data: new Float32Array(w.tensor.dataSync()) }));
  if (optimizer) {
    for (const w of await optimizer.getWeights()) {
      out.push({
        name: `optimizer/${w.name}`,
        shape: w.tensor.shape,
        data: new Float32Array(w.tensor.dataSync()),
      });
    }
  }
  return out;
}

/** Where a checkpoint keeps the running sum of a weight average (averageLast): `average/<weight>`. */
export const AVERAGE_PREFIX = 'average/';

/** Only the model's own weights of a saved set (no optimizer state, no running average). */
export function modelWeights(weights: NamedWeight[]): NamedWeight[] {
  return weights.filter((w) => !w.name.startsWith('optimizer/') && !w.name.startsWith(AVERAGE_PREFIX));
}

/**
 * What a saved model's topology records: how to build it again and what it reads. `features` is
 * the window the model reads; `cacheFeatures`, when the run's cache held a longer clip (a random
 * start or pitch shift), that clip: the model's validation and test read its first window, so an
 * evaluation reads them the same way (the same values and the same normalization statistics).
 */
export function topology(
  config: TrainConfig,
  cache: FeatureCacheInfo,
  model: Model,
  cacheFeatures?: FeatureConfig,
): Record<string, unknown> {
  return {
    model: config.model,
    inputShape: model.inputShape,
    classes: FAMILIES.length,
    labels: FAMILIES,
    features: cache.config,
    ...(cacheFeatures ? { cacheFeatures } : {}),
    fingerprint: cache.fingerprint,
  };
}

/** Loads saved weights (and, for a checkpoint, the optimizer's state) into a model. */
export async function restore(
  tf: Tf,
  dir: string,
  model: Model,
  optimizer?: tfType.Optimizer,
): Promise<void> {
  const { weights } = loadModelDir(dir);
  model.setWeights(Object.fromEntries(modelWeights(weights).map((w) => [w.name, w.data])));
  const opt = weights.filter((w) => w.name.startsWith('optimizer/'));
  if (optimizer && opt.length) {
    await optimizer.setWeights(
      opt.map((w) => ({ name: w.name.slice('optimizer/'.length), tensor: tf.tensor(w.data, w.shape) })),
    );
  }
}
