import os from 'node:os';
import type { Db } from './database';
import { pidAlive } from '../pid';

/** Who runs the queue of a TIMBRE_HOME now, as the `queue_lease` row says. Times in epoch ms. */
export interface Lease {
  holder: string;
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
}

/** What LeaseRepo reads of the world, replaceable in tests. */
export interface LeaseEnv {
  /** The clock, in epoch ms. Default: Date.now. */
  now?: () => number;
  /** This process's id, recorded with the lease. Default: process.pid. */
  pid?: number;
  /** This machine's name, recorded with the lease. Default: os.hostname(). */
  host?: string;
  /** Whether a process of this machine is alive. Default: pidAlive. */
  isAlive?: (pid: number) => boolean;
}

interface LeaseRow {
  holder: string;
  pid: number;
  host: string;
  acquired_at: number;
  heartbeat_at: number;
  expires_at: number;
}

/** The statements LeaseRepo runs on the `queue_lease` table, prepared once for a connection. */
function leaseStatements(db: Db) {
  return {
    current: db.prepare<[], LeaseRow>(
      'SELECT holder, pid, host, acquired_at, heartbeat_at, expires_at FROM queue_lease WHERE id = 1',
    ),
    // A holder taking its own lease again keeps the time it first took it.
    put: db.prepare<[string, number, string, number, number, number]>(
      `INSERT INTO queue_lease (id, holder, pid, host, acquired_at, heartbeat_at, expires_at)
       VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         acquired_at = CASE WHEN holder = excluded.holder THEN acquired_at ELSE excluded.acquired_at END,
         holder = excluded.holder, pid = excluded.pid, host = excluded.host,
         heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    ),
    // Extends by the time-to-live it was taken with (SET reads the row as it was).
    heartbeat: db.prepare<[number, number, string]>(
      `UPDATE queue_lease SET expires_at = ? + (expires_at - heartbeat_at), heartbeat_at = ?
       WHERE id = 1 AND holder = ?`,
    ),
    release: db.prepare<[string]>('DELETE FROM queue_lease WHERE id = 1 AND holder = ?'),
  };
}

/**
 * The lease that lets one process at a time run the queue of a TIMBRE_HOME: one row, kept alive by
 * heartbeats, taken over once it expired or its holder's process on this machine is gone. Each
 * call is one IMMEDIATE transaction, so of several processes taking it at once exactly one wins.
 * Expiry compares the holder's recorded times with the taker's clock: machines sharing a home
 * should keep their clocks in step, within a fraction of the time-to-live.
 */
export class LeaseRepo {
  private readonly sql: ReturnType<typeof leaseStatements>;
  private readonly now: () => number;
  private readonly pid: number;
  private readonly host: string;
  private readonly isAlive: (pid: number) => boolean;

  constructor(
    private readonly db: Db,
    env: LeaseEnv = {},
  ) {
    this.sql = leaseStatements(db);
    this.now = env.now ?? Date.now;
    this.pid = env.pid ?? process.pid;
    this.host = env.host ?? os.hostname();
    this.isAlive = env.isAlive ?? pidAlive;
  }

  /**
   * Takes the lease for `holder` for `ttlMs` (renewed by each heartbeat): true when there was none,
   * it was already ours, it expired, or its holder's process on this machine is gone.
   */
  take(holder: string, ttlMs: number): boolean {
    return this.db
      .transaction(() => {
        const lease = this.current();
        const now = this.now();
        if (lease && lease.holder !== holder && this.binds(lease)) return false;
        this.sql.put.run(holder, this.pid, this.host, now, now, now + ttlMs);
        return true;
      })
      .immediate();
  }

  /** Extends the lease by its time-to-live if `holder` still holds it; false when it was lost. */
  heartbeat(holder: string): boolean {
    return this.db
      .transaction(() => {
        const now = this.now();
        return this.sql.heartbeat.run(now, now, holder).changes === 1;
      })
      .immediate();
  }

  /** Gives the lease up if `holder` holds it; false when it did not. */
  release(holder: string): boolean {
    return this.db.transaction(() => this.sql.release.run(holder).changes === 1).immediate();
  }

  /**
   * Whether a lease still binds others: it has not expired, and its holder's process is alive
   * (as far as this machine can tell: only a holder on this machine can be seen to be gone).
   */
  binds(lease: Lease): boolean {
    return this.now() < lease.expiresAt && !(lease.host === this.host && !this.isAlive(lease.pid));
  }

  /** The lease as it stands (perhaps expired), or undefined when nobody holds it. */
  current(): Lease | undefined {
    const row = this.sql.current.get();
    return (
      row && {
        holder: row.holder,
        pid: row.pid,
        host: row.host,
        acquiredAt: row.acquired_at,
        heartbeatAt: row.heartbeat_at,
        expiresAt: row.expires_at,
      }
    );
  }
}
