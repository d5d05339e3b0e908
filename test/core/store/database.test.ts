import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseTooNewError, openDatabase } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import type { NoteRecord } from '../../../src-main/shared/types';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'timbre.db');
}

function note(split: NoteRecord['split'], noteStr: string, root: string): NoteRecord {
  return {
    split,
    noteStr,
    family: 0,
    source: 1,
    instrumentStr: noteStr.split('-')[0]!,
    pitch: 40,
    velocity: 100,
    path: path.join(root, `nsynth-${split}`, 'audio', `${noteStr}.wav`),
  };
}

describe('openDatabase', () => {
  it('creates a WAL database with foreign keys at the latest schema', () => {
    const file = dbFile();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    // Opening again applies nothing and keeps the version.
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it('has STRICT tables that refuse a value of the wrong type', () => {
    const db = openDatabase(dbFile());
    expect(() =>
      db
        .prepare(
          "INSERT INTO datasets (name, root, fingerprint, created_at, updated_at, splits) VALUES ('a', '/x', 'f', 'now', 'now', x'00')",
        )
        .run(),
    ).toThrow(/cannot store BLOB/);
    db.close();
  });

  it('refuses a database written by a newer version, naming the file, and leaves it untouched', () => {
    const file = dbFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 3}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(new RegExp(`${file}.*newer version`));
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 3);
    check.close();
  });
});

describe('DatasetRepo', () => {
  it('saves, finds by id, name and root, and replaces the notes of a re-imported root', () => {
    const db = openDatabase(dbFile());
    const repo = new DatasetRepo(db);
    const root = '/data/nsynth';
    const first = repo.save({
      name: 'nsynth',
      root,
      fingerprint: 'f1',
      notes: [
        note('train', 'bass_synthetic_001-040-100', root),
        note('test', 'bass_synthetic_002-040-100', root),
      ],
      splits: { train: { notes: 1, families: { bass: 1 } }, test: { notes: 1, families: { bass: 1 } } },
      skipped: [{ file: 'nsynth-test/audio/x.wav', reason: 'missing wav file' }],
    });
    expect(repo.find(first.id)?.name).toBe('nsynth');
    expect(repo.find('nsynth')?.id).toBe(first.id);
    expect(repo.find(root)?.id).toBe(first.id);
    expect(repo.find('nope')).toBeUndefined();
    expect(first.skipped).toEqual([{ file: 'nsynth-test/audio/x.wav', reason: 'missing wav file' }]);
    const notes = repo.notes(first.id);
    expect(notes.map((n) => n.split)).toEqual(['train', 'test']);
    expect(notes[0]!.path).toBe(path.join(root, 'nsynth-train', 'audio', 'bass_synthetic_001-040-100.wav'));

    const second = repo.save({
      name: 'nsynth',
      root,
      fingerprint: 'f2',
      notes: [note('valid', 'bass_synthetic_003-041-100', root)],
      splits: { valid: { notes: 1, families: { bass: 1 } } },
      skipped: [],
    });
    expect(second.id).toBe(first.id);
    expect(second.fingerprint).toBe('f2');
    expect(second.skipped).toEqual([]);
    expect(repo.notes(first.id).map((n) => n.noteStr)).toEqual(['bass_synthetic_003-041-100']);
    expect(repo.list()).toHaveLength(1);
    expect(repo.remove(first.id)).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM dataset_notes').get()).toEqual({ n: 0 });
    db.close();
  });
});
