/** A classes x classes matrix of counts: rows = true class, columns = predicted. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![predicted[i]!]!++;
  return m;
}

// One definition of per-class scores for core and the renderer.
export { perClassMetrics } from '../../shared/class-metrics';

/** Share of the diagonal in a confusion matrix. */
export function accuracyOf(confusion: number[][]): number {
  const total = confusion.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  return total ? confusion.reduce((a, r, i) => a + r[i]!, 0) / total : 0;
}

/** An epoch's validation scores, as the best-epoch rule reads them (null: no validation split). */
export interface EpochScore {
  epoch: number;
  valAccuracy: number | null;
  valLoss: number | null;
}

// A missing or NaN loss counts as the worst (SQLite stores NaN as NULL).
const lossRank = (loss: number | null) => (loss === null || Number.isNaN(loss) ? Infinity : loss);

/**
 * The best-epoch rule, in one place for the trainer (which keeps the best weights) and the store
 * (which names the best epoch): the highest validation accuracy, ties to the lower validation loss,
 * then the earlier epoch; an epoch with validation scores beats one without; among epochs without
 * (no validation split) the latest. Negative when `a` is better than `b`.
 */
export function compareEpochs(a: EpochScore, b: EpochScore): number {
  if (a.valAccuracy === null || b.valAccuracy === null) {
    if (a.valAccuracy !== null) return -1;
    if (b.valAccuracy !== null) return 1;
    return b.epoch - a.epoch;
  }
  if (a.valAccuracy !== b.valAccuracy) return b.valAccuracy - a.valAccuracy;
  const [la, lb] = [lossRank(a.valLoss), lossRank(b.valLoss)];
  if (la !== lb) return la < lb ? -1 : 1;
  return a.epoch - b.epoch;
}

/** Whether `epoch` beats the best so far (none yet: it does) by compareEpochs. */
export function isBetterEpoch(epoch: EpochScore, best: EpochScore | null): boolean {
  return best === null || compareEpochs(epoch, best) < 0;
}

/** The best of a run's epochs by compareEpochs, or undefined when there is none. */
export function bestEpoch<T extends EpochScore>(epochs: readonly T[]): T | undefined {
  return epochs.reduce<T | undefined>(
    (best, e) => (best && compareEpochs(best, e) <= 0 ? best : e),
    undefined,
  );
}
