// A worker killed with SIGKILL in the middle of a run: BullMQ's stalled-job check gives the run's
// job to another worker, which resumes it from the hub's last committed epoch.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WorkbenchEvent } from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { CLUSTER_QUEUE } from '../../src-main/core/cluster/protocol';
import { tempDir } from '../helpers/tmp';
import { call, startHub, startRedis, startWorker, stopAll } from './processes';

// Twelve epochs, two notes per batch: some epoch after the first is a new best.
const LONGER = {
  epochs: 12,
  batch: 2,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};
const EPOCHS = Array.from({ length: 12 }, (_, i) => i + 1);
// Locks of a second: a dead worker's job is noticed within two or so, not a minute.
const QUICK = { TIMBRE_WORKER_LOCK_MS: '1000' };

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

/** The epoch the paused trainer wrote into `file`, once it has. */
async function pausedAt(file: string, ms = 30_000): Promise<number> {
  const until = Date.now() + ms;
  while (!fs.existsSync(file) || !fs.readFileSync(file, 'utf8').endsWith('\n')) {
    if (Date.now() > until) throw new Error(`The trainer never paused:\n${hub.server.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number(fs.readFileSync(file, 'utf8').trim());
}

/** The id of the BullMQ job that carries the run now (the test reads Redis itself). */
async function activeJob(runId: number): Promise<string> {
  const queue = new Queue(CLUSTER_QUEUE, { connection: { url: redis.url } });
  try {
    const jobs = await queue.getJobs(['active']);
    const job = jobs.find((j) => (j.data as { runId: number }).runId === runId);
    expect(job, `no active job of run ${runId}`).toBeDefined();
    return job!.id!;
  } finally {
    await queue.close();
  }
}

describe('cluster mode: a worker that goes away mid-run', () => {
  it.each([
    ['killed with SIGKILL', 'SIGKILL'],
    ['stopped with SIGTERM', 'SIGTERM'],
  ] as const)(
    '%s: its run resumes on another worker from the last committed epoch, every epoch once',
    async (name, signal) => {
      // The first worker's trainer stops for good once it has saved a new best epoch k (an earlier
      // best committed) and before reporting it: the hub has k - 1 epochs when the worker goes.
      const paused = path.join(dir, `${signal}-paused`);
      const first = await startWorker(hub.url, redis.url, path.join(dir, `${signal}-1`), {
        ...QUICK,
        TIMBRE_TEST_PAUSE: `best-saved:${paused}`,
      });
      const run = await call<RunSummary>(hub, 'createRun', {
        name,
        preset: 'seed-lstm',
        backend: 'cpu',
        overrides: LONGER,
      });
      const k = await pausedAt(paused);
      expect(k).toBeGreaterThanOrEqual(2);
      // The second worker waits, idle (nothing else is queued), while the first holds the run.
      const second = await startWorker(hub.url, redis.url, path.join(dir, `${signal}-2`), QUICK);
      try {
        const jobId = await activeJob(run.id);
        await first.worker.stop(signal);
        if (signal === 'SIGTERM')
          expect(first.worker.out()).toContain('Stopping: the runs training here go back');
        await second.worker.waitFor(/resuming after epoch/, 30_000);
        // The first worker's job, under its own name, once the second took the run up: refused.
        const late = await fetch(`${hub.base}/cluster/report`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            runId: run.id,
            jobId,
            worker: first.id,
            event: { type: 'log', message: 'late' },
          }),
        });
        expect(late.status).toBe(409);

        const until = Date.now() + 45_000;
        let detail = await call<RunDetail>(hub, 'getRun', run.id);
        while (['queued', 'preparing', 'running'].includes(detail.status) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 200));
          detail = await call<RunDetail>(hub, 'getRun', run.id);
        }
        expect(detail.status, `${detail.error}\n${hub.server.out()}\n${second.worker.out()}`).toBe(
          'finished',
        );
        expect(detail.history.map((h) => h.epoch)).toEqual(EPOCHS);
        expect(detail.evaluations).toHaveLength(3);

        const db = new Database(path.join(dir, 'hub', 'timbre.db'), { readonly: true });
        try {
          const rows = db
            .prepare('SELECT from_epoch, worker FROM run_workers WHERE run_id = ? ORDER BY rowid')
            .all(run.id) as { from_epoch: number; worker: string }[];
          // The second took up after what the hub had committed, epoch k - 1, and trained k again.
          expect(rows).toEqual([
            { from_epoch: 1, worker: first.id },
            { from_epoch: k, worker: second.id },
          ]);
          expect(second.worker.out()).toContain(`Run ${run.id}: resuming after epoch ${k - 1}.`);
        } finally {
          db.close();
        }
        // The events said each epoch once, in order, across both workers, and the end once.
        const mine = events.filter((e) => e.type === 'run' && e.runId === run.id);
        const epochs = mine.flatMap((e) =>
          e.type === 'run' && e.event.type === 'epoch' ? [e.event.metrics.epoch] : [],
        );
        expect(epochs).toEqual(EPOCHS);
        expect(mine.filter((e) => e.type === 'run' && e.event.type === 'ended')).toHaveLength(1);
        expect(hub.server.out()).not.toMatch(/Internal error/);
      } finally {
        await first.worker.stop('SIGKILL');
        await second.worker.stop();
      }
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
