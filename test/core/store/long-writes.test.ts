// Long writes and reads at NSynth's scale (306k notes): an import writes its notes a page per
// transaction, the queue's timer writes do not wait for another process's lock, and a data set's
// notes are read a page at a time, so that `timbre serve` and the app keep answering meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { withoutWaiting } from '../../../src-main/core/store/database';
import { DatasetRepo, type DatasetWrite } from '../../../src-main/core/store/datasets';
import { LeaseRepo } from '../../../src-main/core/store/lease';
import { QueueRepo } from '../../../src-main/core/store/queue';
import { QueueDriver } from '../../../src-main/core/training/queue-driver';
import type { RunJob } from '../../../src-main/core/training/runner';
import type { NoteRecord } from '../../../src-main/shared/types';
import { recordRuns, tempDatabases } from '../../helpers/store';

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
    const [runId] = recordRuns(db, 1) as [number];
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

// A data set of more notes than a page holds, written out of order (reads sort them).
const COUNTS = { train: 12_001, valid: 5_000, test: 3 };
function bigSet(tag = ''): DatasetWrite {
  const notes: NoteRecord[] = Object.entries(COUNTS).flatMap(([split, n]) =>
    Array.from({ length: n }, (_, i) => ({
      split: split as NoteRecord['split'],
      noteStr: `guitar_acoustic_${String((i * 7919) % n).padStart(5, '0')}-060-100${tag}`,
      family: i % 11,
      source: i % 3,
      instrumentStr: `guitar_acoustic_${i % 40}`,
      pitch: 60,
      velocity: 100,
      path: `/data/nsynth-${split}/audio/${i}.wav`,
    })),
  );
  return { name: 'big', root: '/data', fingerprint: `fp${tag}`, notes, splits: {}, skipped: [] };
}

// Counts the turns the event loop takes until stop().
function loopTurns() {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}

describe("a data set's notes", () => {
  it('are written a page per transaction, unseen until complete, while another connection writes between pages', async () => {
    const file = dbs.file();
    const repo = new DatasetRepo(dbs.open(file));
    const other = dbs.open(file);
    const turns = loopTurns();
    let writes = 0;
    let seen = 0;
    const otherWrites = setInterval(() => {
      // Without waiting: the lock must be free between pages.
      if (withoutWaiting(other, () => other.exec('DELETE FROM saved_views')) !== undefined) writes++;
      seen += repo.list().length;
    }, 0);
    const saved = await repo.saveInPages(bigSet());
    clearInterval(otherWrites);
    expect(turns.stop()).toBeGreaterThanOrEqual(4);
    expect(writes).toBeGreaterThan(0);
    expect(seen).toBe(0);
    expect(repo.list()).toEqual([saved]);
    const inOne = new DatasetRepo(dbs.open(dbs.file()));
    expect(repo.notes(saved.id)).toEqual(inOne.notes(inOne.save(bigSet()).id));
    expect(repo.notes(saved.id)).toHaveLength(17_004);
    // Imported again: its notes are replaced (in one transaction), under the same id.
    const again = await repo.saveInPages(bigSet('-2'));
    expect(again.id).toBe(saved.id);
    expect(repo.notes(saved.id).every((n) => n.noteStr.endsWith('-2'))).toBe(true);
  });

  it('of an import cut short are unseen, and the next import of its root or name removes them', async () => {
    const db = dbs.open(dbs.file());
    const repo = new DatasetRepo(db);
    // What a crash between pages leaves: the data set's row without a fingerprint, some notes.
    const row = Number(
      db
        .prepare(
          `INSERT INTO datasets (name, root, fingerprint, created_at, updated_at, splits)
           VALUES ('big', '/data', '', '', '', '{}')`,
        )
        .run().lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO dataset_notes (dataset_id, split, note_str, family, source, instrument_str, pitch, velocity, path)
       VALUES (?, 'train', 'old', 0, 0, 'i', 60, 100, 'old.wav')`,
    ).run(row);
    expect(repo.list()).toEqual([]);
    expect([repo.find('big'), repo.find('/data'), repo.find(row)]).toEqual([undefined, undefined, undefined]);
    expect(await repo.readNotes(row)).toEqual([]);
    const saved = await repo.saveInPages(bigSet());
    expect(repo.list().map((d) => d.name)).toEqual(['big']);
    expect(db.prepare('SELECT count(*) AS n FROM dataset_notes').get()).toEqual({ n: 17_004 });
    expect(repo.notes(saved.id).some((n) => n.noteStr === 'old')).toBe(false);
  });

  it('are read a page at a time with the event loop free in between, in the same order as all at once', async () => {
    const repo = new DatasetRepo(dbs.open(dbs.file()));
    const { id } = repo.save(bigSet());
    const turns = loopTurns();
    const paged = await repo.readNotes(id);
    // Pages of 5,000: the loop ran after each full one (train 2, valid 1).
    expect(turns.stop()).toBeGreaterThanOrEqual(3);
    expect(paged).toEqual(repo.notes(id));
    expect(paged.map((n) => n.split)).toEqual([
      ...Array(COUNTS.train).fill('train'),
      ...Array(COUNTS.valid).fill('valid'),
      ...Array(COUNTS.test).fill('test'),
    ]);
    expect(await repo.readNotes(id + 1)).toEqual([]);
  });
});
