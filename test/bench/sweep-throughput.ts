// How fast a sweep goes through the queue with its runs one at a time, two side by side (the
// queue's "runs at once"), or one at a time on two threads each (data-parallel training), so that
// users know which to pick on their machine (issue 15). Each sweep trains the same runs through the
// app: Workbench, lasting queue, worker threads; its feature cache is built before the clock starts.
import type { SweepSpec } from '../../src-main/shared/sweeps';
import { Workbench } from '../../src-main/core/workbench';
import { fmt, round, table } from './report';

const MODES = [
  { key: 'one_at_a_time', label: '1 at a time, 1 thread each', runsAtOnce: 1, workers: 1 },
  { key: 'two_at_a_time', label: '2 at a time, 1 thread each', runsAtOnce: 2, workers: 1 },
  { key: 'one_at_a_time_2_threads', label: '1 at a time, 2 threads each', runsAtOnce: 1, workers: 2 },
] as const;
type ModeKey = (typeof MODES)[number]['key'];

export interface SweepMode {
  runs_at_once: number;
  threads_per_run: number;
  /** From creating the sweep to its last run's end. */
  seconds: number;
  runs_per_hour: number;
  /** Runs per hour against one at a time on one thread. */
  speedup: number;
}

export interface SweepThroughputResult {
  preset: string;
  runs: number;
  epochs: number;
  max_per_family: number;
  modes: Record<ModeKey, SweepMode>;
}

/** Trains the same sweep of seed-lstm runs in each mode on data set `dataset` of `home`. */
export async function benchSweepThroughput(opts: {
  home: string;
  dataset: string;
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ result: SweepThroughputResult; text: string }> {
  const preset = 'seed-lstm';
  const runs = opts.quick ? 2 : 4;
  const maxPerFamily = opts.quick ? 8 : 48;
  const epochs = 1;
  const wb = new Workbench({ home: opts.home });
  try {
    const sweep = (name: string, workers: number, seeds: number): SweepSpec => ({
      name,
      base: { preset, overrides: { epochs, workers, features: { maxPerFamily } } },
      method: 'grid',
      grid: {},
      seeds,
    });
    opts.log(`  sweeps: the feature cache (one run, not timed)`);
    await trainSweep(wb, sweep('bench warm-up', 1, 1), opts.dataset);
    const modes = {} as Record<ModeKey, SweepMode>;
    for (const mode of MODES) {
      opts.log(`  sweeps: ${runs} runs, ${mode.label}`);
      await wb.setRunsAtOnce(mode.runsAtOnce);
      const seconds = await trainSweep(wb, sweep(`bench ${mode.key}`, mode.workers, runs), opts.dataset);
      modes[mode.key] = {
        runs_at_once: mode.runsAtOnce,
        threads_per_run: mode.workers,
        seconds: round(seconds, 1)!,
        runs_per_hour: round((runs * 3600) / seconds, 1)!,
        speedup: 0,
      };
    }
    for (const m of Object.values(modes))
      m.speedup = round(m.runs_per_hour / modes.one_at_a_time.runs_per_hour, 2)!;
    await wb.setRunsAtOnce(1);
    const result = { preset, runs, epochs, max_per_family: maxPerFamily, modes };
    return { result, text: render(result) };
  } finally {
    await wb.close();
  }
}

/** Creates the sweep and waits for all its runs to finish; seconds from creation to the last end. */
async function trainSweep(wb: Workbench, spec: SweepSpec, dataset: string): Promise<number> {
  const t0 = performance.now();
  const created = await wb.createSweep(spec, dataset);
  const { runs } = await wb.getSweep(created.id);
  for (const { run } of runs) {
    const done = await wb.waitForRun(run.id);
    if (done.status !== 'finished') {
      throw new Error(
        `Run ${run.id} of sweep "${spec.name}" ended ${done.status}: ${done.error ?? 'no reason given'}`,
      );
    }
  }
  return (performance.now() - t0) / 1000;
}

function render(r: SweepThroughputResult): string {
  const rows = MODES.map((mode) => {
    const m = r.modes[mode.key];
    return [mode.label, fmt(m.seconds), fmt(m.runs_per_hour), `${fmt(m.speedup)}x`];
  });
  return [
    `Sweep throughput: ${r.runs} ${r.preset} runs of ${r.epochs} epoch on at most ${r.max_per_family} notes per family, through the queue`,
    table(['how the sweep runs', 'seconds', 'runs/hour', 'vs 1 at a time'], rows),
    'Two at a time trains two runs side by side, each on one core; two threads split each batch of one run',
    'across both cores. Pick the faster for sweeps; a single run can only use the threads.',
  ].join('\n');
}
