import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { FAMILIES } from '../../src-main/shared/constants';
import type { RunRequest } from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import type { DatasetSummary } from '../../src-main/shared/types';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let home: string;
let cleanup: () => void;
let shell: Shell;
let failedId: number;

/** A shrunk log-mel LSTM on the tiny set: an epoch takes about a second here. */
const shrunk = (epochs: number, name: string): RunRequest => ({
  preset: 'logmel-lstm',
  name,
  overrides: { model: { hidden: 8, layers: 1 }, epochs, batch: 4, features: { maxPerFamily: 0 } },
});

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-run-detail-'));
  const wb = new Workbench({ home });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.close();
  // A run that failed, written straight into the store.
  const db = openDatabase(path.join(home, 'timbre.db'));
  const dataset = new DatasetRepo(db).find('default')!;
  const runs = new RunRepo(db);
  failedId = runs.create({
    name: 'diverged',
    config: resolveTrainConfig('seed-lstm', { epochs: 5, lr: 5 }),
    preset: 'seed-lstm',
    datasetId: dataset.id,
    datasetFingerprint: dataset.fingerprint,
    appVersion: '0.1.0',
  });
  runs.start(failedId, 'wasm', '4.22.0');
  runs.end(
    failedId,
    'failed',
    'The loss became NaN at epoch 1, batch 3: training diverged. Try a lower learning rate.\n    at trainStep (trainer.ts:230)',
  );
  db.close();
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

const view = () => shell.page.locator('.view.run-detail');

describe('the run detail view', () => {
  it('follows a run live, then shows its test results and confusion matrix', async () => {
    const { page } = shell;
    const epochs = 12;
    const run = await shell.call<RunSummary>('createRun', shrunk(epochs, 'watched'));
    await page.goto(`${shell.origin}/#/runs/${run.id}`);
    await expect.poll(() => view().getAttribute('data-status'), { timeout: 60_000 }).toBe('running');
    await page
      .locator('canvas')
      .first()
      .evaluate((c) => (c.dataset.mark = 'first'));

    // Sample the progress line and the loss chart while it trains.
    const seen = { epochs: new Set<number>(), points: new Set<number>(), bars: new Set<string>() };
    let shot = false;
    for (let t = Date.now(); Date.now() - t < 90_000;) {
      if ((await view().getAttribute('data-status')) === 'finished') break;
      const epoch = await page
        .getByTestId('epoch')
        .getAttribute('data-epoch', { timeout: 500 })
        .catch(() => null);
      if (epoch) seen.epochs.add(Number(epoch));
      const bar = await page
        .getByTestId('progress')
        .getByRole('progressbar')
        .getAttribute('aria-valuenow', { timeout: 500 })
        .catch(() => null);
      if (bar) seen.bars.add(bar);
      seen.points.add(Number(await page.getByTestId('loss-chart').getAttribute('data-points')));
      if (!shot && seen.epochs.size >= 3) {
        await shell.shot('run-detail-live');
        shot = true;
      }
      await page.waitForTimeout(150);
    }
    expect(await view().getAttribute('data-status')).toBe('finished');
    // The epoch count and the bar advanced, and the curves grew point by point on the same canvas.
    expect(seen.epochs.size).toBeGreaterThanOrEqual(3);
    expect(seen.bars.size).toBeGreaterThanOrEqual(3);
    expect([...seen.points].filter((n) => n > 0 && n < epochs).length).toBeGreaterThanOrEqual(3);
    expect(await page.locator('canvas').first().getAttribute('data-mark')).toBe('first');
    await expect
      .poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 15_000 })
      .toBe(String(epochs));

    // Test accuracy with the best-validation and the last weights, side by side.
    await expect.poll(() => page.getByTestId('test-best').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('test-last').textContent()).toMatch(/last-epoch weights, epoch 12/);

    // The matrix: 11 families on both axes, its counts add up to the test notes.
    const [dataset] = await shell.call<DatasetSummary[]>('listDatasets');
    const matrix = page.getByTestId('confusion');
    expect(await matrix.locator('.row-head').allTextContents()).toEqual([...FAMILIES]);
    expect(await matrix.locator('.col-head:not(.total)').allTextContents()).toEqual([...FAMILIES]);
    const counts = await matrix
      .locator('button.cell')
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-count'))));
    expect(counts).toHaveLength(121);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(dataset!.splits.test!.notes);
    expect(await matrix.locator('button.cell').nth(3).getAttribute('title')).toMatch(
      /^\d+ bass notes? predicted as guitar \(\d+ %\)$/,
    );
    // Cells are reachable by keyboard: one tab stop, arrows move, the readout follows.
    await matrix.locator('button.cell').first().focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator(':focus').getAttribute('data-pred')).toBe('1');
    expect(await matrix.locator('.readout').textContent()).toMatch(/^\d+ bass notes? predicted as brass/);
    expect(await page.getByLabel('Which confusion matrix').inputValue()).toMatch(/^eval:/);
    expect(await page.getByTestId('per-class').locator('tbody tr').count()).toBe(11);

    await page.setViewportSize({ width: 1280, height: 1500 });
    await shell.shot('run-detail-finished');
    await matrix.locator('button.cell').nth(12).hover();
    await page.getByRole('radio', { name: 'row %' }).click();
    await page.getByLabel('Which confusion matrix').selectOption({ label: 'validation · epoch 3' });
    await shell.shot('run-detail-validation-normalized');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('saves the name, notes and tags', async () => {
    const { page } = shell;
    const id = Number(await view().getAttribute('data-run'));
    await page.getByLabel('Run name').fill('watched, renamed');
    await page.getByLabel('Run name').press('Enter');
    await expect
      .poll(() => page.locator('[data-save]').first().getAttribute('data-save'), { timeout: 10_000 })
      .toBe('saved');
    await page.getByLabel('Add a tag').fill('baseline');
    await page.getByLabel('Add a tag').press('Enter');
    await page.getByLabel('Notes', { exact: true }).fill('val loss flat after epoch 4');
    await page.getByLabel('Notes', { exact: true }).blur();
    await expect
      .poll(
        async () => {
          const r = await shell.call<RunDetail>('getRun', id);
          return [r.name, r.tags, r.notes];
        },
        { timeout: 10_000 },
      )
      .toEqual(['watched, renamed', ['baseline'], 'val loss flat after epoch 4']);
    await page.reload();
    await expect
      .poll(() => page.getByLabel('Run name').inputValue(), { timeout: 10_000 })
      .toBe('watched, renamed');
  });

  it("keeps a name or notes being typed while a tag's save replaces the record", async () => {
    const { page } = shell;
    const id = Number(await view().getAttribute('data-run'));
    // Each tag's save is held until the other field has been typed into (and still has the focus).
    let release!: () => void;
    await page.route('**/api/updateRun', async (route) => {
      if (route.request().postData()?.includes('"tags"'))
        await new Promise<void>((resolve) => (release = resolve));
      await route.continue().catch(() => {});
    });
    const tagSaved = async (tag: string) => {
      release();
      await expect
        .poll(async () => (await shell.call<RunDetail>('getRun', id)).tags, { timeout: 10_000 })
        .toContain(tag);
      await expect.poll(() => page.getByTestId('tags').textContent(), { timeout: 10_000 }).toContain(tag);
    };
    try {
      await page.getByLabel('Add a tag').fill('held');
      await page.getByLabel('Add a tag').press('Enter');
      const notes = page.getByLabel('Notes', { exact: true });
      await notes.fill('typed while a tag was being saved');
      await tagSaved('held');
      expect(await notes.inputValue()).toBe('typed while a tag was being saved');
      await notes.blur();
      await expect
        .poll(async () => (await shell.call<RunDetail>('getRun', id)).notes, { timeout: 10_000 })
        .toBe('typed while a tag was being saved');

      await page.getByLabel('Add a tag').fill('held again');
      await page.getByLabel('Add a tag').press('Enter');
      await page.getByLabel('Run name').fill('renamed while a tag was being saved');
      await tagSaved('held again');
      expect(await page.getByLabel('Run name').inputValue()).toBe('renamed while a tag was being saved');
      await page.getByLabel('Run name').press('Enter');
      await expect
        .poll(async () => (await shell.call<RunDetail>('getRun', id)).name, { timeout: 10_000 })
        .toBe('renamed while a tag was being saved');
    } finally {
      release?.();
      await page.unroute('**/api/updateRun');
    }
  });

  it('cancels a training run and resumes it', async () => {
    const { page } = shell;
    const run = await shell.call<RunSummary>('createRun', shrunk(200, 'long'));
    await page.goto(`${shell.origin}/#/runs/${run.id}`);
    await expect
      .poll(() => page.getByTestId('loss-chart').getAttribute('data-points'), { timeout: 60_000 })
      .not.toBe('0');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => view().getAttribute('data-status'), { timeout: 20_000 }).toBe('cancelled');
    expect(await page.getByText(/Cancelled after \d+ epochs?/).isVisible()).toBe(true);
    await shell.shot('run-detail-cancelled');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => view().getAttribute('data-status'), { timeout: 20_000 })
      .toMatch(/queued|running/);
    await shell.call('cancelRun', run.id);
    await expect.poll(() => view().getAttribute('data-status'), { timeout: 20_000 }).toBe('cancelled');
  });

  it('says in one sentence why a run failed, with the details folded', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/${failedId}`);
    const alert = page.locator('.failure');
    await expect
      .poll(() => alert.locator('.why').textContent(), { timeout: 10_000 })
      .toBe(
        'This run failed: The loss became NaN at epoch 1, batch 3: training diverged. Try a lower learning rate.',
      );
    expect(await alert.locator('pre').first().isVisible()).toBe(false);
    await alert.getByText('Details').click();
    expect(await alert.locator('pre').first().textContent()).toMatch(/at trainStep/);
    await shell.shot('run-detail-failed');
  });

  it('says so when there is no such run', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/4242`);
    await expect.poll(() => page.getByText('No run 4242.').isVisible(), { timeout: 10_000 }).toBe(true);
  });
});
