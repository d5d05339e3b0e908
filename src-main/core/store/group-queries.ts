import type { Statement } from 'better-sqlite3';
import type { CurveMetric } from '../../shared/group-compare';
import type { RunSummary } from '../../shared/training';
import type { Db } from './database';
import { SUMMARY_SELECT, summaryOf } from './run-rows';

// Reads for comparing groups of runs (issue 13), hundreds or thousands of runs at a time: each
// statement takes the run ids as one JSON array, so a comparison is a handful of queries whatever
// its size, never one per run.
const IDS = '(SELECT value FROM json_each(?))';

/** A run's last epoch and its best epoch (the same row when they coincide). */
export interface EpochEnds {
  runId: number;
  lastTrainLoss: number | null;
  lastValLoss: number | null;
  lastValAccuracy: number | null;
  bestValLoss: number | null;
}

/** A run's curve of one metric: its value at each epoch it logged, in epoch order. */
export interface RunSeries {
  epochs: number[];
  values: (number | null)[];
}

/** The metrics a run logs every epoch, and their columns. */
const SERIES_COLUMNS: Record<CurveMetric, string> = {
  trainLoss: 'train_loss',
  trainAccuracy: 'train_accuracy',
  valLoss: 'val_loss',
  valAccuracy: 'val_accuracy',
};

/** The newest test evaluation of a run's weights. */
export interface TestResult {
  runId: number;
  weights: 'best' | 'last';
  accuracy: number;
  loss: number;
}

/** The newest test evaluation of a run's best weights, to read its per-note predictions. */
export interface TestEvaluation {
  id: number;
  runId: number;
  datasetId: number | null;
}

/** How many runs predicted `predicted` for a note of family `trueFamily`. */
export type NoteTally = [noteStr: string, trueFamily: number, predicted: number, runs: number];

/** The statements of group comparisons, prepared once for a connection. */
export class GroupQueries {
  private readonly sql;

  constructor(db: Db) {
    const newestTest = (w: string) =>
      `e.id = (SELECT MAX(id) FROM evaluations x WHERE x.run_id = e.run_id AND x.split = 'test' AND x.weights = ${w})`;
    this.sql = {
      summaries: db.prepare<[string], string>(`${SUMMARY_SELECT} WHERE id IN ${IDS} ORDER BY id`).pluck(true),
      params: db
        .prepare<[string], [number, string, string]>(
          `SELECT run_id, key, value FROM run_params WHERE run_id IN ${IDS}`,
        )
        .raw(true),
      // Two epochs a run, each found by its key (not every epoch of every run read and tested):
      // its best and its last, the same epoch twice when they are one.
      ends: db
        .prepare<[string, string], [number, number, number, number | null, number | null, number | null]>(
          `SELECT r.id, 1, 0, e.train_loss, e.val_loss, e.val_accuracy
           FROM runs r JOIN epochs e ON e.run_id = r.id AND e.epoch = r.best_epoch
           WHERE r.id IN ${IDS}
           UNION ALL
           SELECT r.id, 0, 1, e.train_loss, e.val_loss, e.val_accuracy
           FROM runs r JOIN epochs e ON e.run_id = r.id
             AND e.epoch = (SELECT MAX(epoch) FROM epochs x WHERE x.run_id = r.id)
           WHERE r.id IN ${IDS}`,
        )
        .raw(true),
      tests: db.prepare<[string], TestResult>(
        `SELECT e.run_id AS runId, e.weights, e.accuracy, e.loss FROM evaluations e
         WHERE e.split = 'test' AND e.weights IN ('best', 'last') AND e.run_id IN ${IDS}
           AND ${newestTest('e.weights')}`,
      ),
      // One statement a metric: a chart of 100 runs x 200 epochs reads one column of 20,000 rows,
      // as one JSON array a run (a row a run is a third of the time of a row an epoch).
      series: Object.fromEntries(
        Object.entries(SERIES_COLUMNS).map(([metric, column]) => [
          metric,
          db
            .prepare<[string], [runId: number, epochs: string, values: string]>(
              `SELECT run_id, json_group_array(epoch), json_group_array(${column}) FROM
                 (SELECT run_id, epoch, ${column} FROM epochs WHERE run_id IN ${IDS} ORDER BY run_id, epoch)
               GROUP BY run_id`,
            )
            .raw(true),
        ]),
      ) as Record<CurveMetric, Statement<[string], [number, string, string]>>,
      testMatrices: db.prepare<[string], { runId: number; confusion: string; labels: string }>(
        `SELECT e.run_id AS runId, e.confusion, e.labels FROM evaluations e
         WHERE e.split = 'test' AND e.weights = 'best' AND e.run_id IN ${IDS} AND ${newestTest("'best'")}`,
      ),
      validationMatrices: db.prepare<[string], { runId: number; confusion: string }>(
        `SELECT e.run_id AS runId, e.confusion FROM epochs e
         WHERE e.run_id IN ${IDS} AND e.confusion IS NOT NULL
           AND e.epoch = (SELECT MAX(epoch) FROM epochs x WHERE x.run_id = e.run_id AND x.confusion IS NOT NULL)`,
      ),
      testEvaluations: db.prepare<[string], TestEvaluation>(
        `SELECT e.id, e.run_id AS runId, e.dataset_id AS datasetId FROM evaluations e
         WHERE e.split = 'test' AND e.weights = 'best' AND e.run_id IN ${IDS} AND ${newestTest("'best'")}`,
      ),
      tallies: db
        .prepare<[string], NoteTally>(
          `SELECT note_str, true_family, predicted_family, count(*) FROM predictions
           WHERE evaluation_id IN ${IDS} GROUP BY note_str, true_family, predicted_family`,
        )
        .raw(true),
      note: db.prepare<
        [string, string],
        { evaluationId: number; trueFamily: number; predicted: number; probabilities: Buffer }
      >(
        `SELECT evaluation_id AS evaluationId, true_family AS trueFamily, predicted_family AS predicted, probabilities
         FROM predictions WHERE note_str = ? AND evaluation_id IN ${IDS}`,
      ),
    };
  }

  /** The runs that exist among `ids`, as the runs table lists them, by id. */
  summaries(ids: readonly number[]): RunSummary[] {
    return this.sql.summaries.all(JSON.stringify(ids)).map(summaryOf);
  }

  /** Each run's flattened settings. */
  params(ids: readonly number[]): Map<number, Record<string, string | number | boolean | null>> {
    const out = new Map<number, Record<string, string | number | boolean | null>>();
    for (const id of ids) out.set(id, {});
    for (const [runId, key, value] of this.sql.params.all(JSON.stringify(ids)))
      out.get(runId)![key] = JSON.parse(value) as string | number | boolean | null;
    return out;
  }

  /** Each run's last epoch and the loss at its best epoch. */
  ends(ids: readonly number[]): Map<number, EpochEnds> {
    const out = new Map<number, EpochEnds>();
    const list = JSON.stringify(ids);
    for (const [runId, isBest, isLast, trainLoss, valLoss, valAccuracy] of this.sql.ends.all(list, list)) {
      const e = out.get(runId) ?? {
        runId,
        lastTrainLoss: null,
        lastValLoss: null,
        lastValAccuracy: null,
        bestValLoss: null,
      };
      if (isLast)
        Object.assign(e, { lastTrainLoss: trainLoss, lastValLoss: valLoss, lastValAccuracy: valAccuracy });
      if (isBest) e.bestValLoss = valLoss;
      out.set(runId, e);
    }
    return out;
  }

  /** The newest test evaluation of each run's best and last weights. */
  tests(ids: readonly number[]): TestResult[] {
    return this.sql.tests.all(JSON.stringify(ids));
  }

  /** One metric of every epoch of each run (runs without epochs are left out). */
  series(ids: readonly number[], metric: CurveMetric): Map<number, RunSeries> {
    const rows = this.sql.series[metric].all(JSON.stringify(ids));
    return new Map(
      rows.map(([id, epochs, values]) => [
        id,
        { epochs: JSON.parse(epochs) as number[], values: JSON.parse(values) as (number | null)[] },
      ]),
    );
  }

  /** The confusion matrix of each run's newest test evaluation of its best weights, with its labels. */
  testMatrices(ids: readonly number[]): { runId: number; matrix: number[][]; labels: string[] }[] {
    return this.sql.testMatrices.all(JSON.stringify(ids)).map((r) => ({
      runId: r.runId,
      matrix: JSON.parse(r.confusion) as number[][],
      labels: JSON.parse(r.labels) as string[],
    }));
  }

  /** Each run's newest validation confusion matrix. */
  validationMatrices(ids: readonly number[]): { runId: number; matrix: number[][] }[] {
    return this.sql.validationMatrices
      .all(JSON.stringify(ids))
      .map((r) => ({ runId: r.runId, matrix: JSON.parse(r.confusion) as number[][] }));
  }

  /** The newest test evaluation of each run's best weights. */
  testEvaluations(ids: readonly number[]): TestEvaluation[] {
    return this.sql.testEvaluations.all(JSON.stringify(ids));
  }

  /** Per note and predicted family, how many of the evaluations predicted it. */
  tallies(evaluationIds: readonly number[]): NoteTally[] {
    return this.sql.tallies.all(JSON.stringify(evaluationIds));
  }

  /** One note's prediction in each of the evaluations that have it. */
  note(noteStr: string, evaluationIds: readonly number[]) {
    return this.sql.note.all(noteStr, JSON.stringify(evaluationIds));
  }
}
