import { bestEpoch } from '../training/metrics';
import type { EpochMetrics } from '../../shared/training';
import type { Db } from './database';
import type { EpochRow } from './run-rows';

/** The epochs of runs: metrics, validation confusion and per-note validation predictions. */
export class EpochRepo {
  private readonly insert;
  private readonly insertPredicted;
  private readonly scores;
  private readonly progress;
  private readonly ofRun;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO epochs (run_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy, seconds, samples_per_s, confusion)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertPredicted = db.prepare(
      'INSERT OR REPLACE INTO epoch_predictions (run_id, epoch, predicted) VALUES (?, ?, ?)',
    );
    this.scores = db.prepare<
      [number],
      { epoch: number; val_accuracy: number | null; val_loss: number | null }
    >('SELECT epoch, val_accuracy, val_loss FROM epochs WHERE run_id = ?');
    this.progress = db.prepare(
      'UPDATE runs SET epochs_done = ?, best_epoch = ?, best_val_accuracy = ? WHERE id = ?',
    );
    this.ofRun = db.prepare<[number], EpochRow>(
      `SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy, seconds, samples_per_s, confusion
       FROM epochs WHERE run_id = ? ORDER BY epoch`,
    );
  }

  /**
   * Writes one finished epoch (metrics, validation confusion, per-note validation predictions) and
   * the run's progress and best epoch. The caller holds the transaction.
   */
  record(runId: number, m: EpochMetrics, confusion: number[][] | null, predicted: Uint8Array | null): void {
    this.insert.run(
      runId,
      m.epoch,
      m.trainLoss,
      m.trainAccuracy,
      m.valLoss,
      m.valAccuracy,
      m.seconds,
      m.samplesPerSecond,
      confusion && JSON.stringify(confusion),
    );
    if (predicted) {
      this.insertPredicted.run(
        runId,
        m.epoch,
        Buffer.from(predicted.buffer, predicted.byteOffset, predicted.byteLength),
      );
    }
    const scores = this.scores
      .all(runId)
      .map((r) => ({ epoch: r.epoch, valAccuracy: r.val_accuracy, valLoss: r.val_loss }));
    const best = bestEpoch(scores)!;
    this.progress.run(m.epoch, best.epoch, best.valAccuracy, runId);
  }

  /** A run's epochs, oldest first. */
  rows(runId: number): EpochRow[] {
    return this.ofRun.all(runId);
  }
}
