import type { TrainConfig } from '../../shared/training';

/** What the learning rate of a step depends on. */
export type ScheduleConfig = Pick<TrainConfig, 'lr' | 'schedule' | 'warmup' | 'epochs'>;

// One-cycle as PyTorch's OneCycleLR defaults it: 30 % of the steps up from lr / 25, the rest down
// to that start / 10^4, both along a cosine.
const ONE_CYCLE_UP = 0.3;
const ONE_CYCLE_START = 25;
const ONE_CYCLE_END = 1e4;

const cosine = (from: number, to: number, t: number) => to + ((from - to) * (1 + Math.cos(Math.PI * t))) / 2;

/**
 * The learning rate of step `step` (from 0) of a run with `perEpoch` steps an epoch: a linear
 * warm-up over the first `warmup` epochs (from lr / steps up to lr), then the schedule over the
 * steps left. The same step always gets the same rate, so a resumed run goes on where it was.
 */
export function learningRateAt(c: ScheduleConfig, step: number, perEpoch: number): number {
  const total = Math.max(1, c.epochs * perEpoch);
  const warm = Math.min(total, Math.max(0, c.warmup) * perEpoch);
  if (step < warm) return (c.lr * (step + 1)) / warm;
  const left = total - warm;
  const t = left > 0 ? Math.min(1, (step - warm) / left) : 1;
  switch (c.schedule) {
    case 'constant':
      return c.lr;
    case 'step':
      return c.lr * (t >= 0.75 ? 0.01 : t >= 0.5 ? 0.1 : 1);
    case 'cosine':
      return cosine(c.lr, 0, t);
    case 'onecycle': {
      // As PyTorch counts: the peak at step 0.3 n - 1 of the n, the end at step n - 1.
      const start = c.lr / ONE_CYCLE_START;
      const s = step - warm;
      const peak = ONE_CYCLE_UP * left - 1;
      const end = left - 1;
      if (s <= peak) return cosine(start, c.lr, peak > 0 ? s / peak : 1);
      return cosine(c.lr, start / ONE_CYCLE_END, end > peak ? (s - peak) / (end - peak) : 1);
    }
    default:
      // Validation refuses other words; a new one must be written here, never trained as another.
      throw new Error(`no schedule "${String(c.schedule satisfies never)}"`);
  }
}

/** Whether every step of the run has the plain learning rate (nothing to set per step). */
export function constantRate(c: ScheduleConfig): boolean {
  return c.schedule === 'constant' && c.warmup === 0;
}
