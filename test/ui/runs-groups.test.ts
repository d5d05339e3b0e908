// The runs table grouped, with chosen columns and saved views (issue 13), on 10,000 runs and two
// seeded sweeps.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import type { SavedView } from '../../src-main/shared/run-views';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { seedSweeps, type SeededSweeps } from './seed-sweeps';

const BULK = 10_000;
let home: string;
let cleanup: () => void;
let shell: Shell;
let seeded: SeededSweeps;

const go = (hash: string) => shell.page.evaluate((h) => (location.hash = h), hash);
const names = () => shell.page.locator('tr[data-id] td.name a').allTextContents();
const heads = () => shell.page.locator('tr[data-group]');
const groupBy = (value: string) => shell.page.getByLabel('Group by').selectOption(value);

async function shots(name: string) {
  for (const x of await shell.page.getByRole('button', { name: 'Dismiss' }).all()) await x.click();
  for (const scheme of ['light', 'dark'] as const) {
    await shell.page.emulateMedia({ colorScheme: scheme });
    await shell.shot(`${name}-${scheme}`);
  }
  await shell.page.emulateMedia({ colorScheme: 'light' });
}

// 10,000 finished runs outside any sweep: three configurations (lr and batch go together), seeds 1 to 10,000.
function seedBulk(): void {
  const db = openDatabase(path.join(home, 'timbre.db'));
  const dataset = new DatasetRepo(db).find('default')!;
  const runs = new RunRepo(db);
  db.transaction(() => {
    for (let i = 1; i <= BULK; i++) {
      const config = resolveTrainConfig('seed-lstm', {
        epochs: 3,
        seed: i,
        lr: [0.0008, 0.001, 0.0003][i % 3]!,
        batch: [16, 32, 64][i % 3]!,
      });
      const id = runs.create({
        name: `bulk ${i}`,
        config,
        preset: 'seed-lstm',
        datasetId: dataset.id,
        datasetFingerprint: dataset.fingerprint,
        appVersion: '0.1.0',
      });
      runs.end(id, 'finished');
    }
  })();
  db.close();
}

// Mean and sample standard deviation, written out here apart from the app's.
function meanSd(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return [mean, sd];
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-runs-groups-'));
  seeded = await seedSweeps(home);
  seedBulk();
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the runs table grouped', () => {
  it('groups a sweep by configuration, each head with n and mean ± sd, folded by keyboard', async () => {
    const { page } = shell;
    const grid = seeded.grid;
    await go(`#/runs?sweep=${grid.id}`);
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(grid.runs.length);
    await groupBy('configuration');
    // lr × layers: four configurations of two seeds each.
    await expect.poll(() => heads().count()).toBe(4);
    for (const h of await heads().all()) expect(await h.getByTestId('group-n').textContent()).toBe('n = 2');

    // The configuration of the best run: its two seeds' best validation accuracy, in percent.
    const best = grid.runs.find((r) => r.run.id === seeded.best)!;
    const mates = grid.runs.filter((r) => r.trial === best.trial);
    const values = mates
      .map((r) => r.run.bestValAccuracy)
      .filter((v) => v !== null)
      .map((v) => v * 100);
    const head = heads().filter({ hasText: `lr=${best.values.lr} model.layers=${best.values.layers}` });
    await expect.poll(() => head.count()).toBe(1);
    const cell = head.locator('td[data-stat="val"]');
    if (values.length === 2) {
      const [mean, sd] = meanSd(values);
      expect(await cell.textContent()).toBe(`${mean.toFixed(1)} ± ${sd.toFixed(1)}`);
    } else expect(await cell.textContent()).toBe(values[0]!.toFixed(1));
    await shots('runs-grouped-configuration');

    // Enter on the head's button folds its runs away; Space brings them back.
    const toggle = head.getByRole('button');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(grid.runs.length - 2);
    await page.keyboard.press(' ');
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(grid.runs.length);

    // Selecting a group selects its runs.
    await head.getByRole('checkbox').check();
    expect(await page.getByText('2 selected').isVisible()).toBe(true);
    for (const m of mates) expect(await page.getByLabel(`Select run ${m.run.id} `).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
  });

  it('groups 10,000 runs by sweep and by configuration, folds and unfolds them all', async () => {
    const { page } = shell;
    await page.getByLabel('Filter by sweep').selectOption('');
    await groupBy('');
    await expect
      .poll(() => page.getByTestId('runs-count').textContent(), { timeout: 20_000 })
      .toMatch(/10,0\d\d runs/);

    let t0 = Date.now();
    await groupBy('sweep');
    // The newest runs' group first, its 10,000 rows virtualized like the rest: the other heads are far below.
    await expect.poll(() => page.getByTestId('groups-count').textContent()).toBe('3 groups');
    await expect.poll(() => heads().count()).toBeGreaterThan(0);
    const bySweep = Date.now() - t0;
    expect(await page.locator('tr').count()).toBeLessThan(90);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(0);
    await expect.poll(() => heads().count()).toBe(3);
    expect(await heads().filter({ hasText: 'no sweep' }).getByTestId('group-n').textContent()).toBe(
      `n = ${BULK}`,
    );
    expect(
      await heads()
        .filter({ hasText: `sweep ${seeded.grid.id} lr × layers` })
        .getByTestId('group-n')
        .textContent(),
    ).toBe(`n = ${seeded.grid.runs.length}`);
    await page.getByRole('button', { name: 'Expand all' }).click();
    await expect.poll(() => page.locator('tr[data-id]').count()).toBeGreaterThan(10);

    t0 = Date.now();
    await groupBy('configuration');
    // The bulk runs' three, the grid's four, the random sweep's three trials.
    await expect
      .poll(() => page.getByTestId('groups-count').textContent(), { timeout: 20_000 })
      .toBe('10 groups');
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => heads().count()).toBe(10);
    const byConfiguration = Date.now() - t0;
    const ns = (await page.getByTestId('group-n').allTextContents()).map((t) => Number(t.slice(4)));
    expect(ns.reduce((a, b) => a + b, 0)).toBe(BULK + seeded.total);
    expect(ns.filter((n) => n >= 3333)).toHaveLength(3);
    await shots('runs-grouped-10000');
    console.log(
      `grouped 10,000 runs: by sweep ${bySweep} ms, by configuration ${byConfiguration} ms (with the fetch)`,
    );
    // Grouping again (nothing to fetch) stays quick.
    const ms = await page.evaluate(async () => {
      const select = document.querySelector<HTMLSelectElement>('select[aria-label="Group by"]')!;
      const t = performance.now();
      select.value = 'sweep';
      select.dispatchEvent(new Event('change'));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
      return performance.now() - t;
    });
    console.log(`regrouped by sweep in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
    await groupBy('');
  });

  it('adds a setting column and a metric column, sorts and filters by them', async () => {
    const { page } = shell;
    await go(`#/runs?sweep=${seeded.random.id}`);
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(seeded.random.runs.length);
    // A setting filters once its column is added; until then the filter says so.
    await page.getByLabel('Filter runs').fill('weightdecay>0');
    await expect
      .poll(() => page.locator('p.problem').textContent())
      .toBe('Add the column "Weight decay" (Columns) to filter by weightDecay.');
    await page.getByLabel('Filter runs').fill('');
    await page.getByRole('button', { name: /^Columns/ }).click();
    const chooser = page.getByRole('dialog', { name: 'Columns' });
    await chooser.getByLabel('Weight decay').check();
    await shots('runs-columns-chooser');
    await page.keyboard.press('Escape');
    await expect.poll(() => chooser.count()).toBe(0);
    // Sorted by weight decay, high to low first.
    await page.getByRole('button', { name: 'Weight decay', exact: true }).click();
    const decays = seeded.random.runs
      .map((r) => [r.run.name, r.values.weightDecay as number] as const)
      .sort((a, b) => b[1] - a[1]);
    await expect.poll(names).toEqual(decays.map((d) => d[0]));
    const middle = decays[1]![1];
    await page.getByLabel('Filter runs').fill(`weightdecay<${middle}`);
    await expect.poll(names).toEqual([decays[2]![0]]);
    await page.getByLabel('Filter runs').fill('');

    // The grid sweep's last validation accuracy: 0.7, 0.6, 0.5 for the finished runs, then training and stopped.
    await page.getByLabel('Filter by sweep').selectOption(String(seeded.grid.id));
    await page.getByRole('button', { name: /^Columns/ }).click();
    await chooser.getByLabel('Last validation accuracy').check();
    await chooser.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Last val', exact: true }).click();
    const byId = new Map(seeded.grid.runs.map((r) => [r.run.id, r.run.name]));
    await expect
      .poll(async () => (await names()).slice(0, 2))
      .toEqual([byId.get(seeded.best), expect.any(String)]);
    const lastVal = await page.locator('tr[data-id] td:nth-last-child(1)').allTextContents();
    expect(lastVal.slice(0, 3)).toEqual(['70.0 %', '60.0 %', '50.0 %']);
    await page.getByLabel('Filter runs').fill('lastval>55');
    await expect.poll(() => page.locator('tr[data-id]').count()).toBe(2);
    await groupBy('configuration');
    // A head shows the metric column's mean too: the runs above 55 % by configuration.
    const good = seeded.grid.runs.filter((r) => r.run.status === 'finished' && r.run.bestValAccuracy! > 0.55);
    const trials = [...new Set(good.map((r) => r.trial))];
    await expect.poll(() => heads().count()).toBe(trials.length);
    const expected = trials.map((t) => {
      const v = good.filter((r) => r.trial === t).map((r) => r.run.bestValAccuracy! * 100);
      if (v.length === 1) return v[0]!.toFixed(1);
      const [mean, sd] = meanSd(v);
      return `${mean.toFixed(1)} ± ${sd.toFixed(1)}`;
    });
    expect(
      (await page.locator('tr[data-group] td[data-stat="metric.lastValAccuracy"]').allTextContents()).sort(),
    ).toEqual(expected.sort());
    await shots('runs-columns');
  });

  it('saves the view in the database and applies it after a reload', async () => {
    const { page } = shell;
    await page.getByRole('button', { name: 'Save view…' }).click();
    await page.getByLabel('View name').fill('grid, good runs');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Saved views').inputValue()).toBe('grid, good runs');
    const saved = await shell.call<SavedView[]>('listViews');
    expect(saved).toEqual([
      expect.objectContaining({
        name: 'grid, good runs',
        filter: 'lastval>55',
        sweep: seeded.grid.id,
        groupBy: 'configuration',
        columns: ['weightDecay', 'metric.lastValAccuracy'],
        sort: { key: 'metric.lastValAccuracy', dir: -1 },
      }),
    ]);

    await page.goto(`${shell.url.split('#')[0]}#/runs`);
    await expect
      .poll(() => page.getByTestId('runs-count').textContent(), { timeout: 20_000 })
      .toMatch(/runs$/);
    await expect.poll(() => page.getByLabel('Group by').inputValue()).toBe('');
    await page.getByLabel('Saved views').selectOption('grid, good runs');
    await page.waitForURL(`**/#/runs?sweep=${seeded.grid.id}`);
    await expect.poll(() => heads().count()).toBeGreaterThan(0);
    expect(await page.getByLabel('Filter runs').inputValue()).toBe('lastval>55');
    expect(await page.getByRole('button', { name: 'Weight decay', exact: true }).isVisible()).toBe(true);
    await shots('runs-view-applied');

    await page.getByRole('button', { name: 'Delete view' }).click();
    await expect.poll(() => shell.call<SavedView[]>('listViews')).toEqual([]);
  });
});
