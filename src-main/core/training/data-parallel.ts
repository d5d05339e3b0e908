// Data-parallel training (issue 15): each step's batch split across N threads, each with its own
// tfjs backend and an identical copy of the model and optimizer. Every thread computes its part's
// gradients, the leader averages them in shared memory, and every thread applies the same averaged
// gradients with its own optimizer, so the weights stay identical without being sent around.
import type { Worker } from 'node:worker_threads';
import type * as tfType from '@tensorflow/tfjs';
import type { BackendName } from '../../shared/training';
import { siblingModule, startWorker } from '../workers';
import { selectBackend } from './backend';
import { restore } from './checkpoints';
import { TrainingError } from './failure';
import { buildModel } from './models/build';
import { seedDropout } from './models/linear';
import type { Model } from './models/types';
import type { TrainerEvent, TrainerRequest } from './protocol';
import {
  applyFlatGradients,
  learningRateOf,
  makeOptimizer,
  noteWeights,
  partGradients,
  setLearningRate,
  type OptimizerConfig,
  type StepAids,
  type StepBatch,
} from './step';

type Tf = typeof tfType;

const workerUrl = siblingModule(import.meta.url, 'train-worker');

/** The most threads a run may train on (the setting's range). */
export const MAX_WORKERS = 16;

/** Memory the threads share: the batch, the gradients and the signals between them. */
export interface SharedBuffers {
  /** Int32: see the C_* indices. */
  control: SharedArrayBuffer;
  /** Float64: the learning rate, the loss's denominator, then each thread's loss and correct count. */
  numbers: SharedArrayBuffer;
  /** The batch as the feature cache gives it: Float32 x, Int32 y, Float32 soft targets. */
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  targets: SharedArrayBuffer;
  /** Float32: one slot of every gradient per thread, then the average. */
  grads: SharedArrayBuffer;
  /** A failed replica's message, UTF-8, ERROR_BYTES per thread. */
  errors: SharedArrayBuffer;
}

/** Everything a replica thread needs to become the leader's twin. */
export interface ReplicaJob {
  /** 1 .. workers - 1 (the leader is 0). */
  index: number;
  workers: number;
  build: { spec: Model['spec']; shape: Model['inputShape']; classes: number; seed: number };
  optimizer: OptimizerConfig;
  aids: StepAids;
  backend?: BackendName;
  /** A checkpoint to start from (weights and optimizer state), as the leader does on resume. */
  resumeDir?: string;
  shared: SharedBuffers;
}

// Indices into the control words.
const C_SEQ = 0; // the leader's last command
const C_CMD = 1; // what it is: STEP or STOP
const C_AVG = 2; // the step whose averaged gradients are ready
const C_COUNT = 3; // notes in the batch
const C_TARGETS = 4; // 1 when the batch has soft targets
const C_SEED = 5; // the step's dropout seed (each thread draws its own part's masks from it)
const C_DONE = 6; // + thread: the step whose gradients the thread has written
const STEP = 1;
const STOP = 2;
const ERROR_BYTES = 2048;
/** How long the leader waits for a replica's part before calling it lost. */
const ANSWER_MS = 10 * 60_000;

/** Thread `me`'s dropout seed for a step's seed as the control word holds it (-1: unseeded). */
const threadSeed = (word: number, me: number): number | null =>
  word < 0 ? null : (word + Math.imul(me, 0x9e3779b9)) >>> 0;
const controlWords = (workers: number) => C_DONE + 2 * workers;
const errorFlag = (workers: number, i: number) => C_DONE + workers + i;

/** The notes [start, end) of part `i` of a batch of `count` split `workers` ways. */
export function partBounds(count: number, workers: number, i: number): [number, number] {
  return [Math.floor((i * count) / workers), Math.floor(((i + 1) * count) / workers)];
}

/** Part `i` of a batch, copied out of (possibly shared) memory. */
function partOf(
  x: Float32Array,
  y: Int32Array,
  targets: Float32Array | null,
  count: number,
  workers: number,
  i: number,
  perNote: number,
  classes: number,
): StepBatch {
  const [a, b] = partBounds(count, workers, i);
  return {
    x: x.slice(a * perNote, b * perNote),
    y: y.slice(a, b),
    targets: targets ? targets.slice(a * classes, b * classes) : null,
  };
}

/** The views of the shared buffers. */
function views(s: SharedBuffers) {
  return {
    control: new Int32Array(s.control),
    numbers: new Float64Array(s.numbers),
    x: new Float32Array(s.x),
    y: new Int32Array(s.y),
    targets: new Float32Array(s.targets),
    grads: new Float32Array(s.grads),
    errors: new Uint8Array(s.errors),
  };
}

/** Size of all of a model's variables. */
function parameterCount(model: Model): number {
  return model.variables.reduce((n, v) => n + v.size, 0);
}

/**
 * The leader's side: owns the replica threads and runs each step across them and itself. Its
 * own model and optimizer are the run's (checkpoints, evaluation and the learning rate stay
 * on the leader's thread).
 */
export class DataParallel {
  /** Where the leader's steps spent their time so far, ms (the benchmark's profile). */
  readonly timings = { steps: 0, total: 0, copyIn: 0, part: 0, wait: 0, sum: 0, apply: 0 };
  private seq = 0;
  private closing = false;
  private readonly v: ReturnType<typeof views>;
  private readonly size: number;

  private constructor(
    private readonly tf: Tf,
    private readonly model: Model,
    private readonly optimizer: tfType.Optimizer,
    private readonly aids: StepAids,
    readonly workers: number,
    private readonly threads: Worker[],
    shared: SharedBuffers,
  ) {
    this.v = views(shared);
    this.size = parameterCount(model);
  }

  /**
   * Starts `workers - 1` replica threads, each building the same model from the same seed (or
   * restoring the same checkpoint) on the same backend, and resolves once all are ready.
   */
  static async start(
    tf: Tf,
    opts: {
      workers: number;
      model: Model;
      optimizer: tfType.Optimizer;
      optimizerConfig: OptimizerConfig;
      aids: StepAids;
      seed: number;
      maxBatch: number;
      backend?: BackendName;
      resumeDir?: string;
    },
  ): Promise<DataParallel> {
    const { workers, model } = opts;
    if (!Number.isInteger(workers) || workers < 2 || workers > MAX_WORKERS)
      throw new TrainingError(`Data-parallel training needs 2 to ${MAX_WORKERS} workers (got ${workers}).`);
    const { steps, dims } = model.inputShape;
    const f32 = 4;
    const shared: SharedBuffers = {
      control: new SharedArrayBuffer(4 * controlWords(workers)),
      numbers: new SharedArrayBuffer(8 * (2 + 2 * workers)),
      x: new SharedArrayBuffer(f32 * opts.maxBatch * steps * dims),
      y: new SharedArrayBuffer(4 * opts.maxBatch),
      targets: new SharedArrayBuffer(f32 * opts.maxBatch * model.classes),
      grads: new SharedArrayBuffer(f32 * (workers + 1) * parameterCount(model)),
      errors: new SharedArrayBuffer(ERROR_BYTES * workers),
    };
    const threads: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 1; index < workers; index++) {
      const job: ReplicaJob = {
        index,
        workers,
        build: { spec: model.spec, shape: model.inputShape, classes: model.classes, seed: opts.seed },
        optimizer: opts.optimizerConfig,
        aids: opts.aids,
        backend: opts.backend,
        resumeDir: opts.resumeDir,
        shared,
      };
      const thread = startWorker(workerUrl);
      threads.push(thread);
      ready.push(
        new Promise<void>((resolve, reject) => {
          thread.once('message', (e: TrainerEvent) =>
            e.type === 'failed'
              ? reject(new TrainingError(`Training thread ${index} could not start: ${e.reason}`))
              : resolve(),
          );
          thread.once('error', (err) =>
            reject(new TrainingError(`Training thread ${index} crashed: ${err.message}`)),
          );
          thread.once('exit', (code) =>
            reject(new TrainingError(`Training thread ${index} stopped while starting (exit code ${code}).`)),
          );
        }),
      );
      thread.postMessage({ type: 'replica', job } satisfies TrainerRequest);
    }
    const group = new DataParallel(tf, opts.model, opts.optimizer, opts.aids, workers, threads, shared);
    try {
      await Promise.all(ready);
    } catch (err) {
      await group.close();
      throw err;
    }
    for (const [i, t] of threads.entries()) {
      t.removeAllListeners();
      // A thread that dies outside its step (its step's own errors it reports itself): heard
      // whenever this thread's events run, and its next part is then refused with the reason.
      t.on('error', (err) => group.fail(i + 1, err.message));
      t.on('exit', (code) => group.fail(i + 1, `it stopped (exit code ${code})`));
    }
    return group;
  }

  /**
   * One step on a batch split across the threads: the same update as trainStep on the whole batch
   * (within float rounding), the batch's mean loss before it and its correct predictions.
   */
  step(batch: StepBatch, dropoutSeed: number | null = null): { loss: number; correct: number } {
    const { tf, model, workers, v, timings } = this;
    const t0 = performance.now();
    const count = batch.y.length;
    const { steps, dims } = model.inputShape;
    const perNote = steps * dims;
    if (count * perNote > v.x.length)
      throw new TrainingError(`A batch of ${count} notes is larger than planned.`);
    v.x.set(batch.x.subarray(0, count * perNote));
    v.y.set(batch.y);
    if (batch.targets) v.targets.set(batch.targets);
    // The whole batch's loss is sum(w l) / sum(w): each part divides by the whole batch's sum.
    const w = noteWeights(batch, model.classes, this.aids.classWeights);
    let denominator = 0;
    for (const x of w) denominator += x;
    v.numbers[0] = learningRateOf(this.optimizer);
    v.numbers[1] = denominator;
    v.control[C_COUNT] = count;
    v.control[C_TARGETS] = batch.targets ? 1 : 0;
    // -1: unseeded (a seed is below 2^31 as an Int32).
    v.control[C_SEED] = dropoutSeed === null ? -1 : dropoutSeed & 0x7fffffff;
    const seq = ++this.seq;
    v.control[C_CMD] = STEP;
    Atomics.store(v.control, C_SEQ, seq);
    Atomics.notify(v.control, C_SEQ);
    const own = partOf(batch.x, batch.y, batch.targets ?? null, count, workers, 0, perNote, model.classes);
    const t1 = performance.now();
    const slot = (i: number) => v.grads.subarray(i * this.size, (i + 1) * this.size);
    seedDropout(threadSeed(v.control[C_SEED]!, 0));
    const mine = partGradients(tf, model, own, denominator, slot(0), this.aids);
    v.numbers[2] = mine.loss;
    v.numbers[3] = mine.correct;
    const t2 = performance.now();
    for (let i = 1; i < workers; i++) this.awaitPart(i, seq);
    const t3 = performance.now();
    // The average (the parts are already scaled to the whole batch): the same sum, in the same
    // order, for every thread.
    const avg = slot(workers);
    avg.set(slot(0));
    for (let i = 1; i < workers; i++) {
      const g = slot(i);
      for (let j = 0; j < this.size; j++) avg[j]! += g[j]!;
    }
    Atomics.store(v.control, C_AVG, seq);
    Atomics.notify(v.control, C_AVG);
    const t4 = performance.now();
    applyFlatGradients(tf, model, this.optimizer, avg, this.aids);
    const t5 = performance.now();
    timings.steps++;
    timings.total += t5 - t0;
    timings.copyIn += t1 - t0;
    timings.part += t2 - t1;
    timings.wait += t3 - t2;
    timings.sum += t4 - t3;
    timings.apply += t5 - t4;
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < workers; i++) {
      loss += v.numbers[2 + 2 * i]!;
      correct += v.numbers[3 + 2 * i]!;
    }
    return { loss, correct };
  }

  /** Marks replica `i` failed with a reason, unless it already reported one. */
  private fail(i: number, reason: string): void {
    const { control, errors } = this.v;
    if (this.closing || Atomics.load(control, errorFlag(this.workers, i)) === 1) return;
    errors.set(new TextEncoder().encode(reason).subarray(0, ERROR_BYTES - 1), i * ERROR_BYTES);
    Atomics.store(control, errorFlag(this.workers, i), 1);
  }

  /** Waits (blocking: a step is synchronous) until replica `i` has written its part of step `seq`. */
  private awaitPart(i: number, seq: number): void {
    const { control, errors } = this.v;
    const t0 = performance.now();
    for (;;) {
      const done = Atomics.load(control, C_DONE + i);
      if (done === seq) return;
      if (Atomics.load(control, errorFlag(this.workers, i)) === 1) {
        const bytes = errors.slice(i * ERROR_BYTES, (i + 1) * ERROR_BYTES);
        const end = bytes.indexOf(0);
        const text = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
        throw new TrainingError(`Training thread ${i} failed: ${text}`);
      }
      if (performance.now() - t0 > ANSWER_MS)
        throw new TrainingError(`Training thread ${i} stopped answering (no gradients for 10 minutes).`);
      Atomics.wait(control, C_DONE + i, done, 1000);
    }
  }

  /** Stops the replica threads (they leave their loop) and waits for them to end. */
  async close(): Promise<void> {
    this.closing = true;
    const { control } = this.v;
    control[C_CMD] = STOP;
    Atomics.store(control, C_SEQ, ++this.seq);
    Atomics.store(control, C_AVG, -1);
    Atomics.notify(control, C_SEQ);
    Atomics.notify(control, C_AVG);
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/**
 * A replica thread's life: builds its twin of the leader's model and optimizer, says ready, then
 * for each step computes its part's gradients and applies the averaged ones, until told to stop.
 */
export async function runReplica(job: ReplicaJob, post: (e: TrainerEvent) => void): Promise<void> {
  const v = views(job.shared);
  const { index: me, workers } = job;
  let model: Model | undefined;
  try {
    const { tf, name, version } = await selectBackend(job.backend);
    const b = job.build;
    const net = buildModel(b.spec, b.shape, b.seed, b.classes);
    model = net;
    const optimizer = makeOptimizer(tf, job.optimizer);
    if (job.resumeDir) await restore(tf, job.resumeDir, net, optimizer);
    const size = parameterCount(net);
    const perNote = b.shape.steps * b.shape.dims;
    const slot = (i: number) => v.grads.subarray(i * size, (i + 1) * size);
    post({ type: 'ready', backend: name, version });
    // The leader's commands count from 0; it may post the first as soon as it hears we are ready.
    let seen = 0;
    for (;;) {
      Atomics.wait(v.control, C_SEQ, seen);
      const seq = Atomics.load(v.control, C_SEQ);
      if (seq === seen) continue;
      seen = seq;
      if (Atomics.load(v.control, C_CMD) === STOP) return;
      try {
        const count = v.control[C_COUNT]!;
        const targets = v.control[C_TARGETS] === 1 ? v.targets : null;
        const part = partOf(v.x, v.y, targets, count, workers, me, perNote, b.classes);
        seedDropout(threadSeed(v.control[C_SEED]!, me));
        const r = partGradients(tf, net, part, v.numbers[1]!, slot(me), job.aids);
        v.numbers[2 + 2 * me] = r.loss;
        v.numbers[3 + 2 * me] = r.correct;
        const lr = v.numbers[0]!;
        Atomics.store(v.control, C_DONE + me, seq);
        Atomics.notify(v.control, C_DONE + me);
        for (;;) {
          const avg = Atomics.load(v.control, C_AVG);
          if (avg === seq) break;
          if (avg === -1 || Atomics.load(v.control, C_CMD) === STOP) return;
          Atomics.wait(v.control, C_AVG, avg);
        }
        setLearningRate(optimizer, lr);
        applyFlatGradients(tf, net, optimizer, slot(workers), job.aids);
      } catch (err) {
        const text = new TextEncoder().encode(err instanceof Error ? err.message : String(err));
        v.errors.set(text.subarray(0, ERROR_BYTES - 1), me * ERROR_BYTES);
        Atomics.store(v.control, errorFlag(workers, me), 1);
        Atomics.notify(v.control, C_DONE + me);
        return;
      }
    }
  } catch (err) {
    post({ type: 'failed', reason: err instanceof Error ? err.message : String(err) });
  } finally {
    model?.dispose();
  }
}
