import type * as tfType from '@tensorflow/tfjs';
import { FAMILIES } from '../../shared/constants';
import type { ModelSpec } from '../../shared/training';
import { BatchReader } from '../features/batches';
import { selectBackend } from './backend';
import { restore } from './checkpoints';
import { failureReason, TrainingError } from './failure';
import { confusionMatrix, perClassMetrics } from './metrics';
import { loadModelDir } from './model-io';
import { buildModel } from './models';
import type { Model } from './models/types';
import type { EvaluateJob, EvaluationMessage, TrainerEvent } from './protocol';
import { crossEntropy } from './step';

type Tf = typeof tfType;
const CLASSES = FAMILIES.length;

/** Evaluates a model on a split in order: loss, accuracy, confusion, every note's probabilities. */
export function evaluateSplit(
  tf: Tf,
  model: Model,
  reader: BatchReader,
  batch: number,
): Omit<EvaluationMessage, 'weights' | 'epoch' | 'modelDir' | 'split'> {
  const { steps, dims } = model.inputShape;
  const probabilities = new Float32Array(reader.count * CLASSES);
  const predicted = new Uint8Array(reader.count);
  const truth = new Int32Array(reader.count);
  let lossSum = 0;
  let offset = 0;
  for (const b of reader.sequential(batch)) {
    const n = b.y.length;
    const [probs, loss] = tf.tidy(() => {
      const logits = model.apply(tf.tensor3d(b.x, [n, steps, dims]), false);
      return [tf.softmax(logits), crossEntropy(tf, logits, tf.tensor1d(b.y, 'int32'))] as const;
    });
    const p = probs.dataSync() as Float32Array;
    lossSum += loss.dataSync()[0]! * n;
    probs.dispose();
    loss.dispose();
    probabilities.set(p, offset * CLASSES);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < CLASSES; k++) if (p[i * CLASSES + k]! > p[i * CLASSES + best]!) best = k;
      predicted[offset + i] = best;
      truth[offset + i] = b.y[i]!;
    }
    offset += n;
  }
  const confusion = confusionMatrix(truth, predicted, CLASSES);
  const correct = confusion.reduce((a, r, i) => a + r[i]!, 0);
  return {
    loss: reader.count ? lossSum / reader.count : 0,
    accuracy: reader.count ? correct / reader.count : 0,
    confusion,
    perClass: perClassMetrics(confusion, FAMILIES),
    labels: [...FAMILIES],
    noteStrs: reader.notes(),
    truth,
    predicted,
    probabilities,
  };
}

/** Evaluates a saved model directory on one split: the seed's test mode, the life of an evaluation worker. */
export async function runEvaluation(job: EvaluateJob, post: (e: TrainerEvent) => void): Promise<void> {
  let model: Model | undefined;
  let reader: BatchReader | undefined;
  try {
    const { tf, name, version } = await selectBackend(job.backend);
    post({ type: 'ready', backend: name, version });
    const { meta } = loadModelDir(job.modelDir);
    const spec = meta.topology.model as ModelSpec;
    const shape = meta.topology.inputShape as { steps: number; dims: number };
    if (shape.steps !== job.cache.shape.steps || shape.dims !== job.cache.shape.dims) {
      throw new TrainingError(
        `The model reads ${shape.steps}x${shape.dims} features but the data gives ${job.cache.shape.steps}x${job.cache.shape.dims}.`,
      );
    }
    if (!job.cache.splits[job.split]?.notes)
      throw new TrainingError(`The data set has no ${job.split} notes.`);
    const net = buildModel(spec, shape, 0, CLASSES);
    model = net;
    await restore(tf, job.modelDir, net);
    reader = BatchReader.open(job.cache, job.split);
    const ev = evaluateSplit(tf, net, reader, job.batch);
    const epoch = meta.userDefinedMetadata?.epoch;
    post({
      type: 'evaluation',
      weights: 'external',
      epoch: typeof epoch === 'number' ? epoch : null,
      modelDir: job.modelDir,
      split: job.split,
      ...ev,
    });
    post({ type: 'done', status: 'finished', lastDir: null, lastEpoch: 0 });
  } catch (err) {
    post({ type: 'failed', reason: failureReason(err) });
  } finally {
    model?.dispose();
    reader?.close();
  }
}
