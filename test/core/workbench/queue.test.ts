import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Workbench, type WorkbenchOptions } from '../../../src-main/core/workbench';
import type { TrainOverrides } from '../../../src-main/core/training/config';
import type { WorkbenchEvent } from '../../../src-main/shared/contract';
import { epochMetrics, withStore } from '../../helpers/store';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';
import { unpackRuns } from '../../../src-main/shared/run-list';

// The lasting queue as shells meet it: several Workbenches over one TIMBRE_HOME, as the app,
// `timbre serve` and one-shot CLI commands open it, with real worker threads on the tiny set.

const SMALL: TrainOverrides = {
  epochs: 1,
  batch: 16,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

let root: string;
let cleanup: () => void;
let home: string;
const open: Workbench[] = [];

beforeAll(async () => {
  root = await tinyDataset();
});
afterEach(async () => {
  for (const wb of open.splice(0)) await wb.close();
  cleanup?.();
});
afterAll(() => cleanup?.());

/** A new TIMBRE_HOME with the tiny set imported as "tiny"; returns its first Workbench. */
async function newHome(options: Omit<WorkbenchOptions, 'home'> = {}): Promise<Workbench> {
  const t = tempDir();
  cleanup = t.cleanup;
  home = path.join(t.dir, 'home');
  const wb = workbench(options);
  await wb.importDataset(root, 'tiny');
  return wb;
}

/** Another Workbench over the same home, closed after the test. */
function workbench(options: Omit<WorkbenchOptions, 'home'> = {}): Workbench {
  const wb = new Workbench({ home, ...options });
  open.push(wb);
  return wb;
}

/** Closes a Workbench now (a normal quit) and forgets it. */
async function quit(wb: Workbench): Promise<void> {
  open.splice(open.indexOf(wb), 1);
  await wb.close();
}

/** Resolves once `check` holds, looking every 50 ms. */
async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

const run = (name: string, overrides: TrainOverrides = SMALL) =>
  ({ name, preset: 'seed-lstm', overrides, dataset: 'tiny', backend: 'cpu' }) as const;

describe('the lasting queue', () => {
  it('keeps waiting runs across a normal quit, in order, and says so on the next start', async () => {
    const first = await newHome();
    await first.pauseQueue();
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await first.createRun(run(name))).id);
    expect(await first.queueState()).toMatchObject({ queued: ids, training: [], paused: true });
    await quit(first);

    const second = workbench();
    const state = await second.queueState();
    expect(state).toMatchObject({ queued: ids, paused: true, carriedOver: 3, runner: { kind: 'here' } });
    for (const id of ids) expect((await second.getRun(id)).status).toBe('queued');
    // Resumed, the queue trains them to the end, one after another.
    await second.resumeQueue();
    for (const id of ids) expect((await second.waitForRun(id)).status).toBe('finished');
    expect(await second.queueState()).toMatchObject({ queued: [], training: [], active: null });
  });

  it('puts a run training at a quit back to waiting, and the next process resumes it from its last epoch', async () => {
    const first = await newHome();
    const epochs: number[] = [];
    first.subscribe((e: WorkbenchEvent) => {
      if (e.type === 'run' && e.event.type === 'epoch') epochs.push(e.event.metrics.epoch);
    });
    const { id } = await first.createRun(run('long', { ...SMALL, epochs: 15 }));
    await until(async () => (await first.getRun(id)).epochsDone >= 2);
    await quit(first);
    const left = withStore(home, (s) => s.runs.get(id)!);
    expect(left.status).toBe('queued');
    expect(left.epochsDone).toBeGreaterThanOrEqual(2);

    const second = workbench();
    const resumed: number[] = [];
    second.subscribe((e: WorkbenchEvent) => {
      if (e.type === 'run' && e.runId === id && e.event.type === 'epoch') resumed.push(e.event.metrics.epoch);
    });
    const done = await second.waitForRun(id);
    expect(done.status).toBe('finished');
    // No committed epoch lost, none trained twice: the second process began after the last one committed.
    expect(resumed[0]).toBe(left.epochsDone + 1);
    expect(done.history.map((h) => h.epoch)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  }, 120_000);

  it('lets one process run the queue while the others show it, add to it and cancel in it', async () => {
    const runner = await newHome();
    const viewer = workbench({ queue: 'watch' });
    const other = workbench();
    expect((await runner.queueState()).runner).toEqual({ kind: 'here' });
    expect((await viewer.queueState()).runner).toMatchObject({ kind: 'elsewhere', pid: process.pid });
    expect((await other.queueState()).runner).toMatchObject({ kind: 'elsewhere' });

    // Queued by a process that does not run the queue, trained by the one that does.
    const long = await viewer.createRun(run('long', { ...SMALL, epochs: 200, batch: 1 }));
    const short = await viewer.createRun(run('short'));
    await until(async () => (await runner.getRun(long.id)).status === 'running');
    expect((await viewer.queueState()).queued).toEqual([short.id]);
    // Cancelled from another process: the runner stops it within a batch.
    expect(await viewer.cancelRun(long.id)).toBe(true);
    expect((await viewer.waitForRun(long.id)).status).toBe('cancelled');
    expect((await other.waitForRun(short.id)).status).toBe('finished');
  }, 120_000);

  it('trains as many runs at once as the setting says, and refuses a setting out of range', async () => {
    const wb = await newHome();
    await wb.pauseQueue();
    const a = await wb.createRun(run('a', { ...SMALL, epochs: 2 }));
    const b = await wb.createRun(run('b', { ...SMALL, epochs: 2 }));
    await expect(wb.setRunsAtOnce(0)).rejects.toThrow(/from 1 to 64/);
    expect((await wb.setRunsAtOnce(2)).runsAtOnce).toBe(2);
    const state = await wb.resumeQueue();
    expect(state.training.map((t) => t.runId)).toEqual([a.id, b.id]);
    expect(state.queued).toEqual([]);
    for (const id of [a.id, b.id]) expect((await wb.waitForRun(id)).status).toBe('finished');
  }, 120_000);

  it('only shows the queue in a watching process: its runs wait for a process that runs it', async () => {
    await newHome({ queue: 'watch' }).then(quit);
    const viewer = workbench({ queue: 'watch' });
    const { id } = await viewer.createRun(run('waits'));
    await new Promise((r) => setTimeout(r, 300));
    expect(await viewer.queueState()).toMatchObject({
      queued: [id],
      training: [],
      runner: { kind: 'nobody' },
    });
    const runner = workbench();
    expect((await runner.waitForRun(id)).status).toBe('finished');
  }, 120_000);

  it('moves a waiting run, and refuses to move one that is not waiting', async () => {
    const wb = await newHome();
    await wb.pauseQueue();
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await wb.createRun(run(name))).id);
    expect((await wb.moveInQueue(ids[2]!, 0)).queued).toEqual([ids[2], ids[0], ids[1]]);
    expect((await wb.moveInQueue(ids[2]!, 99)).queued).toEqual([ids[0], ids[1], ids[2]]);
    await wb.cancelRun(ids[0]!);
    await expect(wb.moveInQueue(ids[0]!, 0)).rejects.toThrow(/not waiting in the queue/);
  });
});

describe('a sweep in the queue', () => {
  it('stops a run early by its ASHA rule, keeping what it logged and saying why', async () => {
    const wb = await newHome();
    await wb.pauseQueue();
    const sweep = await wb.createSweep(
      {
        name: 'lr',
        base: { preset: 'seed-lstm', overrides: { ...SMALL, epochs: 4 } },
        method: 'grid',
        grid: { lr: [0.001, 0.0003, 0.0001] },
        earlyStopping: { method: 'asha', rungs: [1], eta: 3, minRuns: 3 },
      },
      'tiny',
    );
    expect(sweep.counts).toMatchObject({ total: 3, queued: 3 });
    const detail = await wb.getSweep(sweep.id);
    const [a, b, c] = detail.runs.map((r) => r.run.id);
    expect(detail.runs.map((r) => r.label)).toEqual([
      'lr=0.001 seed=0',
      'lr=0.0003 seed=0',
      'lr=0.0001 seed=0',
    ]);
    // The runs table filtered to the sweep asks for its runs alone, newest first.
    await wb.createRun({ preset: 'seed-lstm', overrides: SMALL, dataset: 'tiny' });
    expect(unpackRuns(await wb.listRuns({ sweep: sweep.id })).map((r) => r.id)).toEqual([c, b, a]);
    expect(unpackRuns(await wb.listRuns())).toHaveLength(4);
    expect(unpackRuns(await wb.listRuns({ sweep: null }))).toHaveLength(4);
    // Two runs of the sweep already reached the rung with a perfect score.
    withStore(home, ({ runs }) => {
      for (const id of [a!, b!]) {
        runs.start(id, 'cpu', 'x');
        runs.recordEpoch(id, epochMetrics(1, { valAccuracy: 1 }), null, null);
        runs.end(id, 'finished');
      }
    });
    await wb.resumeQueue();
    const stopped = await wb.waitForRun(c!);
    expect(stopped.status).toBe('stopped');
    expect(stopped.epochsDone).toBe(1);
    expect(stopped.error).toMatch(/ASHA|rung/i);
    const after = (await wb.listSweeps())[0]!;
    expect(after).toMatchObject({ id: sweep.id, done: true, counts: { finished: 2, stopped: 1, total: 3 } });
    expect(after.best?.valAccuracy).toBe(1);
  }, 120_000);

  it('holds a paused sweep back while other runs train, and cancels what it has left', async () => {
    const wb = await newHome();
    await wb.pauseQueue();
    const sweep = await wb.createSweep(
      {
        name: 's',
        base: { preset: 'seed-lstm', overrides: SMALL },
        method: 'grid',
        grid: { lr: [0.001, 0.0003] },
      },
      'tiny',
    );
    await wb.pauseSweep(sweep.id);
    const lone = await wb.createRun(run('lone'));
    await wb.resumeQueue();
    expect((await wb.waitForRun(lone.id)).status).toBe('finished');
    expect((await wb.getSweep(sweep.id)).counts).toMatchObject({ queued: 2 });
    await expect(wb.pauseSweep(sweep.id)).rejects.toThrow(/is paused/);
    const cancelled = await wb.cancelSweep(sweep.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', done: true, counts: { cancelled: 2 } });
    expect((await wb.queueState()).queued).toEqual([]);
  }, 120_000);
});
