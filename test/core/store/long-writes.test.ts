// What a process does while another one holds SQLite's write lock for long (a 300k-note import is
// one transaction of seconds): the queue's timer writes do not wait for it, and a data set's notes
// are read a page at a time, so that `timbre serve` and the app keep answering meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { withoutWaiting } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { LeaseRepo } from '../../../src-main/core/store/lease';
import { QueueRepo } from '../../../src-main/core/store/queue';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { QueueDriver } from '../../../src-main/core/training/queue-driver';
import type { RunJob } from '../../../src-main/core/training/runner';
import type { NoteRecord } from '../../../src-main/shared/types';
import { emptyDataset, tempDatabases } from '../../helpers/store';

const dbs = tempDatabases();
afterEach(() => dbs.cleanup());

// Ticks the test drives itself (no timer), a heartbeat due at every tick.
const OPTIONS = { mode: 'run', leaseTtlMs: 60, tickMs: 3_600_000 } as const;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

describe('while another connection holds the write lock', () => {
  it("the queue's heartbeat and claims try again at the next tick instead of blocking the thread", async () => {
    const file = dbs.file();
    const db = dbs.open(file);
    const other = dbs.open(file);
    const runs = new RunRepo(db);
    const datasetId = emptyDataset(db);
    const config = resolveTrainConfig('seed-lstm', { epochs: 1 });
    const runId = runs.create({
      name: 'r',
      config,
      preset: null,
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0',
    });
    const queue = new QueueRepo(db);
    const lease = new LeaseRepo(db);
    const trained: number[] = [];
    const logs: string[] = [];
    const runner = {
      get size() {
        return trained.length;
      },
      train: (job: RunJob) => void trained.push(job.runId),
      cancel: () => false,
      activeIds: () => trained,
      statusOf: () => 'running' as const,
    };
    const driver = new QueueDriver(
      { queue, lease, withoutWaiting: (write) => withoutWaiting(db, write) },
      runner,
      (id) => ({ runId: id }) as RunJob,
      () => {},
      OPTIONS,
      (message) => logs.push(message),
    );
    try {
      driver.start();
      expect(driver.runsQueue).toBe(true);
      const beat = lease.current()!.heartbeatAt;
      queue.enqueue(runId);

      other.exec('BEGIN IMMEDIATE');
      await new Promise((resolve) => setTimeout(resolve, 20));
      // A write that waited would take the busy timeout, 5 s, each time.
      for (let i = 0; i < 3; i++) expect(timed(() => driver.tick()).ms).toBeLessThan(1000);
      expect(trained).toEqual([]);
      expect(lease.current()!.heartbeatAt).toBe(beat);
      other.exec('COMMIT');

      driver.tick();
      expect(trained).toEqual([runId]);
      expect(lease.current()!.heartbeatAt).toBeGreaterThan(beat);
      expect(driver.runsQueue).toBe(true);
      expect(logs).toEqual([]);
    } finally {
      driver.close();
    }
  });

  it('withoutWaiting runs the write when the lock is free, and restores the busy timeout either way', () => {
    const file = dbs.file();
    const db = dbs.open(file);
    const other = dbs.open(file);
    const write = () =>
      db.prepare("INSERT INTO saved_views (name, view, updated_at) VALUES ('v', '{}', '')").run().changes;
    other.exec('BEGIN IMMEDIATE');
    expect(withoutWaiting(db, write)).toBeUndefined();
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    other.exec('COMMIT');
    expect(withoutWaiting(db, write)).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    // Any other failure is the caller's to handle.
    expect(() => withoutWaiting(db, write)).toThrow(/UNIQUE/);
  });
});

describe("a data set's notes", () => {
  it('are read a page at a time with the event loop free in between, in the same order as all at once', async () => {
    const db = dbs.open(dbs.file());
    const repo = new DatasetRepo(db);
    const counts = { train: 12_001, valid: 5_000, test: 3 };
    const notes: NoteRecord[] = Object.entries(counts).flatMap(([split, n]) =>
      Array.from({ length: n }, (_, i) => ({
        split: split as NoteRecord['split'],
        // Written out of order: the read sorts them.
        noteStr: `guitar_acoustic_${String((i * 7919) % n).padStart(5, '0')}-060-100`,
        family: i % 11,
        source: i % 3,
        instrumentStr: `guitar_acoustic_${i % 40}`,
        pitch: 60,
        velocity: 100,
        path: `/data/nsynth-${split}/audio/${i}.wav`,
      })),
    );
    const { id } = repo.save({
      name: 'big',
      root: '/data',
      fingerprint: 'fp',
      notes,
      splits: {},
      skipped: [],
    });

    let turns = 0;
    let reading = true;
    const spin = () => {
      if (!reading) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const paged = await repo.readNotes(id);
    reading = false;
    expect(paged).toEqual(repo.notes(id));
    expect(paged.map((n) => n.split)).toEqual([
      ...Array(counts.train).fill('train'),
      ...Array(counts.valid).fill('valid'),
      ...Array(counts.test).fill('test'),
    ]);
    // Pages of 5,000: the loop ran after each full one (train 2, valid 1).
    expect(turns).toBeGreaterThanOrEqual(3);
    expect(await repo.readNotes(id + 1)).toEqual([]);
  });
});
