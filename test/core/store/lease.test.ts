import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseRepo } from '../../../src-main/core/store/lease';
import { countPrepared, tempDatabases } from '../../helpers/store';

const CHILD = path.join(import.meta.dirname, 'lease-child.ts');
const dbs = tempDatabases();
// The race's child processes: told to stop, then killed if still there, before the files go.
const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  dbs.cleanup();
});
const dbFile = () => dbs.file();
const open = (file: string) => dbs.open(file);

// Two connections to one new database, each with its lease repository on a shared test clock.
function twoConnections(): { a: LeaseRepo; b: LeaseRepo; clock: { t: number } } {
  const file = dbFile();
  const clock = { t: 1_000_000 };
  const now = () => clock.t;
  return { a: new LeaseRepo(open(file), { now }), b: new LeaseRepo(open(file), { now }), clock };
}

// The pid of a process that has ended.
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => proc.on('exit', resolve));
  return proc.pid!;
}

describe('LeaseRepo', () => {
  it('is held by one connection at a time: taken, renewed by its holder, refused to the other, released', () => {
    const { a, b, clock } = twoConnections();
    expect(a.current()).toBeUndefined();
    expect(a.take('A', 100)).toBe(true);
    expect(b.take('B', 100)).toBe(false);
    expect(b.current()).toEqual({
      holder: 'A',
      pid: process.pid,
      host: os.hostname(),
      acquiredAt: clock.t,
      heartbeatAt: clock.t,
      expiresAt: clock.t + 100,
    });
    clock.t += 50;
    // Taking it again renews it and keeps when it was first taken.
    expect(a.take('A', 200)).toBe(true);
    expect(a.current()).toMatchObject({
      acquiredAt: clock.t - 50,
      heartbeatAt: clock.t,
      expiresAt: clock.t + 200,
    });
    expect(b.heartbeat('B')).toBe(false);
    expect(b.release('B')).toBe(false);
    expect(b.current()?.holder).toBe('A');
    expect(a.release('A')).toBe(true);
    expect(a.current()).toBeUndefined();
    expect(b.take('B', 100)).toBe(true);
    expect(a.take('A', 100)).toBe(false);
    expect(a.heartbeat('A')).toBe(false);
  });

  it('is not taken while its holder heartbeats, and is taken over once the heartbeats stop and it expires', () => {
    const { a, b, clock } = twoConnections();
    expect(a.take('A', 100)).toBe(true);
    for (let i = 0; i < 20; i++) {
      clock.t += 60;
      expect(a.heartbeat('A')).toBe(true);
      expect(a.current()).toMatchObject({ heartbeatAt: clock.t, expiresAt: clock.t + 100 });
      clock.t += 39;
      expect(b.take('B', 100)).toBe(false);
    }
    const last = a.current()!.heartbeatAt;
    clock.t = last + 99;
    expect(b.take('B', 100)).toBe(false);
    clock.t = last + 100;
    expect(b.take('B', 100)).toBe(true);
    expect(b.current()).toMatchObject({ holder: 'B', acquiredAt: clock.t, expiresAt: clock.t + 100 });
    // The old holder learns it lost the lease at its next heartbeat, and cannot release it.
    expect(a.heartbeat('A')).toBe(false);
    expect(a.release('A')).toBe(false);
    expect(a.current()?.holder).toBe('B');
  });

  it("is taken over at once when its holder's process on this machine has ended", async () => {
    const file = dbFile();
    const pid = await deadPid();
    const gone = new LeaseRepo(open(file), { pid });
    expect(gone.take('gone', 3_600_000)).toBe(true);
    const mine = new LeaseRepo(open(file));
    expect(mine.take('mine', 3_600_000)).toBe(true);
    expect(mine.current()).toMatchObject({ holder: 'mine', pid: process.pid });
    expect(gone.heartbeat('gone')).toBe(false);
  });

  it('is not taken over for a live holder, nor for an ended pid on another machine, before it expires', async () => {
    const file = dbFile();
    const clock = { t: 5_000 };
    const now = () => clock.t;
    const live = new LeaseRepo(open(file), { now });
    expect(live.take('live', 1_000)).toBe(true);
    const other = new LeaseRepo(open(file), { now });
    expect(other.take('other', 1_000)).toBe(false);
    expect(live.release('live')).toBe(true);
    const pid = await deadPid();
    const remote = new LeaseRepo(open(file), { now, pid, host: `not-${os.hostname()}` });
    expect(remote.take('remote', 1_000)).toBe(true);
    expect(other.take('other', 1_000)).toBe(false);
    clock.t += 1_000;
    expect(other.take('other', 1_000)).toBe(true);
  });

  it('prepares its statements when it is made, none on later calls', () => {
    const db = open(dbFile());
    const lease = new LeaseRepo(db);
    const prepared = countPrepared(db);
    lease.take('A', 100);
    lease.heartbeat('A');
    lease.current();
    lease.release('A');
    expect(prepared()).toBe(0);
  });

  it('of several processes taking it at the same moment, exactly one wins', async () => {
    const file = dbFile();
    open(file).close();
    const go = `${file}.go`;
    const stop = `${file}.stop`;
    cleanups.unshift(() => fs.writeFileSync(stop, ''));
    const children = Array.from({ length: 6 }, (_, i) => {
      const proc: ChildProcess = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, file, `p${i}`, go, stop],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      cleanups.push(() => proc.exitCode === null && proc.kill());
      let out = '';
      proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      const said = (lines: number) =>
        new Promise<string[]>((resolve, reject) => {
          const check = () => {
            const got = out.split('\n').filter(Boolean);
            if (got.length >= lines) resolve(got);
          };
          proc.stdout!.on('data', check);
          proc.on('close', () => reject(new Error(`child ended early: ${out}`)));
          check();
        });
      return { proc, said };
    });
    await Promise.all(children.map((c) => c.said(1)));
    fs.writeFileSync(go, '');
    const results = (await Promise.all(children.map((c) => c.said(2)))).map((lines) => lines[1]);
    fs.writeFileSync(stop, '');
    await Promise.all(children.map((c) => new Promise((resolve) => c.proc.on('close', resolve))));
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'lost')).toHaveLength(5);
    const winner = `p${results.indexOf('won')}`;
    expect(new LeaseRepo(open(file), { isAlive: () => true }).current()?.holder).toBe(winner);
  });
});
