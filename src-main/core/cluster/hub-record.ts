// What the hub writes of a worker's report: an epoch and an evaluation, checked against the run
// (the next epoch only, arrays of the run's sizes) before they reach the database.
import fs from 'node:fs';
import path from 'node:path';
import { FAMILIES } from '../../shared/constants';
import { errorKind } from '../errors';
import { notePredictions } from '../store/runs';
import type { RunJob } from '../training/runner';
import type { Home } from '../workbench/home';
import type { ReportEvent } from './protocol';

/** A worker's request for a run it does not hold (or no longer holds): it must drop the run. */
export const NotHolderError = errorKind('NotHolderError', 'conflict');

/** A report the hub cannot use (arrays that do not fit, a folder it never got). */
export const ReportError = errorKind('ClusterReportError', 'bad-input');

type Of<T extends ReportEvent['type']> = Extract<ReportEvent, { type: T }>;

/** The path of a model folder of the run that the hub has (sent with this report or before). */
export function sentFolder(modelDir: string, runId: number, name: string): string {
  const dir = path.join(modelDir, name);
  if (!fs.existsSync(dir))
    throw new ReportError(`Run ${runId}: the model folder ${name} was never sent to the hub.`);
  return dir;
}

/**
 * Commits the run's next epoch with its folders, in one transaction (RunRepo.recordEpoch); any
 * other epoch is refused. Returns the seconds the database took.
 */
export function commitEpoch(
  home: Home,
  runId: number,
  validNotes: number | undefined,
  folder: (name: string) => string,
  e: Of<'epoch'>,
): number {
  const done = home.runs.get(runId)?.epochsDone ?? 0;
  if (e.metrics.epoch !== done + 1)
    throw new NotHolderError(
      `Run ${runId}: epoch ${e.metrics.epoch} arrived, but the hub has committed ${done}; the next is ${done + 1}.`,
    );
  if (e.confusion !== null) checkConfusion(runId, e.confusion);
  const predicted = e.predicted === null ? null : typed(e.predicted, Uint8Array);
  if (predicted && (predicted.length !== validNotes || predicted.some((p) => p >= FAMILIES.length)))
    throw new ReportError(
      `Run ${runId}: the epoch's predictions do not fit its ${validNotes} validation notes.`,
    );
  const t0 = performance.now();
  home.runs.recordEpoch(runId, e.metrics, e.confusion, predicted, {
    checkpoint: folder(e.checkpoint),
    best: e.best === null ? null : folder(e.best),
  });
  return (performance.now() - t0) / 1000;
}

/** Records a final evaluation of the run with every note's prediction. */
export function commitEvaluation(
  home: Home,
  job: RunJob,
  runId: number,
  folder: (name: string) => string,
  e: Of<'evaluation'>,
): void {
  const truth = typed(e.truth, Int32Array);
  const predicted = typed(e.predicted, Uint8Array);
  const probabilities = typed(e.probabilities, Float32Array);
  const n = e.noteStrs.length;
  const k = e.labels.length;
  if (truth.length !== n || predicted.length !== n || probabilities.length !== n * k)
    throw new ReportError(`Run ${runId}: the evaluation's arrays do not match its ${n} notes.`);
  checkConfusion(runId, e.confusion);
  home.runs.recordEvaluation({
    runId,
    weights: e.weights,
    epoch: e.epoch,
    modelDir: folder(e.folder),
    datasetId: job.datasetId,
    datasetFingerprint: job.datasetFingerprint,
    split: e.split,
    loss: e.loss,
    accuracy: e.accuracy,
    perClass: e.perClass,
    confusion: e.confusion,
    labels: e.labels,
    predictions: notePredictions(e.noteStrs, truth, predicted, probabilities, k),
  });
}

/** A confusion matrix is families x families. */
function checkConfusion(runId: number, m: number[][]): void {
  if (m.length !== FAMILIES.length || m.some((row) => row.length !== FAMILIES.length))
    throw new ReportError(
      `Run ${runId}: a confusion matrix must be ${FAMILIES.length} x ${FAMILIES.length}.`,
    );
}

/** A typed array from its bytes in base64, refusing a length that is not whole elements. */
function typed<T extends Int32Array | Uint8Array | Float32Array>(
  text: string,
  Type: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
): T {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % Type.BYTES_PER_ELEMENT !== 0)
    throw new ReportError('An array of the report is cut off.');
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Type(copy);
}
