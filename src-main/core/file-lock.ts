import fs from 'node:fs';
import os from 'node:os';

/** Waited too long for another process's lock. */
export class LockTimeoutError extends Error {
  constructor(what: string, holder: string) {
    super(
      `Gave up waiting for ${holder} to finish ${what}. If no such process is running, delete its lock file and try again.`,
    );
    this.name = 'LockTimeoutError';
  }
}

interface Holder {
  pid: number;
  host: string;
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

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host }
      : undefined;
  } catch {
    return undefined;
  }
}

// Moves the lock aside before deleting it, so that of two processes that both found it stale,
// the second does not delete the fresh lock the first has taken meanwhile: it puts that one back.
function breakStaleLock(file: string, deadPid: number): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else moved it first
  }
  if (readHolder(aside)?.pid !== deadPid) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process took the free name meanwhile; the lock it holds is as good.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Options of withFileLock. */
export interface LockOptions {
  /** What the lock guards, for messages ("rendering the default data set"). */
  what: string;
  /** Called once when another process holds the lock and this one starts waiting. */
  onWait?: (holder: string) => void;
  /** Default 30 minutes. */
  timeoutMs?: number;
  /** Default 250 ms. */
  pollMs?: number;
}

/**
 * Runs `fn` while holding a lock file that other processes on this machine respect: created with
 * O_EXCL, holding the owner's pid, taken over when that process is gone (killed mid-work).
 * Another process waits, polling, until the lock is released.
 */
export async function withFileLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timeout = options.timeoutMs ?? 30 * 60_000;
  let told = false;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname() }));
      } finally {
        fs.closeSync(fd);
      }
      try {
        return await fn();
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
    const holder = readHolder(file);
    // A lock of a dead process on this machine is stale. A lock just created may not hold its
    // pid yet (unreadable): wait for it like any other.
    if (holder && holder.host === os.hostname() && !alive(holder.pid)) {
      breakStaleLock(file, holder.pid);
      continue;
    }
    const who = holder ? `process ${holder.pid}` : 'another process';
    if (!told) {
      told = true;
      options.onWait?.(who);
    }
    if (Date.now() - started > timeout) throw new LockTimeoutError(options.what, who);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
