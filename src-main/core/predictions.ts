import { SOURCES } from '../shared/constants';
import type { EpochPredictions, NoteHistory, NotePrediction, PredictionSet } from '../shared/contract';
import type { RunDetail } from '../shared/training';
import { selectNotes } from './features/select';
import type { DatasetRepo } from './store/datasets';
import type { PredictionRepo, PredictionWithNote } from './store/predictions';
import { errorKind } from './errors';

/** A note, a split or an evaluation that a run does not have (or a note whose audio is gone). */
export const PredictionsError = errorKind('PredictionsError', 'not-found');
export type PredictionsError = InstanceType<typeof PredictionsError>;

/** pitch, velocity, instrument and source read from an NSynth note_str such as `bass_electronic_012-045-100`. */
export function parseNoteStr(
  noteStr: string,
): Pick<NotePrediction, 'pitch' | 'velocity' | 'instrument' | 'source'> {
  const m = /^(.*)-(\d{3})-(\d{3})$/.exec(noteStr);
  const instrument = m?.[1] ?? noteStr;
  const source = SOURCES.findIndex((s) => instrument.split('_').includes(s));
  return { pitch: m ? Number(m[2]) : -1, velocity: m ? Number(m[3]) : -1, instrument, source };
}

/** Reads the predictions runs recorded, joined with their data set's notes. */
export class PredictionReader {
  constructor(
    private readonly recorded: PredictionRepo,
    private readonly datasets: DatasetRepo,
  ) {}

  /** Every note of a split as the run's final evaluation with `weights` predicted it. */
  predictions(run: RunDetail, split: 'valid' | 'test', weights: 'best' | 'last'): PredictionSet {
    const evaluation = run.evaluations.filter((e) => e.split === split && e.weights === weights).at(-1);
    if (!evaluation) {
      throw new PredictionsError(
        run.status === 'finished'
          ? `Run ${run.id} has no evaluation of its ${weights} weights on the ${split} split.`
          : `Run ${run.id} is ${run.status}; its notes can be auditioned once it has finished.`,
      );
    }
    const datasetId = evaluation.datasetId;
    const dataset = datasetId === null ? undefined : this.datasets.find(datasetId);
    const notes = this.recorded
      .evaluationWithNotes(evaluation.id, datasetId, split)
      .map(notePrediction)
      .sort(byNoteStr);
    return {
      runId: run.id,
      evaluationId: evaluation.id,
      split,
      weights,
      epoch: evaluation.epoch,
      accuracy: evaluation.accuracy,
      seen: { start: run.config.features.start, seconds: run.config.features.seconds },
      dataset: {
        id: datasetId,
        name: dataset?.name ?? null,
        fingerprint: evaluation.datasetFingerprint,
        available: dataset !== undefined,
      },
      history: this.recorded.hasEpochs(run.id),
      notes,
    };
  }

  /** A validation note's predicted family after each epoch the run recorded. */
  history(run: RunDetail, noteStr: string): NoteHistory {
    const order = this.validationOrder(run);
    const index = binarySearch(order.notes, noteStr);
    if (index < 0) {
      throw new PredictionsError(`"${noteStr}" is not one of run ${run.id}'s validation notes.`);
    }
    const epochs = this.recorded
      .epochs(run.id)
      // A blob of another length belongs to another selection of notes: it cannot be read by index.
      .filter((r) => r.predicted.length === order.notes.length)
      .map((r) => ({ epoch: r.epoch, predicted: r.predicted[index]! }));
    return { noteStr, trueFamily: order.families[index]!, epochs };
  }

  /** Every validation note's prediction after one epoch. */
  epoch(run: RunDetail, epoch: number): EpochPredictions {
    const predicted = this.recorded.epoch(run.id, epoch);
    if (!predicted) {
      throw new PredictionsError(`Run ${run.id} recorded no validation predictions for epoch ${epoch}.`);
    }
    const order = this.validationOrder(run);
    if (predicted.length !== order.notes.length) {
      throw new PredictionsError(
        `Run ${run.id}'s predictions of epoch ${epoch} cover ${predicted.length} notes, its validation split ${order.notes.length}: they cannot be matched.`,
      );
    }
    return {
      runId: run.id,
      epoch,
      notes: order.notes.map((noteStr, i) => ({
        noteStr,
        trueFamily: order.families[i]!,
        predicted: predicted[i]!,
      })),
    };
  }

  /**
   * The validation notes in the order the run's per-epoch predictions follow: the feature cache's,
   * sorted by note_str. A final validation evaluation lists exactly them; without one (a run cut
   * short) they are selected from the data set as the cache selected them.
   */
  private validationOrder(run: RunDetail): { notes: string[]; families: number[] } {
    const evaluation = run.evaluations.find((e) => e.split === 'valid' && e.weights !== 'external');
    let notes: { noteStr: string; family: number }[];
    if (evaluation) {
      notes = this.recorded.evaluationNotes(evaluation.id);
    } else if (run.datasetId !== null && this.datasets.find(run.datasetId)) {
      notes = selectNotes(this.datasets.notes(run.datasetId), 'valid', run.config.features.maxPerFamily);
    } else {
      throw new PredictionsError(
        `Run ${run.id} has no validation evaluation and its data set was deleted: its notes cannot be matched to its per-epoch predictions.`,
      );
    }
    notes.sort(byNoteStr);
    return { notes: notes.map((n) => n.noteStr), families: notes.map((n) => n.family) };
  }
}

function notePrediction(row: PredictionWithNote): NotePrediction {
  // Copy the blob: SQLite's buffer need not be 4-byte aligned for a Float32Array view.
  const bytes = Uint8Array.from(row.probabilities);
  const p = new Float32Array(bytes.buffer, 0, bytes.byteLength >> 2);
  let runnerUp = -1;
  for (let c = 0; c < p.length; c++) {
    if (c !== row.predicted && (runnerUp < 0 || p[c]! > p[runnerUp]!)) runnerUp = c;
  }
  const confidence = p[row.predicted] ?? 0;
  const meta =
    row.pitch === null
      ? parseNoteStr(row.noteStr)
      : { pitch: row.pitch, velocity: row.velocity!, instrument: row.instrumentStr!, source: row.source! };
  return {
    noteStr: row.noteStr,
    trueFamily: row.trueFamily,
    predicted: row.predicted,
    confidence: round(confidence),
    runnerUp,
    margin: round(confidence - (p[runnerUp] ?? 0)),
    trueProbability: round(p[row.trueFamily] ?? 0),
    ...meta,
  };
}

/** Six significant digits: float32 noise would only make the JSON longer. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}

function byNoteStr(a: { noteStr: string }, b: { noteStr: string }): number {
  return a.noteStr < b.noteStr ? -1 : a.noteStr > b.noteStr ? 1 : 0;
}

function binarySearch(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === key) return mid;
    if (v < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
