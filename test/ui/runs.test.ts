import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig, type TrainOverrides } from '../../src-main/core/training/config';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { unpackRuns, type PackedRuns } from '../../src-main/shared/run-list';

const BULK = 10_000;
let home: string;
let cleanup: () => void;
let shell: Shell;
const ids: Record<string, number> = {};

// Five named runs (tagged "named") on top of 10,000 finished ones, written straight into the store.
function seed(): void {
  const db = openDatabase(path.join(home, 'timbre.db'));
  const dataset = new DatasetRepo(db).find('default')!;
  const runs = new RunRepo(db);
  const make = (name: string, overrides: TrainOverrides, preset = 'seed-lstm') =>
    runs.create({
      name,
      config: resolveTrainConfig(preset, { epochs: 5, ...overrides }),
      preset,
      datasetId: dataset.id,
      datasetFingerprint: dataset.fingerprint,
      appVersion: '0.1.0',
    });
  db.transaction(() => {
    for (let i = 1; i <= BULK; i++) {
      const id = make(`bulk ${i}`, { lr: [0.0008, 0.001, 0.0003][i % 3]!, batch: [16, 32, 64][i % 3]! });
      runs.end(id, 'finished');
    }
  })();
  const finish = (id: number, val: number, test: number | null) => {
    runs.start(id, 'wasm', '4.22.0');
    runs.recordEpoch(
      id,
      {
        epoch: 1,
        trainLoss: 1,
        trainAccuracy: val,
        valLoss: 1,
        valAccuracy: val,
        seconds: 2,
        samplesPerSecond: 300,
      },
      null,
      null,
    );
    runs.end(id, 'finished');
    db.prepare('UPDATE runs SET test_accuracy = ? WHERE id = ?').run(test, id);
  };
  ids.alpha = make('alpha', { lr: 0.002, model: { hidden: 64 } });
  finish(ids.alpha, 0.6, 0.72);
  ids.beta = make('beta', { lr: 0.0008 }, 'seed-blstm');
  finish(ids.beta, 0.5, 0.55);
  ids.gamma = make('gamma', { batch: 64 });
  runs.start(ids.gamma, 'cpu', '4.22.0');
  runs.end(ids.gamma, 'failed', 'Out of memory in epoch 1');
  // Owned by this live test process, so the server keeps it "running".
  ids.delta = make('delta', {});
  runs.start(ids.delta, 'wasm', '4.22.0');
  ids.epsilon = make('epsilon', { optimizer: 'sgd' });
  runs.end(ids.epsilon, 'cancelled');
  for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon'])
    runs.update(ids[name]!, { tags: ['named'] });
  db.close();
}

const names = () => shell.page.locator('tr[data-id] td.name a').allTextContents();
const count = () => shell.page.getByTestId('runs-count').textContent();

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-runs-'));
  // Register the shared tiny set as the default one, so the server has nothing to render.
  const wb = new Workbench({ home });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.close();
  seed();
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the runs view', () => {
  it('lists 10,000 runs with only the visible rows in the page', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs`);
    await expect.poll(count, { timeout: 20_000 }).toBe(`${(BULK + 5).toLocaleString('en-US')} runs`);
    expect(await page.locator('tr[data-id]').count()).toBeLessThan(80);
    // Newest first: the named runs were created last.
    expect((await names()).slice(0, 5)).toEqual(['epsilon', 'delta', 'gamma', 'beta', 'alpha']);
    await expect
      .poll(() => page.locator(`tr[data-id="${ids.delta}"] [data-status]`).textContent())
      .toBe('running');
    await shell.shot('runs');

    await page.locator('.viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.locator('tr[data-id] td.name a').last().textContent()).toBe('bulk 1');
    expect(await page.locator('tr[data-id]').count()).toBeLessThan(80);
  });

  it('sorts by a column and filters by words, column conditions and status', async () => {
    const { page } = shell;
    await page.getByLabel('Filter runs').fill('tag:named');
    await expect.poll(count).toBe(`5 of ${(BULK + 5).toLocaleString('en-US')}`);

    await page.getByRole('button', { name: 'Test', exact: true }).click();
    // Numbers sort high to low first; runs without a value go last either way.
    await expect.poll(names).toEqual(['alpha', 'beta', 'epsilon', 'delta', 'gamma']);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expect.poll(names).toEqual(['beta', 'alpha', 'epsilon', 'delta', 'gamma']);
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await expect.poll(names).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/Name/);

    await page.getByLabel('Filter runs').fill('tag:named lr>0.001');
    await expect.poll(names).toEqual(['alpha']);
    await page.getByLabel('Filter runs').fill('tag:named sgd');
    await expect.poll(names).toEqual(['epsilon']);
    await page.getByLabel('Filter runs').fill('blstm');
    await expect.poll(names).toEqual(['beta']);

    await page.getByLabel('Filter runs').fill('');
    await page.getByLabel('Filter by status').selectOption('failed');
    await expect.poll(names).toEqual(['gamma']);
    await shell.shot('runs-filtered');
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Filter runs').fill('nosuchrun');
    await expect(page.getByText('No run matches this filter.').isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Clear the filter' }).click();
    await expect.poll(count).toBe(`${(BULK + 5).toLocaleString('en-US')} runs`);
  });

  it('compares two selected runs', async () => {
    const { page } = shell;
    await page.getByLabel('Filter runs').fill('tag:named');
    const compare = page.getByRole('button', { name: /^Compare( \(\d+\))?$/ });
    expect(await compare.isDisabled()).toBe(true);
    await page.getByLabel(`Select run ${ids.alpha} alpha`).check();
    expect(await compare.isDisabled()).toBe(true);
    await page.getByLabel(`Select run ${ids.beta} beta`).check();
    expect(await compare.textContent()).toMatch(/Compare \(2\)/);
    await compare.click();
    await page.waitForURL(`**/#/compare?ids=${ids.alpha},${ids.beta}`);
    await page.goBack();
    await page.waitForURL('**/#/runs');
    // The filter and the selection are as the user left them.
    await expect.poll(() => page.getByLabel('Filter runs').inputValue()).toBe('tag:named');
    expect(await page.getByLabel(`Select run ${ids.beta} beta`).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
  });

  it('opens a run when its row is clicked', async () => {
    const { page } = shell;
    await page.locator(`tr[data-id="${ids.beta}"] td`).nth(3).click();
    await page.waitForURL(`**/#/runs/${ids.beta}`);
    await page.goBack();
    await page.waitForURL('**/#/runs');
  });

  it("shows a run's name and tags as text, keeping the focus in its row while its cells change", async () => {
    const { page } = shell;
    // The row's cells are markup (lib/runs-row.ts): what a run says must never become elements.
    const markup = '<img src=x onerror="window.__hit=1">alpha';
    await shell.call('updateRun', ids.alpha, { name: markup, tags: ['named', '<b>bold</b>'] });
    await page.getByRole('button', { name: /^Columns/ }).click();
    const chooser = page.getByRole('dialog', { name: 'Columns' });
    await chooser.getByLabel('Tags').check();
    await chooser.getByRole('button', { name: 'Done' }).click();
    const row = page.locator(`tr[data-id="${ids.alpha}"]`);
    await expect.poll(() => row.locator('td.name a').textContent()).toBe(markup);
    expect(await row.locator('td', { hasText: 'bold' }).textContent()).toBe('named <b>bold</b>');
    expect(await row.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => 'hit' in window || '__hit' in window)).toBe(false);

    // A cell that changes is replaced alone: the focused name link (and the checkbox) stay.
    await row.locator('td.name a').focus();
    await shell.call('updateRun', ids.alpha, { tags: ['named', 'retagged'] });
    await expect.poll(() => row.locator('td', { hasText: 'retagged' }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(markup);
    await page.getByLabel(`Select run ${ids.alpha} ${markup}`).focus();
    await shell.call('updateRun', ids.alpha, { name: 'alpha', tags: ['named'] });
    await expect.poll(() => row.locator('td.name a').textContent()).toBe('alpha');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      `Select run ${ids.alpha} alpha`,
    );
    await page.getByRole('button', { name: /^Columns/ }).click();
    await chooser.getByLabel('Tags').uncheck();
    await chooser.getByRole('button', { name: 'Done' }).click();
  });

  it('deletes a run only after confirmation, and never a running one', async () => {
    const { page } = shell;
    const del = page.getByRole('button', { name: 'Delete', exact: true });
    await page.getByLabel(`Select run ${ids.delta} delta`).check();
    expect(await del.isDisabled()).toBe(true);
    expect(await del.getAttribute('title')).toMatch(/running; cancel it/);
    await page.getByLabel(`Select run ${ids.delta} delta`).uncheck();

    await page.getByLabel(`Select run ${ids.gamma} gamma`).check();
    await del.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toMatch(new RegExp(`Delete run ${ids.gamma}\\?`));
    await shell.shot('runs-delete');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    let listed = await shell.call<PackedRuns>('listRuns').then(unpackRuns);
    expect(listed.some((r) => r.id === ids.gamma)).toBe(true);

    await del.click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(names).toEqual(['alpha', 'beta', 'delta', 'epsilon']);
    listed = await shell.call<PackedRuns>('listRuns').then(unpackRuns);
    expect(listed.some((r) => r.id === ids.gamma)).toBe(false);
    expect(listed).toHaveLength(BULK + 4);
  });

  it('has the whole list when the user comes back to a table left before it arrived', async () => {
    const { page } = shell;
    // The whole list (not the first screen's) is held back until the user has left the table.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/listRuns', async (route) => {
      if (!route.request().postData()?.includes('"first"')) await held;
      // A request the page gave up on (it navigated away) cannot be continued: nothing to do then.
      await route.continue().catch(() => {});
    });
    try {
      await page.goto('about:blank');
      await page.goto(`${shell.origin}/#/runs`);
      await page.locator('tr[data-id]').first().waitFor();
      await page.evaluate(() => (location.hash = '#/datasets'));
      await page.getByRole('heading', { name: 'Data sets' }).first().waitFor();
      release();
      await page.waitForTimeout(500);
      await page.evaluate(() => (location.hash = '#/runs'));
      await page.locator('.viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
      // Only the whole list has the oldest run: the first screen's 60 do not.
      await expect
        .poll(async () => {
          await page.locator('.viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
          return page.locator('tr[data-id] td.name a').last().textContent();
        })
        .toBe('bulk 1');
    } finally {
      release();
      await page.unroute('**/api/listRuns');
    }
  });
});
