// The parallel-coordinates part of the UI benchmark (issue 13): in Chromium, the time from
// mounting the component with 1,000 runs until its lines are drawn, on the test harness page
// (test/ui/harness). Target: under 300 ms.
import type { Page } from 'playwright-core';
import { tempDir } from '../helpers/tmp';
import { buildHarness, serveDir } from '../ui/harness/build';
import type { BenchRow } from './datasets';
import { median } from './report';

const RUNS = 1000;
const TIMES = 5;

/** Builds the harness page into a temporary folder and serves it; `origin` is for benchParallelCoords. */
export async function serveParallelHarness(): Promise<{ origin: string; close: () => Promise<void> }> {
  const { dir, cleanup } = tempDir('timbre-bench-parallel-');
  await buildHarness(dir);
  const server = await serveDir(dir);
  return {
    origin: server.origin,
    close: async () => {
      await server.close();
      cleanup();
    },
  };
}

/** Times drawing 1,000 runs in parallel coordinates; `origin` serves the built harness (serveParallelHarness). */
export async function benchParallelCoords(
  page: Page,
  origin: string,
): Promise<{ rows: BenchRow[]; drawnMs: number; canvasMs: number }> {
  await page.goto(`${origin}/parallel.html`);
  await page.waitForFunction(() => 'harness' in window);
  // The first mount also compiles the page's code: it is run and left out.
  await page.evaluate((n) => window.harness.render(n, true), RUNS);
  const drawn: number[] = [];
  const canvas: number[] = [];
  for (let i = 0; i < TIMES; i++) {
    const t = await page.evaluate((n) => window.harness.render(n, true), RUNS);
    drawn.push(t.mountMs);
    canvas.push(t.drawMs);
  }
  const drawnMs = median(drawn);
  const canvasMs = median(canvas);
  return {
    drawnMs,
    canvasMs,
    rows: [
      {
        what: `parallel coordinates of ${RUNS.toLocaleString('en')} runs, mounted until drawn`,
        value: Math.round(drawnMs * 10) / 10,
        unit: 'ms',
        note: 'target < 300',
      },
      {
        what: `parallel coordinates of ${RUNS.toLocaleString('en')} runs, canvas drawing alone`,
        value: Math.round(canvasMs * 10) / 10,
        unit: 'ms',
      },
    ],
  };
}
