// Sweeps seeded for the UI tests without training: made through the Workbench with the queue
// paused, then a few of their runs given results straight in the store.
import path from 'node:path';
import { Workbench } from '../../src-main/core/workbench';
import { openDatabase } from '../../src-main/core/store/database';
import { RunRepo } from '../../src-main/core/store/runs';
import type { SweepDetail } from '../../src-main/shared/sweeps';
import { tinyDataset } from '../helpers/tiny';
import { unpackRuns } from '../../src-main/shared/run-list';

/** What was seeded: the grid sweep's id and its runs by role, the random sweep's, a big one's. */
export interface SeededSweeps {
  grid: SweepDetail;
  random: SweepDetail;
  big: SweepDetail | null;
  /** Grid runs: three finished (val 50, 70, 60 %), one stopped, one failed, one training here, two waiting. */
  best: number;
  stopped: number;
  failed: number;
  training: number;
  /** With `preparing`: the random sweep's first run, computing its features in this process. */
  preparing: number | null;
  /** Every run id, for counting. */
  total: number;
}

/** Seeds a TIMBRE_HOME with the tiny default set, a paused queue and two (or three) sweeps. */
export async function seedSweeps(
  home: string,
  options: { bigRuns?: number; preparing?: boolean } = {},
): Promise<SeededSweeps> {
  const wb = new Workbench({ home, queue: 'watch' });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.pauseQueue();
  const base = { preset: 'seed-lstm', overrides: { epochs: 3 } };
  const g = await wb.createSweep(
    { name: 'lr × layers', base, method: 'grid', grid: { lr: [0.001, 0.0003], layers: [1, 2] }, seeds: 2 },
    'default',
  );
  const r = await wb.createSweep(
    {
      name: 'weight decay',
      base,
      method: 'random',
      random: { weightDecay: { kind: 'loguniform', min: 1e-6, max: 1e-3 } },
      trials: 3,
      seed: 7,
    },
    'default',
  );
  let bigId: number | null = null;
  if (options.bigRuns) {
    const lrs = Array.from({ length: options.bigRuns / 100 }, (_, i) =>
      Number((0.0001 * (i + 1)).toFixed(4)),
    );
    bigId = (
      await wb.createSweep({ name: 'big', base, method: 'grid', grid: { lr: lrs }, seeds: 100 }, 'default')
    ).id;
  }
  const grid = await wb.getSweep(g.id);
  const ids = grid.runs.map((x) => x.run.id);
  const preparing = options.preparing ? (await wb.getSweep(r.id)).runs[0]!.run.id : null;
  await wb.close();

  const db = openDatabase(path.join(home, 'timbre.db'));
  const runs = new RunRepo(db);
  const epoch = (id: number, n: number, val: number) =>
    runs.recordEpoch(
      id,
      {
        epoch: n,
        trainLoss: 1,
        trainAccuracy: val,
        valLoss: 1,
        valAccuracy: val,
        seconds: 2,
        samplesPerSecond: 300,
      },
      null,
      null,
    );
  const finish = (id: number, val: number, test: number) => {
    runs.start(id, 'wasm', '4.22.0');
    for (let n = 1; n <= 3; n++) epoch(id, n, val - (3 - n) * 0.05);
    runs.end(id, 'finished');
    db.prepare('UPDATE runs SET test_accuracy = ? WHERE id = ?').run(test, id);
  };
  const [a, b, c, stopped, failed, training] = ids as [number, number, number, number, number, number];
  finish(a, 0.5, 0.48);
  finish(b, 0.7, 0.66);
  finish(c, 0.6, 0.57);
  runs.start(stopped, 'wasm', '4.22.0');
  epoch(stopped, 1, 0.2);
  runs.end(stopped, 'stopped', 'Below the median of the other runs at epoch 1');
  runs.start(failed, 'wasm', '4.22.0');
  runs.end(failed, 'failed', 'Out of memory in epoch 1');
  // Owned by this live test process, so the server leaves it training.
  runs.start(training, 'wasm', '4.22.0');
  epoch(training, 1, 0.3);
  // Claimed by this live process as the queue's runner would, computing its features.
  if (preparing !== null)
    db.prepare("UPDATE runs SET status = 'preparing', owner_pid = ? WHERE id = ?").run(
      process.pid,
      preparing,
    );
  db.close();

  const again = new Workbench({ home, queue: 'watch' });
  const seeded: SeededSweeps = {
    grid: await again.getSweep(g.id),
    random: await again.getSweep(r.id),
    big: bigId === null ? null : await again.getSweep(bigId),
    best: b,
    stopped,
    failed,
    training,
    preparing,
    total: unpackRuns(await again.listRuns()).length,
  };
  await again.close();
  return seeded;
}
