// A worker killed with SIGKILL in the middle of a run: BullMQ's stalled-job check gives the run's
// job to another worker, which resumes it from the hub's last committed epoch.
import path from 'node:path';
import Database from 'better-sqlite3';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WorkbenchEvent } from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { CLUSTER_QUEUE } from '../../src-main/core/cluster/protocol';
import { tempDir } from '../helpers/tmp';
import { call, startHub, startRedis, startWorker, stopAll } from './processes';

// Eight epochs, a note or two per batch: long enough to kill the worker between epochs.
const LONGER = {
  epochs: 8,
  batch: 2,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};
// Locks of two seconds: a dead worker's job is noticed within a few, not a minute.
const QUICK = { TIMBRE_WORKER_LOCK_MS: '2000' };

let dir: string;
let cleanup: () => void;
let redis: Awaited<ReturnType<typeof startRedis>>;
let hub: Awaited<ReturnType<typeof startHub>>;
const events: WorkbenchEvent[] = [];
let socket: WebSocket;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-kill-'));
  redis = await startRedis(path.join(dir, 'redis'));
  hub = await startHub(path.join(dir, 'hub'), redis.url);
  socket = new WebSocket(`${hub.base.replace('http:', 'ws:')}/events`, {
    headers: { authorization: `Bearer ${hub.token}` },
  });
  socket.on('message', (data) => events.push(JSON.parse(String(data)) as WorkbenchEvent));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
}, 60_000);

afterAll(async () => {
  socket?.terminate();
  await stopAll();
  cleanup();
});

/** Resolves once the run's epoch `n` was committed (its event sent). */
function epochCommitted(runId: number, n: number, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      const seen = events.some(
        (e) =>
          e.type === 'run' && e.runId === runId && e.event.type === 'epoch' && e.event.metrics.epoch === n,
      );
      if (seen) return resolve();
      if (Date.now() > until) return reject(new Error(`No epoch ${n} of run ${runId}:\n${hub.server.out()}`));
      setTimeout(check, 5);
    };
    check();
  });
}

describe('cluster mode: a worker that goes away mid-run', () => {
  it.each([
    ['killed with SIGKILL', 'SIGKILL'],
    ['stopped with SIGTERM', 'SIGTERM'],
  ] as const)(
    '%s: its run resumes on another worker from the last committed epoch, every epoch once',
    async (name, signal) => {
      const first = await startWorker(hub.url, redis.url, path.join(dir, `${signal}-1`), QUICK);
      const run = await call<RunSummary>(hub, 'createRun', {
        name,
        preset: 'seed-lstm',
        backend: 'cpu',
        overrides: LONGER,
      });
      await epochCommitted(run.id, 2);
      await first.worker.stop(signal);
      if (signal === 'SIGTERM')
        expect(first.worker.out()).toContain('Stopping: the runs training here go back');
      const second = await startWorker(hub.url, redis.url, path.join(dir, `${signal}-2`), QUICK);

      const until = Date.now() + 45_000;
      let detail = await call<RunDetail>(hub, 'getRun', run.id);
      while (['queued', 'preparing', 'running'].includes(detail.status) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        detail = await call<RunDetail>(hub, 'getRun', run.id);
      }
      expect(detail.status, `${detail.error}\n${hub.server.out()}\n${second.worker.out()}`).toBe('finished');
      expect(detail.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(detail.evaluations).toHaveLength(3);

      const db = new Database(path.join(dir, 'hub', 'timbre.db'), { readonly: true });
      try {
        const rows = db
          .prepare('SELECT from_epoch, worker, backend FROM run_workers WHERE run_id = ? ORDER BY rowid')
          .all(run.id) as { from_epoch: number; worker: string; backend: string }[];
        expect(rows.map((r) => r.worker)).toEqual([first.id, second.id]);
        expect(rows[0]!.from_epoch).toBe(1);
        // The second took up after what the hub had committed when it claimed: at least the two seen.
        const resumedAt = rows[1]!.from_epoch;
        expect(resumedAt).toBeGreaterThanOrEqual(3);
        expect(resumedAt).toBeLessThanOrEqual(8);
        expect(second.worker.out()).toContain(`Run ${run.id}: resuming after epoch ${resumedAt - 1}.`);
      } finally {
        db.close();
      }
      // The events said each epoch once, in order, across both workers, and the end once.
      const mine = events.filter((e) => e.type === 'run' && e.runId === run.id);
      const epochs = mine.flatMap((e) =>
        e.type === 'run' && e.event.type === 'epoch' ? [e.event.metrics.epoch] : [],
      );
      expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(mine.filter((e) => e.type === 'run' && e.event.type === 'ended')).toHaveLength(1);
      expect(hub.server.out()).not.toMatch(/Internal error/);
      await second.worker.stop();
    },
  );

  it('a job its worker gave up (failed in BullMQ) puts the run back in the queue; another worker trains it', async () => {
    const run = await call<RunSummary>(hub, 'createRun', {
      name: 'given up',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: { ...LONGER, epochs: 2 },
    });
    // A worker of the test's own takes the job by hand and fails it, as one that gave up on the hub.
    const rogue = new Worker(CLUSTER_QUEUE, null, { connection: { url: redis.url } });
    try {
      const job = await rogue.getNextJob('rogue', { block: true });
      expect(job?.data).toEqual({ runId: run.id });
      await job!.moveToFailed(new Error('the hub could not be reached'), 'rogue');
    } finally {
      await rogue.close();
    }
    const until = Date.now() + 10_000;
    const requeued = () =>
      events.some(
        (e) =>
          e.type === 'run' &&
          e.runId === run.id &&
          e.event.type === 'log' &&
          e.event.message.includes('the hub could not be reached'),
      );
    while (!requeued() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(requeued(), hub.server.out()).toBe(true);
    const worker = await startWorker(hub.url, redis.url, path.join(dir, 'after-failed'), QUICK);
    const end = Date.now() + 30_000;
    let detail = await call<RunDetail>(hub, 'getRun', run.id);
    while (detail.status !== 'finished' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      detail = await call<RunDetail>(hub, 'getRun', run.id);
    }
    expect(detail.status, `${detail.error}\n${worker.worker.out()}`).toBe('finished');
    expect(detail.history.map((h) => h.epoch)).toEqual([1, 2]);
    await worker.worker.stop();
  });
});
