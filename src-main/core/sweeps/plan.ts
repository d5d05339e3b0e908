// A sweep's dry run (planSweep): its runs listed and counted, nothing created.
import type { SweepPlan, SweepSpec } from '../../shared/sweeps';
import { expandSweep } from './expand';

/** Checks a sweep and lists the runs it would create; throws SweepError (bad-argument) naming the problem. */
export function planSweep(spec: SweepSpec): SweepPlan {
  const { sweep, runs, configurations } = expandSweep(spec);
  return {
    spec: {
      ...spec,
      name: sweep.name,
      base: { preset: sweep.preset, overrides: sweep.overrides },
      seeds: sweep.seeds,
      seed: sweep.seed,
    },
    configurations,
    seeds: sweep.seeds,
    total: runs.length,
    truncated: sweep.truncated,
    runs,
  };
}
