// Trains one run through the app (Workbench -> queue -> worker thread) and collects its epoch timings.
import type { Workbench } from '../../src-main/core/workbench';
import type { RunRequest } from '../../src-main/shared/contract';
import type { RunDetail } from '../../src-main/shared/training';

/** One committed epoch as the app reported it. */
export interface EpochTiming {
  epoch: number;
  /** Epoch wall time in the worker (training + validation). */
  seconds: number;
  /** Time the main side spent committing the epoch to SQLite. */
  dbSeconds: number;
  samplesPerSecond: number;
}

export interface WatchedRun {
  detail: RunDetail;
  epochs: EpochTiming[];
  /** From createRun to the run's end, including the feature cache if it had to be built. */
  wallSeconds: number;
  /** Test accuracy of the last epoch's weights (detail.testAccuracy is the best epoch's). */
  lastTestAccuracy: number | null;
}

/** Creates a run, waits for it to end and returns its record with per-epoch db and wall times. */
export async function trainAndWatch(
  wb: Workbench,
  request: RunRequest,
  onEpoch?: (e: EpochTiming) => void,
): Promise<WatchedRun> {
  const byRun = new Map<number, EpochTiming[]>();
  const unsubscribe = wb.subscribe((ev) => {
    if (ev.type !== 'run' || ev.event.type !== 'epoch') return;
    const e: EpochTiming = {
      epoch: ev.event.metrics.epoch,
      seconds: ev.event.metrics.seconds,
      dbSeconds: ev.event.dbSeconds,
      samplesPerSecond: ev.event.metrics.samplesPerSecond,
    };
    byRun.set(ev.runId, [...(byRun.get(ev.runId) ?? []), e]);
    onEpoch?.(e);
  });
  try {
    const t0 = performance.now();
    const run = await wb.createRun(request);
    const detail = await wb.waitForRun(run.id);
    const wallSeconds = (performance.now() - t0) / 1000;
    if (detail.status !== 'finished') {
      throw new Error(
        `run ${run.id} (${request.preset}) ended ${detail.status}: ${detail.error ?? 'no reason given'}`,
      );
    }
    const last = detail.evaluations.find((e) => e.weights === 'last' && e.split === 'test');
    return { detail, epochs: byRun.get(run.id) ?? [], wallSeconds, lastTestAccuracy: last?.accuracy ?? null };
  } finally {
    unsubscribe();
  }
}

/** sum(dbSeconds) / sum(epoch seconds), in percent. */
export function dbSharePct(epochs: EpochTiming[]): number | null {
  const wall = epochs.reduce((s, e) => s + e.seconds, 0);
  return wall > 0 ? (100 * epochs.reduce((s, e) => s + e.dbSeconds, 0)) / wall : null;
}
