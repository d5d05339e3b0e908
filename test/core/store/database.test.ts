import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { listBackups } from '../../../src-main/core/store/backup';
import {
  DatabaseDamagedError,
  DatabaseMissingError,
  DatabaseTooNewError,
  openDatabase,
} from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import type { NoteRecord } from '../../../src-main/shared/types';
import { damage, seedStore, sha1 } from '../../helpers/damage';
import { tempDir } from '../../helpers/tmp';
import { overwritePage, pageInWal } from './wal-pages';

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

  it('refuses a database written by a newer version, naming the file, and leaves every byte of it as it was', () => {
    const file = dbFile();
    const raw = new Database(file);
    raw.exec('CREATE TABLE later (x)');
    raw.pragma(`user_version = ${MIGRATIONS.length + 3}`);
    raw.close();
    const before = sha1(file);
    expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(file)).toThrow(new RegExp(`${file}.*newer version`));
    // The old order switched the journal mode to WAL first, which rewrote the header.
    expect(sha1(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('reads a newer version from a WAL not yet copied into the file', () => {
    const file = dbFile();
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    // The header on disk still says 0; only the WAL knows the new version while the writer is open.
    expect(fs.readFileSync(file).readInt32BE(60)).toBe(0);
    try {
      expect(() => openDatabase(file)).toThrow(DatabaseTooNewError);
    } finally {
      writer.close();
    }
  });

  it('refuses a file with 8 KB of foreign bytes in the middle, at open, writing nothing to it', () => {
    const file = dbFile();
    seedStore(file);
    expect(fs.statSync(file).size).toBeGreaterThan(200_000);
    damage(file);
    const before = sha1(file);
    expect(() => openDatabase(file)).toThrow(DatabaseDamagedError);
    expect(() => openDatabase(file)).toThrow(/is damaged \(page \d+: .*`timbre db restore`/);
    expect(sha1(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('opens a file whose page the scan suspects when SQLite reads that page from the WAL', () => {
    const file = dbFile();
    seedStore(file);
    // Another process's commit lives in the WAL; the file's own copy of one of its pages is foreign
    // bytes, which SQLite never reads (it is how a scan sees a page a checkpoint is copying).
    const writer = new Database(file);
    writer.pragma('wal_autocheckpoint = 0');
    try {
      writer.prepare('UPDATE dataset_notes SET velocity = 101').run();
      const page = pageInWal(file);
      overwritePage(file, page);
      expect(() => openDatabase(file).close()).not.toThrow();
    } finally {
      writer.close();
    }
    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM dataset_notes WHERE velocity = 101').pluck().get()).toBe(4000);
    db.close();
  });

  it('finds the damage wherever in the file the foreign bytes land', () => {
    const file = dbFile();
    seedStore(file);
    const clean = fs.readFileSync(file);
    for (const [i, at] of [0.1, 0.3, 0.5, 0.7, 0.99].entries()) {
      fs.writeFileSync(file, clean);
      damage(file, at, i + 7);
      expect(() => openDatabase(file), `damage at ${at}`).toThrow(DatabaseDamagedError);
    }
  });

  it('refuses a file that is no SQLite database at all', () => {
    const file = dbFile();
    fs.writeFileSync(
      file,
      'these are not the bytes of a database, but of a text file put here by mistake\n'.repeat(9),
    );
    expect(() => openDatabase(file)).toThrow(/damaged \(the file does not start with the SQLite header\)/);
  });

  it('turns damage met by a later statement into the same error, and refuses every write after it', () => {
    const file = dbFile();
    seedStore(file);
    const db = openDatabase(file);
    try {
      // The damage happens while the database is open (after the check at open).
      damage(file, 0.5, 3);
      expect(() => db.prepare('SELECT count(*), sum(length(path)) FROM dataset_notes').get()).toThrow(
        DatabaseDamagedError,
      );
      const write = () =>
        db
          .prepare("INSERT INTO dataset_skipped (dataset_id, file, reason) VALUES (1, 'x.wav', 'late')")
          .run();
      expect(write).toThrow(DatabaseDamagedError);
      expect(() => db.transaction(write)()).toThrow(DatabaseDamagedError);
      expect(() => db.exec('DELETE FROM dataset_skipped')).toThrow(DatabaseDamagedError);
    } finally {
      db.close();
    }
  });

  it('leaves statements working as before: iterating, leaving a loop early, transactions that roll back', () => {
    const file = dbFile();
    seedStore(file, 50);
    const db = openDatabase(file);
    try {
      const notes = db.prepare('SELECT note_str FROM dataset_notes ORDER BY note_str').pluck();
      let seen = 0;
      for (const _ of notes.iterate()) if (++seen === 3) break;
      // The loop left early ended its statement: the connection is free for the next one.
      expect(notes.all()).toHaveLength(50);
      const failing = db.transaction(() => {
        db.prepare('DELETE FROM dataset_notes').run();
        throw new Error('changed my mind');
      });
      expect(() => failing.immediate()).toThrow('changed my mind');
      expect(db.prepare('SELECT count(*) FROM dataset_notes').pluck().get()).toBe(50);
    } finally {
      db.close();
    }
  });

  it('refuses an empty file beside models and data sets from earlier use, and keeps it as it is', () => {
    const file = dbFile();
    const home = path.dirname(file);
    fs.writeFileSync(file, '');
    fs.mkdirSync(path.join(home, 'models', '1', 'best'), { recursive: true });
    fs.mkdirSync(path.join(home, 'datasets', 'default'), { recursive: true });
    expect(() => openDatabase(file)).toThrow(DatabaseMissingError);
    expect(() => openDatabase(file)).toThrow(
      /is empty \(0 bytes\), but models\/, datasets\/ from earlier use/,
    );
    expect(fs.statSync(file).size).toBe(0);
  });

  it('refuses a missing file when backups of it remain, and starts afresh in an empty folder or beside empty ones', () => {
    const file = dbFile();
    const home = path.dirname(file);
    fs.mkdirSync(path.join(home, 'models'));
    fs.writeFileSync(file, '');
    openDatabase(file).close();
    fs.mkdirSync(path.join(home, 'backups'));
    fs.copyFileSync(file, path.join(home, 'backups', 'timbre-2026-01-02T03-04-05-006Z.db'));
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    expect(() => openDatabase(file)).toThrow(/is missing, but 1 backup in backups\//);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes a backup before migrating an older schema, and the backup keeps the old schema', () => {
    const file = dbFile();
    const older = MIGRATIONS.length - 1;
    const raw = new Database(file);
    for (const m of MIGRATIONS.slice(0, older)) raw.exec(m);
    raw.pragma(`user_version = ${older}`);
    raw.close();
    openDatabase(file).close();
    const [backup, ...rest] = listBackups(path.join(path.dirname(file), 'backups'));
    expect(rest).toEqual([]);
    expect(backup!.reason).toBe(`schema-${older}`);
    const copy = new Database(backup!.file, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(older);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
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
