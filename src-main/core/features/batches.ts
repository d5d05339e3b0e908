import fs from 'node:fs';
import type { Split } from '../../shared/constants';
import type { FeatureCacheInfo, FeatureShape } from '../../shared/features';
import { FeatureCacheError, splitFiles } from './layout';
import { mulberry32 } from '../random';

/** A batch of notes' features read from a cache. */
export interface Batch {
  /** batch x steps x dims, time-major within each note. */
  x: Float32Array;
  /** Family index of each note. */
  y: Int32Array;
  /** Row of each note in the split (its position in notes()). */
  indices: Int32Array;
}

/** The shuffles' generator: mulberry32 over a scrambled seed, so seed 0 is not a special case. */
export function seededRandom(seed: number): () => number {
  return mulberry32((seed ^ 0x9e3779b9) >>> 0);
}

/** A permutation of 0..count-1 (Fisher-Yates), the same for the same seed on every machine. */
export function shuffledOrder(count: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  const random = seededRandom(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Weights of the classes inversely proportional to their counts in `labels`, n / (k n_c) over the
 * k classes present (scikit-learn's 'balanced'); 0 for a class absent.
 */
export function classWeights(labels: Int32Array, classes: number): Float32Array {
  const counts = new Float64Array(classes);
  for (const y of labels) counts[y]!++;
  const present = counts.filter((n) => n > 0).length;
  return Float32Array.from(counts, (n) => (n > 0 ? labels.length / (present * n) : 0));
}

/**
 * `count` rows drawn family-balanced, with replacement: each draw picks one of the families present
 * at random, then one of its rows at random. The same for the same seed.
 */
export function balancedOrder(labels: Int32Array, count: number, seed: number): Int32Array {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, row) => {
    const rows = byClass.get(y);
    if (rows) rows.push(row);
    else byClass.set(y, [row]);
  });
  const classes = [...byClass.keys()].sort((a, b) => a - b).map((y) => byClass.get(y)!);
  const random = seededRandom(seed ^ 0x68e31da4);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const rows = classes[Math.floor(random() * classes.length)]!;
    order[i] = rows[Math.floor(random() * rows.length)]!;
  }
  return order;
}

/**
 * Reads one split of a feature cache in batches with positioned reads: memory holds one batch
 * plus the labels and one permutation (4 bytes per note each), whatever the size of the split.
 * With `windowSteps` below the cache's steps (a run's random clip start), each row read is cut to
 * that many steps: from its start unless offsets are given.
 */
export class BatchReader {
  readonly count: number;
  /** The shape of the rows it gives (the window's, when cut). */
  readonly shape: FeatureShape;
  /** The shape of the rows in the cache. */
  readonly fullShape: FeatureShape;
  private fd: number | undefined;
  private readonly y: Int32Array;
  private readonly rowBytes: number;

  private constructor(
    private readonly info: FeatureCacheInfo,
    readonly split: Split,
    windowSteps?: number,
    private readonly maxStarts?: number,
  ) {
    const files = splitFiles(info.dir, split);
    this.fullShape = info.shape;
    if (windowSteps !== undefined && !(Number.isInteger(windowSteps) && windowSteps >= 1)) {
      throw new RangeError(`window must be a positive whole number of steps, got ${windowSteps}`);
    }
    if (windowSteps !== undefined && windowSteps > info.shape.steps) {
      throw new FeatureCacheError(
        `A window of ${windowSteps} steps is longer than the cache's ${info.shape.steps}`,
      );
    }
    this.shape = { ...info.shape, steps: windowSteps ?? info.shape.steps };
    this.count = info.splits[split]?.notes ?? 0;
    this.rowBytes = info.shape.steps * info.shape.dims * 4;
    const labels = fs.readFileSync(files.labels);
    if (labels.length !== this.count) {
      throw new FeatureCacheError(
        `${files.labels} holds ${labels.length} labels, meta.json says ${this.count}`,
      );
    }
    this.y = Int32Array.from(labels);
    this.fd = fs.openSync(files.features, 'r');
    const size = fs.fstatSync(this.fd).size;
    if (size !== this.count * this.rowBytes) {
      fs.closeSync(this.fd);
      throw new FeatureCacheError(
        `${files.features} is ${size} bytes, expected ${this.count * this.rowBytes}`,
      );
    }
  }

  /**
   * Opens the features and labels of `split` in a cache that ensureFeatureCache returned; with
   * `maxStarts`, windows start at most that many places (the first ones), not wherever they fit.
   */
  static open(info: FeatureCacheInfo, split: Split, windowSteps?: number, maxStarts?: number): BatchReader {
    return new BatchReader(info, split, windowSteps, maxStarts);
  }

  /** How many window starts a row has (1 when rows are not cut). */
  get offsets(): number {
    const fit = this.fullShape.steps - this.shape.steps + 1;
    return this.maxStarts !== undefined ? Math.max(1, Math.min(fit, this.maxStarts)) : fit;
  }

  /** Family index of every note, in row order. */
  labels(): Int32Array {
    return this.y.slice();
  }

  /** note_str of every note, in row order. */
  notes(): string[] {
    return JSON.parse(fs.readFileSync(splitFiles(this.info.dir, this.split).notes, 'utf8')) as string[];
  }

  /**
   * Reads the given rows, in the given order, into one batch; cut rows start at `offsets[i]`
   * steps (default 0).
   */
  read(indices: ArrayLike<number>, offsets?: ArrayLike<number>): Batch {
    if (this.shape.steps !== this.fullShape.steps) return this.readCut(indices, offsets);
    const fd = this.openFd();
    const n = indices.length;
    const x = new Float32Array((n * this.rowBytes) / 4);
    const bytes = new Uint8Array(x.buffer);
    const y = new Int32Array(n);
    const idx = Int32Array.from(indices);
    for (let i = 0; i < n;) {
      // Runs of consecutive rows (sequential reading) are one read.
      let run = 1;
      while (i + run < n && idx[i + run] === idx[i]! + run) run++;
      const row = idx[i]!;
      if (!(row >= 0 && row + run <= this.count)) {
        throw new RangeError(`row ${row} outside 0..${this.count - 1}`);
      }
      readFully(fd, bytes, i * this.rowBytes, run * this.rowBytes, row * this.rowBytes);
      for (let k = 0; k < run; k++) y[i + k] = this.y[row + k]!;
      i += run;
    }
    return { x, y, indices: idx };
  }

  /**
   * One epoch in a seeded shuffled order; every row exactly once, the last batch possibly smaller.
   * With `offsetRandom`, cut rows start at a random step drawn from it.
   */
  *shuffled(batchSize: number, seed: number, offsetRandom?: () => number): Generator<Batch> {
    yield* this.inOrder(shuffledOrder(this.count, seed), batchSize, offsetRandom);
  }

  /** The rows of `order` in batches (an epoch drawn by balancedOrder, say), as shuffled() gives them. */
  *inOrder(order: Int32Array, batchSize: number, offsetRandom?: () => number): Generator<Batch> {
    checkBatchSize(batchSize);
    const spread = this.offsets;
    for (let i = 0; i < order.length; i += batchSize) {
      const rows = order.subarray(i, i + batchSize);
      const offsets = offsetRandom
        ? Int32Array.from(rows, () => Math.floor(offsetRandom() * spread))
        : undefined;
      yield this.read(rows, offsets);
    }
  }

  /** Every row in file order (for evaluation), the last batch possibly smaller. */
  *sequential(batchSize: number): Generator<Batch> {
    checkBatchSize(batchSize);
    for (let i = 0; i < this.count; i += batchSize) {
      const n = Math.min(batchSize, this.count - i);
      yield this.read(Int32Array.from({ length: n }, (_, k) => i + k));
    }
  }

  /** Closes the file; the reader cannot read after. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  // Row by row: each whole row read, its window copied out.
  private readCut(indices: ArrayLike<number>, offsets?: ArrayLike<number>): Batch {
    const fd = this.openFd();
    const n = indices.length;
    const { steps, dims } = this.shape;
    const windowValues = steps * dims;
    const row = new Float32Array(this.rowBytes / 4);
    const rowBytes = new Uint8Array(row.buffer);
    const x = new Float32Array(n * windowValues);
    const y = new Int32Array(n);
    const idx = Int32Array.from(indices);
    for (let i = 0; i < n; i++) {
      const r = idx[i]!;
      if (!(r >= 0 && r < this.count)) throw new RangeError(`row ${r} outside 0..${this.count - 1}`);
      const offset = offsets ? offsets[i]! : 0;
      if (!(Number.isInteger(offset) && offset >= 0 && offset < this.offsets)) {
        throw new RangeError(`window start ${offset} outside 0..${this.offsets - 1}`);
      }
      readFully(fd, rowBytes, 0, this.rowBytes, r * this.rowBytes);
      x.set(row.subarray(offset * dims, offset * dims + windowValues), i * windowValues);
      y[i] = this.y[r]!;
    }
    return { x, y, indices: idx };
  }

  private openFd(): number {
    if (this.fd === undefined) throw new FeatureCacheError(`The ${this.split} batch reader is closed`);
    return this.fd;
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
}

function readFully(fd: number, into: Uint8Array, offset: number, length: number, position: number): void {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, into, offset + got, length - got, position + got);
    if (n === 0) throw new FeatureCacheError(`Feature file ended early at byte ${position + got}`);
    got += n;
  }
}
