// A second process for concurrent.test.ts, run with `node --import tsx`:
//   open FILE...     for each FILE in turn: opens it with openDatabase as soon as FILE.go exists, then
//                    prints "<index> ok" or "<index> <the error>"
//   list FILE        prints "ready", opens FILE with openDatabase, prints the names of its data sets as JSON
//   write FILE STOP  opens FILE, commits ~100 rows, closes, again and again until STOP exists (at most 20 s)
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';

const [mode, ...args] = process.argv.slice(2) as [string, ...string[]];
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (mode === 'open') {
  process.stdout.write('ready\n');
  for (const [i, file] of args.entries()) {
    // Spinning, not sleeping: every child starts the moment the file appears.
    while (!fs.existsSync(`${file}.go`)) pause(1);
    try {
      openDatabase(file).close();
      process.stdout.write(`${i} ok\n`);
    } catch (err) {
      process.stdout.write(`${i} ${(err as Error).name}: ${(err as Error).message}\n`);
    }
  }
} else if (mode === 'list') {
  process.stdout.write('ready\n');
  const db = openDatabase(args[0]!);
  process.stdout.write(`${JSON.stringify(new DatasetRepo(db).list().map((d) => d.name))}\n`);
  db.close();
} else {
  const [file, signal] = args as [string, string];
  const end = Date.now() + 20_000;
  let commits = 0;
  while (!fs.existsSync(signal) && Date.now() < end) {
    // What another app process does: open, commit, close (which copies the WAL back and deletes it).
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS churn (id INTEGER PRIMARY KEY, a TEXT, b BLOB)');
    db.exec('CREATE INDEX IF NOT EXISTS churn_a ON churn (a)');
    const insert = db.prepare('INSERT INTO churn (a, b) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 100; i++) {
        insert.run(String(Math.random()).repeat(30), Buffer.alloc(Math.floor(Math.random() * 8000), 13));
      }
      db.exec('DELETE FROM churn WHERE id IN (SELECT id FROM churn ORDER BY random() LIMIT 60)');
    })();
    db.close();
    if (++commits === 1) process.stdout.write('ready\n');
    pause(20);
  }
  process.stdout.write(`${commits} commits\n`);
}
