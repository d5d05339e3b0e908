import type { Db } from './database';

/**
 * A reader of a value that changes whenever the database does: the count of rows this connection
 * changed and SQLite's data_version, which moves when another connection (a worker, `timbre train`
 * in another terminal) commits. It reads null inside a transaction, whose changes may yet roll back.
 * Its statements are prepared now, once per repository.
 */
export function changeStamp(db: Db): () => string | null {
  const changes = db.prepare<[], number>('SELECT total_changes()').pluck(true);
  const version = db.prepare<[], number>('PRAGMA data_version').pluck(true);
  return () => (db.inTransaction ? null : `${version.get()}:${changes.get()}`);
}

/**
 * The last few answers of an expensive read, kept while the database has not changed since:
 * the runs table's list of 10,000 runs takes ~50 ms of SQL, its check ~0.05 ms.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  private readonly stamp: () => string | null;

  constructor(
    db: Db,
    private readonly size = 4,
  ) {
    this.stamp = changeStamp(db);
  }

  /** The value for `key`: kept from an earlier read when nothing changed, else `read()`'s. */
  get(key: string, read: () => T): T {
    const stamp = this.stamp();
    const kept = this.entries.get(key);
    if (stamp !== null && kept?.stamp === stamp) return kept.value;
    const value = read();
    if (stamp === null) return value;
    this.entries.delete(key);
    // Oldest first in a Map: drop it past the size.
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { stamp, value });
    return value;
  }
}
