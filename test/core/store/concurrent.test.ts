import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { listBackups, takeBackup } from '../../../src-main/core/store/backup';
import { inspectBeforeOpen, openDatabase } from '../../../src-main/core/store/database';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { seedStore, sha1 } from '../../helpers/damage';
import { tempDir } from '../../helpers/tmp';

const CHILD = path.join(import.meta.dirname, 'concurrent-child.ts');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return path.join(t.dir, 'timbre.db');
}

// A child process and its output; `line(text)` settles once it printed a line starting with `text`.
function child(args: string[]): {
  proc: ChildProcess;
  output: Promise<string>;
  line: (text: string) => Promise<void>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => proc.exitCode === null && proc.kill());
  let out = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of waiting) if (out.split('\n').some((l) => l.startsWith(w.text))) w.resolve();
  });
  const output = new Promise<string>((resolve) => proc.on('close', () => resolve(out)));
  const line = (text: string) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ text, resolve });
      proc.on('close', () => reject(new Error(`child ended without printing "${text}": ${out}`)));
    });
  return { proc, output, line };
}

// Starts `n` processes that each open every file of `files` in turn, all at once, and returns
// what each said of each file: "ok" or the error.
async function openAtOnce(files: string[], n: number): Promise<string[][]> {
  const children = Array.from({ length: n }, () => child(['open', ...files]));
  await Promise.all(children.map((c) => c.line('ready')));
  const said: string[][] = files.map(() => []);
  for (const [i, file] of files.entries()) {
    fs.writeFileSync(`${file}.go`, '');
    await Promise.all(children.map((c) => c.line(`${i} `)));
  }
  for (const out of await Promise.all(children.map((c) => c.output))) {
    for (const line of out.split('\n')) {
      const m = /^(\d+) (.*)$/.exec(line);
      if (m) said[Number(m[1])]!.push(m[2]!);
    }
  }
  return said;
}

// A database at the schema before the newest, as an older version of the app left it.
function olderSchema(file: string): number {
  const older = MIGRATIONS.length - 1;
  const raw = new Database(file);
  for (const m of MIGRATIONS.slice(0, older)) raw.exec(m);
  raw.pragma(`user_version = ${older}`);
  raw.close();
  return older;
}

describe('several processes', () => {
  it('opening a new database, or one of an older schema, at the same moment all succeed', async () => {
    const fresh = [dbFile(), dbFile()];
    const older = [dbFile(), dbFile()];
    const from = older.map(olderSchema)[0]!;
    const said = await openAtOnce([...fresh, ...older], 6);
    expect(said).toEqual(Array(4).fill(Array(6).fill('ok')));
    for (const file of [...fresh, ...older]) {
      const db = new Database(file, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      db.close();
    }
    for (const file of fresh) expect(fs.existsSync(path.join(path.dirname(file), 'backups'))).toBe(false);
    // The schema was updated once, after one backup of the old schema.
    for (const file of older) {
      const backups = listBackups(path.join(path.dirname(file), 'backups'));
      expect(backups.map((b) => b.reason)).toEqual([`schema-${from}`]);
    }
  });

  it('one committing and closing again and again while another opens: no false damage', async () => {
    const file = dbFile();
    seedStore(file, 2000);
    const stop = `${file}.stop`;
    const writer = child(['write', file, stop]);
    await writer.line('ready');
    let opens = 0;
    try {
      // Bounded by count and by time: a slow machine opens fewer times, which weakens the test but never fails it.
      const until = Date.now() + 4000;
      while (opens < 1000 && Date.now() < until) {
        // Mostly the check alone (several times faster, so more of them meet a checkpoint), and the whole open.
        if (opens % 4 === 0) openDatabase(file).close();
        else inspectBeforeOpen(file);
        opens++;
      }
    } finally {
      fs.writeFileSync(stop, '');
    }
    expect(await writer.output).toMatch(/\d+ commits/);
    expect(opens).toBeGreaterThan(0);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('one opening the database while a restore holds its lock ends on the restored file, writing nothing to the old', async () => {
    const file = dbFile();
    seedStore(file, 300, 'first');
    const db = openDatabase(file);
    const backup = await takeBackup(db, file);
    db.close();
    seedStore(file, 300, 'second');
    // In rollback-journal mode (as an older version left it), taking the lock leaves no -wal that
    // would hold the other process up before it opens the file.
    const raw = new Database(file);
    raw.pragma('journal_mode = DELETE');
    raw.close();
    const before = sha1(file);
    // What restoreBackup does, slowed down: lock, wait, rename the old file aside, put the backup in place, unlock.
    const lock = new Database(file, { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('COMMIT');
    const aside = `${file}.aside`;
    let names: Promise<string>;
    try {
      const opener = child(['list', file]);
      names = opener.output;
      await opener.line('ready');
      // Time for it to open the old file and wait for the lock (a slower start opens the new file
      // directly, which the test then allows too).
      await new Promise((r) => setTimeout(r, 1000));
      fs.renameSync(file, aside);
      fs.copyFileSync(backup.file, file);
    } finally {
      lock.close();
    }
    expect((await names).trim().split('\n').pop()).toBe('["first"]');
    expect(sha1(aside)).toBe(before);
  });
});
