import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../src-main/shared/sweeps';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { seedSweeps, type SeededSweeps } from './seed-sweeps';

let home: string;
let cleanup: () => void;
let shell: Shell;
let seeded: SeededSweeps;

const go = (hash: string) => shell.page.evaluate((h) => (location.hash = h), hash);
const sweepsNow = () => shell.call<SweepSummary[]>('listSweeps');
const row = (id: number) => shell.page.locator(`[data-testid="sweeps-table"] tr[data-id="${id}"]`);
const count = () => shell.page.getByTestId('runs-count').textContent();

async function shots(name: string) {
  // Notices are transient; they would hide part of the page.
  for (const x of await shell.page.getByRole('button', { name: 'Dismiss' }).all()) await x.click();
  for (const scheme of ['light', 'dark'] as const) {
    await shell.page.emulateMedia({ colorScheme: scheme });
    await shell.shot(`${name}-${scheme}`);
  }
  await shell.page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-sweeps-'));
  seeded = await seedSweeps(home);
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the Sweeps pages', () => {
  it('list each sweep with its counts, its best run and its state', async () => {
    const { page } = shell;
    await go('#/sweeps');
    const grid = row(seeded.grid.id);
    await grid.waitFor();
    expect(await page.locator('[data-testid="sweeps-table"] tbody tr').count()).toBe(2);
    const part = (key: string) => grid.locator(`[data-part="${key}"]`).textContent();
    expect(await part('done')).toBe('3 / 8');
    expect(await part('stopped')).toBe('1');
    expect(await part('failed')).toBe('1');
    expect(await part('running')).toBe('1');
    expect(await part('queued')).toBe('2');
    const best = grid.getByTestId('sweep-best').locator('a');
    expect(await best.getAttribute('href')).toBe(`#/runs/${seeded.best}`);
    expect(await grid.textContent()).toContain('70.0 %');
    expect(await grid.locator('[data-status]').textContent()).toBe('active');
    expect(await row(seeded.random.id).locator('[data-part="queued"]').textContent()).toBe('3');
    await shots('sweeps');
  });

  it('pause and resume a sweep from the list', async () => {
    const { page } = shell;
    await page.getByRole('button', { name: 'Pause sweep lr × layers' }).click();
    await expect.poll(() => row(seeded.grid.id).locator('[data-status]').textContent()).toBe('paused');
    expect((await sweepsNow()).find((s) => s.id === seeded.grid.id)!.status).toBe('paused');
    await page.getByRole('button', { name: 'Resume sweep lr × layers' }).click();
    await expect.poll(() => row(seeded.grid.id).locator('[data-status]').textContent()).toBe('active');
    expect((await sweepsNow()).find((s) => s.id === seeded.grid.id)!.status).toBe('active');
  });

  it("show a sweep's spec, best configuration and runs, and pause it there", async () => {
    const { page } = shell;
    await row(seeded.grid.id).getByRole('link', { name: 'lr × layers', exact: true }).click();
    await page.getByTestId('sweep-runs').waitFor();
    expect(page.url()).toContain(`#/sweeps/${seeded.grid.id}`);
    expect(await page.locator('[data-testid="sweep-runs"] tbody tr').count()).toBe(8);
    const spec = await page.getByTestId('sweep-spec').textContent();
    expect(spec).toContain('seed-lstm');
    expect(spec).toMatch(/lr\s*0\.001, 0\.0003/);
    expect(spec).toMatch(/layers\s*1, 2/);
    expect(spec).toContain('2 per configuration');
    const best = page.getByTestId('sweep-best-config');
    expect(await best.textContent()).toContain('70.0 %');
    expect(
      await page
        .locator(`[data-testid="sweep-runs"] tr[data-id="${seeded.stopped}"] [data-status]`)
        .textContent(),
    ).toBe('stopped');
    // "Compare best 10" takes the three runs with a validation accuracy, best first.
    const compare = page.getByRole('link', { name: /Compare best/ });
    expect(await compare.getAttribute('href')).toMatch(new RegExp(`^#/compare\\?ids=${seeded.best},`));
    await shots('sweep-detail');

    await page.getByRole('button', { name: 'Pause sweep lr × layers' }).click();
    await expect.poll(() => page.locator('.title [data-status]').textContent()).toBe('paused');
    await page.getByRole('button', { name: 'Resume sweep lr × layers' }).click();
    await expect.poll(() => page.locator('.title [data-status]').textContent()).toBe('active');
  });

  it("download the sweep's report", async () => {
    const { page } = shell;
    await page.getByLabel('Sweep report format').selectOption('md');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('sweep-report').getByRole('button', { name: 'Report' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('lr × layers');
  });

  it('extend a sweep by a seed per configuration', async () => {
    const { page } = shell;
    await page.getByRole('button', { name: 'Extend…' }).click();
    await page.getByLabel('+ seeds per configuration').fill('1');
    await page.getByRole('button', { name: 'Add runs' }).click();
    await expect.poll(() => page.locator('[data-testid="sweep-runs"] tbody tr').count()).toBe(12);
    expect((await sweepsNow()).find((s) => s.id === seeded.grid.id)!.counts.total).toBe(12);
  });

  it('open the runs table filtered by the sweep, from its page and from the address', async () => {
    const { page } = shell;
    const all = (seeded.total + 4).toLocaleString('en-US');
    await page.getByRole('link', { name: 'Show in runs table' }).click();
    await expect.poll(count).toBe('12 runs');
    expect(page.url()).toContain(`#/runs?sweep=${seeded.grid.id}`);
    expect(await page.getByLabel('Filter by sweep').inputValue()).toBe(String(seeded.grid.id));
    await page.getByLabel('Filter by sweep').selectOption(String(seeded.random.id));
    await expect.poll(count).toBe('3 runs');
    expect(page.url()).toContain(`#/runs?sweep=${seeded.random.id}`);
    await page.reload();
    await expect.poll(count).toBe('3 runs');
    await shell.shot('runs-by-sweep');
    await page.getByLabel('Filter by sweep').selectOption('');
    await expect.poll(count).toBe(`${all} runs`);
    await go(`#/runs?sweep=${seeded.grid.id}`);
    await expect.poll(count).toBe('12 runs');
  });

  it('show a stopped run as stopped, saying why, with Resume', async () => {
    const { page } = shell;
    await go(`#/runs?sweep=${seeded.grid.id}`);
    await expect
      .poll(() => page.locator(`tr[data-id="${seeded.stopped}"] [data-status]`).textContent())
      .toBe('stopped');
    await shots('runs-statuses');
    await go(`#/runs/${seeded.stopped}`);
    await expect
      .poll(() => page.getByTestId('stopped-note').textContent())
      .toContain(
        "Stopped early by its sweep's rule after 1 epoch: Below the median of the other runs at epoch 1.",
      );
    expect(await page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: `sweep ${seeded.grid.id}` }).getAttribute('href')).toBe(
      `#/sweeps/${seeded.grid.id}`,
    );
    await shots('run-stopped');
  });

  it('cancel a sweep after asking', async () => {
    const { page } = shell;
    await go('#/sweeps');
    await row(seeded.random.id).waitFor();
    await page.getByRole('button', { name: 'Cancel sweep weight decay' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('3 waiting or training runs will be cancelled');
    await shots('sweep-cancel');
    await dialog.getByRole('button', { name: 'Yes, cancel the sweep' }).click();
    await expect.poll(() => row(seeded.random.id).locator('[data-status]').textContent()).toBe('cancelled');
    expect(await row(seeded.random.id).locator('[data-part="cancelled"]').textContent()).toBe('3');
    const random = (await sweepsNow()).find((s) => s.id === seeded.random.id)!;
    expect([random.status, random.counts.cancelled]).toEqual(['cancelled', 3]);
  });
});
