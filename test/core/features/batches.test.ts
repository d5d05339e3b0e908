import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCacheInfo } from '../../../src-main/shared/features';
import { BatchReader, shuffledOrder, type Batch } from '../../../src-main/core/features/batches';
import { ensureFeatureCache, splitFiles } from '../../../src-main/core/features/cache';
import { validateFeatureConfig } from '../../../src-main/core/features/config';
import { tempDir, writeNotes } from './synthetic';

describe('batch reader', () => {
  const tmp = tempDir();
  let info: FeatureCacheInfo;
  let reader: BatchReader;
  let all: Float32Array;
  const rowSize = () => info.shape.steps * info.shape.dims;

  beforeAll(async () => {
    const notes = writeNotes(path.join(tmp.dir, 'data'), { train: [7, 6, 5, 5], test: [1, 1] });
    info = await ensureFeatureCache({
      featuresRoot: path.join(tmp.dir, 'features'),
      source: { fingerprint: 'fp', notes },
      config: validateFeatureConfig({ representation: 'mfcc', seconds: 0.5 }),
      workers: 0,
    });
    reader = BatchReader.open(info, 'train');
    all = new Float32Array(new Uint8Array(fs.readFileSync(splitFiles(info.dir, 'train').features)).buffer);
  });
  afterAll(() => {
    reader.close();
    tmp.remove();
  });

  const order = (batches: Batch[]) => batches.flatMap((b) => Array.from(b.indices));

  it('covers every row exactly once per epoch, keeping the last partial batch', () => {
    expect(reader.count).toBe(23);
    const batches = [...reader.shuffled(5, 1)];
    expect(batches.map((b) => b.y.length)).toEqual([5, 5, 5, 5, 3]);
    expect([...order(batches)].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const labels = reader.labels();
    const row = rowSize();
    for (const b of batches) {
      expect(b.x.length).toBe(b.y.length * row);
      b.indices.forEach((r, k) => {
        expect(b.y[k]).toBe(labels[r]);
        expect(b.x.subarray(k * row, (k + 1) * row)).toEqual(all.subarray(r * row, (r + 1) * row));
      });
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = order([...reader.shuffled(4, 42)]);
    expect(order([...reader.shuffled(4, 42)])).toEqual(a);
    expect(order([...reader.shuffled(7, 42)])).toEqual(a); // the order does not depend on the batch size
    expect(order([...reader.shuffled(4, 43)])).not.toEqual(a);
    expect(Array.from(shuffledOrder(1000, 5))).not.toEqual(Array.from(shuffledOrder(1000, 6)));
    expect(shuffledOrder(1000, 5)).toEqual(shuffledOrder(1000, 5));
  });

  it('reads sequentially for evaluation', () => {
    const batches = [...reader.sequential(10)];
    expect(batches.map((b) => b.y.length)).toEqual([10, 10, 3]);
    expect(order(batches)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    const x = new Float32Array(all.length);
    let at = 0;
    for (const b of batches) {
      x.set(b.x, at);
      at += b.x.length;
    }
    expect(x).toEqual(all);
    expect(Array.from(batches.flatMap((b) => Array.from(b.y)))).toEqual(Array.from(reader.labels()));
  });

  it('opens small splits, rejects bad batch sizes and reads nothing once closed', () => {
    const test = BatchReader.open(info, 'test');
    expect(test.count).toBe(2);
    expect([...test.shuffled(32, 0)].map((b) => b.y.length)).toEqual([2]);
    expect(() => [...test.sequential(0)]).toThrow(/batch size/);
    test.close();
    expect(() => [...test.sequential(1)]).toThrow(/closed/);
    const valid = BatchReader.open(info, 'valid');
    expect(valid.count).toBe(0);
    expect([...valid.shuffled(8, 1)]).toEqual([]);
    valid.close();
  });
});
