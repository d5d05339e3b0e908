// A worker reads a run's features in place from the hub's folder only when that folder holds the
// very cache the hub named, whole; anything else (another path, another cache, a file of another
// size) and it fetches them instead.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFeatures } from '../../src-main/core/cluster/remote-run';
import { FEATURE_CACHE_VERSION } from '../../src-main/core/features/config';
import { META_FILE, splitFiles } from '../../src-main/core/features/layout';
import { tempDir } from '../helpers/tmp';

const { dir: root, cleanup } = tempDir('timbre-shared-features-');
afterAll(cleanup);

const KEY = 'logmel-abc123';
const FINGERPRINT = 'f'.repeat(16);

// A cache of one note per split, two values a note, as the feature builder lays it out.
function writeCache(dir: string, key = KEY): { name: string; size: number }[] {
  fs.mkdirSync(dir, { recursive: true });
  const meta = {
    version: FEATURE_CACHE_VERSION,
    key,
    fingerprint: FINGERPRINT,
    config: { representation: 'logmel' },
    shape: { steps: 1, dims: 2 },
    splits: { train: { notes: 1 }, valid: { notes: 1 }, test: { notes: 1 } },
    createdAt: new Date(0).toISOString(),
    stats: null,
    buildSeconds: 0,
  };
  fs.writeFileSync(path.join(dir, META_FILE), JSON.stringify(meta));
  for (const split of ['train', 'valid', 'test'] as const) {
    const f = splitFiles(dir, split);
    fs.writeFileSync(f.features, Buffer.alloc(8));
    fs.writeFileSync(f.labels, Buffer.alloc(1));
    fs.writeFileSync(f.notes, '["n"]');
  }
  return fs.readdirSync(dir).map((name) => ({ name, size: fs.statSync(path.join(dir, name)).size }));
}

const claimOf = (p: string, files: { name: string; size: number }[], over: object = {}) =>
  ({ features: { key: KEY, path: p, fingerprint: FINGERPRINT, files, ...over } }) as Parameters<
    typeof sharedFeatures
  >[0];

describe("a run's features read in place from the hub's folder", () => {
  const dir = path.join(root, 'hub', 'features', KEY);
  const files = writeCache(dir);

  it('reads the cache the hub named when its folder is here and whole', () => {
    expect(sharedFeatures(claimOf(dir, files))?.dir).toBe(dir);
  });

  it('fetches instead when the folder is not the one named, not whole, or another cache', () => {
    // Not readable here (the hub's machine only), or not an absolute path.
    expect(sharedFeatures(claimOf(path.join(root, 'elsewhere', KEY), files))).toBeUndefined();
    expect(sharedFeatures(claimOf(path.relative(process.cwd(), dir), files))).toBeUndefined();
    // A folder of another name, though it holds a cache of the right key.
    const other = path.join(root, 'other');
    const otherFiles = writeCache(other);
    expect(sharedFeatures(claimOf(other, otherFiles))).toBeUndefined();
    // Another data set's cache, or files of other sizes than the hub listed.
    expect(sharedFeatures(claimOf(dir, files, { fingerprint: 'e'.repeat(16) }))).toBeUndefined();
    const grown = files.map((f) => (f.name === 'train.f32' ? { ...f, size: f.size + 8 } : f));
    expect(sharedFeatures(claimOf(dir, grown))).toBeUndefined();
    // A file cut short since: the cache is no longer whole.
    fs.writeFileSync(splitFiles(dir, 'test').features, Buffer.alloc(4));
    expect(sharedFeatures(claimOf(dir, files))).toBeUndefined();
  });
});
