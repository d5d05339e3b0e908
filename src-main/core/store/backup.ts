import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './database';
import { scanPages } from './integrity';

/** How many backups are kept; the oldest go when a new one is taken. */
export const BACKUPS_KEPT = 5;

/** One backup file under TIMBRE_HOME/backups. */
export interface BackupInfo {
  name: string;
  file: string;
  /** When it was taken (ISO time, from its name). */
  takenAt: string;
  bytes: number;
  /** Why it was taken when not on schedule: `schema-2` before migrating from schema 2, `manual`. */
  reason: string | null;
}

// timbre-2026-11-29T13-45-12-123Z.db, or timbre-...Z-schema-2.db: sortable, and valid on every file system.
const NAME = /^timbre-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-([a-z0-9-]+))?\.db$/;

/** The folder backups of the database at `dbFile` go to: `backups/` beside it. */
export function backupsDir(dbFile: string): string {
  return path.join(path.dirname(dbFile), 'backups');
}

/** The backups in `dir`, newest first. */
export function listBackups(dir: string): BackupInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const found: BackupInfo[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    let bytes: number;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      continue;
    }
    found.push({
      name,
      file,
      takenAt: `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`,
      bytes,
      reason: m[6] ?? null,
    });
  }
  return found.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

/** The file name of a backup taken at `at`. */
export function backupName(at: Date, reason?: string): string {
  return `timbre-${at.toISOString().replace(/[:.]/g, '-')}${reason ? `-${reason}` : ''}.db`;
}

/**
 * Copies the open database into a new backup with SQLite's online backup, a few pages per turn
 * of the event loop (the app keeps working meanwhile), then keeps the newest BACKUPS_KEPT.
 */
export async function takeBackup(db: Db, dbFile: string, reason?: string): Promise<BackupInfo> {
  const dir = backupsDir(dbFile);
  fs.mkdirSync(dir, { recursive: true });
  const name = backupName(new Date(), reason);
  const tmp = path.join(dir, `.${name}.${process.pid}.partial`);
  try {
    // 1000 pages (4 MB) per step: a few ms each, and few enough steps that writes from other
    // processes (each of which restarts the copy) rarely get in between.
    await db.backup(tmp, { progress: () => 1000 });
    return finish(tmp, dir, name);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}

/**
 * A backup taken synchronously (VACUUM INTO) before migrating from schema `from`: the
 * migration waits for it, so that the way back is there if the new version goes wrong.
 */
export function backupBeforeMigration(db: Db, dbFile: string, from: number, to: number): BackupInfo {
  const dir = backupsDir(dbFile);
  fs.mkdirSync(dir, { recursive: true });
  const name = backupName(new Date(), `schema-${from}`);
  const tmp = path.join(dir, `.${name}.${process.pid}.partial`);
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    return finish(tmp, dir, name);
  } catch (err) {
    removeQuietly(tmp);
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Could not back up ${dbFile} before updating its schema from ${from} to ${to} (${why}); nothing was changed. ` +
        `Make room in ${dir}, or check that it can be written.`,
    );
  }
}

// Checks a finished copy, makes it a plain rollback-journal file (opening it read-only later then
// needs no -wal or -shm beside it), and moves it into place.
function finish(tmp: string, dir: string, name: string): BackupInfo {
  const scan = scanPages(tmp);
  if (!scan.ok) throw new Error(`the copy came out damaged (${scan.problems[0]})`);
  const copy = new Database(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  const file = path.join(dir, name);
  fs.renameSync(tmp, file);
  prune(dir);
  return listBackups(dir).find((b) => b.name === name)!;
}

// Keeps the newest BACKUPS_KEPT backups, and clears copies left unfinished by processes that died.
function prune(dir: string): void {
  for (const old of listBackups(dir).slice(BACKUPS_KEPT)) removeQuietly(old.file);
  for (const name of fs.readdirSync(dir)) {
    const pid = /\.(\d+)\.partial$/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) removeQuietly(path.join(dir, name));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(file: string): void {
  for (const suffix of ['', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

const pending = new WeakMap<Db, Promise<BackupInfo | null>>();

/**
 * Starts a background backup when the newest one is older than `hours`. A failure is reported on
 * stderr, never thrown: the app works on without a new backup.
 */
export function backupIfDue(db: Db, dbFile: string, hours: number): void {
  const newest = listBackups(backupsDir(dbFile))[0];
  if (newest && Date.now() - Date.parse(newest.takenAt) < hours * 3_600_000) return;
  const done = takeBackup(db, dbFile).catch((err: unknown) => {
    // Closing the database stops a backup under way; that is no failure to report.
    if (db.open)
      process.stderr.write(`timbre: no backup taken: ${err instanceof Error ? err.message : err}\n`);
    return null;
  });
  pending.set(db, done);
}

/** Settles when the background backup openDatabase started on this connection (if any) is done. */
export function backupSettled(db: Db): Promise<BackupInfo | null> {
  return pending.get(db) ?? Promise.resolve(null);
}
