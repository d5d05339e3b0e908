import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockTimeoutError, withFileLock } from '../../src-main/core/file-lock';
import { tempDir } from '../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('withFileLock', () => {
  it('lets one holder in at a time and releases on success and on failure', async () => {
    const file = path.join(dir, 'a.lock');
    const log: string[] = [];
    const waits: string[] = [];
    const work = (name: string) =>
      withFileLock(file, { what: 'testing', pollMs: 10, onWait: (w) => waits.push(w) }, async () => {
        log.push(`${name} in`);
        await sleep(40);
        log.push(`${name} out`);
        if (name === 'b') throw new Error('b failed');
        return name;
      });
    const results = await Promise.allSettled([work('a'), work('b'), work('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Never two inside at once.
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace('in', 'out'));
    expect(waits.length).toBe(2);
    expect(waits[0]).toBe(`process ${process.pid}`);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes over the lock of a process that is gone', async () => {
    const file = path.join(dir, 'b.lock');
    // A pid above Linux's pid_max is never alive.
    fs.writeFileSync(file, JSON.stringify({ pid: 4_194_305, host: os.hostname() }));
    await expect(withFileLock(file, { what: 'testing', pollMs: 10 }, async () => 'mine')).resolves.toBe(
      'mine',
    );
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('b.lock'))).toEqual([]);
  });

  it('takes over an unreadable lock once it is old, and leaves no file of its own behind', async () => {
    const file = path.join(dir, 'd.lock');
    fs.writeFileSync(file, '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    await expect(withFileLock(file, { what: 'testing', pollMs: 10 }, async () => 'mine')).resolves.toBe(
      'mine',
    );
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('d.lock'))).toEqual([]);
  });

  it('leaves a lock that replaced its own in place', async () => {
    const file = path.join(dir, 'e.lock');
    const other = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'someone else' });
    await withFileLock(file, { what: 'testing' }, async () => {
      // As if ours had been broken and another process had taken the lock.
      fs.writeFileSync(file, other);
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(other);
  });

  it('gives up after its timeout while a live process holds the lock', async () => {
    const file = path.join(dir, 'c.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, host: os.hostname() }));
    await expect(
      withFileLock(file, { what: 'testing', pollMs: 10, timeoutMs: 50 }, async () => 1),
    ).rejects.toThrow(LockTimeoutError);
    expect(fs.existsSync(file)).toBe(true);
  });
});
