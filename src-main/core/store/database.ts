import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupBeforeMigration, backupIfDue, backupsDir, listBackups } from './backup';
import { checkPages, readHeader } from './integrity';
import { MIGRATIONS } from './migrations';
import {
  DatabaseDamagedError,
  DatabaseMissingError,
  DatabaseOpenError,
  DatabaseTooNewError,
} from './database-errors';

export { DatabaseDamagedError, DatabaseMissingError, DatabaseOpenError, DatabaseTooNewError };

/** A connection to the app's SQLite database. */
export type Db = Database.Database;

/** How long a statement waits for another connection's write lock before SQLITE_BUSY, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/** How openDatabase looks after the file. */
export interface OpenOptions {
  /**
   * Start a backup in the background when the newest one is older than this many hours (0: at
   * every open). Default: no automatic backup.
   */
  backupAfterHours?: number;
}

// Switching to WAL takes the file's exclusive lock, and SQLite answers SQLITE_BUSY at once, without
// its busy handler, while another connection (a process opening the same new file) holds a shared
// lock: try again for a few seconds, as the busy timeout would.
function switchToWal(db: Db): void {
  for (let tries = 0; ; tries++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || tries >= 200) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

/**
 * Runs `fn` without waiting for another connection's write lock; undefined when it was held. A
 * write waits up to 5 s otherwise, and that wait blocks the whole thread: the event loop of `timbre
 * serve` or of the app stops answering while another process imports 300k notes in one
 * transaction. For writes on a timer that can simply try again (the queue's heartbeat and claims).
 */
export function withoutWaiting<T>(db: Db, fn: () => T): T | undefined {
  db.pragma('busy_timeout = 0');
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Opens (creating if needed) the SQLite file, in WAL mode with foreign keys, migrated to the
 * latest schema. Before anything is written, it refuses a file that is damaged, from a newer
 * version, or empty beside data from earlier use; a migration is preceded by a backup.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    const db = openOnce(file, options);
    if (db) return db;
  }
  throw new DatabaseOpenError(
    file,
    'it was replaced (by `timbre db restore`) while opening, again and again',
  );
}

// openDatabase, or null when the file was replaced while it was opened (then nothing was written).
function openOnce(file: string, options: OpenOptions): Db | null {
  let found: number | null;
  try {
    found = inspectBeforeOpen(file);
  } catch (err) {
    const ours = [DatabaseDamagedError, DatabaseMissingError, DatabaseTooNewError];
    if (ours.some((kind) => err instanceof kind)) throw err;
    throw new DatabaseOpenError(file, err instanceof Error ? err.message : String(err));
  }
  let db: Db;
  const opened = inode(file);
  try {
    db = new Database(file);
    guardDatabase(db, file);
  } catch (err) {
    throw new DatabaseOpenError(file, err instanceof Error ? err.message : String(err));
  }
  try {
    // Reading the schema first: switching to WAL writes the header of a file that is not in WAL mode yet.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    // `timbre db restore` renames the file aside while it holds the file's lock; a connection
    // that opened the old file meanwhile waited above for that lock, and must not write to the
    // file set aside (nor to the WAL of the new file, which has the old one's name). Once this
    // connection has read, restore sees it and refuses.
    if (opened !== null && inode(file) !== opened) {
      db.close();
      return null;
    }
    switchToWal(db);
  } catch (err) {
    db.close();
    if (err instanceof DatabaseDamagedError) throw err;
    throw new DatabaseOpenError(file, err instanceof Error ? err.message : String(err));
  }
  try {
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    // Schema 0 is a database no migration has touched yet (new, or being created by another
    // process): there is nothing in it to back up. Another process opening the same file waits
    // for the write lock meanwhile: for as long as the backup of a big file takes, not only 5 s.
    db.pragma('busy_timeout = 300000');
    migrate(db, file, (from) => from > 0 && backupBeforeMigration(file, from, MIGRATIONS.length));
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  // A new database has nothing to keep yet.
  if (found !== null && options.backupAfterHours !== undefined) {
    backupIfDue(db, file, options.backupAfterHours);
  }
  return db;
}

/**
 * Checks the file as it lies on disk, writing nothing: its header, its schema version and every
 * page. Returns the schema version of an existing database, null for a new one; throws when the
 * file must not be used.
 */
export function inspectBeforeOpen(file: string): number | null {
  const size = fs.existsSync(file) ? fs.statSync(file).size : null;
  if (size === null || size === 0) {
    const left = leftovers(file);
    if (left.length) throw new DatabaseMissingError(file, size === null ? 'missing' : 'empty', left);
    return null;
  }
  const header = readHeader(file);
  if (typeof header === 'string') throw new DatabaseDamagedError(file, header);
  // A WAL not yet copied back may hold a newer schema version than the header: then ask SQLite, read-only.
  const wal = fs.existsSync(`${file}-wal`) && fs.statSync(`${file}-wal`).size > 0;
  const version = wal
    ? readOnly(file, (db) => db.pragma('user_version', { simple: true }) as number)
    : header.userVersion;
  if (version > MIGRATIONS.length) throw new DatabaseTooNewError(file, version, MIGRATIONS.length);
  const damage = checkPages(file);
  if (damage !== null) throw new DatabaseDamagedError(file, damage);
  return version;
}

// The file's inode number, null when there is no file.
function inode(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

/** True for an SQLite error that means the file's content is damaged. */
export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** Runs `use` on a read-only connection to the file; damage becomes a DatabaseDamagedError. */
export function readOnly<T>(file: string, use: (db: Db) => T): T {
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return use(db);
  } catch (err) {
    if (isCorruption(err)) throw new DatabaseDamagedError(file, (err as Error).message);
    throw err;
  } finally {
    db?.close();
  }
}

/** What a new empty database at `file` would lose track of: non-empty models/ and datasets/ beside it, and backups. */
export function leftovers(file: string): string[] {
  const home = path.dirname(file);
  const left = ['models', 'datasets'].filter((d) => {
    try {
      return fs.readdirSync(path.join(home, d)).length > 0;
    } catch {
      return false;
    }
  });
  const backups = listBackups(backupsDir(file)).length;
  if (backups) left.push(`${backups} backup${backups > 1 ? 's' : ''} in backups/`);
  return left.map((d) => (d.includes(' ') ? d : `${d}/`));
}

/**
 * Makes every statement of the connection turn SQLite's "damaged" errors into a
 * DatabaseDamagedError, and, once one was seen, refuse to write anything more.
 */
export function guardDatabase(db: Db, file: string): void {
  let damage: string | undefined;
  const check = <T>(write: boolean, run: () => T): T => {
    if (damage !== undefined && write) throw new DatabaseDamagedError(file, damage);
    try {
      return run();
    } catch (err) {
      if (!isCorruption(err)) throw err;
      damage = (err as Error).message;
      throw new DatabaseDamagedError(file, damage);
    }
  };
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const stmt = check(false, () => prepare(source));
    const write = !stmt.reader;
    const run = stmt.run.bind(stmt);
    const get = stmt.get.bind(stmt);
    const all = stmt.all.bind(stmt);
    const iterate = stmt.iterate.bind(stmt);
    stmt.run = (...args: unknown[]) => check(write, () => run(...args));
    stmt.get = (...args: unknown[]) => check(write, () => get(...args));
    stmt.all = (...args: unknown[]) => check(write, () => all(...args));
    stmt.iterate = function* (...args: unknown[]) {
      const it = check(write, () => iterate(...args));
      try {
        for (;;) {
          const next = check(false, () => it.next());
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // A loop left early must still end the statement, or the connection stays busy.
        it.return?.();
      }
    } as typeof stmt.iterate;
    return stmt;
  }) as Db['prepare'];
  const exec = db.exec.bind(db);
  db.exec = (source: string) => check(true, () => exec(source));
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) =>
    check(source.includes('='), () => pragma(source, options))) as Db['pragma'];
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const t = transaction(fn);
    const wrap =
      (f: (...args: unknown[]) => unknown) =>
      (...args: unknown[]) =>
        check(true, () => f(...args));
    return Object.assign(wrap(t), {
      default: wrap(t.default),
      deferred: wrap(t.deferred),
      immediate: wrap(t.immediate),
      exclusive: wrap(t.exclusive),
      database: db,
    });
  }) as Db['transaction'];
}

/**
 * Applies every pending migration in one transaction, then records the new schema version. The
 * version is read again once the transaction holds the write lock: another process opening the
 * same database at the same moment may have migrated it meanwhile. `before(from)` runs under that
 * lock before the first migration (the backup of the old schema), so it runs in one process only.
 */
export function migrate(db: Db, file = 'the database', before?: (from: number) => unknown): number {
  const version = () => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) throw new DatabaseTooNewError(file, current, MIGRATIONS.length);
    return current;
  };
  if (version() === MIGRATIONS.length) return MIGRATIONS.length;
  // A migration may rebuild a table others refer to (SQLite's way to change a CHECK): with foreign
  // keys on, dropping the old one would cascade. They are off meanwhile (the pragma is ignored
  // inside a transaction), and checked before the commit.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      const current = version();
      if (current === MIGRATIONS.length) return;
      before?.(current);
      for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) {
        throw new Error(`the migration left ${broken.length} rows pointing at rows that do not exist`);
      }
      db.pragma(`user_version = ${MIGRATIONS.length}`);
    }).immediate();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  return MIGRATIONS.length;
}
