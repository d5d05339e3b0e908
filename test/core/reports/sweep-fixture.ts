// A small sweep whose results are recorded by hand, for the sweep report's tests: a grid of
// lr x hidden with 2 seeds (8 runs) created by a Workbench that never trains ('watch').
import { Workbench } from '../../../src-main/core/workbench';
import type { RunRepo } from '../../../src-main/core/store/runs';
import type { SweepDetail } from '../../../src-main/shared/sweeps';
import { emptyDataset, epochMetrics, withStore } from '../../helpers/store';

/** The reason the stopped run records: hostile to every format on purpose. */
export const STOP_REASON =
  'ASHA at epoch 1: below the top 1/2 <img src=x onerror=alert(1)> & 50% $x_1$ \\input{y}';

/** Records `vals` as the run's epochs and ends it; with `test`, a test evaluation of its best weights. */
function record(
  runs: RunRepo,
  id: number,
  vals: number[],
  end: 'finished' | 'stopped' | 'failed',
  test: number | null,
  error: string | null = null,
): void {
  runs.start(id, 'cpu', 'test');
  vals.forEach((v, i) => runs.recordEpoch(id, epochMetrics(i + 1, { valAccuracy: v }), null, null));
  if (test !== null) {
    runs.recordEvaluation({
      runId: id,
      weights: 'best',
      epoch: 1,
      modelDir: '/nowhere',
      datasetId: null,
      datasetFingerprint: 'fp',
      split: 'test',
      loss: 1,
      accuracy: test,
      perClass: [],
      confusion: [[1]],
      labels: ['bass'],
      predictions: [],
    });
  }
  runs.end(id, end, error);
}

/**
 * Creates the sweep in `home` (a data set `d` registered by hand unless `dataset` is given) and
 * records results: configuration 1 (lr 0.001, hidden 8) 0.7 and 0.8 (mean 75 %, the best by mean),
 * configuration 2 0.9 and a run stopped at 0.3 (mean 60 %, holding the best single run), a failed
 * run in configuration 3, and the rest left queued. Returns the sweep as it ends up.
 */
export async function sweepWithResults(home: string, name: string, dataset?: string): Promise<SweepDetail> {
  const wb = new Workbench({ home, queue: 'watch' });
  try {
    const ds = dataset ?? withStore(home, ({ db }) => emptyDataset(db));
    const sweep = await wb.createSweep(
      {
        name,
        base: { preset: 'seed-lstm', overrides: { epochs: 3, model: { type: 'mlp', layers: 1 } } },
        method: 'grid',
        grid: { hidden: [8, 16], lr: [0.001, 0.0003] },
        seeds: 2,
        seed: 5,
        earlyStopping: { method: 'asha', rungs: [1], eta: 2 },
      },
      ds,
    );
    const ids = (await wb.getSweep(sweep.id)).runs.map((r) => r.run.id);
    withStore(home, ({ runs }) => {
      record(runs, ids[0]!, [0.5, 0.7, 0.6], 'finished', 0.6);
      record(runs, ids[1]!, [0.6, 0.8, 0.8], 'finished', 0.7);
      record(runs, ids[2]!, [0.9, 0.85, 0.8], 'finished', 0.88);
      record(runs, ids[3]!, [0.3], 'stopped', null, STOP_REASON);
      record(runs, ids[4]!, [], 'failed', null, 'The worker ran out of memory.');
    });
    return await wb.getSweep(sweep.id);
  } finally {
    await wb.close();
  }
}
