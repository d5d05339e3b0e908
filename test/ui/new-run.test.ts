import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import type { QueueState } from '../../src-main/shared/contract';
import type { DatasetSummary } from '../../src-main/shared/types';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { unpackRuns, type PackedRuns } from '../../src-main/shared/run-list';

let home: string;
let cleanup: () => void;
let shell: Shell;
let shrunk = 0;

const hint = (key: string) => shell.page.getByTestId(`f-${key}-hint`).textContent();
const runs = () => shell.call<PackedRuns>('listRuns').then(unpackRuns);

async function openForm(hash = '#/new') {
  await shell.page.evaluate((h) => (location.hash = h), hash);
  await shell.page.locator('#f-lr').waitFor();
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-new-'));
  const wb = new Workbench({ home });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.close();
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the New run form', () => {
  it('names the allowed range of an invalid value as it is typed, and launches nothing', async () => {
    const { page } = shell;
    await openForm();
    // The form starts from the preset that learns in a few minutes, not from the seed's.
    expect(await page.locator('button[data-preset="logmel-mlp"]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#f-type').inputValue()).toBe('mlp');
    expect(await page.locator('#f-representation').inputValue()).toBe('logmel');
    expect(await page.locator('#f-lr').inputValue()).toBe('0.0008');
    expect(await page.locator('#f-dataset option:checked').textContent()).toMatch(/^default/);

    await page.locator('#f-lr').fill('0');
    expect(await hint('lr')).toMatch(/Must be a number above 0 and at most 10/);
    expect(await page.locator('#f-lr').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-lr').press('Enter');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Fix this field first: Learning rate/);
    await shell.shot('new-run-invalid');
    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.waitForTimeout(300);
    expect(await runs()).toEqual([]);
    expect(page.url()).toMatch(/#\/new$/);

    await page.locator('#f-lr').fill('0.001');
    expect(await page.locator('#f-lr').getAttribute('aria-invalid')).toBeNull();
    await page.locator('#f-batch').fill('0');
    expect(await hint('batch')).toMatch(/Must be a whole number from 1 to 4096/);
    await page.locator('#f-batch').fill('12.5');
    expect(await hint('batch')).toMatch(/whole number from 1 to 4096/);
    await page.locator('#f-batch').fill('abc');
    expect(await hint('batch')).toMatch(/Not a number: a whole number from 1 to 4096/);
    await page.getByRole('button', { name: 'Launch run' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Batch/);
    expect(await runs()).toEqual([]);

    // A range that depends on another field follows it.
    await page.locator('#f-representation').selectOption('mfcc');
    await page.locator('#f-nMels').fill('16');
    await page.locator('#f-nMfcc').fill('20');
    expect(await hint('nMfcc')).toMatch(/from 2 to 16/);
    await page.locator('#f-start').fill('3.5');
    await page.locator('#f-seconds').fill('1');
    expect(await hint('seconds')).toMatch(/from 0.01 to 0.5 s/);
    // Fields the current choices do not use are not checked (momentum is SGD's).
    await page.locator('#f-optimizer').selectOption('sgd');
    await page.locator('#f-momentum').fill('2');
    expect(await hint('momentum')).toMatch(/from 0 to 0.999/);
    await page.locator('#f-optimizer').selectOption('adam');
    expect(await hint('momentum')).toBe('SGD only');
  });

  it("checks a model type's own layer range inline (a CNN has 1-4 blocks) and launches nothing", async () => {
    const { page } = shell;
    await openForm();
    await page.getByRole('button', { name: 'seed-cnn' }).click();
    expect(await page.locator('#f-type').inputValue()).toBe('cnn');
    expect(await hint('layers')).toBe('1–4');
    await page.locator('#f-layers').fill('6');
    expect(await hint('layers')).toBe('Must be a whole number from 1 to 4 for cnn');
    expect(await page.locator('#f-layers').getAttribute('aria-invalid')).toBe('true');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await shell.shot(`new-run-cnn-layers-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Launch run' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Fix this field first: Layers/);
    expect(await runs()).toEqual([]);
    expect(page.url()).toMatch(/#\/new$/);
    // Another model type has its own range: 6 LSTM layers are fine.
    await page.locator('#f-type').selectOption('lstm');
    expect(await hint('layers')).toBe('1–8');
    expect(await page.locator('#f-layers').getAttribute('aria-invalid')).toBeNull();
    // Every registered type is offered, with the registry's labels.
    const types = await shell.call<{ modelTypes: { id: string }[] }>('trainingOptions');
    expect(
      await page.locator('#f-type option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(types.modelTypes.map((t) => t.id));
  });

  it("shows the server's reason when it rejects a request the form accepted", async () => {
    const { page } = shell;
    await openForm();
    // Picking a preset fills every field again (the last test left invalid ones).
    await page.getByRole('button', { name: 'seed-lstm' }).click();
    // Stand in for a check only the server makes.
    await page.route('**/api/validateRun', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          ok: false,
          error: {
            name: 'TrainConfigError',
            message: 'hidden must be a whole number from 1 to 4096 (got 5000)',
          },
        }),
      }),
    );
    try {
      await page.getByRole('button', { name: 'Launch run' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toMatch(/Not launched\.\s*hidden must be a whole number from 1 to 4096 \(got 5000\)/);
    } finally {
      await page.unroute('**/api/validateRun');
    }
    expect(await runs()).toEqual([]);
    expect(page.url()).toMatch(/#\/new$/);
  });

  it('launches a valid shrunk run from a preset and lands on its page', async () => {
    const { page } = shell;
    await openForm();
    await page.getByRole('button', { name: 'seed-lstm' }).click();
    expect(await page.locator('#f-batch').inputValue()).toBe('32');
    expect(await page.locator('#f-momentum').isDisabled()).toBe(true);
    await page.locator('#f-representation').selectOption('logmel');
    await page.locator('#f-hidden').fill('8');
    await page.locator('#f-layers').fill('1');
    await page.locator('#f-epochs').fill('1');
    await page.locator('#f-maxPerFamily').fill('3');
    await page.locator('#f-name').fill('shrunk');
    expect(await page.getByRole('region', { name: 'Changes' }).textContent()).toMatch(
      /Hidden units\s*128\s*→\s*8/,
    );
    await shell.shot('new-run');
    await page.locator('#f-name').press('Enter');
    await page.waitForURL(/#\/runs\/\d+$/, { timeout: 30_000 });
    shrunk = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);
    const run = await shell.call<RunDetail>('getRun', shrunk);
    const [dataset] = await shell.call<DatasetSummary[]>('listDatasets');
    expect(run).toMatchObject({ name: 'shrunk', preset: 'seed-lstm', datasetId: dataset!.id });
    expect(run.config.model).toMatchObject({ type: 'lstm', hidden: 8, layers: 1 });
    expect(run.config.features).toMatchObject({ representation: 'logmel', maxPerFamily: 3 });
    expect(run.config).toMatchObject({ epochs: 1, lr: 0.0008, batch: 32 });
    // Its page greys out the settings these choices do not use, as the schema says.
    const row = (key: string) =>
      page
        .getByTestId('params')
        .locator('tr', { has: page.locator('td.key', { hasText: new RegExp(`^${key}$`) }) });
    await expect.poll(() => row('momentum').getAttribute('class')).toMatch(/idle/);
    expect(await row('frame').getAttribute('class')).toMatch(/idle/);
    expect(await row('activation').getAttribute('class')).toMatch(/idle/);
    expect((await row('nMels').getAttribute('class')) ?? '').not.toMatch(/idle/);
  });

  it('says a new run queues behind the one training', async () => {
    const { page } = shell;
    // A long run to wait behind.
    const blocker = await shell.call<RunSummary>('createRun', {
      name: 'blocker',
      overrides: {
        epochs: 200,
        model: { hidden: 8, layers: 1 },
        features: { representation: 'logmel', maxPerFamily: 3 },
      },
    });
    await openForm();
    await page.getByRole('button', { name: 'seed-fc' }).click();
    await page.locator('#f-epochs').fill('1');
    await page.locator('#f-maxPerFamily').fill('3');
    await expect.poll(() => page.getByTestId('queue-note').textContent()).toMatch(/queue behind/);
    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.waitForURL(/#\/runs\/\d+$/);
    const id = Number(/#\/runs\/(\d+)$/.exec(page.url())![1]);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'queued behind' }).textContent())
      .toContain(`Run ${id} is queued behind run ${blocker.id}.`);
    await shell.shot('new-run-queued');
    const state = await shell.call<QueueState>('queueState');
    expect(state.queued).toContain(id);
    for (const r of [id, blocker.id, shrunk]) await shell.call('cancelRun', r);
  });

  it('duplicates a run: the form starts from its configuration', async () => {
    const { page } = shell;
    await openForm(`#/new?from=${shrunk}`);
    await expect.poll(() => page.locator('#f-hidden').inputValue()).toBe('8');
    expect(await page.locator('#f-representation').inputValue()).toBe('logmel');
    expect(await page.locator('#f-epochs').inputValue()).toBe('1');
    expect(await page.locator('#f-name').inputValue()).toBe('shrunk (copy)');
    expect(await page.getByText(`starting from run ${shrunk}`).isVisible()).toBe(true);
    await shell.shot('new-run-duplicate');

    await page.evaluate(() => (location.hash = '#/new?from=999'));
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/No run 999/);
  });
});
