// Redis restarted without persistence while a run waits in it: the hub notices its job is gone and
// puts it on the queue again, so a worker started afterwards trains the run.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tempDir } from '../helpers/tmp';
import { call, startHub, startRedis, startWorker, stopAll } from './processes';

const SMALL = {
  epochs: 2,
  batch: 4,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-cluster-redis-'));
});
afterAll(async () => {
  await stopAll();
  cleanup();
});

describe('cluster mode: Redis restarted', () => {
  it('a run whose job Redis lost goes on the queue again and is trained', async () => {
    const redis = await startRedis(path.join(dir, 'redis'));
    const port = Number(new URL(redis.url).port);
    const hub = await startHub(path.join(dir, 'hub'), redis.url);
    const run = await call<RunSummary>(hub, 'createRun', {
      name: 'lost',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: SMALL,
    });
    expect(run.status).toBe('preparing');
    // Redis dies with the run's job in it (nothing saved) and comes back empty on the same port.
    await redis.server.stop('SIGKILL');
    await startRedis(path.join(dir, 'redis'), port);
    const worker = await startWorker(hub.url, redis.url, path.join(dir, 'w'));
    const until = Date.now() + 40_000;
    let detail = await call<RunDetail>(hub, 'getRun', run.id);
    while (detail.status !== 'finished' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      detail = await call<RunDetail>(hub, 'getRun', run.id);
    }
    expect(detail.status, `${hub.server.out()}\n${worker.worker.out()}`).toBe('finished');
    expect(detail.history.map((h) => h.epoch)).toEqual([1, 2]);
  });
});
