import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupName, backupsDir, listBackups, type BackupInfo } from './backup';
import { DatabaseDamagedError, isCorruption, leftovers, readOnly } from './database';
import { checkPages, readHeader, scanPagesSettled } from './integrity';
import { MIGRATIONS } from './migrations';
import { errorKind } from '../errors';

/** What `timbre db check` reports about the database file. */
export interface DatabaseHealth {
  file: string;
  /** ok; new (no file yet, nothing else either); empty or missing beside data; damaged; too-new. */
  state: 'ok' | 'new' | 'empty' | 'missing' | 'damaged' | 'too-new';
  /** True when the app can use the file as it is. */
  ok: boolean;
  bytes: number | null;
  schemaVersion: number | null;
  /** The newest schema this version of the app knows. */
  knownVersion: number;
  /** What is wrong, in SQLite's words or the page scan's (at most 20). */
  problems: string[];
  /**
   * What the page scan found in a file SQLite's full check passed: no damage (the data reads
   * without fault), most likely another process copying its WAL into the file during the scan.
   */
  warnings: string[];
  counts: { datasets: number; runs: number; evaluations: number } | null;
  /** How long the full integrity check took. */
  checkMs: number | null;
  backups: BackupInfo[];
}

/** Checks the database file fully (`PRAGMA integrity_check` and a page scan) without writing to it. */
export function checkDatabase(file: string): DatabaseHealth {
  const health: DatabaseHealth = {
    file,
    state: 'ok',
    ok: true,
    bytes: null,
    schemaVersion: null,
    knownVersion: MIGRATIONS.length,
    problems: [],
    warnings: [],
    counts: null,
    checkMs: null,
    backups: listBackups(backupsDir(file)),
  };
  const set = (state: DatabaseHealth['state'], problem?: string) => {
    health.state = state;
    health.ok = state === 'ok' || state === 'new';
    if (problem) health.problems.push(problem);
    return health;
  };
  health.bytes = fs.existsSync(file) ? fs.statSync(file).size : null;
  if (!health.bytes) {
    const left = leftovers(file);
    if (!left.length) return set('new');
    const state = health.bytes === 0 ? 'empty' : 'missing';
    return set(state, `the database is ${state}, but ${left.join(', ')} from earlier use remain`);
  }
  const header = readHeader(file);
  if (typeof header === 'string') return set('damaged', header);
  health.schemaVersion = header.userVersion;
  try {
    readOnly(file, (db) => {
      health.schemaVersion = db.pragma('user_version', { simple: true }) as number;
      const t0 = performance.now();
      const result = db.prepare('PRAGMA integrity_check(20)').pluck().all() as string[];
      health.checkMs = Math.round(performance.now() - t0);
      if (result.length !== 1 || result[0] !== 'ok') health.problems.push(...result);
      const count = (table: string) =>
        (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      if (health.problems.length === 0 && health.schemaVersion >= 2) {
        health.counts = {
          datasets: count('datasets'),
          runs: count('runs'),
          evaluations: count('evaluations'),
        };
      }
    });
  } catch (err) {
    if (!(err instanceof DatabaseDamagedError)) throw err;
    health.problems.push(err.detail);
  }
  // The scan is a suspicion; SQLite's full check (above) decides. Damage SQLite missed but the
  // scan saw would be in bytes SQLite never reads.
  const scan = scanPagesSettled(file).problems;
  if (health.problems.length) {
    health.problems.push(...scan);
    return set('damaged');
  }
  health.warnings.push(...scan);
  if (health.schemaVersion > MIGRATIONS.length) {
    return set(
      'too-new',
      `schema ${health.schemaVersion} is newer than this version knows (${MIGRATIONS.length})`,
    );
  }
  return set('ok');
}

/** Why a backup cannot be restored (damaged, from a newer version), or null when it can. */
export function backupProblem(file: string): string | null {
  try {
    const damage = checkPages(file);
    if (damage !== null) return `damaged: ${damage}`;
    return readOnly(file, (db) => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) return `written by a newer version (schema ${version})`;
      const result = db.pragma('quick_check(1)', { simple: true }) as string;
      return result === 'ok' ? null : `damaged: ${result}`;
    });
  } catch (err) {
    return err instanceof DatabaseDamagedError ? `damaged: ${err.detail}` : String(err);
  }
}

/** What a restore did. */
export interface RestoreResult {
  restored: BackupInfo;
  /** Where the replaced database (and its -wal/-shm) now lie; empty when there was none. */
  setAside: string[];
  /** Backups passed over because they could not be restored, with the reason. */
  skipped: { name: string; problem: string }[];
}

/** A restore that cannot go ahead (no such backup, none good, database in use). */
export const RestoreError = errorKind('RestoreError', 'bad-input');
export type RestoreError = InstanceType<typeof RestoreError>;

/**
 * Puts a backup (by name, else the newest good one) in place of the database at `file`, after
 * checking it; the replaced database is renamed aside, never deleted. Refuses while another
 * process has the database open.
 */
export function restoreBackup(file: string, name?: string): RestoreResult {
  const dir = backupsDir(file);
  const backups = listBackups(dir);
  if (!backups.length) throw new RestoreError(`There are no backups in ${dir}.`);
  const skipped: RestoreResult['skipped'] = [];
  let chosen: BackupInfo | undefined;
  if (name !== undefined) {
    chosen = backups.find((b) => b.name === path.basename(name));
    if (!chosen) {
      throw new RestoreError(
        `No backup "${name}" in ${dir}. \`timbre db check\` lists them: ${backups.map((b) => b.name).join(', ')}.`,
      );
    }
    const problem = backupProblem(chosen.file);
    if (problem) throw new RestoreError(`The backup ${chosen.name} cannot be restored: ${problem}.`);
  } else {
    for (const b of backups) {
      const problem = backupProblem(b.file);
      if (!problem) {
        chosen = b;
        break;
      }
      skipped.push({ name: b.name, problem });
    }
    if (!chosen) {
      throw new RestoreError(
        `None of the ${backups.length} backups in ${dir} can be restored: ` +
          skipped.map((s) => `${s.name} (${s.problem})`).join('; '),
      );
    }
  }
  // The copy is made before anything is moved (a full disk leaves the database where it was),
  // and before the lock is taken, so that the lock is held only for the renames.
  const incoming = `${file}.restoring`;
  fs.copyFileSync(chosen.file, incoming);
  const fd = fs.openSync(incoming, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const lock = lockIfFree(file);
  if (lock === 'busy') {
    fs.rmSync(incoming, { force: true });
    throw new RestoreError(
      `${file} is open in another process (the app, \`timbre serve\`, or a training run); close it, then restore.`,
    );
  }
  try {
    return { restored: chosen, setAside: replace(file, incoming), skipped };
  } finally {
    // Released only once the restored file is in place. A process that opened the old file while
    // the lock was held waited for it, and openDatabase then sees the file replaced under it and
    // opens the new one (writing nothing to the old). SQLite does not copy a WAL into a file that
    // was moved, nor delete the WAL by the old name, when the lock's connection closes.
    try {
      lock?.close();
    } catch {
      // A damaged file may fail its close; it lies aside already.
    }
  }
}

// Renames the database (and its -wal, -shm, -journal) aside and `incoming` into its place; returns
// where the old files now lie.
function replace(file: string, incoming: string): string[] {
  const aside = path.join(path.dirname(file), backupName(new Date(), 'replaced'));
  const setAside: string[] = [];
  // The -wal keeps its pairing with the main file under the new name, so SQLite tools read them together.
  const wal = fs.existsSync(`${file}-wal`);
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (!fs.existsSync(`${file}${suffix}`)) continue;
    // A -shm only indexes the -wal; without one it is stale and SQLite rebuilds it.
    if (suffix === '-shm' && !wal) {
      fs.rmSync(`${file}-shm`, { force: true });
      continue;
    }
    fs.renameSync(`${file}${suffix}`, `${aside}${suffix}`);
    setAside.push(`${aside}${suffix}`);
  }
  fs.renameSync(incoming, file);
  return setAside;
}

// Takes an exclusive lock on the database and returns the connection holding it; 'busy' when
// another connection holds the database open (the lock cannot be had at once). A file too damaged
// to lock is taken as not in use (no process can be working with it): null, no lock. The lock's
// connection reads a WAL left by a crashed process without copying it into the file (the WAL is
// set aside with it, and SQLite reads the two together).
function lockIfFree(file: string): Database.Database | 'busy' | null {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return null;
  let probe: Database.Database | undefined;
  try {
    probe = new Database(file, { fileMustExist: true, timeout: 0 });
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('COMMIT');
    return probe;
  } catch (err) {
    try {
      probe?.close();
    } catch {
      // A damaged file may fail its close; it is set aside next either way.
    }
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
    if (isCorruption(err)) return null;
    throw err;
  }
}
