import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddingMap } from '../../src-main/shared/embedding';
import type { PredictionSet } from '../../src-main/shared/contract';
import type { RunDetail, RunSummary } from '../../src-main/shared/training';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let shell: Shell;
let cleanup: () => void;
let runId: number;
let test: PredictionSet;

beforeAll(async () => {
  let home: string;
  ({ dir: home, cleanup } = tempDir('timbre-ui-map-'));
  shell = await startShell({ home });
  // Every audio element the page plays, to see a clicked point's note play.
  await shell.page.addInitScript(() => {
    const played: HTMLMediaElement[] = [];
    (window as unknown as { played: HTMLMediaElement[] }).played = played;
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      played.push(this);
      return play.call(this);
    };
  });
  runId = (
    await shell.call<RunSummary>('createRun', {
      preset: 'logmel-mlp',
      overrides: { epochs: 3, batch: 16, features: { seconds: 0.5, nMels: 16 } },
    })
  ).id;
  for (const deadline = Date.now() + 180_000; ; await new Promise((r) => setTimeout(r, 500))) {
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

const mapBox = (page: Page) => page.getByTestId('embedding-map');

/** Where a point is drawn, in page pixels. */
async function pointOnPage(page: Page, map: EmbeddingMap, i: number): Promise<{ x: number; y: number }> {
  const canvas = mapBox(page).locator('canvas');
  const box = (await canvas.boundingBox())!;
  const pad = Number(await mapBox(page).getAttribute('data-pad'));
  return {
    x: box.x + pad + map.x[i]! * (box.width - 2 * pad),
    y: box.y + pad + (1 - map.y[i]!) * (box.height - 2 * pad),
  };
}

/** A point no other point is drawn within 6 px of, misclassified if one is. */
async function lonePoint(page: Page, map: EmbeddingMap): Promise<number> {
  const at = await Promise.all(map.notes.map((_, i) => pointOnPage(page, map, i)));
  const lone = at
    .map((p, i) => i)
    .filter((i) => at.every((q, j) => j === i || Math.hypot(q.x - at[i]!.x, q.y - at[i]!.y) > 6));
  return lone.find((i) => map.truth[i] !== map.predicted[i]) ?? lone[0]!;
}

describe('the embedding map in the run detail', () => {
  it('is made on request with progress, drawn with every test note, and kept', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/runs/${runId}`);
    await expect.poll(() => mapBox(page).getAttribute('data-state'), { timeout: 15_000 }).toBe('idle');
    await page.getByRole('button', { name: 'Make the map' }).click();
    await expect.poll(() => mapBox(page).getAttribute('data-state'), { timeout: 60_000 }).toBe('ready');
    expect(Number(await mapBox(page).locator('canvas').getAttribute('data-points'))).toBe(test.notes.length);
    const wrong = test.notes.filter((n) => n.trueFamily !== n.predicted).length;
    await expect
      .poll(() => page.locator('.panel', { has: mapBox(page) }).textContent())
      .toContain(`${test.notes.length} test notes · ${wrong} wrong (ringed)`);
    // Points are drawn: the canvas is not blank.
    const inked = await mapBox(page)
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
    expect(inked).toBeGreaterThan(test.notes.length * 10);
    await mapBox(page).scrollIntoViewIfNeeded();
    await shell.shot('embedding-map-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shell.shot('embedding-map-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Opened again: the stored map, not made again.
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.reload();
    await expect.poll(() => mapBox(page).getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    expect(asked).toContain('/api/embeddingMap');
    expect(asked).not.toContain('/api/makeEmbeddingMap');
  });

  it('names a hovered note, and a clicked one plays and opens in the audition view', async () => {
    const { page } = shell;
    const map = (await shell.call<EmbeddingMap>('embeddingMap', runId))!;
    await mapBox(page).locator('canvas').scrollIntoViewIfNeeded();
    const i = await lonePoint(page, map);
    const note = map.notes[i]!;
    const at = await pointOnPage(page, map, i);
    await page.mouse.move(at.x, at.y);
    await expect.poll(() => page.getByTestId('map-tip').textContent()).toContain(note);
    await shell.shot('embedding-map-hover');
    const [audio] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/noteAudio') && r.postData()!.includes(note)),
      page.mouse.click(at.x, at.y),
    ]);
    expect(JSON.parse(audio.postData()!).args).toEqual([runId, 'test', note]);
    await expect
      .poll(() => page.url())
      .toContain(`#/runs/${runId}/audition?show=all&note=${encodeURIComponent(note)}`);
    await expect
      .poll(() => page.getByTestId('note-panel').getAttribute('data-note'), { timeout: 15_000 })
      .toBe(note);
    // The note plays: an audio element of its WAV was started and is not paused.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const played = (window as unknown as { played: HTMLMediaElement[] }).played;
          return played.length > 0 && played.at(-1)!.src.startsWith('blob:') && !played.at(-1)!.paused;
        }),
      )
      .toBe(true);
    // One note at a time: the audition's own play stops the map's note.
    const before = await page.evaluate(
      () => (window as unknown as { played: HTMLMediaElement[] }).played.length,
    );
    await page.getByTestId('note-panel').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Space');
    await expect
      .poll(() =>
        page.evaluate((n) => {
          const played = (window as unknown as { played: HTMLMediaElement[] }).played;
          return played.length > n && !played.at(-1)!.paused && played.slice(0, n).every((a) => a.paused);
        }, before),
      )
      .toBe(true);
  });
});
