import fs from 'node:fs';
import { FAMILIES } from '../../shared/constants';
import { averagedEpochs, averageStart, type EpochMetrics } from '../../shared/training';
import { augmentRandom, Augmenter, augmentsValues, pitchRange, readSteps } from '../features/augment';
import { balancedOrder, BatchReader, classWeights } from '../features/batches';
import { readFeatureCache } from '../features/cache';
import { featureShape, normalizeFeatureConfig } from '../features/config';
import { selectBackend } from './backend';
import { AVERAGE_PREFIX, checkpointDir, modelWeights, restore, topology, weightsOf } from './checkpoints';
import { DataParallel } from './data-parallel';
import { evaluateSplit } from './evaluate';
import { failureReason, TrainingError } from './failure';
import { isBetterEpoch, type EpochScore } from './metrics';
import { modelFolder } from './model-dirs';
import { loadModelDir, saveModelDir, type NamedWeight } from './model-io';
import { buildModel } from './models';
import { seedDropout } from './models/linear';
import type { Model } from './models/types';
import type { TrainerEvent, TrainJob } from './protocol';
import { constantRate, learningRateAt } from './schedule';
import { makeOptimizer, setLearningRate, trainStep, type StepAids } from './step';

const CLASSES = FAMILIES.length;

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

/**
 * Trains one run to the end, reporting through `post`: the whole life of a training worker.
 * Cancellation is read from `job.cancelFlag` before every batch.
 */
export async function runTraining(job: TrainJob, post: (e: TrainerEvent) => void): Promise<void> {
  const cancelled = () => Atomics.load(new Int32Array(job.cancelFlag), 0) === 1;
  const readers: BatchReader[] = [];
  let model: Model | undefined;
  let parallel: DataParallel | undefined;
  try {
    const { tf, name, version } = await selectBackend(job.backend);
    const c = job.config;
    // More threads than notes per batch would only idle (earlier runs have no setting: one thread).
    // tfjs-node runs each op on every core already: threads of ours would only compete with its own.
    const workers = name === 'node' ? 1 : Math.min(c.workers ?? 1, c.batch);
    // Recorded with the run: the backend each thread runs, and how many.
    post({ type: 'ready', backend: name, version: workers > 1 ? `${version}, ${workers} threads` : version });
    // With a random start or a pitch shift the cache holds a longer clip than the model reads: rows
    // are cut to the window (valid and test at its start); a pitch shift reads training rows longer
    // still, played back faster or slower into the window by the augmenter.
    const windowSteps = featureShape(c.features).steps;
    const cacheSteps = job.cache.shape.steps;
    if (windowSteps > cacheSteps) {
      throw new TrainingError(
        `The features hold ${cacheSteps} steps per note, the model reads ${windowSteps}.`,
      );
    }
    const pitch = pitchRange(c);
    const trainSteps = readSteps(windowSteps, pitch, cacheSteps);
    // Where a window may start: anywhere the longer clip allows with a random start, else at 0.
    const starts = c.shift > 0 ? cacheSteps - trainSteps + 1 : 1;
    const cut = (steps: number) => (steps < cacheSteps ? steps : undefined);
    // What the saved models say they read: the window, not the longer clip of the cache; and that
    // longer clip, which evaluations of the saved models read as validation and test do here.
    const longer = windowSteps < cacheSteps;
    const modelCache = longer ? { ...job.cache, config: normalizeFeatureConfig(c.features) } : job.cache;
    const trainedOn = longer ? job.cache.config : undefined;
    const open = (split: 'train' | 'valid' | 'test') => {
      if (!job.cache.splits[split]?.notes) return undefined;
      const r = BatchReader.open(job.cache, split, cut(split === 'train' ? trainSteps : windowSteps), starts);
      readers.push(r);
      return r;
    };
    const train = open('train');
    if (!train) throw new TrainingError('The data set has no train notes: nothing to train on.');
    const valid = open('valid');
    const test = open('test');
    const shape = { ...train.shape, steps: windowSteps };
    const net = buildModel(c.model, shape, c.seed, CLASSES);
    model = net;
    const optimizer = makeOptimizer(tf, c);
    let startEpoch = 1;
    // The best epoch so far, by the rule the store names it by (compareEpochs); its weights' folder,
    // on resume the one the database points at, which is always whole.
    let best: EpochScore | null = null;
    let bestDir: string | null = null;
    let sinceBest = 0;
    if (job.resumeFrom) {
      const from = job.resumeFrom;
      await restore(tf, checkpointDir(job.modelDir, from.epoch), net, optimizer);
      startEpoch = from.epoch + 1;
      if (from.bestEpoch !== null)
        best = { epoch: from.bestEpoch, valAccuracy: from.bestValAccuracy, valLoss: from.bestValLoss };
      bestDir = from.bestDir;
      sinceBest = from.epoch - (from.bestEpoch ?? 0);
      post({ type: 'log', message: `Resuming after epoch ${job.resumeFrom.epoch}.` });
    }
    const batches = Math.ceil(train.count / c.batch);
    const aids: StepAids = {
      weightDecay: c.weightDecay,
      decoupled: c.optimizer === 'adamw',
      clip: c.clip,
      labelSmoothing: c.labelSmoothing,
      classWeights: c.balance === 'weights' ? classWeights(train.labels(), CLASSES) : undefined,
    };
    const augmenter = augmentsValues(c)
      ? new Augmenter(c, {
          shape,
          inSteps: train.shape.steps,
          features: c.features,
          stats: readFeatureCache(job.cache.dir)?.stats ?? null,
          classes: CLASSES,
        })
      : undefined;
    const trainLabels = c.balance === 'sampling' ? train.labels() : undefined;
    if (name === 'node' && (c.workers ?? 1) > 1)
      post({ type: 'log', message: 'tfjs-node uses every core for each step: training on one thread.' });
    if (workers > 1) {
      parallel = await DataParallel.start(tf, {
        workers,
        model: net,
        optimizer,
        optimizerConfig: c,
        aids,
        seed: c.seed,
        maxBatch: c.batch,
        backend: name,
        resumeDir: job.resumeFrom ? checkpointDir(job.modelDir, job.resumeFrom.epoch) : undefined,
      });
      post({ type: 'log', message: `Training on ${workers} threads, each batch split across them.` });
    }
    // Weight averaging (averageLast): the sum of the model's weights after each epoch of the span
    // so far, kept in every checkpoint of the span so that a resume goes on with it.
    const averageFrom = averageStart(c);
    const averaging = (c.averageLast ?? 1) > 1;
    let average: { sum: NamedWeight[]; epochs: number } | null = null;
    if (averaging && job.resumeFrom && job.resumeFrom.epoch >= averageFrom)
      average = savedAverage(checkpointDir(job.modelDir, job.resumeFrom.epoch));
    const scheduled = !constantRate(c);
    const progressMs = job.progressMs ?? 250;
    let lastEpoch = startEpoch - 1;
    for (let epoch = startEpoch; epoch <= c.epochs; epoch++) {
      const t0 = performance.now();
      let lastPost = 0;
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let batch = 0;
      const seed = epochSeed(c.seed, epoch);
      const offsets = train.offsets > 1 ? augmentRandom(seed, 'offsets') : undefined;
      const values = augmentRandom(seed, 'values');
      const epochBatches = trainLabels
        ? train.inOrder(balancedOrder(trainLabels, train.count, seed), c.batch, offsets)
        : train.shuffled(c.batch, seed, offsets);
      for (const read of epochBatches) {
        if (cancelled()) {
          post({ type: 'done', status: 'cancelled', lastDir: null, lastEpoch });
          return;
        }
        const b = augmenter ? augmenter.apply(read, values) : read;
        const n = b.y.length;
        if (scheduled) setLearningRate(optimizer, learningRateAt(c, (epoch - 1) * batches + batch, batches));
        // Dropout's masks from the run's seed, the epoch and the batch (each thread its own part).
        const stepSeed = (Math.imul(seed, 31) + batch) >>> 0;
        let step: { loss: number; correct: number };
        if (parallel) step = parallel.step(b, stepSeed);
        else {
          seedDropout(stepSeed);
          step = trainStep(tf, net, optimizer, b, aids);
        }
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
      const val = valid ? evaluateSplit(tf, net, valid, Math.max(c.batch, 64), c.evalClips) : undefined;
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
      if (averaging && epoch >= averageFrom) average = addToAverage(average, modelWeights(weights));
      const ckpt = checkpointDir(job.modelDir, epoch);
      saveModelDir(ckpt, average ? [...weights, ...averageWeights(average)] : weights, {
        topology: topology(c, modelCache, net, trainedOn),
        userDefinedMetadata: { epoch, runId: job.runId, ...(average ? { averaged: average.epochs } : {}) },
      });
      const score: EpochScore = { epoch, valAccuracy: val?.accuracy ?? null, valLoss: val?.loss ?? null };
      let newBest: string | null = null;
      if (isBetterEpoch(score, best)) {
        const hadBest = best !== null;
        best = score;
        sinceBest = 0;
        // A new folder per best epoch: the one the database points at stays whole until the owner
        // has committed this epoch with the new one, and removes the old one after.
        newBest = modelFolder(job.modelDir, 'best', epoch);
        saveModelDir(newBest, modelWeights(weights), {
          topology: topology(c, modelCache, net, trainedOn),
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
    // The threads are done: the final evaluations run on this one.
    await parallel?.close();
    parallel = undefined;
    // The last epoch's weights, without optimizer state; with weight averaging, their mean over the
    // epochs of the span the run reached (two or more).
    const span = averagedEpochs(c, lastEpoch);
    if (span && average && average.epochs === span.to - span.from + 1) {
      net.setWeights(
        Object.fromEntries(average.sum.map((w) => [w.name, w.data.map((v) => v / average!.epochs)])),
      );
      post({
        type: 'log',
        message: `The last model averages the weights of epochs ${span.from} to ${span.to}.`,
      });
    }
    const lastDir = modelFolder(job.modelDir, 'last', lastEpoch);
    const own = (await weightsOf(net)).slice();
    saveModelDir(lastDir, own, {
      topology: topology(c, modelCache, net, trainedOn),
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
      const ev = evaluateSplit(tf, net, reader, Math.max(c.batch, 64), c.evalClips);
      post({
        type: 'evaluation',
        weights,
        epoch: weights === 'best' ? (best?.epoch ?? 0) : lastEpoch,
        modelDir: dir,
        split,
        ...ev,
      });
      if (evaluated++ === 0) testPause('evaluated', lastEpoch);
    }
    post({ type: 'done', status: 'finished', lastDir, lastEpoch });
  } catch (err) {
    post({ type: 'failed', reason: failureReason(err) });
  } finally {
    await parallel?.close();
    model?.dispose();
    for (const r of readers) r.close();
  }
}

/** The running sum with one more epoch's model weights added (a new sum for the first). */
function addToAverage(
  average: { sum: NamedWeight[]; epochs: number } | null,
  weights: NamedWeight[],
): { sum: NamedWeight[]; epochs: number } {
  if (!average) return { sum: weights.map((w) => ({ ...w, data: w.data.slice() })), epochs: 1 };
  for (const [i, w] of weights.entries()) {
    const sum = average.sum[i]!.data;
    for (let j = 0; j < sum.length; j++) sum[j]! += w.data[j]!;
  }
  return { sum: average.sum, epochs: average.epochs + 1 };
}

/** The running sum as a checkpoint stores it: each weight's sum under AVERAGE_PREFIX. */
function averageWeights(average: { sum: NamedWeight[] }): NamedWeight[] {
  return average.sum.map((w) => ({ ...w, name: `${AVERAGE_PREFIX}${w.name}` }));
}

/** The running sum a checkpoint holds, or a TrainingError when a checkpoint of the span lacks it. */
function savedAverage(dir: string): { sum: NamedWeight[]; epochs: number } {
  const { weights, meta } = loadModelDir(dir);
  const epochs = meta.userDefinedMetadata?.averaged;
  const sum = weights
    .filter((w) => w.name.startsWith(AVERAGE_PREFIX))
    .map((w) => ({ ...w, name: w.name.slice(AVERAGE_PREFIX.length) }));
  if (typeof epochs !== 'number' || !Number.isInteger(epochs) || epochs < 1 || sum.length === 0)
    throw new TrainingError(`The checkpoint ${dir} holds no weight average to resume it with.`);
  return { sum, epochs };
}
