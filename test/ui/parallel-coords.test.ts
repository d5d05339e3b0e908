// The sweep components (issue 13) in Chromium: parallel coordinates of 1,000 runs drawn, brushed
// with the mouse (the count checked against the runs' own values), cleared by Escape and by a click,
// a line clicked open; the scatter and the importance bars. On a page of their own built with Vite.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';
import { ARTIFACTS, launchChromium } from '../helpers/ui';
import { benchParallelCoords } from '../bench/ui-parallel';
import { buildHarness, serveDir } from './harness/build';
import { IMPORTANCE, LONE, syntheticRuns } from './harness/data';

const N = 1000;
let cleanup: () => void;
let server: { origin: string; close: () => Promise<void> };
let browser: Browser;
let page: Page;
const runs = syntheticRuns(N);

const count = () => page.getByTestId('parallel-count').textContent();
const axis = (key: string) => page.locator(`[data-testid="parallel-coords"] g[data-axis="${key}"]`);

/** The page position of an axis's tick (its label's middle, on the axis line). */
async function tick(key: string, value: string): Promise<{ x: number; y: number }> {
  const svg = await page.locator('[data-testid="parallel-coords"] svg.axes').boundingBox();
  const x = Number(await axis(key).getAttribute('data-x'));
  const label = await axis(key).locator(`text.tick-label[data-value="${value}"]`).boundingBox();
  if (!svg || !label) throw new Error(`No tick ${value} on ${key}.`);
  return { x: svg.x + x, y: label.y + label.height / 2 };
}

async function drag(x: number, y0: number, y1: number) {
  await page.mouse.move(x, y0);
  await page.mouse.down();
  await page.mouse.move(x, (y0 + y1) / 2, { steps: 3 });
  await page.mouse.move(x, y1, { steps: 3 });
  await page.mouse.up();
}

async function shots(name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(50);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${scheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  const tmp = tempDir('timbre-ui-parallel-');
  cleanup = tmp.cleanup;
  await buildHarness(tmp.dir);
  server = await serveDir(tmp.dir);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${server.origin}/parallel.html`);
  await page.waitForFunction(() => 'harness' in window);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  cleanup?.();
});

describe('the parallel coordinates', () => {
  it('draw 1,000 runs', async () => {
    // Timed alone (the first mount, code not yet compiled), then mounted with the scatter and the bars.
    const t = await page.evaluate((n) => window.harness.render(n, true), N);
    console.log(
      `parallel coordinates, ${N} runs, first mount: drawn after ${t.mountMs.toFixed(1)} ms ` +
        `(canvas ${t.drawMs.toFixed(1)} ms), next frame ${t.frameMs.toFixed(1)} ms`,
    );
    const all = await page.evaluate((n) => window.harness.render(n), N);
    console.log(`with the scatter and the importance bars: ${all.mountMs.toFixed(1)} ms`);
    expect(await count()).toBe(`${N} of ${N} runs`);
    expect(Number(await page.getByTestId('parallel-canvas').getAttribute('data-draws'))).toBeGreaterThan(0);
    // One axis per setting and per metric, the colour metric last; lr spans four decades: log ticks.
    const keys = await page
      .locator('g[data-axis]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-axis')));
    expect(keys).toEqual(['lr', 'model.type', 'hidden', 'dropout', 'augment', 'bestValLoss', 'testAccuracy']);
    for (const v of ['1e-5', '1e-4', '0.001', '0.01', '0.1']) await tick('lr', v);
    // Runs without a hidden size sit at "none".
    await tick('hidden', 'none');
    await shots('parallel-coords');
  });

  it('filter by brushing axes, and clear by Escape or a click on the axis', async () => {
    const lstm = await tick('model.type', 'lstm');
    await drag(lstm.x, lstm.y - 12, lstm.y + 12);
    const lstmRuns = runs.filter((r) => r.values['model.type'] === 'lstm');
    expect(await count()).toBe(`${lstmRuns.length} of ${N} runs`);
    expect(await page.evaluate(() => window.harness.filtered?.length)).toBe(lstmRuns.length);

    // A second axis narrows it further (AND): lr from 1e-4 to 0.01.
    const hi = await tick('lr', '0.01');
    const lo = await tick('lr', '1e-4');
    await drag(hi.x, hi.y - 2, lo.y + 2);
    const both = lstmRuns.filter((r) => (r.values.lr as number) >= 1e-4 && (r.values.lr as number) <= 0.01);
    expect(both.length).toBeGreaterThan(0);
    expect(await count()).toBe(`${both.length} of ${N} runs`);
    const ids = await page.evaluate(() => window.harness.filtered);
    expect(ids).toEqual(both.map((r) => r.id));
    expect(await page.locator('rect.brush').count()).toBe(2);
    await shots('parallel-coords-brushed');

    // Escape right after the drag clears every brush.
    await page.keyboard.press('Escape');
    expect(await count()).toBe(`${N} of ${N} runs`);
    expect(await page.evaluate(() => window.harness.filtered)).toBeNull();

    // A click on a brushed axis (no drag) clears its brush.
    await drag(lstm.x, lstm.y - 12, lstm.y + 12);
    expect(await count()).toBe(`${lstmRuns.length} of ${N} runs`);
    await page.mouse.click(lstm.x, lstm.y + 40);
    expect(await count()).toBe(`${N} of ${N} runs`);

    // The keyboard brushes too: arrow keys step through the categories (Down starts at the top).
    await axis('model.type').focus();
    await page.keyboard.press('ArrowDown');
    const top = runs.filter((r) => r.values['model.type'] === 'mlp').length;
    expect(await count()).toBe(`${top} of ${N} runs`);
    // Escape on a focused axis too.
    await page.keyboard.press('Escape');
    expect(await count()).toBe(`${N} of ${N} runs`);
  });

  it('open the run of a clicked line, and name the hovered one', async () => {
    // The lone gru run: its line leaves the "gru" tick towards its hidden size's tick.
    const from = await tick('model.type', LONE.type);
    const to = await tick('hidden', String(LONE.hidden));
    const f = 16 / (to.x - from.x);
    const at = { x: from.x + 16, y: from.y + (to.y - from.y) * f };
    await page.mouse.move(at.x, at.y);
    const tip = page.getByTestId('parallel-tip');
    await tip.waitFor();
    const lone = runs.find((r) => r.id === LONE.id)!;
    expect(await tip.textContent()).toContain(lone.name);
    await shots('parallel-coords-hover');
    await page.mouse.click(at.x, at.y);
    expect(await page.evaluate(() => window.harness.opened)).toEqual([LONE.id]);
    // Far from every line: nothing opens.
    await page.mouse.click(from.x + 16, 20);
    expect(await page.evaluate(() => window.harness.opened)).toEqual([LONE.id]);
  });
});

describe('the parallel coordinates on other screens', () => {
  it('draw again at a new width, at twice the pixels on a dense screen', async () => {
    const canvas = page.getByTestId('parallel-canvas');
    const draws = Number(await canvas.getAttribute('data-draws'));
    await page.setViewportSize({ width: 900, height: 900 });
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid="parallel-canvas"]')!.getAttribute('data-draws')) > n,
      draws,
    );
    const narrow = await canvas.evaluate((c: HTMLCanvasElement) => ({ w: c.width, css: c.clientWidth }));
    expect(narrow.css).toBeLessThan(900);
    expect(narrow.w).toBe(narrow.css);
    // The axes moved with it: the last one is inside the narrower plot.
    expect(Number(await axis('testAccuracy').getAttribute('data-x'))).toBeLessThan(narrow.css);
    await page.setViewportSize({ width: 1280, height: 900 });

    const dense = await browser.newPage({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 2 });
    try {
      await dense.goto(`${server.origin}/parallel.html`);
      await dense.waitForFunction(() => 'harness' in window);
      await dense.evaluate((n) => window.harness.render(n, true), 200);
      const c = await dense.getByTestId('parallel-canvas').evaluate((c: HTMLCanvasElement) => ({
        w: c.width,
        h: c.height,
        css: c.clientWidth,
        cssH: c.clientHeight,
      }));
      expect(c.w).toBe(c.css * 2);
      expect(c.h).toBe(c.cssH * 2);
    } finally {
      await dense.close();
    }
  });
});

describe('the scatter and the importance bars', () => {
  it('open the run of a clicked point', async () => {
    const scatter = page.getByTestId('scatter-plot');
    expect(await scatter.getByLabel('x axis: a setting').inputValue()).toBe('model.type');
    const p = await page.evaluate((id) => window.harness.scatterPoint(id), LONE.id);
    expect(p).not.toBeNull();
    await page.mouse.click(p!.x, p!.y);
    // chart.js handles events on the next animation frame.
    await page.waitForFunction(() => window.harness.scatterOpened.length > 0);
    expect(await page.evaluate(() => window.harness.scatterOpened)).toEqual([LONE.id]);
    // Another x, y and colour from the selects: the chart is drawn again and still opens runs.
    await scatter.getByLabel('x axis: a setting').selectOption('lr');
    await scatter.getByLabel('y axis: a metric').selectOption('bestValLoss');
    await scatter.getByLabel('colour: a setting or a metric').selectOption('model.type');
    const q = await page.evaluate((id) => window.harness.scatterPoint(id), LONE.id);
    expect(q).not.toBeNull();
    await shots('scatter-lr');
  });

  it('list the settings by forest importance', async () => {
    const keys = await page
      .locator('[data-testid="importance-bars"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    const expected = [...IMPORTANCE].sort((a, b) => b.forest! - a.forest!).map((r) => r.key);
    expect(keys).toEqual(expected);
    const lr = page.locator('[data-testid="importance-bars"] tr[data-key="lr"]');
    expect(await lr.locator('[data-part="correlation"]').textContent()).toBe('+0.31');
    expect(await lr.locator('[data-part="forest"]').textContent()).toBe('58 %');
    const augment = page.locator('[data-testid="importance-bars"] tr[data-key="augment"]');
    expect(await augment.locator('[data-part="correlation"]').count()).toBe(0);
  });
});

describe('the benchmark of the parallel coordinates', () => {
  it('times 1,000 runs drawn', async () => {
    const { rows, drawnMs, canvasMs } = await benchParallelCoords(page, server.origin);
    for (const r of rows) console.log(`${r.what}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
    expect(drawnMs).toBeGreaterThan(0);
    expect(canvasMs).toBeGreaterThan(0);
    expect(canvasMs).toBeLessThanOrEqual(drawnMs);
  });
});
