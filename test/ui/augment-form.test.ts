import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import type { RunDetail } from '../../src-main/shared/training';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let home: string;
let cleanup: () => void;
let shell: Shell;

const hint = (key: string) => shell.page.getByTestId(`f-${key}-hint`).textContent();

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-augment-'));
  const wb = new Workbench({ home });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.close();
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('augmentation and class balance in the New run form', () => {
  it("offers them in the training section, off but for logmel-mlp's pitch shift, gain off under per-clip normalization, checks their ranges and launches a run with them and weight averaging", async () => {
    const { page } = shell;
    await page.evaluate(() => (location.hash = '#/new'));
    await page.locator('#f-mixup').waitFor();
    for (const key of ['shift', 'gain', 'timeMasks', 'freqMasks', 'mixup']) {
      expect(await page.locator(`#f-${key}`).inputValue(), key).toBe('0');
    }
    // logmel-mlp's own pitch shift.
    expect(await page.locator('#f-pitch').inputValue()).toBe('2');
    expect(await page.locator('#f-balance').inputValue()).toBe('none');
    // The random start stays within the note: 4 s minus the 1 s clip of logmel-mlp.
    await page.locator('#f-shift').fill('3.5');
    expect(await hint('shift')).toMatch(
      /Must be a number from 0 to 3 s \(start \+ seconds \+ shift at most 4 s\)/,
    );
    // Averaging over clips of a note needs the clips a random start gives.
    await page.locator('#f-shift').fill('0');
    await page.locator('#f-evalClips').fill('3');
    expect(await hint('evalClips')).toBe('Must be a whole number from 1 to 1 (more need a Random start)');
    await page.locator('#f-shift').fill('0.5');
    expect(await hint('evalClips')).toBe('1–16; 1 = off');
    // logmel-mlp scales each clip to mean 0 and sd 1, which undoes any gain: the field says so.
    expect(await hint('gain')).toBe('not with per clip normalization');
    expect(await page.locator('#f-gain').isDisabled()).toBe(true);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator('#f-gain').scrollIntoViewIfNeeded();
      await shell.shot(`new-run-gain-off-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('#f-normalization').selectOption('standard');
    expect(await hint('gain')).toBe('0–24 dB; 0 = off');
    await page.locator('#f-gain').fill('6');
    await page.locator('#f-pitch').fill('5');
    expect(await hint('pitch')).toBe('Must be a number from 0 to 4 semitones');
    await page.locator('#f-pitch').fill('1.5');
    await page.locator('#f-timeMasks').fill('2');
    await page.locator('#f-freqMasks').fill('2');
    await page.locator('#f-mixup').fill('0.2');
    await page.locator('#f-balance').selectOption('weights');
    // logmel-mlp's weight averaging over its last 5 epochs: over both of a 2-epoch run.
    expect(await page.locator('#f-averageLast').inputValue()).toBe('5');
    await page.locator('#f-averageLast').fill('51');
    expect(await hint('averageLast')).toBe('Must be a whole number from 1 to 50');
    await page.locator('#f-averageLast').fill('5');
    expect(await hint('averageLast')).toBe('1–50; 1 = off');
    await page.locator('#f-epochs').fill('2');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.locator('#f-balance').scrollIntoViewIfNeeded();
      await shell.shot(`new-run-augment-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // Frequency masks read bands: raw frames have none. MFCCs cannot be resampled from the cache.
    await page.locator('#f-representation').selectOption('raw');
    expect(await hint('freqMasks')).toBe('not for raw');
    await page.locator('#f-representation').selectOption('mfcc');
    expect(await hint('pitch')).toBe('not for MFCC');
    await page.locator('#f-representation').selectOption('logmel');
    await page.getByRole('button', { name: 'Launch run' }).click();
    await page.waitForURL(/#\/runs\/\d+/);
    const id = Number(page.url().match(/#\/runs\/(\d+)/)![1]);
    const run = await shell.call<RunDetail>('getRun', id);
    expect(run.config).toMatchObject({
      features: { normalization: 'standard' },
      shift: 0.5,
      gain: 6,
      pitch: 1.5,
      timeMasks: 2,
      freqMasks: 2,
      mixup: 0.2,
      balance: 'weights',
      evalClips: 3,
      averageLast: 5,
    });
    // Its last model is the mean of both epochs' weights, and its test card says so.
    const last = page.getByTestId('test-last');
    await last.waitFor({ timeout: 90_000 });
    expect(await last.textContent()).toContain('weights averaged over epochs 1–2');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await last.scrollIntoViewIfNeeded();
      await shell.shot(`run-detail-averaged-${scheme}`);
    }
  });

  it('fills the CNN presets with the same per-clip scaling, pitch shift and averaging', async () => {
    const { page } = shell;
    await page.evaluate(() => (location.hash = '#/new'));
    for (const preset of ['logmel-cnn2d', 'logmel-crnn']) {
      await page.getByRole('button', { name: preset }).click();
      expect(await page.locator('#f-normalization').inputValue(), preset).toBe('clip');
      expect(await page.locator('#f-pitch').inputValue(), preset).toBe('2');
      expect(await page.locator('#f-averageLast').inputValue(), preset).toBe('5');
      expect(await hint('gain'), preset).toBe('not with per clip normalization');
    }
    await expect.poll(() => page.getByText(/CRNN \(2 conv blocks/).textContent()).toMatch(/pitch-shifted/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await shell.shot(`new-run-crnn-preset-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
