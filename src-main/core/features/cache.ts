import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SPLITS } from '../../shared/constants';
import type { FeatureCacheInfo, FeatureConfig, FeatureShape } from '../../shared/features';
import type { NoteRecord, ProgressFn } from '../../shared/types';
import {
  FEATURE_CACHE_VERSION,
  featureCacheKey,
  featureShape,
  normalizeFeatureConfig,
  validateFeatureConfig,
} from './config';
import { applyStandard, StatsAccumulator, type FeatureStats } from './normalize';
import { FeatureCacheError, META_FILE, splitFiles } from './layout';
import { createFeaturePool, type FeaturePool } from './pool';
import { selectNotes } from './select';

export { featureShape, validateFeatureConfig } from './config';
export { computeFeatures } from './extract';
export { FeatureCacheError, splitFiles } from './layout';

/** The notes of a data set (all splits) and the fingerprint that identifies its contents. */
export interface FeatureSource {
  fingerprint: string;
  /**
   * The notes, or how to read them: only a cache that must be built needs them, and a data set of
   * NSynth's size takes seconds to read.
   */
  notes: readonly NoteRecord[] | (() => Promise<readonly NoteRecord[]>);
}

/** Everything meta.json holds: the cache description plus what is needed to reproduce it. */
export interface FeatureCacheMeta extends FeatureCacheInfo {
  version: number;
  createdAt: string;
  /** Train statistics `standard` normalization applied (also to valid/test); null otherwise. */
  stats: FeatureStats | null;
  /** Wall time of the build. */
  buildSeconds: number;
}

const PROGRESS_MS = 250;
const JOB_BYTES = 1 << 20;

/** The cache in `dir` if its meta.json is complete and its files have the sizes it declares. */
export function readFeatureCache(dir: string): FeatureCacheMeta | undefined {
  let meta: FeatureCacheMeta;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, META_FILE), 'utf8')) as FeatureCacheMeta;
  } catch {
    return undefined; // missing or half-written: the caller rebuilds
  }
  if (
    meta?.version !== FEATURE_CACHE_VERSION ||
    meta.key !== path.basename(dir) ||
    !meta.shape ||
    !meta.splits
  ) {
    return undefined;
  }
  const rowBytes = meta.shape.steps * meta.shape.dims * 4;
  for (const split of SPLITS) {
    const notes = meta.splits[split]?.notes;
    const files = splitFiles(dir, split);
    if (typeof notes !== 'number') return undefined;
    if (sizeOf(files.features) !== notes * rowBytes || sizeOf(files.labels) !== notes) return undefined;
    if (sizeOf(files.notes) < 0) return undefined;
  }
  return { ...meta, dir };
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
}

/** The public description of a cache (meta.json without the statistics). */
function describe(meta: FeatureCacheMeta, built: boolean): FeatureCacheInfo & { built: boolean } {
  const { dir, key, fingerprint, config, shape, splits } = meta;
  return { dir, key, fingerprint, config, shape, splits, built };
}

/**
 * Returns the feature cache of a data set under a configuration, computing it first when it is
 * missing or incomplete. Notes are read and transformed on worker threads and streamed to disk,
 * so memory does not grow with the number of notes. `config.maxPerFamily` picks the notes.
 */
export async function ensureFeatureCache(opts: {
  featuresRoot: string;
  source: FeatureSource;
  config: FeatureConfig;
  /** Feature threads; default one per core, at most 4; 0 computes on the calling thread. */
  workers?: number;
  /** Module of the feature worker, for a bundled build; default featureWorkerUrl(). */
  workerUrl?: URL;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}): Promise<FeatureCacheInfo & { built: boolean }> {
  const config = normalizeFeatureConfig(validateFeatureConfig(opts.config));
  const key = featureCacheKey(opts.source.fingerprint, config);
  const dir = path.join(opts.featuresRoot, key);
  const existing = readFeatureCache(dir);
  if (existing) return describe(existing, false);
  if (os.endianness() !== 'LE') throw new FeatureCacheError('Feature caches need a little-endian machine');

  fs.mkdirSync(opts.featuresRoot, { recursive: true });
  removeStaleBuilds(opts.featuresRoot, key);
  const tmp = path.join(opts.featuresRoot, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(tmp);
  const workers = opts.workers ?? Math.min(4, os.availableParallelism());
  const t0 = performance.now();
  let pool: FeaturePool | undefined;
  try {
    pool = createFeaturePool(config, workers, opts.workerUrl);
    const meta = await build({ ...opts, config, key, dir, tmp, pool });
    meta.buildSeconds = +((performance.now() - t0) / 1000).toFixed(3);
    // meta.json last: a cache without it is incomplete and is rebuilt.
    fs.writeFileSync(path.join(tmp, META_FILE), JSON.stringify(meta, null, 1));
    return describe(publish(tmp, dir, meta), true);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await pool?.close();
  }
}

async function build(o: {
  source: FeatureSource;
  config: FeatureConfig;
  key: string;
  dir: string;
  tmp: string;
  pool: FeaturePool;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}): Promise<FeatureCacheMeta> {
  const { config, tmp } = o;
  const shape = featureShape(config);
  const all = typeof o.source.notes === 'function' ? await o.source.notes() : o.source.notes;
  const selected = SPLITS.map((split) => ({
    split,
    notes: selectNotes(all, split, config.maxPerFamily),
  }));
  const standard = config.normalization === 'standard';
  if (standard && selected[0]!.notes.length === 0) {
    throw new FeatureCacheError('Standard normalization needs train notes; this data set has none selected');
  }
  const total = selected.reduce((sum, s) => sum + s.notes.length, 0);
  let done = 0;
  let last = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!o.onProgress || (!force && now - last < PROGRESS_MS)) return;
    last = now;
    o.onProgress({ phase: 'features', done, total });
  };
  report(true);
  let stats: FeatureStats | null = null;
  const splits: FeatureCacheInfo['splits'] = {};
  for (const { split, notes } of selected) {
    o.signal?.throwIfAborted();
    const files = splitFiles(tmp, split);
    const acc = standard && split === 'train' ? new StatsAccumulator(shape.dims) : undefined;
    await streamRows(o.pool, notes, shape, files.features, o.signal, (rows, count) => {
      acc?.add(rows);
      if (stats) applyStandard(rows, stats);
      done += count;
      report();
    });
    if (acc) {
      stats = acc.result();
      await rewriteInPlace(files.features, shape, stats, o.signal);
    }
    fs.writeFileSync(
      files.labels,
      Uint8Array.from(notes, (n) => n.family),
    );
    fs.writeFileSync(files.notes, JSON.stringify(notes.map((n) => n.noteStr)));
    splits[split] = { notes: notes.length };
  }
  report(true);
  return {
    dir: o.dir,
    key: o.key,
    fingerprint: o.source.fingerprint,
    config,
    shape,
    splits,
    version: FEATURE_CACHE_VERSION,
    createdAt: new Date().toISOString(),
    stats,
    buildSeconds: 0,
  };
}

/** Computes the rows of `notes` on the pool, a bounded number of jobs ahead, and appends them in note order. */
async function streamRows(
  pool: FeaturePool,
  notes: NoteRecord[],
  shape: FeatureShape,
  file: string,
  signal: AbortSignal | undefined,
  onRows: (rows: Float32Array, count: number) => void,
): Promise<void> {
  const rowBytes = shape.steps * shape.dims * 4;
  const perJob = Math.max(1, Math.min(64, Math.floor(JOB_BYTES / rowBytes)));
  const ahead = Math.max(2, pool.workers * 2);
  const queue: { count: number; rows: Promise<Float32Array> }[] = [];
  let next = 0;
  const submit = () => {
    const batch = notes.slice(next, next + perJob);
    next += batch.length;
    const rows = pool.run(batch.map((n) => n.path));
    rows.catch(() => {}); // awaited in order below; this only keeps a later failure from going unhandled
    queue.push({ count: batch.length, rows });
  };
  const fh = await fs.promises.open(file, 'w');
  try {
    while (queue.length < ahead && next < notes.length) submit();
    while (queue.length) {
      const job = queue.shift()!;
      const rows = await job.rows;
      signal?.throwIfAborted();
      if (next < notes.length) submit();
      onRows(rows, job.count);
      await fh.write(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    }
  } finally {
    await fh.close();
  }
}

/** Applies the train statistics to the train file in place, a chunk at a time. */
async function rewriteInPlace(file: string, shape: FeatureShape, stats: FeatureStats, signal?: AbortSignal) {
  const rowBytes = shape.steps * shape.dims * 4;
  const chunk = Math.max(1, Math.floor((4 * JOB_BYTES) / rowBytes)) * rowBytes;
  const buf = new Float32Array(chunk / 4);
  const bytes = new Uint8Array(buf.buffer);
  const fh = await fs.promises.open(file, 'r+');
  try {
    const size = (await fh.stat()).size;
    for (let pos = 0; pos < size; pos += chunk) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(bytes, 0, Math.min(chunk, size - pos), pos);
      applyStandard(buf.subarray(0, bytesRead / 4), stats);
      await fh.write(bytes, 0, bytesRead, pos);
    }
  } finally {
    await fh.close();
  }
}

/** Moves a finished build into place; if another build of the same key got there first, keeps that one. */
function publish(tmp: string, dir: string, meta: FeatureCacheMeta): FeatureCacheMeta {
  const other = readFeatureCache(dir);
  if (!other) {
    fs.rmSync(dir, { recursive: true, force: true }); // an incomplete earlier build
    try {
      fs.renameSync(tmp, dir);
      return meta;
    } catch (err) {
      const raced = readFeatureCache(dir);
      if (!raced) throw err;
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return readFeatureCache(dir)!;
}

/** Deletes unfinished builds of `key` left by processes that no longer run. */
function removeStaleBuilds(root: string, key: string): void {
  for (const name of fs.readdirSync(root)) {
    const m = name.startsWith(`${key}.tmp-`) ? /\.tmp-(\d+)-/.exec(name) : null;
    if (m && !processAlive(Number(m[1]))) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
