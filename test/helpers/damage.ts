import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import type { NoteRecord } from '../../src-main/shared/types';

/** SHA-1 of a file's bytes, to show that nothing wrote to it. */
export function sha1(file: string): string {
  return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

/** Bytes that look random but are the same on every run (a xorshift stream from `seed`). */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes 8 KB of noise into the file at `fraction` of its length (the middle by default), as a disk error might. */
export function damage(file: string, fraction = 0.5, seed = 1): void {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, noise(8192, seed), 0, 8192, Math.floor((size - 8192) * fraction));
  } finally {
    fs.closeSync(fd);
  }
}

/** A store with one data set of `notes` notes (a few hundred pages), closed and checkpointed. */
export function seedStore(file: string, notes = 4000, name = 'seeded'): void {
  const db = openDatabase(file);
  const root = path.join(path.dirname(file), `data-${name}`);
  const records: NoteRecord[] = Array.from({ length: notes }, (_, i) => ({
    split: (['train', 'valid', 'test'] as const)[i % 3]!,
    noteStr: `instrument_${name}_${String(i).padStart(5, '0')}-0${40 + (i % 40)}-100`,
    family: i % 11,
    source: i % 3,
    instrumentStr: `instrument_${name}_${i}`,
    pitch: 40 + (i % 40),
    velocity: 100,
    path: path.join(root, `note-${i}-with-a-long-enough-path-to-fill-pages.wav`),
  }));
  new DatasetRepo(db).save({
    name,
    root,
    fingerprint: `fp-${name}`,
    notes: records,
    splits: {},
    skipped: [],
  });
  db.close();
}
