// The groups part of the UI benchmark (issue 13): in Chromium against the browser shell, the time
// from opening the groups view of 20 configurations x 5 seeds of 200 epochs each until their
// curves are drawn (mean line and band per group). Target: under 300 ms.
import type { Page } from 'playwright-core';
import type { Db } from '../../src-main/core/store/database';
import type { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import type { BenchRow } from './datasets';
import { armNow, medianTiming, paintedMs, settle, TABLE_ROWS, timingNote, type UiTiming } from './painted';

const GROUPS = 20;
const SEEDS = 5;
const EPOCHS = 200;

/** Writes 20 configurations (learning rates) x 5 seeds of finished runs of 200 epochs; returns their ids. */
export function seedGroupRuns(db: Db, runs: RunRepo, datasetId: number): number[] {
  const ids: number[] = [];
  db.transaction(() => {
    for (let g = 0; g < GROUPS; g++) {
      for (let s = 0; s < SEEDS; s++) {
        const id = runs.create({
          name: `group ${g} seed ${s}`,
          config: resolveTrainConfig('seed-lstm', {
            lr: +(1e-4 * (g + 1)).toPrecision(3),
            seed: s,
            epochs: EPOCHS,
          }),
          preset: 'seed-lstm',
          datasetId,
          datasetFingerprint: 'f',
          appVersion: 'bench',
        });
        runs.start(id, 'wasm', 'bench');
        for (let e = 1; e <= EPOCHS; e++) {
          const k = 10 + g + s / 2;
          runs.recordEpoch(
            id,
            {
              epoch: e,
              trainLoss: 2.4 / (1 + e / k),
              trainAccuracy: 1 - 1 / (1 + e / k),
              valLoss: 2.4 / (1 + e / (k + 5)) + e / 500,
              valAccuracy: 0.62 - 0.5 / (1 + e / k) + s * 0.004,
              seconds: 30,
              samplesPerSecond: 85,
            },
            null,
            null,
          );
        }
        runs.end(id, 'finished');
        ids.push(id);
      }
    }
  })();
  return ids;
}

/** Times the groups view of the seeded runs, from its address until the 20 groups' curves are painted. */
export async function benchGroupCurves(
  page: Page,
  origin: string,
  ids: number[],
  staticMs: number,
): Promise<{ rows: BenchRow[]; timing: UiTiming }> {
  const drawn = `[data-testid="group-curves"][data-bands="${GROUPS}"][data-loading="no"] canvas`;
  const times: UiTiming[] = [];
  for (let i = 0; i < 3; i++) {
    // From the runs table (the app loaded, as a user meets it) to the curves drawn.
    await page.goto(`${origin}/#/runs`);
    await page.locator(TABLE_ROWS).first().waitFor();
    await settle(page);
    await armNow(page, 'groups', [drawn]);
    const t0 = Date.now();
    await page.evaluate((list) => (location.hash = `#/groups?ids=${list}&by=configuration`), ids.join(','));
    await page.locator(drawn).first().waitFor();
    const playwrightMs = Date.now() - t0;
    times.push({ ms: await paintedMs(page, 'groups'), playwrightMs });
  }
  const timing = medianTiming(times);
  return {
    timing,
    rows: [
      {
        what: `group curves, ${GROUPS} groups x ${SEEDS} runs x ${EPOCHS} epochs (from the address until painted)`,
        value: timing.ms,
        unit: 'ms',
        note: timingNote(timing, staticMs),
      },
    ],
  };
}
