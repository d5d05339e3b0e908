// The hub killed with SIGKILL while a worker trains one of its runs, and started again on the same
// port with the same token (TIMBRE_HUB_TOKEN): the worker's reports are refused by the new hub,
// the run waits in the lasting queue again and the worker trains it on from the last committed epoch.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tempDir } from '../helpers/tmp';
import { call, freePort, startHub, startRedis, startWorker, stopAll } from './processes';

const LONGER = {
  epochs: 12,
  batch: 2,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};
const TOKEN = 'cluster-test-token-0123456789abcdef';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-cluster-hub-'));
});
afterAll(async () => {
  await stopAll();
  cleanup();
});

describe('cluster mode: the hub restarted mid-run', () => {
  it('the run is trained on from its last committed epoch, every epoch once', async () => {
    const redis = await startRedis(path.join(dir, 'redis'));
    const port = await freePort();
    const home = path.join(dir, 'hub');
    const env = { TIMBRE_HUB_TOKEN: TOKEN };
    let hub = await startHub(home, redis.url, { port, env });
    expect(hub.token).toBe(TOKEN);
    const worker = await startWorker(`http://127.0.0.1:${port}`, redis.url, path.join(dir, 'w'), env);
    const run = await call<RunSummary>(hub, 'createRun', {
      name: 'through a restart',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: LONGER,
    });
    // Two epochs committed, then the hub dies.
    const until = Date.now() + 30_000;
    while ((await call<RunDetail>(hub, 'getRun', run.id)).epochsDone < 2) {
      if (Date.now() > until) throw new Error(`No two epochs:\n${hub.server.out()}\n${worker.worker.out()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await hub.server.stop('SIGKILL');
    hub = await startHub(home, redis.url, { port, env });

    const end = Date.now() + 45_000;
    let detail = await call<RunDetail>(hub, 'getRun', run.id);
    while (detail.status !== 'finished' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      detail = await call<RunDetail>(hub, 'getRun', run.id);
    }
    expect(detail.status, `${hub.server.out()}\n${worker.worker.out()}`).toBe('finished');
    expect(detail.history.map((h) => h.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(detail.evaluations).toHaveLength(3);
    // The worker heard the new hub refuse what the old one had given it, then took the run up again.
    expect(worker.worker.out()).toMatch(/the hub no longer gives it to this worker|the hub refused it/);
    expect(worker.worker.out()).toMatch(new RegExp(`Run ${run.id}: resuming after epoch \\d+\\.`));
    const db = new Database(path.join(home, 'timbre.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT from_epoch, worker FROM run_workers WHERE run_id = ? ORDER BY rowid')
        .all(run.id) as { from_epoch: number; worker: string }[];
      expect(rows).toHaveLength(2);
      expect(rows[0]).toEqual({ from_epoch: 1, worker: worker.id });
      expect(rows[1]!.worker).toBe(worker.id);
      expect(rows[1]!.from_epoch).toBeGreaterThanOrEqual(3);
    } finally {
      db.close();
    }
  });
});
