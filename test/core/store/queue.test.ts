import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/store/database';
import { MIGRATIONS } from '../../../src-main/core/store/migrations';
import { QueueRepo } from '../../../src-main/core/store/queue';
import { RunRepo } from '../../../src-main/core/store/runs';
import { countPrepared, recordRuns, tempDatabases } from '../../helpers/store';

const dbs = tempDatabases();
afterEach(() => dbs.cleanup());
const dbFile = () => dbs.file();
const open = (file: string) => dbs.open(file);

// A database with `n` queued runs (ids 1..n), and its repositories.
function setup(n: number): { file: string; db: Db; queue: QueueRepo; runs: RunRepo } {
  const file = dbFile();
  const db = open(file);
  recordRuns(db, n);
  return { file, db, queue: new QueueRepo(db), runs: new RunRepo(db) };
}

describe('QueueRepo', () => {
  it('keeps the order runs were enqueued in, a run enqueued again keeping its place', () => {
    const { queue } = setup(4);
    expect(queue.list()).toEqual([]);
    expect(queue.next()).toBeUndefined();
    for (const id of [3, 1, 4, 2]) queue.enqueue(id);
    queue.enqueue(1);
    expect(queue.list()).toEqual([3, 1, 4, 2]);
    expect(queue.next()).toBe(3);
  });

  it('enqueues many at once after those waiting, in the order given, a run already queued keeping its place', () => {
    const { queue } = setup(6);
    queue.enqueue(2);
    queue.move(2, 0);
    queue.enqueueAll([5, 2, 1, 6]);
    queue.enqueueAll([]);
    expect(queue.list()).toEqual([2, 5, 1, 6]);
    queue.enqueue(3);
    expect(queue.list()).toEqual([2, 5, 1, 6, 3]);
  });

  it('moves a run to the top, to any place, or past the end; a run not queued is not moved', () => {
    const { queue } = setup(5);
    for (const id of [1, 2, 3, 4, 5]) queue.enqueue(id);
    expect(queue.moveToTop(4)).toBe(true);
    expect(queue.list()).toEqual([4, 1, 2, 3, 5]);
    expect(queue.move(4, 2)).toBe(true);
    expect(queue.list()).toEqual([1, 2, 4, 3, 5]);
    expect(queue.move(1, 99)).toBe(true);
    expect(queue.list()).toEqual([2, 4, 3, 5, 1]);
    expect(queue.move(5, -3)).toBe(true);
    expect(queue.list()).toEqual([5, 2, 4, 3, 1]);
    expect(queue.move(3, 3)).toBe(true);
    expect(queue.list()).toEqual([5, 2, 4, 3, 1]);
    expect(queue.moveToTop(42)).toBe(false);
    expect(queue.move(42, 0)).toBe(false);
    expect(queue.list()).toEqual([5, 2, 4, 3, 1]);
    // A run enqueued after moves goes last.
    queue.remove(2);
    queue.enqueue(2);
    expect(queue.list()).toEqual([5, 4, 3, 1, 2]);
    expect(queue.next()).toBe(5);
  });

  it('moves a waiting run among the waiting ones, a run preparing or training keeping its place', () => {
    const { queue } = setup(4);
    for (const id of [1, 2, 3, 4]) queue.enqueue(id);
    expect(queue.claimNext(100)).toBe(1);
    // Index 1 among the waiting runs 2, 3, 4: after run 2.
    expect(queue.move(4, 1)).toBe(true);
    expect(queue.list()).toEqual([1, 2, 4, 3]);
    expect(queue.moveToTop(3)).toBe(true);
    expect(queue.list()).toEqual([1, 3, 2, 4]);
    expect(queue.move(1, 2)).toBe(false);
    expect(queue.list()).toEqual([1, 3, 2, 4]);
  });

  it('removes a run, and drops it with the run itself', () => {
    const { queue, runs } = setup(3);
    for (const id of [1, 2, 3]) queue.enqueue(id);
    expect(queue.remove(2)).toBe(true);
    expect(queue.remove(2)).toBe(false);
    expect(queue.list()).toEqual([1, 3]);
    expect(runs.remove(1)).toBe(true);
    expect(queue.list()).toEqual([3]);
    expect(() => queue.enqueue(77)).toThrow(/FOREIGN KEY/);
  });

  it('gives as next the first run still queued, skipping one training or ended', () => {
    const { queue, runs } = setup(3);
    for (const id of [2, 1, 3]) queue.enqueue(id);
    runs.start(2, 'cpu', '1');
    expect(queue.next()).toBe(1);
    runs.end(1, 'cancelled');
    expect(queue.next()).toBe(3);
    runs.end(3, 'failed', 'x');
    expect(queue.next()).toBeUndefined();
    // An ended run leaves the queue with its end.
    expect(queue.list()).toEqual([2]);
  });

  it('keeps the order and the paused flag across closing and opening the database', () => {
    const { file, db, queue } = setup(4);
    expect(queue.paused()).toBe(false);
    for (const id of [1, 2, 3, 4]) queue.enqueue(id);
    queue.moveToTop(3);
    queue.setPaused(true);
    expect(queue.paused()).toBe(true);
    db.close();
    const again = new QueueRepo(open(file));
    expect(again.list()).toEqual([3, 1, 2, 4]);
    expect(again.paused()).toBe(true);
    again.setPaused(false);
    expect(again.paused()).toBe(false);
  });

  it('sees what another connection to the same file changed', () => {
    const { file, queue } = setup(3);
    const other = new QueueRepo(open(file));
    queue.enqueue(1);
    other.enqueue(2);
    other.moveToTop(2);
    queue.enqueue(3);
    expect(queue.list()).toEqual([2, 1, 3]);
    expect(other.list()).toEqual([2, 1, 3]);
    other.setPaused(true);
    expect(queue.paused()).toBe(true);
  });

  it('prepares its statements when it is made, none on later calls', () => {
    const { db } = setup(2);
    const queue = new QueueRepo(db);
    const prepared = countPrepared(db);
    queue.enqueue(1);
    queue.enqueue(2);
    queue.moveToTop(2);
    queue.move(2, 1);
    queue.list();
    queue.next();
    queue.remove(1);
    queue.setPaused(true);
    queue.paused();
    queue.claimNext(7);
    queue.snapshot();
    queue.cancel(2);
    queue.cancelRequests();
    queue.requeue(2);
    queue.requeueOrphans(() => true);
    queue.setRunsAtOnce(2);
    queue.runsAtOnce();
    queue.contains(2);
    expect(prepared()).toBe(0);
  });

  it('hands each waiting run to one claimer, skipping paused sweeps, and puts back the runs of a claimer that died', () => {
    const { file, db, queue, runs } = setup(4);
    for (const id of [1, 2, 3, 4]) queue.enqueue(id);
    const sweep = Number(
      db
        .prepare("INSERT INTO sweeps (name, spec, status, created_at) VALUES ('s', '{}', 'paused', 'now')")
        .run().lastInsertRowid,
    );
    db.prepare('UPDATE runs SET sweep_id = ? WHERE id = 2').run(sweep);
    const other = new QueueRepo(open(file));
    expect(queue.claimNext(100)).toBe(1);
    // Run 2's sweep is paused: it is passed over, not claimed.
    expect(other.claimNext(200)).toBe(3);
    expect(queue.claimNext(100)).toBe(4);
    expect(other.claimNext(200)).toBeUndefined();
    expect(queue.snapshot()).toEqual([
      { runId: 1, status: 'preparing', ownerPid: 100, cancelRequested: false },
      { runId: 2, status: 'queued', ownerPid: null, cancelRequested: false },
      { runId: 3, status: 'preparing', ownerPid: 200, cancelRequested: false },
      { runId: 4, status: 'preparing', ownerPid: 100, cancelRequested: false },
    ]);
    runs.start(3, 'cpu', 'x', 200);
    // Process 200 died: its run waits again, in its place, its epochs kept.
    expect(queue.requeueOrphans((pid) => pid === 100)).toEqual([3]);
    expect(runs.get(3)).toMatchObject({ status: 'queued' });
    expect(queue.claimNext(100)).toBe(3);
  });

  it('cancels a waiting run at once and asks the runner to stop a training one', () => {
    const { queue, runs } = setup(3);
    for (const id of [1, 2, 3]) queue.enqueue(id);
    expect(queue.claimNext(100)).toBe(1);
    expect(queue.cancel(2)).toBe('cancelled');
    expect(runs.get(2)).toMatchObject({ status: 'cancelled' });
    expect(queue.list()).toEqual([1, 3]);
    expect(queue.cancel(1)).toBe('requested');
    expect(queue.cancelRequests()).toEqual([1]);
    expect(runs.get(1)?.status).toBe('preparing');
    expect(queue.cancel(2)).toBe('not-queued');
    runs.end(1, 'cancelled');
    expect(queue.cancelRequests()).toEqual([]);
    expect(queue.list()).toEqual([3]);
  });

  it('keeps how many runs train at once, 1 to 64', () => {
    const { db, queue } = setup(0);
    expect(queue.runsAtOnce()).toBe(1);
    queue.setRunsAtOnce(3);
    expect(queue.runsAtOnce()).toBe(3);
    expect(() => queue.setRunsAtOnce(0)).toThrow(/CHECK constraint failed/);
    expect(() => queue.setRunsAtOnce(65)).toThrow(/CHECK constraint failed/);
    expect(new QueueRepo(db).runsAtOnce()).toBe(3);
  });

  it('migration 5 rebuilds runs with the new statuses and sweep columns, keeping every run and what points at it', () => {
    const file = dbFile();
    const old = new Database(file);
    old.exec(MIGRATIONS.slice(0, 4).join(''));
    old.pragma('user_version = 4');
    old.exec(`INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_fingerprint, feature_config, config, epochs_done)
              VALUES (7, 'r', 'finished', 'now', '0', 1, 'fp', '{}', '{"epochs":1}', 1);
              INSERT INTO epochs (run_id, epoch, train_loss, train_accuracy, seconds, samples_per_s) VALUES (7, 1, 1, 0.5, 1, 1);
              INSERT INTO run_params (run_id, key, value) VALUES (7, 'lr', '0.001');
              INSERT INTO queue (run_id, position) VALUES (7, 1);`);
    old.close();
    const db = open(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Nothing cascaded away when the old table was dropped.
    expect(db.prepare('SELECT COUNT(*) AS n FROM epochs WHERE run_id = 7').get()).toEqual({ n: 1 });
    expect(db.prepare("SELECT COUNT(*) AS n FROM run_params WHERE run_id = 7 AND key = 'lr'").get()).toEqual({
      n: 1,
    });
    expect(new QueueRepo(db).list()).toEqual([7]);
    expect(db.prepare('SELECT status, sweep_id, epochs_done FROM runs WHERE id = 7').get()).toEqual({
      status: 'finished',
      sweep_id: null,
      epochs_done: 1,
    });
    db.prepare("UPDATE runs SET status = 'stopped' WHERE id = 7").run();
    expect(() => db.prepare("UPDATE runs SET status = 'paused' WHERE id = 7").run()).toThrow(
      /CHECK constraint failed/,
    );
    // The rebuilt table still cascades to what points at it.
    new RunRepo(db).remove(7);
    expect(db.prepare('SELECT COUNT(*) AS n FROM epochs').get()).toEqual({ n: 0 });
  });

  it('migration 8 writes the training aids, off, into earlier runs, leaving a run that has them as it is', () => {
    const file = dbFile();
    const old = new Database(file);
    old.exec(MIGRATIONS.slice(0, 7).join(''));
    old.pragma('user_version = 7');
    old.exec(`INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_fingerprint, feature_config, config, epochs_done)
              VALUES (1, 'old', 'finished', 'now', '0', 1, 'fp', '{}', '{"lr":0.001,"epochs":2}', 2),
                     (2, 'has them', 'queued', 'now', '0', 1, 'fp', '{}', '{"lr":0.001,"schedule":"cosine","warmup":2,"clip":1,"labelSmoothing":0.1,"mixup":0.2}', 0);
              INSERT INTO run_params (run_id, key, value) VALUES (1, 'lr', '0.001'), (2, 'schedule', '"cosine"'), (2, 'warmup', '2');`);
    old.close();
    const db = open(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const config = (id: number) =>
      JSON.parse(db.prepare('SELECT config FROM runs WHERE id = ?').pluck().get(id) as string) as unknown;
    const params = (id: number) =>
      Object.fromEntries(
        (
          db.prepare('SELECT key, value FROM run_params WHERE run_id = ?').all(id) as {
            key: string;
            value: string;
          }[]
        ).map((p) => [p.key, JSON.parse(p.value) as unknown]),
      );
    // Migrations 10 to 14 then write augmentation, class balance, evaluation clips, threads, pitch
    // and weight averaging, off.
    const augOff = {
      shift: 0,
      gain: 0,
      pitch: 0,
      timeMasks: 0,
      timeMaskWidth: 10,
      freqMasks: 0,
      freqMaskWidth: 8,
      mixup: 0,
      balance: 'none',
      evalClips: 1,
      workers: 1,
      averageLast: 1,
    };
    expect(config(1)).toEqual({
      lr: 0.001,
      epochs: 2,
      schedule: 'constant',
      warmup: 0,
      clip: 0,
      labelSmoothing: 0,
      ...augOff,
    });
    expect(params(1)).toEqual({
      lr: 0.001,
      schedule: 'constant',
      warmup: 0,
      clip: 0,
      labelSmoothing: 0,
      ...augOff,
    });
    expect(config(2)).toEqual({
      lr: 0.001,
      schedule: 'cosine',
      warmup: 2,
      clip: 1,
      labelSmoothing: 0.1,
      ...augOff,
      mixup: 0.2,
    });
    expect(params(2)).toMatchObject({ schedule: 'cosine', warmup: 2 });
  });

  it('migration 4 adds an empty, unpaused queue to a database of the previous schema, keeping its runs', () => {
    const file = dbFile();
    const old = new Database(file);
    old.exec(MIGRATIONS.slice(0, 3).join(''));
    old.pragma('user_version = 3');
    old.exec(`INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_fingerprint, feature_config, config)
              VALUES (1, 'r', 'queued', 'now', '0', 1, 'fp', '{}', '{}')`);
    old.close();
    const db = open(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const queue = new QueueRepo(db);
    expect(queue.list()).toEqual([]);
    expect(queue.paused()).toBe(false);
    expect(() => db.prepare("INSERT INTO queue (run_id, position) VALUES (1, 'x')").run()).toThrow(
      /cannot store TEXT value in INTEGER column/,
    );
    expect(new RunRepo(db).summary(1)?.status).toBe('queued');
    queue.enqueue(1);
    expect(queue.next()).toBe(1);
    expect(() => db.prepare('INSERT INTO queue_state (id, paused) VALUES (2, 0)').run()).toThrow(
      /CHECK constraint failed/,
    );
  });
});
