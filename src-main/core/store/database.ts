import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

/** The database file belongs to a newer version of the app than this one. */
export class DatabaseTooNewError extends Error {
  constructor(file: string, found: number, known: number) {
    super(
      `${file} was written by a newer version of Timbre Workbench (schema ${found}; this version knows up to ${known}). ` +
        'Update the app, or point TIMBRE_HOME at another folder.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** A database file that cannot be opened as SQLite. */
export class DatabaseOpenError extends Error {
  constructor(file: string, cause: string) {
    super(`Cannot open the database ${file}: ${cause}`);
    this.name = 'DatabaseOpenError';
  }
}

export type Db = Database.Database;

/** Opens (creating if needed) the SQLite file, in WAL mode with foreign keys, migrated to the latest schema. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
  } catch (err) {
    throw new DatabaseOpenError(file, err instanceof Error ? err.message : String(err));
  }
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db, file);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies every pending migration in one transaction, then records the new schema version. */
export function migrate(db: Db, file = 'the database'): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) throw new DatabaseTooNewError(file, current, MIGRATIONS.length);
  if (current === MIGRATIONS.length) return current;
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
  return MIGRATIONS.length;
}
