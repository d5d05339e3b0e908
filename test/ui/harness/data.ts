// Synthetic runs of a sweep for the harness of the sweep components (parallel coordinates,
// scatter, importance): the page and the test build the same runs from the same seed.
import type { GroupPoint, SettingImportance } from '../../../src-main/shared/group-compare';
import { mulberry32 } from '../../../src-main/shared/random';

export const LRS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
export const TYPES = ['mlp', 'cnn', 'lstm', 'blstm'];
export const HIDDEN = [32, 64, 128, 256];
/** The settings the runs vary, in axis order. */
export const SETTINGS = ['lr', 'model.type', 'hidden', 'dropout', 'augment'];
/** The one run of type "gru" (a line and a column of its own), its hidden size. */
export const LONE = { id: 7, type: 'gru', hidden: 64 };

/** `n` runs with ids 1..n: lr on a log grid, four model types (and one gru), some without hidden size or test accuracy. */
export function syntheticRuns(n: number, seed = 13): GroupPoint[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const id = i + 1;
    const lr = pick(LRS);
    const type = id === LONE.id ? LONE.type : pick(TYPES);
    const hidden = id === LONE.id ? LONE.hidden : rnd() < 0.06 ? null : pick(HIDDEN);
    const dropout = Math.round(rnd() * 50) / 100;
    const augment = rnd() < 0.5;
    const good = 1 - Math.abs(Math.log10(lr) + 3) / 3;
    const acc = Math.min(
      0.95,
      Math.max(0.05, 0.35 + 0.3 * good + (type === 'lstm' ? 0.05 : 0) + rnd() * 0.12),
    );
    return {
      id,
      name: `run ${id} ${type} lr ${lr}`,
      group: type,
      values: { lr, 'model.type': type, hidden, dropout, augment },
      metrics: {
        testAccuracy: rnd() < 0.02 ? null : acc,
        testAccuracyLast: acc - 0.01,
        bestValAccuracy: Math.min(0.99, acc + 0.03),
        lastValAccuracy: acc,
        bestValLoss: 2.2 - 1.8 * acc + rnd() * 0.1,
        lastValLoss: 2.3 - 1.8 * acc,
        lastTrainLoss: 1.5 - acc,
        testLoss: 2.2 - 1.8 * acc,
        seconds: 30 + rnd() * 600,
      },
    };
  });
}

/** Importance as compareGroups would answer it (made up: the forest's shares sum to 1). */
export const IMPORTANCE: SettingImportance[] = [
  { key: 'dropout', correlation: -0.08, forest: 0.07 },
  { key: 'lr', correlation: 0.31, forest: 0.58 },
  { key: 'model.type', correlation: 0.42, forest: 0.24 },
  { key: 'hidden', correlation: -0.12, forest: 0.08 },
  { key: 'augment', correlation: null, forest: 0.03 },
];
