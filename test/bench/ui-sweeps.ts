// The sweeps part of the UI benchmark (issue 12): in Chromium against the browser shell, the
// time to create a sweep of 500 runs from the page (the API call through the server, all its
// runs queued in one transaction) until its page lists them, and the time until the runs table
// with 10,000 runs has rendered filtered to one sweep of 500. Target: each under 300 ms, by the
// page's clock until painted (painted.ts).
import type { Page } from 'playwright-core';
import type { SweepSummary } from '../../src-main/shared/sweeps';
import type { BenchRow } from './datasets';
import {
  armNow,
  medianTiming,
  pageNow,
  paintedMs,
  playwrightLoadMs,
  settle,
  TABLE_ROWS,
  timingNote,
  type UiTiming,
} from './painted';

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

/**
 * Times sweep creation and the runs table filtered to a sweep; `seeded` is the id of a seeded sweep
 * of 500 runs. The page loads are measured by the probe the caller armed on load ('table').
 */
export async function benchSweepUi(
  page: Page,
  origin: string,
  seeded: number,
  staticMs: number,
): Promise<{ rows: BenchRow[]; create: UiTiming; filtered: UiTiming }> {
  // Nothing trains meanwhile: the timings are of creating and showing, not of training.
  await page.goto(`${origin}/#/sweeps`);
  // Playwright's script is loaded before the first timing, not during it.
  await page.locator('body').waitFor();
  await callFromPage(page, 'pauseQueue', []);
  const createTimes: UiTiming[] = [];
  for (let i = 0; i < 3; i++) {
    await settle(page);
    const since = await pageNow(page);
    const t0 = Date.now();
    const created = await callFromPage<SweepSummary>(page, 'createSweep', [
      { ...SPEC, name: `${SPEC.name} #${i}` },
    ]);
    // The new sweep's rows, not the previous one's (its page is still shown): counted from `since`,
    // so the round trip to arm the probe counts too.
    const rows = `section[data-sweep="${created.id}"] [data-testid="sweep-runs"] tr[data-id]`;
    await armNow(page, 'sweep', [rows], since);
    await page.evaluate((id) => (location.hash = `#/sweeps/${id}`), created.id);
    await page.locator(rows).first().waitFor();
    const playwrightMs = Date.now() - t0;
    createTimes.push({ ms: await paintedMs(page, 'sweep'), playwrightMs });
    if (created.counts.total !== 500) throw new Error(`The sweep has ${created.counts.total} runs, not 500.`);
  }
  const filteredTimes: UiTiming[] = [];
  for (let i = 0; i < 3; i++) {
    const url = `${origin}/#/runs?sweep=${seeded}`;
    await page.goto('about:blank');
    await page.goto(url);
    const ms = await paintedMs(page, 'table');
    filteredTimes.push({ ms, playwrightMs: await playwrightLoadMs(page, url, TABLE_ROWS) });
  }
  const create = medianTiming(createTimes);
  const filtered = medianTiming(filteredTimes);
  return {
    create,
    filtered,
    rows: [
      {
        what: 'sweep of 500 runs created from the page and listed (until painted)',
        value: create.ms,
        unit: 'ms',
        note: timingNote(create, staticMs),
      },
      {
        what: 'runs table of 10,000 runs filtered to a sweep of 500 (page load until painted)',
        value: filtered.ms,
        unit: 'ms',
        note: timingNote(filtered, staticMs),
      },
    ],
  };
}
