import type * as tfType from '@tensorflow/tfjs';
import { FAMILIES } from '../../shared/constants';
import type { ModelSpec } from '../../shared/training';
import { BatchReader } from '../features/batches';
import { selectBackend } from './backend';
import { restore } from './checkpoints';
import { failureReason, TrainingError } from './failure';
import { confusionMatrix, perClassMetrics } from './metrics';
import { evaluationWindow, loadModelDir } from './model-io';
import { buildModel } from './models';
import type { Model } from './models/types';
import type { EvaluateJob, EvaluationMessage, TrainerEvent } from './protocol';
import { crossEntropy } from './step';

type Tf = typeof tfType;
const CLASSES = FAMILIES.length;

/** The window starts of `clips` clips spread evenly over a reader's starts (just 0 when rows are not cut). */
export function clipStarts(offsets: number, clips: number): number[] {
  const k = Math.max(1, Math.min(clips, offsets));
  if (k === 1) return [0];
  return Array.from({ length: k }, (_, j) => Math.round((j * (offsets - 1)) / (k - 1)));
}

// One batch's probabilities and mean loss: of one clip, or averaged over clips at `starts` (the loss
// then of the averaged probabilities).
function batchProbabilities(
  tf: Tf,
  model: Model,
  reader: BatchReader,
  b: { x: Float32Array; y: Int32Array; indices: Int32Array },
  starts: number[],
): [Float32Array, number] {
  const { steps, dims } = model.inputShape;
  const n = b.y.length;
  if (starts.length === 1) {
    const [probs, loss] = tf.tidy(() => {
      const logits = model.apply(tf.tensor3d(b.x, [n, steps, dims]), false);
      return [tf.softmax(logits), crossEntropy(tf, logits, tf.tensor1d(b.y, 'int32'))] as const;
    });
    const p = probs.dataSync() as Float32Array;
    const l = loss.dataSync()[0]!;
    probs.dispose();
    loss.dispose();
    return [p, l];
  }
  const sum = new Float32Array(n * CLASSES);
  for (const start of starts) {
    const x = start === 0 ? b.x : reader.read(b.indices, new Int32Array(n).fill(start)).x;
    const probs = tf.tidy(() => tf.softmax(model.apply(tf.tensor3d(x, [n, steps, dims]), false)));
    const p = probs.dataSync();
    probs.dispose();
    for (let i = 0; i < sum.length; i++) sum[i]! += p[i]! / starts.length;
  }
  let loss = 0;
  for (let i = 0; i < n; i++) loss -= Math.log(Math.max(sum[i * CLASSES + b.y[i]!]!, 1e-7));
  return [sum, loss / n];
}

/**
 * Evaluates a model on a split in order: loss, accuracy, confusion, every note's probabilities.
 * With `clips` > 1 and rows cut from a longer clip (a random start), each note's probabilities are
 * the mean over that many windows spread evenly from its first start to its last.
 */
export function evaluateSplit(
  tf: Tf,
  model: Model,
  reader: BatchReader,
  batch: number,
  clips = 1,
): Omit<EvaluationMessage, 'weights' | 'epoch' | 'modelDir' | 'split'> {
  const probabilities = new Float32Array(reader.count * CLASSES);
  const predicted = new Uint8Array(reader.count);
  const truth = new Int32Array(reader.count);
  const starts = clipStarts(reader.offsets, clips);
  let lossSum = 0;
  let offset = 0;
  for (const b of reader.sequential(batch)) {
    const n = b.y.length;
    const [p, loss] = batchProbabilities(tf, model, reader, b, starts);
    lossSum += loss * n;
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
    const window = evaluationWindow(meta.topology, job.cache);
    if (!job.cache.splits[job.split]?.notes)
      throw new TrainingError(`The data set has no ${job.split} notes.`);
    const net = buildModel(spec, shape, 0, CLASSES);
    model = net;
    await restore(tf, job.modelDir, net);
    reader = BatchReader.open(job.cache, job.split, window, 1);
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
