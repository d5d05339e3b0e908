import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './database';
import { checkPages } from './integrity';
import { pidAlive } from '../pid';

/** How many of the newest backups are kept, besides the daily and pre-migration ones below. */
export const BACKUPS_KEPT = 5;
/** For this many days back (today included), the newest backup of each day is kept too. */
export const DAILY_BACKUP_DAYS = 7;
/** How many backups taken before a schema update (`-schema-N`) are kept, apart from the others. */
export const SCHEMA_BACKUPS_KEPT = 2;

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
 * Which backups rotation keeps: the newest BACKUPS_KEPT, the newest of each of the last
 * DAILY_BACKUP_DAYS days (UTC), and apart from these the newest SCHEMA_BACKUPS_KEPT taken before
 * a schema update; `also` (the one just taken) whatever its name says.
 */
export function backupsToKeep(backups: BackupInfo[], now: Date, also?: string): Set<string> {
  const keep = new Set<string>(also === undefined ? [] : [also]);
  const newestFirst = [...backups].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const schema = newestFirst.filter((b) => b.reason?.startsWith('schema-'));
  const others = newestFirst.filter((b) => !b.reason?.startsWith('schema-'));
  for (const b of schema.slice(0, SCHEMA_BACKUPS_KEPT)) keep.add(b.name);
  for (const b of others.slice(0, BACKUPS_KEPT)) keep.add(b.name);
  const days = new Set<string>();
  for (let d = 0; d < DAILY_BACKUP_DAYS; d++) {
    days.add(new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10));
  }
  for (const b of others) {
    const day = b.takenAt.slice(0, 10);
    if (days.delete(day)) keep.add(b.name);
  }
  return keep;
}

/**
 * Copies the open database into a new backup with SQLite's online backup, a few pages per turn
 * of the event loop (the app keeps working meanwhile), then rotates (see backupsToKeep).
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
 * A backup taken synchronously (VACUUM INTO, on a connection of its own) before migrating from
 * schema `from`: the migration waits for it, so that the way back is there if the new version
 * goes wrong. Called while the migrating connection holds the write lock, so the copy is the
 * schema `from` that is about to be migrated and no other process takes the same backup.
 */
export function backupBeforeMigration(dbFile: string, from: number, to: number): BackupInfo {
  const dir = backupsDir(dbFile);
  const name = backupName(new Date(), `schema-${from}`);
  const tmp = path.join(dir, `.${name}.${process.pid}.partial`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const source = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      source.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      source.close();
    }
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

// Makes a finished copy a plain rollback-journal file (opening it read-only later then needs no
// -wal or -shm beside it), checks it as the database is checked at open, moves it into place, and
// only then lets rotation remove older backups.
function finish(tmp: string, dir: string, name: string): BackupInfo {
  const copy = new Database(tmp);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  const damage = checkPages(tmp);
  if (damage !== null) throw new Error(`the copy came out damaged (${damage})`);
  const file = path.join(dir, name);
  fs.renameSync(tmp, file);
  prune(dir, name);
  return listBackups(dir).find((b) => b.name === name)!;
}

// Rotates the backups (keeping `taken`), and clears copies left unfinished by processes that died,
// with the -wal, -shm or -journal SQLite may have left beside them.
function prune(dir: string, taken: string): void {
  const backups = listBackups(dir);
  const keep = backupsToKeep(backups, new Date(), taken);
  for (const old of backups) if (!keep.has(old.name)) removeQuietly(old.file);
  for (const name of fs.readdirSync(dir)) {
    const pid = /\.(\d+)\.partial(?:-wal|-shm|-journal)?$/.exec(name)?.[1];
    if (pid !== undefined && !pidAlive(Number(pid))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function removeQuietly(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
}

const pending = new WeakMap<Db, Promise<BackupInfo | null>>();

/**
 * Starts a background backup when the newest one is older than `hours`. A backup whose name lies
 * in the future (taken while the clock was wrong) does not count. A failure is reported on
 * stderr, never thrown: the app works on without a new backup.
 */
export function backupIfDue(db: Db, dbFile: string, hours: number): void {
  const now = Date.now();
  const newest = listBackups(backupsDir(dbFile)).find((b) => Date.parse(b.takenAt) <= now);
  if (newest && now - Date.parse(newest.takenAt) < hours * 3_600_000) return;
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
