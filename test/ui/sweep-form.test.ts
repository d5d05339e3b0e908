import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import type { SweepDetail, SweepSummary } from '../../src-main/shared/sweeps';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let home: string;
let cleanup: () => void;
let shell: Shell;

const hint = (id: string) => shell.page.getByTestId(`${id}-hint`).textContent();
const count = async () =>
  ((await shell.page.getByTestId('sweep-count').textContent()) ?? '').replace(/\s+/g, ' ').trim();
const launch = () => shell.page.locator('button.launch-button');
const vary = (label: string) => shell.page.getByRole('button', { name: `Vary ${label}`, exact: true });
const sweeps = () => shell.call<SweepSummary[]>('listSweeps');

// From another page, so that the form starts afresh.
async function openForm() {
  await shell.page.evaluate(() => (location.hash = '#/runs'));
  await shell.page.evaluate(() => (location.hash = '#/new'));
  await shell.page.locator('#f-lr').waitFor();
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-sweep-'));
  const wb = new Workbench({ home });
  await wb.importDataset(await tinyDataset(), 'default');
  // One earlier LSTM on log-mel features: the speed a sweep of them is estimated from.
  const earlier = await wb.createRun({
    name: 'earlier',
    overrides: {
      epochs: 1,
      model: { hidden: 8, layers: 1 },
      features: { representation: 'logmel', maxPerFamily: 3 },
    },
  });
  expect((await wb.waitForRun(earlier.id)).status).toBe('finished');
  await wb.close();
  shell = await startShell({ home });
  // Nothing of the sweep trains: the test looks at what was created, not at training.
  await shell.call('pauseQueue');
  // The page may have read the queue's state before the pause, and opened its event stream after
  // it: it starts again from the state now.
  await shell.page.reload();
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the New run form in sweep mode', () => {
  it('varies settings, counts the runs live and gives the single-run form back', async () => {
    const { page } = shell;
    await openForm();
    await page.locator('#f-epochs').fill('1');
    expect(await vary('Learning rate').getAttribute('aria-pressed')).toBe('false');
    expect(await vary('Learning rate').getAttribute('title')).toBe('Vary this setting across runs');
    // The seed is set by "seeds per configuration", not varied.
    expect(await vary('Seed').count()).toBe(0);

    // By keyboard: the toggle comes right after its field.
    await page.locator('#f-lr').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Vary Learning rate',
    );
    await page.keyboard.press('Space');
    expect(await vary('Learning rate').getAttribute('aria-pressed')).toBe('true');
    // The list starts from the single value and has the cursor.
    expect(await page.locator('#f-lr').inputValue()).toBe('0.0008');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-lr');
    expect(await page.getByRole('button', { name: 'Launch run', exact: true }).count()).toBe(0);
    expect(await page.locator('#f-name').count()).toBe(0);
    expect(await page.getByTestId('queue-note').textContent()).toMatch(
      /The queue is paused: the sweep's runs wait until it is resumed/,
    );

    // Enter in a half-typed list launches nothing.
    await page.locator('#f-lr').fill('1e-3, 3e-4,');
    await expect.poll(() => launch().textContent()).toMatch(/Launch 2 runs/);
    await page.locator('#f-lr').press('Enter');
    await page.waitForTimeout(300);
    expect(await sweeps()).toEqual([]);
    await page.locator('#f-lr').fill('1e-3, 3e-4, 1e-4');
    expect(await hint('f-lr')).toMatch(/^3 values; > 0, ≤ 10/);
    // Escape leaves what was typed and the sweep mode as they are.
    await page.locator('#f-lr').press('Escape');
    expect(await page.locator('#f-lr').inputValue()).toBe('1e-3, 3e-4, 1e-4');
    expect(await vary('Learning rate').getAttribute('aria-pressed')).toBe('true');
    await vary('Layers').click();
    await page.locator('#f-layers').fill('2, 3');
    await page.locator('#sweep-seeds').fill('2');
    expect(await hint('sweep-seeds')).toMatch(/3\+ seeds let you tell whether a difference is real/);
    await expect
      .poll(count)
      .toMatch(/^6 configurations × 2 seeds = 12 runs · time unknown: no earlier run of this model$/);
    await expect.poll(() => launch().textContent()).toMatch(/Launch 12 runs/);
    expect(await launch().isDisabled()).toBe(false);
    expect(await page.locator('#sweep-name').getAttribute('placeholder')).toBe('logmel-mlp · layers × lr');
    expect(await sweeps()).toEqual([]);
    expect(page.url()).toMatch(/#\/new$/);

    // A bad value: said beside the field, and nothing can be launched.
    await page.locator('#f-layers').fill('2, 30');
    expect(await hint('f-layers')).toBe('30: must be a whole number from 1 to 8');
    expect(await page.locator('#f-layers').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(count).toMatch(/Fix Layers to count the runs/);
    expect(await launch().isDisabled()).toBe(true);
    await page.locator('#f-layers').fill('2, abc');
    expect(await hint('f-layers')).toBe('Not a number: "abc"');
    await page.locator('#f-layers').fill('2, 2');
    expect(await hint('f-layers')).toBe('2 is listed twice');
    await page.locator('#f-layers').fill('2, 3');
    await expect.poll(() => launch().textContent()).toMatch(/Launch 12 runs/);

    // What only the core knows comes back from planSweep inline, as a sentence.
    await page.locator('#sweep-budget').fill('1');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/This sweep cannot be planned\.\s*budget 1 is below one configuration's 2 seeds/);
    expect(await launch().isDisabled()).toBe(true);
    await page.locator('#sweep-budget').fill('');
    await expect.poll(() => launch().textContent()).toMatch(/Launch 12 runs/);
    expect(await page.getByRole('alert').count()).toBe(0);

    // A range makes the sweep random: the lists become choices and trials count the configurations.
    await page
      .getByRole('radiogroup', { name: 'Learning rate: list or range' })
      .getByRole('radio', { name: 'range' })
      .click();
    await page.locator('#f-lr').fill('0');
    await page.locator('#f-lr-max').fill('0.01');
    expect(await hint('f-lr')).toMatch(/^Minimum must be a number above 0/);
    await page.locator('#f-lr').fill('0.0001');
    await page.locator('#f-lr-log').check();
    expect(await hint('f-lr')).toMatch(/^log-uniform/);
    await page.locator('#sweep-trials').fill('5');
    await expect.poll(count).toMatch(/5 configurations × 2 seeds = 10 runs/);
    await vary('Optimizer').click();
    await page.locator('#f-optimizer-sgd').check();
    expect(await hint('f-optimizer')).toBe('2 of 3');
    await page.locator('#sweep-stop').selectOption('asha');
    // No cut at a run's last epoch: with 1 epoch ASHA has nothing to decide, and says so.
    expect(await hint('sweep-stop')).toBe('keep the top 1/3, but no cut: the runs train 1 epoch');
    await page.locator('#f-epochs').fill('20');
    expect(await hint('sweep-stop')).toBe('keep the top 1/3 at epochs 1, 3, 9…');
    await page.locator('#f-epochs').fill('1');
    await expect.poll(count).toMatch(/5 configurations × 2 seeds = 10 runs/);
    expect(await page.getByRole('group', { name: 'Sweep' }).textContent()).toMatch(/random draws/);
    await shell.shot('sweep-form-random');

    // Every vary off: the single-run form with the values it had.
    for (const label of ['Learning rate', 'Layers', 'Optimizer']) await vary(label).click();
    expect(await page.getByTestId('sweep-count').count()).toBe(0);
    expect(await page.locator('#f-lr').inputValue()).toBe('0.0008');
    // (logmel-mlp's 2 layers, the preset the form started from)
    expect(await page.locator('#f-layers').inputValue()).toBe('2');
    expect(await page.locator('#f-optimizer').inputValue()).toBe('adam');
    expect(await page.locator('#f-epochs').inputValue()).toBe('1');
    expect(await page.getByRole('button', { name: 'Launch run', exact: true }).isEnabled()).toBe(true);
    // Turned on again, a setting has what it had.
    await vary('Layers').click();
    expect(await page.locator('#f-layers').inputValue()).toBe('2, 3');
    await vary('Layers').click();
    expect(await sweeps()).toEqual([]);
  });

  it('launches 6 configurations × 2 seeds and lands on the sweep', async () => {
    const { page } = shell;
    await openForm();
    await page.getByRole('button', { name: 'seed-lstm' }).click();
    await page.locator('#f-epochs').fill('1');
    await page.locator('#f-hidden').fill('8');
    await page.locator('#f-maxPerFamily').fill('3');
    await page.locator('#f-representation').selectOption('logmel');
    await vary('Learning rate').click();
    await page.locator('#f-lr').fill('1e-3, 3e-4, 1e-4');
    await vary('Layers').click();
    await page.locator('#f-layers').fill('1, 2');
    await page.locator('#sweep-seeds').fill('2');
    await page.locator('#sweep-name').fill('lr by layers');
    // The time comes from the earlier run's speed, said as a person says it.
    await expect
      .poll(count)
      .toMatch(
        /^6 configurations × 2 seeds = 12 runs · about (\d+\.\d s|\d+ s|\d+ min \d+ s|\d+ h \d+ min)$/,
      );
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await shell.shot(`sweep-form-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await launch().click();
    await page.waitForURL(/#\/sweeps\/\d+$/);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Sweep' }).textContent())
      .toMatch(/Sweep “lr by layers”: 12 runs queued\./);
    const id = Number(/#\/sweeps\/(\d+)$/.exec(page.url())![1]);
    const sweep = await shell.call<SweepDetail>('getSweep', id);
    expect(sweep).toMatchObject({ name: 'lr by layers', method: 'grid', configurations: 6, seeds: 2 });
    expect(sweep.varied).toEqual(['layers', 'lr']);
    expect(sweep.runs).toHaveLength(12);
    expect(new Set(sweep.runs.map((r) => `${r.values.lr}/${r.values.layers}`)).size).toBe(6);
    expect(sweep.runs.every((r) => r.run.status === 'queued')).toBe(true);
    await shell.call('cancelSweep', id);
  });
});
