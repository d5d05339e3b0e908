import path from 'node:path';
import type { BackendName, Evaluation } from '../../shared/training';
import { evaluateInWorker } from '../training/evaluate-in-worker';
import { evaluationFeatures, loadModelDir } from '../training/model-io';
import { notePredictions } from '../store/runs';
import type { WorkbenchDatasets } from './datasets';
import { RunStateError, runOf, type Home } from './home';

/** What testModel evaluates: a run's best (else last) weights, or a saved model folder, on a split. */
export interface TestModelRequest {
  /** A run id, or the path of a saved model folder. */
  model: string | number;
  /** Default: the built-in data set. */
  dataset?: string | number;
  /** Default `test`. */
  split?: 'train' | 'valid' | 'test';
  backend?: BackendName;
}

/**
 * Evaluates a saved model on a split of a data set in a worker thread and records the evaluation:
 * the seed's test mode.
 */
export async function testModel(
  home: Home,
  datasets: WorkbenchDatasets,
  request: TestModelRequest,
): Promise<Evaluation & { backend: string }> {
  let modelDir: string;
  let runId: number | null = null;
  if (typeof request.model === 'number' || /^\d+$/.test(request.model)) {
    const run = runOf(home, Number(request.model));
    const best = run.models.find((m) => m.kind === 'best') ?? run.models.find((m) => m.kind === 'last');
    if (!best) throw new RunStateError(`Run ${run.id} has no saved model yet.`);
    modelDir = best.dir;
    runId = run.id;
  } else {
    modelDir = path.resolve(request.model);
  }
  const { meta } = loadModelDir(modelDir);
  const dataset =
    request.dataset === undefined ? await datasets.ensureDefault() : datasets.get(request.dataset);
  const cache = await datasets.buildFeatures(dataset.id, evaluationFeatures(meta.topology));
  const split = request.split ?? 'test';
  const ev = await evaluateInWorker({ modelDir, cache, split, backend: request.backend, batch: 64 });
  const id = home.runs.recordEvaluation({
    runId,
    weights: 'external',
    epoch: ev.epoch,
    modelDir,
    datasetId: dataset.id,
    datasetFingerprint: dataset.fingerprint,
    split,
    loss: ev.loss,
    accuracy: ev.accuracy,
    perClass: ev.perClass,
    confusion: ev.confusion,
    labels: ev.labels,
    predictions: notePredictions(ev.noteStrs, ev.truth, ev.predicted, ev.probabilities, ev.labels.length),
  });
  return { ...home.runs.evaluation(id)!, backend: ev.backend };
}
