// The sweeps part of the UI benchmark (issue 12): in Chromium against the browser shell, the
// time to create a sweep of 500 runs from the page (the API call through the server, all its
// runs queued in one transaction) until its page lists them, and the time until the runs table
// with 10,000 runs has rendered filtered to one sweep of 500. Target: each under 300 ms.
import type { Page } from 'playwright-core';
import type { SweepSummary } from '../../src-main/shared/sweeps';
import type { BenchRow } from './datasets';

/** 250 configurations x 2 seeds of a small model, as the New-run form would send it. */
const SPEC = {
  name: 'bench 500',
  base: { preset: 'seed-fc', overrides: { epochs: 2 } },
  method: 'grid',
  grid: {
    lr: Array.from({ length: 25 }, (_, i) => +(1e-4 * (i + 1)).toPrecision(3)),
    hidden: [16, 32, 48, 64, 80, 96, 112, 128, 144, 160],
  },
  seeds: 2,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Calls the API from the page itself, as the renderer does (the token is in the page's cookie). */
function callFromPage<T>(page: Page, method: string, args: unknown[]): Promise<T> {
  return page.evaluate(
    async ({ method, args }) => {
      const r = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args }),
      });
      const body = (await r.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(body.error?.message ?? 'failed');
      return body.value;
    },
    { method, args },
  ) as Promise<T>;
}

/** Times sweep creation and the runs table filtered to a sweep; `seeded` is the id of a seeded sweep of 500 runs. */
export async function benchSweepUi(
  page: Page,
  origin: string,
  seeded: number,
): Promise<{ rows: BenchRow[]; createMs: number; filteredMs: number }> {
  // Nothing trains meanwhile: the timings are of creating and showing, not of training.
  await page.goto(`${origin}/#/sweeps`);
  await callFromPage(page, 'pauseQueue', []);
  const createTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const created = await callFromPage<SweepSummary>(page, 'createSweep', [
      { ...SPEC, name: `${SPEC.name} #${i}` },
    ]);
    await page.evaluate((id) => (location.hash = `#/sweeps/${id}`), created.id);
    await page.locator('[data-testid="sweep-runs"] tr[data-id]').first().waitFor();
    createTimes.push(Date.now() - t0);
    if (created.counts.total !== 500) throw new Error(`The sweep has ${created.counts.total} runs, not 500.`);
  }
  const filteredTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(`${origin}/#/runs?sweep=${seeded}`);
    await page.locator('[data-testid="runs-table"] tr[data-id]').first().waitFor();
    filteredTimes.push(Date.now() - t0);
  }
  const createMs = median(createTimes);
  const filteredMs = median(filteredTimes);
  return {
    createMs,
    filteredMs,
    rows: [
      {
        what: 'sweep of 500 runs created from the page and listed',
        value: createMs,
        unit: 'ms',
        note: 'target < 300',
      },
      {
        what: 'runs table of 10,000 runs filtered to a sweep of 500 (page load)',
        value: filteredMs,
        unit: 'ms',
        note: 'target < 300',
      },
    ],
  };
}
