import type { Split } from '../../shared/constants';
import type { ClassMetrics, Evaluation } from '../../shared/training';
import type { Db } from './database';
import { evaluationOf, now } from './run-rows';

/** An evaluation to record, with every note's prediction. */
export interface NewEvaluation {
  runId: number | null;
  weights: Evaluation['weights'];
  epoch: number | null;
  modelDir: string;
  datasetId: number | null;
  datasetFingerprint: string;
  split: Split;
  loss: number;
  accuracy: number;
  perClass: ClassMetrics[];
  confusion: number[][];
  labels: string[];
  predictions: { noteStr: string; trueFamily: number; predicted: number; probabilities: Float32Array }[];
}

/**
 * Each note's prediction from an evaluation's parallel arrays, as an evaluation is recorded;
 * `probabilities` holds `classes` values per note, in the notes' order (views, not copies).
 */
export function notePredictions(
  noteStrs: readonly string[],
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  probabilities: Float32Array,
  classes: number,
): NewEvaluation['predictions'] {
  return noteStrs.map((noteStr, i) => ({
    noteStr,
    trueFamily: truth[i]!,
    predicted: predicted[i]!,
    probabilities: probabilities.subarray(i * classes, (i + 1) * classes),
  }));
}

/** Evaluations of models (a run's best or last weights, or any model folder) and their predictions. */
export class EvaluationRepo {
  private readonly deletePredictions;
  private readonly deleteEarlier;
  private readonly insert;
  private readonly insertPrediction;
  private readonly testAccuracy;
  private readonly ofRun;
  private readonly byId;

  constructor(private readonly db: Db) {
    const earlier = `SELECT id FROM evaluations WHERE run_id = ? AND split = ? AND weights = ?`;
    this.deletePredictions = db.prepare(`DELETE FROM predictions WHERE evaluation_id IN (${earlier})`);
    this.deleteEarlier = db.prepare(`DELETE FROM evaluations WHERE id IN (${earlier})`);
    this.insert = db.prepare(
      `INSERT INTO evaluations (run_id, model_dir, weights, epoch, dataset_id, dataset_fingerprint, split, loss, accuracy, per_class, confusion, labels, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertPrediction = db.prepare(
      'INSERT INTO predictions (evaluation_id, note_str, true_family, predicted_family, probabilities) VALUES (?, ?, ?, ?, ?)',
    );
    this.testAccuracy = db.prepare('UPDATE runs SET test_accuracy = ? WHERE id = ?');
    this.ofRun = db.prepare<[number], Record<string, unknown>>(
      'SELECT * FROM evaluations WHERE run_id = ? ORDER BY id',
    );
    this.byId = db.prepare<[number], Record<string, unknown>>('SELECT * FROM evaluations WHERE id = ?');
  }

  /**
   * Records an evaluation and every note's prediction in one transaction; returns its id. A run's
   * best or last weights have one evaluation per split: a new one replaces the earlier (a resumed
   * run evaluates again). External evaluations (`timbre test`) are each kept.
   */
  record(e: NewEvaluation): number {
    return this.db.transaction(() => {
      if (e.runId !== null && e.weights !== 'external') {
        // Predictions go with their evaluation whether or not foreign keys are enforced.
        this.deletePredictions.run(e.runId, e.split, e.weights);
        this.deleteEarlier.run(e.runId, e.split, e.weights);
      }
      const evalId = Number(
        this.insert.run(
          e.runId,
          e.modelDir,
          e.weights,
          e.epoch,
          e.datasetId,
          e.datasetFingerprint,
          e.split,
          e.loss,
          e.accuracy,
          JSON.stringify(e.perClass),
          JSON.stringify(e.confusion),
          JSON.stringify(e.labels),
          now(),
        ).lastInsertRowid,
      );
      for (const p of e.predictions) {
        this.insertPrediction.run(
          evalId,
          p.noteStr,
          p.trueFamily,
          p.predicted,
          Buffer.from(p.probabilities.buffer, p.probabilities.byteOffset, p.probabilities.byteLength),
        );
      }
      if (e.runId !== null && e.weights === 'best' && e.split === 'test') {
        this.testAccuracy.run(e.accuracy, e.runId);
      }
      return evalId;
    })();
  }

  /** The evaluations of a run, oldest first. */
  list(runId: number): Evaluation[] {
    return this.ofRun.all(runId).map(evaluationOf);
  }

  /** One evaluation by its id. */
  get(id: number): Evaluation | undefined {
    const row = this.byId.get(id);
    return row && evaluationOf(row);
  }
}
