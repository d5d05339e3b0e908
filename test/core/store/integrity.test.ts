import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { readHeader, scanPages } from '../../../src-main/core/store/integrity';
import { damage, noise } from '../../helpers/damage';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'x.db');
}

// Every kind of page SQLite writes: table and index b-trees (leaf and interior), overflow chains of
// large values, and freelist trunk and leaf pages left by deletes.
function fill(db: Database.Database, seed: number): void {
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, blob BLOB); CREATE INDEX t_name ON t(name)');
  db.exec('CREATE TABLE w (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID');
  const t = db.prepare('INSERT INTO t (name, blob) VALUES (?, ?)');
  const w = db.prepare('INSERT INTO w (k, v) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 1500; i++) {
      t.run(`name ${i} `.repeat(1 + (i % 7)), noise(i % 5 === 0 ? 9000 : 60, seed + i));
      w.run(`key ${i}`, noise(i % 9 === 0 ? 5000 : 30, seed - i));
    }
  })();
  db.exec("DELETE FROM t WHERE id % 3 = 0; DELETE FROM w WHERE k LIKE 'key 1%'");
}

describe('scanPages', () => {
  it.each([512, 4096, 65536])('passes every page of a sound database with %i-byte pages', (pageSize) => {
    const file = dbFile();
    const db = new Database(file);
    db.pragma(`page_size = ${pageSize}`);
    fill(db, pageSize);
    expect(db.pragma('freelist_count', { simple: true })).toBeGreaterThan(0);
    db.close();
    const scan = scanPages(file);
    expect(scan.problems).toEqual([]);
    expect(scan.pages).toBe(fs.statSync(file).size / pageSize);
  });

  it('passes a WAL database while a writer has pages not yet copied into the file', () => {
    const file = dbFile();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    fill(db, 3);
    try {
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
      expect(scanPages(file).problems).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('passes freelist leaf pages whatever they hold: SQLite never reads them', () => {
    const file = dbFile();
    const db = new Database(file);
    fill(db, 11);
    db.close();
    // The first freelist trunk page (header offset 32) lists its leaves after the next trunk and the count.
    const bytes = fs.readFileSync(file);
    const trunk = bytes.readUInt32BE(32);
    const trunkAt = (trunk - 1) * 4096;
    expect(bytes.readUInt32BE(trunkAt + 4)).toBeGreaterThan(2);
    const leaf = bytes.readUInt32BE(trunkAt + 8 + 4);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, noise(4096, 5), 0, 4096, (leaf - 1) * 4096);
    fs.closeSync(fd);
    expect(scanPages(file).problems).toEqual([]);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });

  it('finds a page of foreign bytes, and a file cut short', () => {
    const file = dbFile();
    const db = new Database(file);
    fill(db, 5);
    db.close();
    const clean = fs.readFileSync(file);
    damage(file, 0.4);
    const scan = scanPages(file);
    expect(scan.ok).toBe(false);
    expect(scan.problems[0]).toMatch(/^page \d+: /);
    fs.writeFileSync(file, clean.subarray(0, clean.length - 4096 * 3));
    expect(scanPages(file).problems).toEqual([expect.stringMatching(/cut short: \d+ of \d+ pages/)]);
  });
});

describe('readHeader', () => {
  it('reads the schema version and page size, and says what is wrong with a file that is no database', () => {
    const file = dbFile();
    const db = new Database(file);
    db.pragma('user_version = 7');
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(readHeader(file)).toMatchObject({ userVersion: 7, pageSize: 4096, autoVacuum: false });
    fs.writeFileSync(file, 'SQLite format 2');
    expect(readHeader(file)).toMatch(/only 15 bytes long/);
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    expect(readHeader(file)).toBe('the file does not start with the SQLite header');
  });
});
