import fs from 'node:fs';
import type * as tfType from '@tensorflow/tfjs';
import { FAMILIES } from '../../shared/constants';
import type { EpochMetrics, ModelSpec, TrainConfig } from '../../shared/training';
import { BatchReader } from '../features/batches';
import { selectBackend } from './backend';
import { confusionMatrix, perClassMetrics } from './metrics';
import { modelFolder } from './model-dirs';
import { loadModelDir, saveModelDir, type NamedWeight } from './model-io';
import { buildModel } from './models';
import type { Model } from './models/types';
import type { EvaluateJob, EvaluationMessage, TrainerEvent, TrainJob } from './protocol';
import { errorKind } from '../errors';

type Tf = typeof tfType;
const CLASSES = FAMILIES.length;

/** Training stopped for a reason the user can act on (diverged, out of memory, bad data). */
export const TrainingError = errorKind('TrainingError', 'bad-input');
export type TrainingError = InstanceType<typeof TrainingError>;

/** Folder of the checkpoint written after `epoch`. */
export function checkpointDir(modelDir: string, epoch: number): string {
  return modelFolder(modelDir, 'checkpoint', epoch);
}

/**
 * Test-only hook, for the kill tests and the soak: with `TIMBRE_TEST_PAUSE=<moment>:<file>` the
 * worker writes the epoch into `file` and then stops for good at that moment, for the test to kill
 * the process there. Moments: `best-saved`, a new best folder written (with an earlier best
 * committed) before its epoch is reported; `evaluated`, the first final evaluation reported.
 */
function testPause(moment: 'best-saved' | 'evaluated', epoch: number): void {
  const spec = process.env.TIMBRE_TEST_PAUSE;
  if (!spec || !spec.startsWith(`${moment}:`)) return;
  fs.writeFileSync(spec.slice(moment.length + 1), `${epoch}\n`);
  const never = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(never, 0, 0, 60_000);
}

/** The order of an epoch's batches depends only on the run's seed and the epoch, so resuming repeats it. */
function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed + 1, 1_000_003) + epoch * 7919) >>> 0;
}

function makeOptimizer(tf: Tf, c: TrainConfig): tfType.Optimizer {
  if (c.optimizer === 'adam') return tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
  return c.momentum > 0 ? tf.train.momentum(c.lr, c.momentum) : tf.train.sgd(c.lr);
}

/** One optimisation step; returns the batch's mean loss and its correct-prediction count. */
function trainStep(
  tf: Tf,
  model: Model,
  optimizer: tfType.Optimizer,
  c: TrainConfig,
  xs: Float32Array,
  ys: Int32Array,
  count: number,
): { loss: number; correct: number } {
  const { steps, dims } = model.inputShape;
  let correct: tfType.Scalar | undefined;
  const loss = tf.tidy((): tfType.Scalar => {
    const x = tf.tensor3d(xs, [count, steps, dims]);
    const y = tf.tensor1d(ys, 'int32');
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, true);
      correct = tf.keep(tf.equal(tf.argMax(logits, 1), y).sum() as tfType.Scalar);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, CLASSES), logits) as tfType.Scalar;
    }, model.variables);
    if (c.weightDecay > 0) {
      // PyTorch's weight_decay: the L2 term is added to the gradient, not to the reported loss.
      for (const v of model.variables) grads[v.name] = grads[v.name]!.add(v.mul(c.weightDecay));
    }
    optimizer.applyGradients(grads);
    return value as tfType.Scalar;
  });
  const result = { loss: loss.dataSync()[0]!, correct: correct!.dataSync()[0]! };
  loss.dispose();
  correct!.dispose();
  return result;
}

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
      const l = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(b.y, 'int32'), CLASSES), logits);
      return [tf.softmax(logits), l] as const;
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

async function weightsOf(model: Model, optimizer?: tfType.Optimizer): Promise<NamedWeight[]> {
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

function topology(job: TrainJob, model: Model): Record<string, unknown> {
  return {
    model: job.config.model,
    inputShape: model.inputShape,
    classes: CLASSES,
    labels: FAMILIES,
    features: job.cache.config,
    fingerprint: job.cache.fingerprint,
  };
}

/** Loads saved weights (and, for a checkpoint, the optimizer's state) into a model. */
async function restore(tf: Tf, dir: string, model: Model, optimizer?: tfType.Optimizer): Promise<void> {
  const { weights } = loadModelDir(dir);
  const own = weights.filter((w) => !w.name.startsWith('optimizer/'));
  model.setWeights(Object.fromEntries(own.map((w) => [w.name, w.data])));
  const opt = weights.filter((w) => w.name.startsWith('optimizer/'));
  if (optimizer && opt.length) {
    await optimizer.setWeights(
      opt.map((w) => ({ name: w.name.slice('optimizer/'.length), tensor: tf.tensor(w.data, w.shape) })),
    );
  }
}

function friendly(err: unknown): string {
  if (err instanceof TrainingError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof RangeError || /out of memory|allocation|Array buffer/i.test(message)) {
    return `Out of memory while training (${message}). Try a smaller batch, model or clip.`;
  }
  return message;
}

/**
 * Trains one run to the end, reporting through `post`: the whole life of a training worker.
 * Cancellation is read from `job.cancelFlag` before every batch.
 */
export async function runTraining(job: TrainJob, post: (e: TrainerEvent) => void): Promise<void> {
  const cancelled = () => Atomics.load(new Int32Array(job.cancelFlag), 0) === 1;
  const readers: BatchReader[] = [];
  let model: Model | undefined;
  try {
    const { tf, name, version } = await selectBackend(job.backend);
    post({ type: 'ready', backend: name, version });
    const c = job.config;
    const open = (split: 'train' | 'valid' | 'test') => {
      if (!job.cache.splits[split]?.notes) return undefined;
      const r = BatchReader.open(job.cache, split);
      readers.push(r);
      return r;
    };
    const train = open('train');
    if (!train) throw new TrainingError('The data set has no train notes: nothing to train on.');
    const valid = open('valid');
    const test = open('test');
    const net = buildModel(c.model, job.cache.shape, c.seed, CLASSES);
    model = net;
    const optimizer = makeOptimizer(tf, c);
    let startEpoch = 1;
    // The best epoch: the highest validation accuracy, ties to the lower validation loss, then the
    // earlier epoch; without a validation split, the latest. RunRepo.recordEpoch picks by the same rule.
    let bestAccuracy = -Infinity;
    let bestLoss = Infinity;
    let bestEpoch = 0;
    // The best weights' folder; on resume the one the database points at, which is always whole.
    let bestDir: string | null = null;
    let sinceBest = 0;
    if (job.resumeFrom) {
      await restore(tf, checkpointDir(job.modelDir, job.resumeFrom.epoch), net, optimizer);
      startEpoch = job.resumeFrom.epoch + 1;
      bestLoss = job.resumeFrom.bestValLoss ?? Infinity;
      bestAccuracy = job.resumeFrom.bestValAccuracy ?? -Infinity;
      bestEpoch = job.resumeFrom.bestEpoch ?? 0;
      bestDir = job.resumeFrom.bestDir;
      sinceBest = job.resumeFrom.epoch - bestEpoch;
      post({ type: 'log', message: `Resuming after epoch ${job.resumeFrom.epoch}.` });
    }
    const batches = Math.ceil(train.count / c.batch);
    const progressMs = job.progressMs ?? 250;
    let lastEpoch = startEpoch - 1;
    for (let epoch = startEpoch; epoch <= c.epochs; epoch++) {
      const t0 = performance.now();
      let lastPost = 0;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let batch = 0;
      for (const b of train.shuffled(c.batch, epochSeed(c.seed, epoch))) {
        if (cancelled()) {
          post({ type: 'done', status: 'cancelled', lastDir: null, lastEpoch });
          return;
        }
        const n = b.y.length;
        const step = trainStep(tf, net, optimizer, c, b.x, b.y, n);
        batch++;
        if (!Number.isFinite(step.loss)) {
          throw new TrainingError(
            `The loss became ${step.loss} at epoch ${epoch}, batch ${batch}: training diverged. Try a lower learning rate.`,
          );
        }
        lossSum += step.loss * n;
        correct += step.correct;
        seen += n;
        const now = performance.now();
        if (now - lastPost >= progressMs || batch === batches) {
          lastPost = now;
          post({
            type: 'batch',
            epoch,
            batch,
            batches,
            loss: lossSum / seen,
            accuracy: correct / seen,
            samplesPerSecond: seen / ((now - t0) / 1000),
          });
        }
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const val = valid ? evaluateSplit(tf, net, valid, Math.max(c.batch, 64)) : undefined;
      const seconds = (performance.now() - t0) / 1000;
      const metrics: EpochMetrics = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        valLoss: val ? val.loss : null,
        valAccuracy: val ? val.accuracy : null,
        seconds,
        samplesPerSecond: seen / trainSeconds,
      };
      const weights = await weightsOf(net, optimizer);
      const ckpt = checkpointDir(job.modelDir, epoch);
      saveModelDir(ckpt, weights, {
        topology: topology(job, net),
        userDefinedMetadata: { epoch, runId: job.runId },
      });
      // A NaN loss counts as the worst (SQLite stores it as NULL, which the store sorts last).
      const valLoss = val && !Number.isNaN(val.loss) ? val.loss : Infinity;
      const better = val
        ? val.accuracy > bestAccuracy || (val.accuracy === bestAccuracy && valLoss < bestLoss)
        : true;
      let newBest: string | null = null;
      if (better) {
        if (val) [bestAccuracy, bestLoss] = [val.accuracy, valLoss];
        const hadBest = bestEpoch > 0;
        bestEpoch = epoch;
        sinceBest = 0;
        // A new folder per best epoch: the one the database points at stays whole until the owner
        // has committed this epoch with the new one, and removes the old one after.
        newBest = modelFolder(job.modelDir, 'best', epoch);
        const own = weights.filter((w) => !w.name.startsWith('optimizer/'));
        saveModelDir(newBest, own, {
          topology: topology(job, net),
          userDefinedMetadata: { epoch, runId: job.runId },
        });
        bestDir = newBest;
        if (hadBest) testPause('best-saved', epoch);
      } else sinceBest++;
      post({
        type: 'epoch',
        metrics,
        confusion: val ? val.confusion : null,
        predicted: val ? val.predicted : null,
        checkpointDir: ckpt,
        bestDir: newBest,
      });
      lastEpoch = epoch;
      if (c.patience > 0 && sinceBest >= c.patience) {
        post({ type: 'log', message: `Early stop: no better validation accuracy for ${c.patience} epochs.` });
        break;
      }
    }
    // The last epoch's weights, without optimizer state.
    const lastDir = modelFolder(job.modelDir, 'last', lastEpoch);
    const own = (await weightsOf(net)).slice();
    saveModelDir(lastDir, own, {
      topology: topology(job, net),
      userDefinedMetadata: { epoch: lastEpoch, runId: job.runId },
    });
    // The test split with the best and the last weights; the validation split with the best
    // weights too, so its misclassified notes can be auditioned with their probabilities.
    const finals = [
      { weights: 'best', split: 'test', reader: test },
      { weights: 'last', split: 'test', reader: test },
      { weights: 'best', split: 'valid', reader: valid },
    ] as const;
    let evaluated = 0;
    for (const { weights, split, reader } of finals) {
      const dir = weights === 'best' ? bestDir : lastDir;
      if (!reader || !dir || !fs.existsSync(dir)) continue;
      await restore(tf, dir, net);
      const ev = evaluateSplit(tf, net, reader, Math.max(c.batch, 64));
      post({
        type: 'evaluation',
        weights,
        epoch: weights === 'best' ? bestEpoch : lastEpoch,
        modelDir: dir,
        split,
        ...ev,
      });
      if (evaluated++ === 0) testPause('evaluated', lastEpoch);
    }
    post({ type: 'done', status: 'finished', lastDir, lastEpoch });
  } catch (err) {
    post({ type: 'failed', reason: friendly(err) });
  } finally {
    model?.dispose();
    for (const r of readers) r.close();
  }
}

/** Evaluates a saved model directory on one split: the seed's test mode. */
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
    post({ type: 'failed', reason: friendly(err) });
  } finally {
    model?.dispose();
    reader?.close();
  }
}
