// The benchmark's cluster part (`--cluster`, not run by default): a sweep of 12 tiny runs through a
// hub with its own redis-server, trained by 1 then by 3 local `timbre worker` processes; the wall
// time of each, from launching the sweep to its last run's end, and the ratio.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { SweepDetail, SweepSummary } from '../../src-main/shared/sweeps';
import { call, startHub, startRedis, startWorker, stopAll, TWELVE_EPOCHS } from '../cluster/processes';
import { round, table } from './report';

/** Epochs of each of the 12 runs. */
const EPOCHS = 6;

/** What the cluster part measured. */
export interface ClusterBench {
  runs: number;
  epochs: number;
  /** Seconds from launching the sweep to its last run's end, by number of workers. */
  seconds: Record<'1' | '3', number>;
  /** 1 worker's time over 3 workers'. */
  speedup: number;
  cores: number;
}

/** Trains the sweep on `workers` local workers in a cluster of its own under `dir`; seconds it took. */
async function sweepOn(dir: string, workers: number, log: (line: string) => void): Promise<number> {
  const redis = await startRedis(path.join(dir, 'redis'));
  try {
    const hub = await startHub(path.join(dir, 'hub'), redis.url);
    // As many runs wait in Redis as there are workers: each free worker finds one.
    await call(hub, 'setRunsAtOnce', workers);
    for (let i = 1; i <= workers; i++) await startWorker(hub.url, redis.url, path.join(dir, `w${i}`));
    log(`cluster: ${workers} worker${workers === 1 ? '' : 's'} ready; a sweep of 12 runs`);
    const t0 = performance.now();
    const sweep = await call<SweepSummary>(hub, 'createSweep', {
      name: `bench ${workers}`,
      base: { preset: 'seed-lstm', overrides: { ...TWELVE_EPOCHS, epochs: EPOCHS } },
      method: 'grid',
      grid: { lr: [0.003, 0.001, 0.0003] },
      seeds: 4,
    });
    const ids = (await call<SweepDetail>(hub, 'getSweep', sweep.id)).runs.map((r) => r.run.id);
    if (ids.length !== 12) throw new Error(`The sweep has ${ids.length} runs, not 12.`);
    log(`cluster: sweep ${sweep.id} launched`);
    const deadline = Date.now() + 30 * 60_000;
    let failures = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      let now: SweepSummary;
      try {
        now = await call<SweepSummary>(hub, 'getSweep', sweep.id);
        failures = 0;
      } catch (err) {
        // A refused connection now and then is not the end; the hub gone for good is.
        if (++failures < 20 && hub.server.proc.exitCode === null) continue;
        throw new Error(
          `The hub stopped answering: ${(err as Error).message}\n${hub.server.out().slice(-4000)}`,
        );
      }
      if (now.done) {
        if (now.counts.finished !== 12)
          throw new Error(`The sweep ended with ${now.counts.finished} of 12 runs finished.`);
        return (performance.now() - t0) / 1000;
      }
      if (Date.now() > deadline) throw new Error(`The sweep on ${workers} workers took over 30 minutes.`);
    }
  } finally {
    await stopAll();
  }
}

/** Runs the part: 1 worker, then 3; a table and the numbers. */
export async function benchCluster(o: {
  work: string;
  log: (line: string) => void;
}): Promise<{ result: ClusterBench; text: string }> {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('--cluster needs redis-server (Debian: apt install redis-server).');
  const one = await sweepOn(path.join(o.work, 'cluster-1'), 1, o.log);
  const three = await sweepOn(path.join(o.work, 'cluster-3'), 3, o.log);
  const result: ClusterBench = {
    runs: 12,
    epochs: EPOCHS,
    seconds: { '1': round(one, 1)!, '3': round(three, 1)! },
    speedup: round(one / three, 2)!,
    cores: os.availableParallelism(),
  };
  const text = [
    `Cluster mode: a sweep of 12 tiny runs (${EPOCHS} epochs each) through a hub and Redis, local workers`,
    table(
      ['workers', 'wall time (s)', 'speed-up'],
      [
        ['1', one.toFixed(1), '1.00'],
        ['3', three.toFixed(1), (one / three).toFixed(2)],
      ],
    ),
    `(${result.cores} cores here: workers beyond the cores share them)`,
  ].join('\n');
  return { result, text };
}
