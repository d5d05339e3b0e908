// Issue 16's "Done means", for real: a hub and three worker processes on a Redis of the test's own,
// a sweep of six tiny runs; one worker killed with SIGKILL in the middle of a run and the hub killed
// once and started again: every run finishes once, its epochs contiguous, the database whole, and
// each run says which workers trained it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterWorkerInfo, RunWorkerShare } from '../../src-main/shared/contract';
import type { SweepDetail, SweepSummary } from '../../src-main/shared/sweeps';
import type { RunDetail } from '../../src-main/shared/training';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { call, runWorkerRows, startCluster, stopAll, TWELVE_EPOCHS, until, type Cluster } from './processes';

const EPOCHS = 8;
const ALL_EPOCHS = Array.from({ length: EPOCHS }, (_, i) => i + 1);

let dir: string;
let cleanup: () => void;
let c: Cluster;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-done-'));
  c = await startCluster(dir, { workers: 3 });
}, 60_000);

afterAll(async () => {
  await stopAll();
  cleanup();
});

/** Every run's record. */
const records = (ids: number[]) => Promise.all(ids.map((id) => call<RunDetail>(c.hub, 'getRun', id)));

describe('cluster mode: done means', () => {
  it('a sweep of six runs on three workers, one worker killed and the hub restarted: each run once, whole', async () => {
    // Three runs wait in Redis at a time: each worker has one to take at once.
    await call(c.hub, 'setRunsAtOnce', 3);
    const sweep = await call<SweepSummary>(c.hub, 'createSweep', {
      name: 'done means',
      base: { preset: 'seed-lstm', overrides: { ...TWELVE_EPOCHS, epochs: EPOCHS } },
      method: 'grid',
      grid: { lr: [0.003, 0.001, 0.0003] },
      seeds: 2,
    });
    const ids = (await call<SweepDetail>(c.hub, 'getSweep', sweep.id)).runs.map((r) => r.run.id);
    expect(ids).toHaveLength(6);

    // A worker in the middle of a run (some epochs committed, more to come) is killed.
    let victim: ClusterWorkerInfo | undefined;
    await until(
      'a worker in the middle of a run',
      async () => {
        const workers = await call<ClusterWorkerInfo[]>(c.hub, 'clusterWorkers');
        victim = workers.find((w) => w.runs.some((r) => r.epoch >= 3 && r.epoch < EPOCHS));
        return victim !== undefined;
      },
      60_000,
      c.log,
    );
    const victimRun = victim!.runs[0]!.runId;
    await c.workers.find((w) => w.id === victim!.id)!.worker.stop('SIGKILL');

    // Then the hub, once the others have committed a few more epochs.
    const committed = async () => (await records(ids)).reduce((n, r) => n + r.epochsDone, 0);
    const before = await committed();
    await until('more epochs after the kill', async () => (await committed()) >= before + 3, 60_000, c.log);
    await c.restartHub();

    await until(
      'every run of the sweep ended',
      async () => (await records(ids)).every((r) => !['queued', 'preparing', 'running'].includes(r.status)),
      75_000,
      c.log,
    );
    const runs = await records(ids);
    const alive = c.workers.filter((w) => w.id !== victim!.id).map((w) => w.id);
    for (const run of runs) {
      expect(run.status, `run ${run.id}: ${run.error}\n${c.log()}`).toBe('finished');
      // Epochs 1..8, each once, and the run's final evaluations.
      expect(run.history.map((h) => h.epoch)).toEqual(ALL_EPOCHS);
      expect(run.evaluations).toHaveLength(3);
      // Its workers: taken up from epoch 1, then each after what the hub had committed, none after its end.
      const rows = runWorkerRows(c.home, run.id);
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0]!.from_epoch).toBe(1);
      for (let i = 1; i < rows.length; i++)
        expect(rows[i]!.from_epoch).toBeGreaterThanOrEqual(rows[i - 1]!.from_epoch);
      for (const row of rows) {
        expect(c.workers.map((w) => w.id)).toContain(row.worker);
        expect(row.taken_at <= run.finishedAt!).toBe(true);
      }
      // The last worker trained it to its end, on a backend it said.
      expect(alive).toContain(rows.at(-1)!.worker);
      expect(rows.at(-1)!.backend).not.toBeNull();
      const shares = await call<RunWorkerShare[]>(c.hub, 'runWorkers', run.id);
      expect(shares.at(-1)!.toEpoch).toBe(EPOCHS);
    }
    // The killed worker's run was taken up by another.
    const taken = runWorkerRows(c.home, victimRun);
    expect(taken.map((r) => r.worker)).toContain(victim!.id);
    expect(taken.at(-1)!.worker).not.toBe(victim!.id);

    const after = await call<SweepSummary>(c.hub, 'getSweep', sweep.id);
    expect(after).toMatchObject({ done: true, counts: { finished: 6, total: 6 } });
    const health = timbre(c.home, ['db', 'check', '--json']);
    expect(health.code, health.stderr).toBe(0);
    expect(health.json()).toMatchObject({ state: 'ok', ok: true, problems: [] });
    expect(c.hub.server.out()).not.toMatch(/Internal error/);
  }, 150_000);
});
