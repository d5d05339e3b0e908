import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import type {
  EpochPredictions,
  NoteAudio,
  NotePrediction,
  PredictionSet,
  RunRequest,
} from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let home: string;
let data: string;
let cleanup: () => void;
let shell: Shell;
let runId: number;
let failedId: number;
let test: PredictionSet;

const EPOCHS = 10;
/** A shrunk log-mel LSTM on the tiny set: a few seconds of training, and many notes still wrong. */
const shrunk: RunRequest = {
  preset: 'logmel-lstm',
  name: 'audition',
  overrides: { model: { hidden: 16, layers: 1 }, epochs: EPOCHS, batch: 4, features: { maxPerFamily: 0 } },
};

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-audition-'));
  // A copy of the tiny set of this test's own, so that one of its files can go missing later.
  data = path.join(home, 'tiny');
  fs.cpSync(await tinyDataset(), data, { recursive: true });
  const wb = new Workbench({ home });
  await wb.importDataset(data, 'default');
  await wb.close();
  const db = openDatabase(path.join(home, 'timbre.db'));
  const dataset = new DatasetRepo(db).find('default')!;
  const runs = new RunRepo(db);
  failedId = runs.create({
    name: 'diverged',
    config: resolveTrainConfig('seed-lstm', { epochs: 5 }),
    preset: 'seed-lstm',
    datasetId: dataset.id,
    datasetFingerprint: dataset.fingerprint,
    appVersion: '0.1.0',
  });
  runs.start(failedId, 'wasm', '4.22.0');
  runs.end(failedId, 'failed', 'The loss became NaN at epoch 1.');
  db.close();
  shell = await startShell({ home });
  runId = (await shell.call<RunSummary>('createRun', shrunk)).id;
  for (const deadline = Date.now() + 240_000; ; await new Promise((r) => setTimeout(r, 500))) {
    const { status } = await shell.call<RunDetail>('getRun', runId);
    if (status === 'finished') break;
    if (status === 'failed' || Date.now() > deadline)
      throw new Error(`run ${runId} is ${status}:\n${shell.log()}`);
  }
  test = await shell.call<PredictionSet>('listPredictions', runId);
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

const view = (page: Page) => page.locator('.view.audition');
const panel = (page: Page) => page.getByTestId('note-panel');
const wrong = (notes: NotePrediction[]) => notes.filter((n) => n.predicted !== n.trueFamily);

/** Every note the (virtualized) list shows, in its order: scrolls it from top to bottom. */
async function listedNotes(page: Page): Promise<string[]> {
  return page.getByTestId('note-list').evaluate(async (el) => {
    const byRow = new Map<number, string>();
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    el.scrollTop = 0;
    for (;;) {
      await frame();
      for (const row of el.querySelectorAll<HTMLElement>('[role="option"]')) {
        const y = Number(/translateY\((\d+)px\)/.exec(row.style.transform)?.[1]);
        byRow.set(Math.round(y / row.offsetHeight), row.dataset.note!);
      }
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      el.scrollTop += el.clientHeight;
    }
    return [...byRow.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  });
}

async function openAudition(page: Page, query = '') {
  await page.goto(`${shell.origin}/#/runs/${runId}/audition${query}`);
  await expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 15_000 }).toBe('yes');
}

/** Waits until the panel shows a note with its audio drawn. */
async function audioReady(page: Page, note: string) {
  await expect.poll(() => panel(page).getAttribute('data-note'), { timeout: 10_000 }).toBe(note);
  await expect.poll(() => page.getByTestId('play').isEnabled(), { timeout: 10_000 }).toBe(true);
}

const playhead = (page: Page) => page.getByTestId('audio-view').getAttribute('data-time').then(Number);

/** The correct note of `family` nearest in pitch and velocity (a semitone weighs like a velocity step of 25). */
function nearest(note: NotePrediction, family: number, notes: NotePrediction[]): NotePrediction | undefined {
  const d = (n: NotePrediction) => Math.abs(n.pitch - note.pitch) + Math.abs(n.velocity - note.velocity) / 25;
  return notes
    .filter((n) => n.trueFamily === family && n.predicted === family && n.noteStr !== note.noteStr)
    .sort((x, y) => d(x) - d(y) || x.noteStr.localeCompare(y.noteStr))[0];
}

describe('the audition view', () => {
  it('lists the misclassified notes, most confident first, and plays one with a moving playhead', async () => {
    const { page } = shell;
    await openAudition(page);
    expect(await page.title()).toBe(`Audition · Run ${runId} · Timbre Workbench`);
    const misclassified = wrong(test.notes);
    expect(misclassified.length).toBeGreaterThan(3);
    const expected = [...misclassified]
      .sort((a, b) => b.confidence - a.confidence || a.noteStr.localeCompare(b.noteStr))
      .map((n) => n.noteStr);
    expect(await listedNotes(page)).toEqual(expected);
    expect(await page.getByTestId('note-count').getAttribute('data-count')).toBe(
      String(misclassified.length),
    );

    // The first note is selected, its clip the model saw marked on both drawings.
    await audioReady(page, expected[0]!);
    expect(await page.getByTestId('audio-view').getAttribute('data-seen')).toBe(
      `${test.seen.start}-${test.seen.start + test.seen.seconds}`,
    );
    expect(await page.getByTestId('seen-label').textContent()).toMatch(/seen by the model: 0\.0–1\.0 s/);
    expect(await panel(page).textContent()).toContain(`predicted: `);
    expect(await playhead(page)).toBe(0);

    await page.keyboard.press('Space');
    await expect.poll(() => view(page).getAttribute('data-playing'), { timeout: 5_000 }).toBe('yes');
    await expect.poll(() => playhead(page), { timeout: 5_000 }).toBeGreaterThan(0.3);
    const left = await page
      .getByTestId('playhead')
      .first()
      .evaluate((e) => parseFloat(e.style.left));
    expect(left).toBeGreaterThan(5);
    await shell.shot('audition-playing');
    const t1 = await playhead(page);
    await page.waitForTimeout(300);
    expect(await playhead(page)).toBeGreaterThan(t1);

    await page.keyboard.press('Space');
    await expect.poll(() => view(page).getAttribute('data-playing')).toBe('no');
    const stopped = await playhead(page);
    await page.waitForTimeout(300);
    expect(await playhead(page)).toBe(stopped);

    // Down and up walk the list; the address keeps the note.
    await page.keyboard.press('ArrowDown');
    await audioReady(page, expected[1]!);
    expect(decodeURIComponent(page.url())).toContain(`note=${expected[1]}`);
    await page.keyboard.press('ArrowUp');
    await audioReady(page, expected[0]!);
    await page.reload();
    await audioReady(page, expected[0]!);
  });

  it('switches between the note and its nearest correct neighbours with keys and clicks', async () => {
    const { page } = shell;
    const note = wrong(test.notes).find(
      (n) => nearest(n, n.predicted, test.notes) && nearest(n, n.trueFamily, test.notes),
    );
    expect(note, 'a misclassified note whose two families have correct notes').toBeTruthy();
    const b = nearest(note!, note!.predicted, test.notes)!;
    const c = nearest(note!, note!.trueFamily, test.notes)!;
    await openAudition(page, `?note=${note!.noteStr}`);
    await audioReady(page, note!.noteStr);
    const ab = page.getByTestId('ab');
    expect(await ab.locator('[data-variant="b"]').getAttribute('data-note')).toBe(b.noteStr);
    expect(await ab.locator('[data-variant="c"]').getAttribute('data-note')).toBe(c.noteStr);

    await page.keyboard.press('2');
    await audioReady(page, b.noteStr);
    expect(await panel(page).getAttribute('data-variant')).toBe('b');
    await page.keyboard.press('3');
    await audioReady(page, c.noteStr);
    await shell.shot('audition-ab');
    await ab.locator('[data-variant="a"]').click();
    await audioReady(page, note!.noteStr);
    await ab.locator('[data-variant="b"]').click();
    await audioReady(page, b.noteStr);
    // The list still selects A: the next note down is A's neighbour in the list.
    expect(await page.locator('[role="option"][aria-selected="true"]').getAttribute('data-note')).toBe(
      note!.noteStr,
    );

    // Playback carries over a switch, from the same moment.
    await page.keyboard.press('Space');
    await expect.poll(() => playhead(page), { timeout: 5_000 }).toBeGreaterThan(0.4);
    await page.keyboard.press('1');
    await audioReady(page, note!.noteStr);
    expect(await playhead(page)).toBeGreaterThan(0.3);
    await expect.poll(() => view(page).getAttribute('data-playing')).toBe('yes');
    await page.keyboard.press('Space');
    await expect.poll(() => view(page).getAttribute('data-playing')).toBe('no');

    // Keys typed into a filter are not shortcuts.
    await page.getByLabel('Sort by').focus();
    await page.keyboard.press('2');
    expect(await panel(page).getAttribute('data-variant')).toBe('a');
  });

  it('saves the note as a WAV file', async () => {
    const { page } = shell;
    const note = await panel(page).getAttribute('data-note');
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('s')]);
    expect(download.suggestedFilename()).toBe(`${note}.wav`);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
    const audio = await shell.call<NoteAudio>('noteAudio', runId, 'test', note);
    expect(bytes.equals(Buffer.from(audio.wavBase64, 'base64'))).toBe(true);
  });

  it('opens exactly the notes of a clicked confusion-matrix cell', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/${runId}`);
    const matrix = page.getByTestId('confusion');
    await expect.poll(() => matrix.locator('button.cell').count(), { timeout: 15_000 }).toBe(121);
    const cells = await matrix.locator('button.cell').evaluateAll((els) =>
      els.map((e) => ({
        t: Number(e.dataset.true),
        p: Number(e.dataset.pred),
        n: Number(e.dataset.count),
      })),
    );
    const off = cells.filter((c) => c.t !== c.p && c.n > 0).sort((a, b) => b.n - a.n)[0]!;
    const diag = cells.find((c) => c.t === c.p && c.n > 0);
    for (const cell of diag ? [off, diag] : [off]) {
      await page.goto(`${shell.origin}/#/runs/${runId}`);
      await matrix.locator(`button.cell[data-true="${cell.t}"][data-pred="${cell.p}"]`).click();
      await expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 15_000 }).toBe('yes');
      expect(page.url()).toMatch(
        new RegExp(`#/runs/${runId}/audition\\?true=${cell.t}&pred=${cell.p}&show=all`),
      );
      const inCell = test.notes.filter((n) => n.trueFamily === cell.t && n.predicted === cell.p);
      expect(inCell.length).toBe(cell.n);
      expect((await listedNotes(page)).sort()).toEqual(inCell.map((n) => n.noteStr).sort());
      // Ready to play: the first of them is loaded.
      await expect.poll(() => page.getByTestId('play').isEnabled(), { timeout: 10_000 }).toBe(true);
      if (cell === off) await shell.shot('audition-cell');
    }
  });

  it('opens a cell of a per-epoch validation matrix as the notes predicted so after that epoch', async () => {
    const { page } = shell;
    const epoch = 2;
    const ep = await shell.call<EpochPredictions>('epochPredictions', runId, epoch);
    await page.goto(`${shell.origin}/#/runs/${runId}`);
    await page.getByLabel('Which confusion matrix').selectOption({ label: `validation · epoch ${epoch}` });
    const matrix = page.getByTestId('confusion');
    const cell = matrix.locator('button.cell:not(.diag):not([data-count="0"])').first();
    const [t, p, n] = await Promise.all(
      ['data-true', 'data-pred', 'data-count'].map(async (a) => Number(await cell.getAttribute(a))),
    );
    await cell.click();
    await expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 15_000 }).toBe('yes');
    expect(page.url()).toMatch(
      new RegExp(`#/runs/${runId}/audition\\?split=valid&true=${t}&pred=${p}&show=all&epoch=${epoch}`),
    );
    await expect(page.getByTestId('audition-epoch').textContent()).resolves.toMatch(`after epoch ${epoch}`);
    const inCell = ep.notes.filter((x) => x.trueFamily === t && x.predicted === p).map((x) => x.noteStr);
    expect(inCell.length).toBe(n);
    expect((await listedNotes(page)).sort()).toEqual(inCell.sort());
    await expect(panel(page).textContent()).resolves.toMatch(
      /probabilities are kept for the final evaluations only/,
    );
    await shell.shot('audition-epoch-cell');
  });

  it('opens a cell of a matrix in a comparison as the notes of that run', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/compare?ids=${runId},${failedId}`);
    const figure = page.locator(`[data-testid="matrices"] figure[data-run="${runId}"]`);
    await expect.poll(() => figure.locator('button.cell').count(), { timeout: 15_000 }).toBe(121);
    const cell = figure.locator('button.cell:not(.diag):not([data-count="0"])').first();
    const [t, p] = [
      Number(await cell.getAttribute('data-true')),
      Number(await cell.getAttribute('data-pred')),
    ];
    await cell.click();
    await expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 15_000 }).toBe('yes');
    expect(await view(page).getAttribute('data-run')).toBe(String(runId));
    const inCell = test.notes.filter((n) => n.trueFamily === t && n.predicted === p).map((n) => n.noteStr);
    expect((await listedNotes(page)).sort()).toEqual(inCell.sort());
  });

  it('shows accuracy by pitch, velocity, source and instrument', async () => {
    const { page } = shell;
    await openAudition(page);
    await page.getByRole('radio', { name: 'accuracy by slice' }).click();
    const slices = page.getByTestId('slices');
    for (const kind of ['pitch', 'velocity', 'source', 'instrument']) {
      const rows = await slices
        .getByTestId(`slice-${kind}`)
        .locator('tbody tr td:last-child')
        .allTextContents();
      const [right, all] = rows
        .map((r) => r.split('/').map(Number))
        .reduce(([a, b], [x, y]) => [a + x!, b + y!], [0, 0]);
      expect([right, all]).toEqual([test.notes.length - wrong(test.notes).length, test.notes.length]);
    }
    const velocities = [...new Set(test.notes.map((n) => n.velocity))].sort((a, b) => a - b).map(String);
    const table = slices.getByTestId('slice-velocity');
    expect(await table.locator('tbody td:first-child').allTextContents()).toEqual(velocities);
    await table.getByRole('button', { name: /accuracy/ }).click();
    const acc = (await table.locator('tbody td:nth-child(2)').allTextContents()).map((t) => parseFloat(t));
    expect(acc).toEqual([...acc].sort((a, b) => b - a));
    await shell.shot('audition-slices');
  });

  it('follows a validation note through the epochs', async () => {
    const { page } = shell;
    const valid = await shell.call<PredictionSet>('listPredictions', runId, 'valid');
    expect(valid.history).toBe(true);
    await openAudition(page, '?split=valid&show=all');
    const first = await panel(page).getAttribute('data-note');
    const strip = page.getByTestId('epoch-strip');
    await expect
      .poll(() => strip.locator('[data-epochs]').getAttribute('data-epochs'), { timeout: 10_000 })
      .toBe(String(EPOCHS));
    const history = await shell.call<{ epochs: { predicted: number }[] }>('noteHistory', runId, first);
    expect(
      await strip.locator('.epoch').evaluateAll((els) => els.map((e) => Number(e.dataset.predicted))),
    ).toEqual(history.epochs.map((e) => e.predicted));
    await shell.shot('audition-valid');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shell.shot('audition-valid-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('radio', { name: 'test' }).click();
    await expect.poll(() => view(page).getAttribute('data-split'), { timeout: 10_000 }).toBe('test');
    expect(await page.getByTestId('epoch-strip').textContent()).toMatch(/recorded for validation notes/);
  });

  it('exports a report from the run detail as a download', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/${runId}`);
    const exporter = page.getByTestId('export-report');
    await exporter.getByLabel('Report format').selectOption('html');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      exporter.getByRole('button', { name: 'Export report' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`timbre-run-${runId}.html`);
    const html = fs.readFileSync((await download.path())!, 'utf8');
    expect(html.slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(html).toContain(shrunk.name); // the run's name
    await expect.poll(() => exporter.getByRole('status').textContent()).toMatch(/Downloaded timbre-run-/);
    await shell.shot('run-detail-export');
    // The header offers the audition of a finished run.
    await page.getByRole('link', { name: 'Audition' }).click();
    await expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 15_000 }).toBe('yes');
  });

  it('says what is missing: an unfinished run, a note whose file is gone', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/${failedId}/audition`);
    await expect
      .poll(() => page.getByText(`Audition needs a finished run: run ${failedId} is failed.`).isVisible(), {
        timeout: 10_000,
      })
      .toBe(true);

    const gone = wrong(test.notes)[0]!;
    fs.rmSync(path.join(data, 'nsynth-test', 'audio', `${gone.noteStr}.wav`));
    await openAudition(page, `?note=${gone.noteStr}`);
    await expect
      .poll(() => page.getByTestId('audio-view').textContent(), { timeout: 10_000 })
      .toMatch(/No audio: .*is missing: was the data set moved\?/);
    expect(await page.getByTestId('play').isDisabled()).toBe(true);
    await shell.shot('audition-missing-audio');
  });
});
