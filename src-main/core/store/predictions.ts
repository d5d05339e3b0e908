import type { Split } from '../../shared/constants';
import type { Db } from './database';

/** One note's prediction in an evaluation; `probabilities` holds the classes' float32 values. */
export interface RecordedPrediction {
  noteStr: string;
  trueFamily: number;
  predicted: number;
  probabilities: Buffer;
}

/** A prediction with its note's facts from the data set: null when the data set does not have the note. */
export interface PredictionWithNote extends RecordedPrediction {
  pitch: number | null;
  velocity: number | null;
  instrumentStr: string | null;
  source: number | null;
}

/** The validation predictions of a run after one epoch: a family index per note, notes by note_str. */
export interface EpochPredictionRow {
  epoch: number;
  predicted: Buffer;
}

const PREDICTION =
  'note_str AS noteStr, true_family AS trueFamily, predicted_family AS predicted, probabilities';

/** Reads the per-note predictions of evaluations and of runs' epochs. */
export class PredictionRepo {
  private readonly ofEvaluation;
  private readonly joined;
  private readonly families;
  private readonly ofEpochs;
  private readonly ofEpoch;
  private readonly anyEpoch;

  constructor(db: Db) {
    this.ofEvaluation = db.prepare<[number], RecordedPrediction>(
      `SELECT ${PREDICTION} FROM predictions WHERE evaluation_id = ? ORDER BY note_str`,
    );
    this.joined = db.prepare<[number, string, number], PredictionWithNote>(
      `SELECT p.note_str AS noteStr, p.true_family AS trueFamily, p.predicted_family AS predicted,
              p.probabilities, n.pitch, n.velocity, n.instrument_str AS instrumentStr, n.source
       FROM predictions p
       LEFT JOIN dataset_notes n ON n.dataset_id = ? AND n.split = ? AND n.note_str = p.note_str
       WHERE p.evaluation_id = ?`,
    );
    this.families = db.prepare<[number], { noteStr: string; family: number }>(
      'SELECT note_str AS noteStr, true_family AS family FROM predictions WHERE evaluation_id = ?',
    );
    this.ofEpochs = db.prepare<[number], EpochPredictionRow>(
      'SELECT epoch, predicted FROM epoch_predictions WHERE run_id = ? ORDER BY epoch',
    );
    this.ofEpoch = db.prepare<[number, number], { predicted: Buffer }>(
      'SELECT predicted FROM epoch_predictions WHERE run_id = ? AND epoch = ?',
    );
    this.anyEpoch = db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM epoch_predictions WHERE run_id = ?',
    );
  }

  /** Every note's prediction in an evaluation, by note_str. */
  evaluation(evaluationId: number): RecordedPrediction[] {
    return this.ofEvaluation.all(evaluationId);
  }

  /**
   * Every note's prediction in an evaluation, each with its note's facts from the `split` of the
   * data set (none when `datasetId` is null), in no particular order.
   */
  evaluationWithNotes(evaluationId: number, datasetId: number | null, split: Split): PredictionWithNote[] {
    return this.joined.all(datasetId ?? -1, split, evaluationId);
  }

  /** The notes an evaluation predicted, each with its true family, in no particular order. */
  evaluationNotes(evaluationId: number): { noteStr: string; family: number }[] {
    return this.families.all(evaluationId);
  }

  /** A run's validation predictions after each epoch, oldest first. */
  epochs(runId: number): EpochPredictionRow[] {
    return this.ofEpochs.all(runId);
  }

  /** A run's validation predictions after one epoch; undefined when it recorded none. */
  epoch(runId: number, epoch: number): Buffer | undefined {
    return this.ofEpoch.get(runId, epoch)?.predicted;
  }

  /** Whether a run recorded validation predictions after any epoch. */
  hasEpochs(runId: number): boolean {
    return this.anyEpoch.get(runId)!.n > 0;
  }
}
