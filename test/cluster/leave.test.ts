// A worker stopped on purpose (SIGTERM) tells the hub (`leave`): its run goes to another worker at
// once, not when its job's lock lapses (30 s here, as by default), and its old job is finished.
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterWorkerInfo } from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { CLUSTER_QUEUE } from '../../src-main/core/cluster/protocol';
import { tempDir } from '../helpers/tmp';
import { call, runWorkerRows, startCluster, stopAll, TWELVE_EPOCHS, until, type Cluster } from './processes';

// The default lock: a worker that vanished would be noticed only after it.
const LOCK = { TIMBRE_WORKER_LOCK_MS: '30000' };

let dir: string;
let cleanup: () => void;
let c: Cluster;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-leave-'));
  c = await startCluster(dir, { workers: 0, workerEnv: LOCK });
}, 60_000);
afterAll(async () => {
  await stopAll();
  cleanup();
});

describe('cluster mode: a worker that leaves on purpose', () => {
  it('SIGTERM: the hub gives its run to another worker at once; the run ends once, every epoch once', async () => {
    // The first worker's trainer is held still after a new best epoch k, before reporting it.
    const paused = path.join(dir, 'paused');
    const first = await c.addWorker('first', { TIMBRE_TEST_PAUSE: `best-saved:${paused}` });
    const run = await call<RunSummary>(c.hub, 'createRun', {
      name: 'left behind',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: TWELVE_EPOCHS,
    });
    await until(
      'the trainer paused',
      () => fs.existsSync(paused) && fs.readFileSync(paused, 'utf8').endsWith('\n'),
      60_000,
      c.log,
    );
    const k = Number(fs.readFileSync(paused, 'utf8').trim());
    const second = await c.addWorker('second');
    const queue = new Queue(CLUSTER_QUEUE, { connection: { url: c.redis.url } });
    try {
      const [old] = await queue.getJobs(['active']);
      expect(old?.data).toEqual({ runId: run.id });

      const t0 = Date.now();
      await first.worker.stop('SIGTERM');
      expect(first.worker.out()).toContain(`The hub took back run ${run.id}.`);
      // Taken up by the second worker well before the 30 s lock could lapse.
      await second.worker.waitFor(/resuming after epoch/, 15_000);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(second.worker.out()).toContain(`Run ${run.id}: resuming after epoch ${k - 1}.`);
      // The old job was finished by the leaving worker, not left to stall back into the queue.
      expect(await queue.getJob(old!.id!)).toBeUndefined();
    } finally {
      await queue.close();
    }
    const workers = await call<ClusterWorkerInfo[]>(c.hub, 'clusterWorkers');
    expect(workers.find((w) => w.id === first.id)).toMatchObject({ state: 'left', runs: [] });

    await until(
      'the run finished',
      async () => (await call<RunDetail>(c.hub, 'getRun', run.id)).status === 'finished',
      45_000,
      c.log,
    );
    const detail = await call<RunDetail>(c.hub, 'getRun', run.id);
    expect(detail.history.map((h) => h.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(runWorkerRows(c.home, run.id)).toMatchObject([
      { from_epoch: 1, worker: first.id },
      { from_epoch: k, worker: second.id },
    ]);
    // The next test's worker is to be the only one.
    await second.worker.stop('SIGTERM');
  });

  it('SIGTERM while the hub is away: the worker says so and exits all the same, its run left for its lock', async () => {
    const paused = path.join(dir, 'paused-2');
    const w = await c.addWorker('third', { TIMBRE_TEST_PAUSE: `best-saved:${paused}` });
    await call<RunSummary>(c.hub, 'createRun', {
      name: 'hub away',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: TWELVE_EPOCHS,
    });
    await until('the trainer paused', () => fs.existsSync(paused), 60_000, c.log);
    await c.hub.server.stop('SIGKILL');
    const t0 = Date.now();
    await w.worker.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(w.worker.out()).toContain('The hub could not be told');
    await c.restartHub();
  });

  it('a leave naming a run the worker does not hold releases nothing', async () => {
    const res = await fetch(`${c.hub.base}/cluster/leave`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.hub.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ worker: 'rogue:1:abcdef12', runs: [{ runId: 1, jobId: 'run-1-deadbeef' }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ released: [] });
    const bad = await fetch(`${c.hub.base}/cluster/leave`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.hub.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ worker: 'rogue', runs: 'all' }),
    });
    expect(bad.status).toBe(400);
  });
});
