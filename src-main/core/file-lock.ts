import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { pidAlive } from './pid';
import { WorkbenchError } from './errors';

/** Waited too long for another process's lock. */
export class LockTimeoutError extends WorkbenchError {
  constructor(what: string, holder: string, file: string) {
    super(
      'busy',
      `Gave up waiting for ${holder} to finish ${what}. If no such process is running, delete ${file} and try again.`,
      { name: 'LockTimeoutError' },
    );
  }
}

interface Holder {
  pid: number;
  host: string;
}

// A lock file nobody can read (left by an older version, or a disk error) counts as abandoned
// once it is this old; a lock file of ours is whole from the moment it exists.
const UNREADABLE_STALE_MS = 5_000;
// Breaking a stale lock takes milliseconds; a breaker mark older than this was left by a kill.
const BREAKER_STALE_MS = 10_000;

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(raw: string | undefined): Holder | undefined {
  try {
    const parsed = JSON.parse(raw ?? '') as Partial<Holder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string'
      ? { pid: parsed.pid, host: parsed.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

// Creates `file` holding `content` only if it does not exist, and whole from its first instant:
// written under a private name, then hard-linked into place (link fails if the name is taken).
function createWhole(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

// Removes a lock found stale, but only if it still holds what was seen: under a breaker mark, so
// that of several processes that all found it stale, none deletes the fresh lock another has
// taken meanwhile.
function breakStale(file: string, seen: string | undefined): boolean {
  const breaker = `${file}.break`;
  if (!createWhole(breaker, String(process.pid))) {
    if (ageMs(breaker) > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
    return false;
  }
  try {
    if (readRaw(file) === seen) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(breaker, { force: true });
  }
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
 * Runs `fn` while holding a lock file that other processes on this machine respect: created whole
 * and exclusively, holding the owner's pid, taken over when that process is gone (killed
 * mid-work). Another process waits, polling, until the lock is released.
 */
export async function withFileLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timeout = options.timeoutMs ?? 30 * 60_000;
  const mine = JSON.stringify({
    pid: process.pid,
    host: os.hostname(),
    nonce: randomBytes(8).toString('hex'),
  });
  let told = false;
  for (;;) {
    if (createWhole(file, mine)) {
      try {
        return await fn();
      } finally {
        // Only our own lock: never one that replaced it after ours was (wrongly) broken.
        if (readRaw(file) === mine) fs.rmSync(file, { force: true });
      }
    }
    const raw = readRaw(file);
    if (raw === undefined && !fs.existsSync(file)) continue; // released meanwhile
    const holder = parseHolder(raw);
    const stale = holder
      ? holder.host === os.hostname() && !pidAlive(holder.pid)
      : ageMs(file) > UNREADABLE_STALE_MS;
    if (stale && breakStale(file, raw)) continue;
    const who = holder ? `process ${holder.pid}` : 'another process';
    if (!told) {
      told = true;
      options.onWait?.(who);
    }
    if (Date.now() - started > timeout) throw new LockTimeoutError(options.what, who, file);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
