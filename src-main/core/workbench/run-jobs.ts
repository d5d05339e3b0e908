import fs from 'node:fs';
import type { BackendName, RunDetail } from '../../shared/training';
import type { ProgressFn } from '../../shared/types';
import { trainingFeatures } from '../features/augment';
import { earlyStopDecision } from '../sweeps/asha';
import { checkEarlyStopping } from '../sweeps/spec';
import type { TrainJob } from '../training/protocol';
import type { RunJob } from '../training/runner';
import type { WorkbenchDatasets } from './datasets';
import { NotFoundError, RunStateError, type Home } from './home';

/** Where a run continues from: its last committed epoch's checkpoint, or the start. */
export function resumePoint(run: RunDetail): TrainJob['resumeFrom'] {
  const done = run.epochsDone;
  if (done === 0) return undefined;
  const checkpoint = run.models.find((m) => m.kind === 'checkpoint' && m.epoch === done);
  if (!checkpoint || !fs.existsSync(checkpoint.dir)) {
    throw new RunStateError(`Run ${run.id} has no checkpoint of epoch ${done} to resume from.`);
  }
  const best = run.history.find((h) => h.epoch === run.bestEpoch);
  return {
    epoch: done,
    bestValLoss: best?.valLoss ?? null,
    bestValAccuracy: best?.valAccuracy ?? null,
    bestEpoch: run.bestEpoch,
    bestDir: run.models.find((m) => m.kind === 'best')?.dir ?? null,
  };
}

/**
 * Everything the runner needs to train a claimed run, resolved from its record: a queued run may
 * wait long, across processes. Only the feature cache waits until it comes to train; a data set
 * re-imported meanwhile fails the run. Null when it cannot train (it is ended, saying why).
 */
export function jobOf(home: Home, datasets: WorkbenchDatasets, id: number, modelDir: string): RunJob | null {
  const run = home.runs.get(id);
  if (!run) return null;
  try {
    return {
      runId: id,
      config: run.config,
      datasetId: run.datasetId,
      datasetFingerprint: run.datasetFingerprint,
      modelDir,
      backend: (run.backend as BackendName | null) ?? undefined,
      resumeFrom: resumePoint(run),
      features: (onProgress) => features(datasets, run, onProgress),
      afterEpoch: earlyStopping(home, run),
    };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    home.runs.end(id, 'failed', why);
    home.emit({ type: 'run', runId: id, event: { type: 'ended', status: 'failed', error: why } });
    return null;
  }
}

/** The rule of the run's sweep that stops it early, asked after each epoch; undefined without one. */
function earlyStopping(home: Home, run: RunDetail): RunJob['afterEpoch'] {
  const sweepId = run.sweepId;
  const spec = sweepId === null ? undefined : home.sweeps.get(sweepId)?.spec;
  if (sweepId === null || !spec?.earlyStopping) return undefined;
  const rule = checkEarlyStopping(spec.earlyStopping);
  return () => {
    const all = home.sweeps.histories(sweepId);
    const own = all.find((h) => h.id === run.id);
    if (!own) return null;
    const decision = earlyStopDecision(rule, own, all);
    return decision.stop ? decision.reason : null;
  };
}

/** The feature cache a run trains on (a longer clip with a random start), computed on first use. */
async function features(datasets: WorkbenchDatasets, run: RunDetail, onProgress: ProgressFn) {
  if (run.datasetId === null) throw new NotFoundError(`The data set of run ${run.id} was deleted.`);
  const dataset = datasets.get(run.datasetId);
  if (dataset.fingerprint !== run.datasetFingerprint) {
    throw new RunStateError(
      `The data set "${dataset.name}" changed since run ${run.id} was created (its fingerprint differs).`,
    );
  }
  return datasets.featureCache(dataset, trainingFeatures(run.config), onProgress);
}
