import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPLITS } from '../../src-main/shared/constants';
import type { DatasetSummary } from '../../src-main/shared/types';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let home: string;
let cleanup: () => void;
let shell: Shell;
let small: string;

// An NSynth folder with 4 notes per split taken from the tiny set, plus one note per split whose
// WAV is missing (the importer skips it and says why).
function smallFolder(tiny: string, out: string): void {
  for (const split of SPLITS) {
    const dir = path.join(out, `nsynth-${split}`);
    fs.mkdirSync(path.join(dir, 'audio'), { recursive: true });
    const all = JSON.parse(
      fs.readFileSync(path.join(tiny, `nsynth-${split}`, 'examples.json'), 'utf8'),
    ) as Record<string, { note_str: string }>;
    const keep = Object.entries(all).slice(0, 5);
    for (const [key] of keep.slice(0, 4)) {
      fs.copyFileSync(
        path.join(tiny, `nsynth-${split}`, 'audio', `${key}.wav`),
        path.join(dir, 'audio', `${key}.wav`),
      );
    }
    fs.writeFileSync(path.join(dir, 'examples.json'), JSON.stringify(Object.fromEntries(keep)));
  }
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-datasets-'));
  small = path.join(home, 'small-nsynth');
  smallFolder(await tinyDataset(), small);
  // The server renders the default set on its first start; the page watches it happen.
  shell = await startShell({ home, waitForData: false });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the Data sets view', () => {
  it('renders the default set with progress, then shows its notes per split and family', async () => {
    const { page } = shell;
    await page.evaluate(() => (location.hash = '#/datasets'));
    await page.getByRole('button', { name: 'Render the default set' }).click();
    // The bar counts rendered notes against the total.
    await expect
      .poll(() => page.getByTestId('dataset-job').textContent(), { timeout: 20_000, interval: 100 })
      .toMatch(/render · \d+ \/ \d+ notes/);
    await shell.shot('datasets-rendering');
    await page.getByTestId('default-train-notes').waitFor({ timeout: 90_000 });

    const [d] = await shell.call<DatasetSummary[]>('listDatasets');
    expect(d!.name).toBe('default');
    for (const split of SPLITS) {
      const notes = d!.splits[split]!.notes;
      expect(notes).toBeGreaterThan(0);
      expect(await page.getByTestId(`default-${split}-notes`).textContent()).toBe(
        notes.toLocaleString('en-US'),
      );
    }
    const card = page.getByTestId('dataset-default');
    expect(await card.textContent()).toContain(d!.fingerprint);
    expect(await card.textContent()).toContain(d!.root);
    expect(await card.getByText('No files skipped.').isVisible()).toBe(true);
    // Per family: the valid row's bass count, and no synth_lead in valid (as in NSynth).
    const valid = card.locator('tr[data-split=valid] td');
    expect(await valid.nth(1).textContent()).toBe(String(d!.splits.valid!.families.bass ?? 0));
    await expect.poll(() => page.getByTestId('dataset-job').textContent()).toMatch(/ready|Preparing|Render/);
    await shell.shot('datasets');
  });

  it('says why an import failed, and lists the files an import skipped', async () => {
    const { page } = shell;
    await page.getByLabel('Import an NSynth folder').fill(path.join(home, 'no-such-folder'));
    await page.getByLabel('Import an NSynth folder').press('Enter');
    const job = page.getByTestId('dataset-job');
    await expect
      .poll(() => job.getByRole('alert').textContent(), { timeout: 20_000 })
      .toMatch(/failed\..+no-such-folder/);
    expect(await job.textContent()).not.toMatch(/invalid arguments/);
    expect(await job.textContent()).not.toMatch(/\n\s+at /);
    await shell.shot('datasets-import-error');

    await page.getByLabel('Import an NSynth folder').fill(small);
    await page.getByLabel('Name of the imported data set').fill('small');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect
      .poll(() => job.textContent(), { timeout: 30_000 })
      .toMatch(/Imported "small": 12 notes, 3 files skipped/);
    const card = page.getByTestId('dataset-small');
    expect(await page.getByTestId('small-train-notes').textContent()).toBe('4');
    await card.getByText(/3 files skipped/).click();
    const items = card.locator('details li');
    expect(await items.count()).toBe(3);
    expect(await items.first().textContent()).toMatch(/\.wav: .+/);
    await card.scrollIntoViewIfNeeded();
    await shell.shot('datasets-skipped');
  });

  it('renders the default set split by SoundFont, chosen from the keyboard, and says its rule', async () => {
    const { page } = shell;
    const choice = page.getByLabel('split by');
    await choice.focus();
    await page.keyboard.press('ArrowDown');
    expect(await choice.inputValue()).toBe('soundfont');
    await expect
      .poll(() => page.getByTestId('render-hint').textContent())
      .toMatch(/validates and tests on the third/);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('default-by-soundfont-test-notes').waitFor({ timeout: 90_000 });
    const d = await shell.call<DatasetSummary>('getDataset', 'default-by-soundfont');
    expect(d.splitRule).toMatch(/^by SoundFont: train on .+ and .+; valid and test on \S+,/);
    const rule = page.getByTestId('default-by-soundfont-split-rule');
    expect(await rule.textContent()).toBe(d.splitRule);
    expect(await page.getByTestId('default-split-rule').textContent()).toMatch(/^by instrument/);
    await expect.poll(() => page.getByTestId('dataset-job').textContent()).toMatch(/is ready/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await choice.scrollIntoViewIfNeeded();
      await shell.shot(`datasets-split-choice-${scheme}`);
      await page.getByTestId('dataset-default-by-soundfont').scrollIntoViewIfNeeded();
      await shell.shot(`datasets-by-soundfont-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
