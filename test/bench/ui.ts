// The UI part of the benchmark: with 10,000 runs in the database, the time until the runs table
// has rendered in Chromium, and the time until the compare view of 10 runs of 200 epochs has
// drawn its curves and matrices. Target: each under 300 ms, by the page's own clock until the
// frame that shows them is painted (painted.ts); what Playwright's steps saw is printed beside.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { SweepRepo } from '../../src-main/core/store/sweeps';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { startShell } from '../helpers/ui';
import type { BenchRow } from './datasets';
import {
  armNow,
  armOnLoad,
  medianTiming,
  paintedMs,
  playwrightLoadMs,
  settle,
  staticPageMs,
  TABLE_ROWS,
  timingNote,
  type UiTiming,
} from './painted';
import { benchGroupCurves, seedGroupRuns } from './ui-groups';
import { benchParallelCoords, serveParallelHarness } from './ui-parallel';
import { benchSweepUi } from './ui-sweeps';

const RUNS = 10_000;
/** Of them, one sweep's. */
const SWEEP_RUNS = 500;
const COMPARED = 10;
const EPOCHS = 200;

function matrix(seed: number): number[][] {
  return Array.from({ length: 11 }, (_, t) =>
    Array.from({ length: 11 }, (_, p) => (t === p ? 20 + ((seed + t) % 7) : (seed * (t + 1) * (p + 3)) % 4)),
  );
}

/**
 * Writes 10,000 finished runs (500 of them one sweep's) and 10 runs of 200 epochs straight into a
 * fresh store; returns the compared runs and the sweep.
 */
export function seed(home: string): { compared: number[]; sweep: number; grouped: number[] } {
  const db = openDatabase(path.join(home, 'timbre.db'));
  const ds = new DatasetRepo(db).save({
    name: 'bench',
    root: path.join(home, 'none'),
    fingerprint: 'f',
    notes: [],
    splits: {},
    skipped: [],
  });
  const runs = new RunRepo(db);
  const sweep = new SweepRepo(db).create('seeded', {
    name: 'seeded',
    base: { preset: 'seed-lstm' },
    method: 'grid',
    grid: { lr: Array.from({ length: SWEEP_RUNS / 2 }, (_, t) => +(1e-5 * (t + 1)).toPrecision(3)) },
    seeds: 2,
  });
  const make = (name: string, i: number, inSweep = false) =>
    runs.create({
      name,
      config: resolveTrainConfig(['seed-lstm', 'seed-blstm', 'logmel-lstm'][i % 3], {
        lr: [0.0008, 0.001, 0.0003][i % 3]!,
        epochs: EPOCHS,
      }),
      preset: 'seed-lstm',
      datasetId: ds.id,
      datasetFingerprint: 'f',
      appVersion: 'bench',
      sweep: inSweep ? { id: sweep, trial: Math.floor(i / 2), replicate: i % 2 } : undefined,
    });
  const compared: number[] = [];
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const id = make(`bulk ${i}`, i, i < SWEEP_RUNS);
      runs.end(id, 'finished');
      db.prepare('UPDATE runs SET test_accuracy = ?, best_val_accuracy = ? WHERE id = ?').run(
        (i % 97) / 100,
        (i % 89) / 100,
        id,
      );
    }
  })();
  for (let r = 0; r < COMPARED; r++) {
    const id = make(`compared ${r}`, r);
    runs.start(id, 'wasm', 'bench');
    for (let e = 1; e <= EPOCHS; e++) {
      runs.recordEpoch(
        id,
        {
          epoch: e,
          trainLoss: 2.4 / (1 + e / (20 + r)),
          trainAccuracy: 1 - 1 / (1 + e / (15 + r)),
          valLoss: 2.4 / (1 + e / (30 + r)) + e / 400,
          valAccuracy: 0.6 - 0.5 / (1 + e / 10),
          seconds: 30,
          samplesPerSecond: 85,
        },
        matrix(e + r),
        null,
      );
    }
    runs.end(id, 'finished');
    compared.push(id);
  }
  const grouped = seedGroupRuns(db, runs, ds.id);
  db.close();
  return { compared, sweep, grouped };
}

/** Runs the UI timings in Chromium against the browser shell; returns rows for the report. */
export async function benchUi(work: string): Promise<{
  rows: BenchRow[];
  runsTable: UiTiming;
  compare: UiTiming;
  sweepCreate: UiTiming;
  sweepTable: UiTiming;
  groupCurves: UiTiming;
  staticPageMs: number;
  parallelMs: number;
}> {
  const home = path.join(work, 'ui-home');
  fs.mkdirSync(home, { recursive: true });
  const { compared, sweep, grouped } = seed(home);
  // The server renders its default data set on first start (a fresh home): wait for it, so that
  // the timings are of the UI and not of that render competing for the CPU (a workbench with
  // 10,000 runs has long had its default data set).
  const shell = await startShell({ home });
  try {
    const { page } = shell;
    const staticMs = await staticPageMs(page);
    // Every page load from here on notes when the runs table's first rows were painted.
    await armOnLoad(page, 'table', [TABLE_ROWS]);
    const tableTimes: UiTiming[] = [];
    const compareTimes: UiTiming[] = [];
    for (let i = 0; i < 3; i++) {
      // From a reload (all runs fetched, sorted and laid out) to the first rows on screen; then
      // the same load as Playwright's steps see it.
      await page.goto('about:blank');
      await page.goto(`${shell.origin}/#/runs`);
      const ms = await paintedMs(page, 'table');
      tableTimes.push({
        ms,
        playwrightMs: await playwrightLoadMs(page, `${shell.origin}/#/runs`, TABLE_ROWS),
      });
      // From the runs table to the comparison drawn (the app loaded and settled, as a user meets
      // it; so is Playwright's script, by the load above).
      await settle(page);
      await armNow(page, 'compare', [
        `[data-testid="matrices"] figure:nth-of-type(${COMPARED})`,
        '[data-testid="compare-chart"] canvas',
      ]);
      const t1 = Date.now();
      await page.evaluate((ids) => (location.hash = `#/compare?ids=${ids}`), compared.join(','));
      await page
        .getByTestId('matrices')
        .locator('figure')
        .nth(COMPARED - 1)
        .waitFor();
      await page.locator('canvas').first().waitFor();
      const comparePlaywrightMs = Date.now() - t1;
      compareTimes.push({ ms: await paintedMs(page, 'compare'), playwrightMs: comparePlaywrightMs });
    }
    const rowsShown = await page.goto(`${shell.origin}/#/runs`).then(() => page.locator(TABLE_ROWS).count());
    const runsTable = medianTiming(tableTimes);
    const compare = medianTiming(compareTimes);
    const sweeps = await benchSweepUi(page, shell.origin, sweep, staticMs);
    const groups = await benchGroupCurves(page, shell.origin, grouped, staticMs);
    // Last: the page leaves the app for the harness page of the parallel coordinates.
    const harness = await serveParallelHarness();
    const parallel = await benchParallelCoords(page, harness.origin).finally(() => harness.close());
    return {
      groupCurves: groups.timing,
      parallelMs: parallel.drawnMs,
      runsTable,
      compare,
      sweepCreate: sweeps.create,
      sweepTable: sweeps.filtered,
      staticPageMs: staticMs,
      rows: [
        {
          what: `runs table rendered, ${RUNS} runs (page load until painted)`,
          value: runsTable.ms,
          unit: 'ms',
          note: timingNote(runsTable, staticMs, `; ${rowsShown} rows in the DOM`),
        },
        {
          what: `compare view, ${COMPARED} runs x ${EPOCHS} epochs (until painted)`,
          value: compare.ms,
          unit: 'ms',
          note: timingNote(compare, staticMs),
        },
        ...sweeps.rows,
        ...groups.rows,
        ...parallel.rows,
      ],
    };
  } finally {
    await shell.close();
  }
}
