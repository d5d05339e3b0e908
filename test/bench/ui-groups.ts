// The groups part of the UI benchmark (issue 13): in Chromium against the browser shell, the time
// from opening the groups view of 20 configurations x 5 seeds of 200 epochs each until their
// curves are drawn (mean line and band per group). Target: under 300 ms.
import type { Page } from 'playwright-core';
import type { Db } from '../../src-main/core/store/database';
import type { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import type { BenchRow } from './datasets';

const GROUPS = 20;
const SEEDS = 5;
const EPOCHS = 200;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

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

/** Times the groups view of the seeded runs, from its address until the 20 groups' curves are drawn. */
export async function benchGroupCurves(
  page: Page,
  origin: string,
  ids: number[],
): Promise<{ rows: BenchRow[]; ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    // From the runs table (the app loaded, as a user meets it) to the curves drawn.
    await page.goto(`${origin}/#/runs`);
    await page.locator('[data-testid="runs-table"] tr[data-id]').first().waitFor();
    const t0 = Date.now();
    await page.evaluate((list) => (location.hash = `#/groups?ids=${list}&by=configuration`), ids.join(','));
    await page
      .locator(`[data-testid="group-curves"][data-bands="${GROUPS}"][data-loading="no"] canvas`)
      .first()
      .waitFor();
    times.push(Date.now() - t0);
  }
  const ms = median(times);
  return {
    ms,
    rows: [
      {
        what: `group curves, ${GROUPS} groups x ${SEEDS} runs x ${EPOCHS} epochs (from the address)`,
        value: ms,
        unit: 'ms',
        note: 'target < 300',
      },
    ],
  };
}
