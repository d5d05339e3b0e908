// The hub killed with SIGKILL while a worker trains one of its runs, and started again a few
// seconds later on the same port with the same token (TIMBRE_HUB_TOKEN): the worker trains on
// meanwhile, keeping its reports; the new hub hands the run back to it (`resume`), and the epochs
// it trained while the hub was away arrive: none lost, none trained or counted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tempDir } from '../helpers/tmp';
import { call, runWorkerRows, startCluster, stopAll, TWELVE_EPOCHS, until, type Cluster } from './processes';

const EPOCHS = Array.from({ length: 12 }, (_, i) => i + 1);

let dir: string;
let cleanup: () => void;
let c: Cluster;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-hub-'));
  c = await startCluster(dir, { workers: 1 });
}, 60_000);
afterAll(async () => {
  await stopAll();
  cleanup();
});

describe('cluster mode: the hub restarted mid-run', () => {
  it('the worker keeps training and delivers its epochs to the new hub, which hands the run back', async () => {
    const [worker] = c.workers;
    const run = await call<RunSummary>(c.hub, 'createRun', {
      name: 'through a restart',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: TWELVE_EPOCHS,
    });
    // Two epochs committed, then the hub is away for three seconds (several epochs of training).
    await until(
      'two epochs',
      async () => (await call<RunDetail>(c.hub, 'getRun', run.id)).epochsDone >= 2,
      30_000,
      c.log,
    );
    await c.restartHub(3000);
    await until(
      'the run finished',
      async () => (await call<RunDetail>(c.hub, 'getRun', run.id)).status === 'finished',
      45_000,
      c.log,
    );
    const detail = await call<RunDetail>(c.hub, 'getRun', run.id);
    expect(detail.history.map((h) => h.epoch)).toEqual(EPOCHS);
    expect(detail.evaluations).toHaveLength(3);
    // One worker, one hold: the new hub gave it back; the trainer never started again.
    const out = worker!.worker.out();
    expect(out, c.log()).toMatch(
      new RegExp(`Run ${run.id}: the hub gave it back to this worker after epoch \\d+\\.`),
    );
    expect(out).not.toMatch(/resuming after epoch/);
    expect(out.match(new RegExp(`Run ${run.id}: training from the start`, 'g'))).toHaveLength(1);
    expect(runWorkerRows(c.home, run.id)).toMatchObject([
      { from_epoch: 1, worker: worker!.id, backend: 'cpu' },
    ]);
    // Epochs the worker trained while the hub was away came after the hand-back, each once.
    const back = Number(out.match(/gave it back to this worker after epoch (\d+)/)![1]);
    expect(back).toBeGreaterThanOrEqual(2);
    expect(back).toBeLessThan(12);
    // A resume the hub must refuse: a worker that never held the run, then the holder after the end.
    for (const who of ['elsewhere:1:abcdef12', worker!.id]) {
      const res = await fetch(`${c.hub.base}/cluster/resume`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.hub.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          runId: run.id,
          jobId: 'run-1-00000000',
          worker: who,
          host: 'elsewhere',
          backend: 'cpu',
          version: 'x',
        }),
      });
      expect(res.status).toBe(409);
    }
    expect((await call<RunDetail>(c.hub, 'getRun', run.id)).status).toBe('finished');
  });
});
