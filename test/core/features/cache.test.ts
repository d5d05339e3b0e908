import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureConfig } from '../../../src-main/shared/features';
import type { NoteRecord, Progress } from '../../../src-main/shared/types';
import { BatchReader } from '../../../src-main/core/features/batches';
import {
  ensureFeatureCache,
  FeatureCacheError,
  readFeatureCache,
  splitFiles,
  type FeatureSource,
} from '../../../src-main/core/features/cache';
import { validateFeatureConfig } from '../../../src-main/core/features/config';
import { computeFeatures, readClip } from '../../../src-main/core/features/extract';
import { tempDir, writeNotes } from './synthetic';

// 30 notes: train has unequal families (for maxPerFamily), valid and test a few each.
const COUNTS = { train: [8, 5, 3, 2], valid: [2, 2, 2], test: [2, 2, 1, 1] };

describe('feature cache', () => {
  const tmp = tempDir();
  const root = path.join(tmp.dir, 'features');
  let source: FeatureSource & { notes: NoteRecord[] };
  // build() hands the notes over as the Workbench does, read only when asked for.
  let reads = 0;
  const build = (config: Partial<FeatureConfig>, extra: { workers?: number; fingerprint?: string } = {}) =>
    ensureFeatureCache({
      featuresRoot: root,
      source: {
        fingerprint: extra.fingerprint ?? source.fingerprint,
        notes: () => {
          reads++;
          return Promise.resolve(source.notes);
        },
      },
      config: validateFeatureConfig(config),
      workers: extra.workers ?? 0,
    });
  const rows = (dir: string, split: 'train' | 'valid' | 'test') =>
    new Float32Array(new Uint8Array(fs.readFileSync(splitFiles(dir, split).features)).buffer);

  beforeAll(() => {
    source = { fingerprint: 'fp-a', notes: writeNotes(path.join(tmp.dir, 'data'), COUNTS) };
  });
  afterAll(() => tmp.remove());

  it('builds once on worker threads, in note order, then reuses the files', async () => {
    const progress: Progress[] = [];
    const config = validateFeatureConfig({ representation: 'logmel' });
    const first = await ensureFeatureCache({
      featuresRoot: root,
      source,
      config,
      workers: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(first.built).toBe(true);
    expect(first.splits).toEqual({ train: { notes: 18 }, valid: { notes: 6 }, test: { notes: 6 } });
    expect(first.shape).toEqual({ steps: 63, dims: 64 });
    expect(progress.at(-1)).toEqual({ phase: 'features', done: 30, total: 30 });
    expect(progress.length).toBeLessThan(10);

    const reader = BatchReader.open(first, 'valid');
    const notes = reader.notes();
    expect(notes).toEqual([...notes].sort());
    const valid = source.notes
      .filter((n) => n.split === 'valid')
      .sort((a, b) => (a.noteStr < b.noteStr ? -1 : 1));
    expect(notes).toEqual(valid.map((n) => n.noteStr));
    expect(Array.from(reader.labels())).toEqual(valid.map((n) => n.family));
    const stored = rows(first.dir, 'valid');
    const row = 63 * 64;
    valid.forEach((n, i) => {
      expect(stored.subarray(i * row, (i + 1) * row)).toEqual(
        computeFeatures(readClip(n.path, config), config),
      );
    });
    reader.close();

    const mtime = fs.statSync(splitFiles(first.dir, 'train').features).mtimeMs;
    const second = await build({ representation: 'logmel', nMfcc: 5 }); // nMfcc: not used by logmel
    expect(second).toEqual({ ...first, built: false });
    expect(fs.statSync(splitFiles(first.dir, 'train').features).mtimeMs).toBe(mtime);
    expect(fs.readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('rebuilds when the configuration or the fingerprint changes, or meta.json is missing', async () => {
    const a = await build({});
    const b = await build({ frame: 320 });
    const c = await build({}, { fingerprint: 'fp-b' });
    expect(new Set([a.dir, b.dir, c.dir]).size).toBe(3);
    expect([b.built, c.built]).toEqual([true, true]);
    expect(b.shape).toEqual({ steps: 50, dims: 320 });
    const readsBefore = reads;
    expect((await build({})).built).toBe(false);
    expect(reads).toBe(readsBefore); // a cache in place does not need the notes
    fs.rmSync(path.join(a.dir, 'meta.json'));
    expect((await build({})).built).toBe(true);
    expect(reads).toBe(readsBefore + 1);
    fs.truncateSync(splitFiles(a.dir, 'test').features, 100);
    expect((await build({})).built).toBe(true);
    expect(readFeatureCache(a.dir)?.key).toBe(a.key);
  });

  it('writes raw frames exactly as the WAV samples, and worker and inline builds agree', async () => {
    const inline = await build({ seconds: 0.5, frame: 100 });
    const files = splitFiles(inline.dir, 'train');
    const first = source.notes
      .filter((n) => n.split === 'train')
      .sort((a, b) => (a.noteStr < b.noteStr ? -1 : 1))[0]!;
    const pcm = readClip(first.path, validateFeatureConfig({ seconds: 0.5 }));
    expect(rows(inline.dir, 'train').subarray(0, 8000)).toEqual(pcm);
    const bytes = fs.readFileSync(files.features);
    fs.rmSync(path.join(inline.dir, 'meta.json'));
    const pooled = await build({ seconds: 0.5, frame: 100 }, { workers: 2 });
    expect(pooled.built).toBe(true);
    expect(fs.readFileSync(files.features).equals(bytes)).toBe(true);
  });

  it('maxPerFamily keeps a balanced, deterministic subset in every split', async () => {
    const info = await build({ maxPerFamily: 3 });
    expect(info.splits).toEqual({ train: { notes: 11 }, valid: { notes: 6 }, test: { notes: 6 } });
    const reader = BatchReader.open(info, 'train');
    const counts = [0, 0, 0, 0];
    for (const y of reader.labels()) counts[y]!++;
    expect(counts).toEqual([3, 3, 3, 2]);
    const kept = reader.notes();
    reader.close();
    const again = await build({ maxPerFamily: 3 }, { fingerprint: 'fp-c' });
    const other = BatchReader.open(again, 'train');
    expect(other.notes()).toEqual(kept);
    other.close();
    const two = BatchReader.open(await build({ maxPerFamily: 2 }), 'train');
    const fewer = two.notes();
    two.close();
    expect(fewer.length).toBe(8);
    expect(fewer.every((n) => kept.includes(n))).toBe(true); // a smaller cap keeps a subset of the larger
  });

  it('standard normalization gives mean 0, std 1 per dimension on train and applies the same stats elsewhere', async () => {
    const info = await build({ representation: 'mfcc', normalization: 'standard' });
    const plain = await build({ representation: 'mfcc' });
    const meta = readFeatureCache(info.dir)!;
    const { dims } = info.shape;
    const train = rows(info.dir, 'train');
    const n = train.length / dims;
    for (let d = 0; d < dims; d++) {
      let sum = 0;
      let sq = 0;
      for (let i = d; i < train.length; i += dims) sum += train[i]!;
      const mean = sum / n;
      for (let i = d; i < train.length; i += dims) sq += (train[i]! - mean) ** 2;
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(Math.sqrt(sq / (n - 1))).toBeCloseTo(1, 3);
    }
    const raw = rows(plain.dir, 'test');
    const norm = rows(info.dir, 'test');
    for (let i = 0; i < raw.length; i += 97) {
      const d = i % dims;
      expect(norm[i]).toBeCloseTo((raw[i]! - meta.stats!.mean[d]!) / meta.stats!.std[d]!, 4);
    }
  });

  it('clip normalization scales each note to mean 0, std 1', async () => {
    const info = await build({ representation: 'logmel', normalization: 'clip', nMels: 32 });
    const values = rows(info.dir, 'valid');
    const row = info.shape.steps * info.shape.dims;
    for (let r = 0; r < 6; r++) {
      const clip = values.subarray(r * row, (r + 1) * row);
      const mean = clip.reduce((s, v) => s + v, 0) / row;
      const std = Math.sqrt(clip.reduce((s, v) => s + (v - mean) ** 2, 0) / row);
      expect(Math.abs(mean)).toBeLessThan(1e-4);
      expect(std).toBeCloseTo(1, 3);
    }
  });

  it('fails with the file name on a missing WAV, stops on abort, and leaves no partial cache', async () => {
    const broken = source.notes.map((n, i) =>
      i === 20 ? { ...n, path: path.join(tmp.dir, 'gone.wav') } : n,
    );
    const attempt = ensureFeatureCache({
      featuresRoot: root,
      source: { fingerprint: 'fp-broken', notes: broken },
      config: validateFeatureConfig({}),
      workers: 2,
    });
    await expect(attempt).rejects.toThrow(FeatureCacheError);
    await expect(attempt).rejects.toThrow(/gone\.wav/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      ensureFeatureCache({
        featuresRoot: root,
        source: { fingerprint: 'fp-abort', notes: source.notes },
        config: validateFeatureConfig({}),
        signal: controller.signal,
      }),
    ).rejects.toThrow(/abort/i);
    expect(fs.readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
