// When the page painted what the user waits for, measured by the page's own clock.
//
// A timing through Playwright (Date.now() around goto and locator.waitFor) also counts Playwright's
// own round trips and its wait for the load event: on this machine ~70-140 ms for a static page of
// one table row (staticPageMs). The page's clock counts from the navigation's start (for a page
// load) or from the user's action (in the app) to the first paint of the awaited elements.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { median } from './report';

// Runs in the page: arms a probe that notes when the elements matched by all `selectors` are
// first painted (checked at every change of the page's elements or attributes). Text is timed by the browser's Element Timing (the probe marks the elements as
// they arrive, before their first paint); a canvas, which Element Timing does not time, by the end
// of the frame that first shows it (a message posted from its animation frame, handled after that
// frame's paint and whatever tasks were queued before it: late, if anything). Plain JavaScript
// text: a function passed to the page would carry the helpers tsx adds to named functions
// (__name), which the page does not have.
const ARM = `({ name, selectors, t0 }) => {
  const probes = (window.__probes ??= {});
  const probe = { t0: t0 ?? performance.now() };
  probes[name] = probe;
  const times = new Map();
  const done = () => {
    if (times.size === selectors.length) probe.painted = Math.max(...times.values());
  };
  const id = (i) => 'probe:' + name + ':' + i;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const i = selectors.findIndex((_, k) => e.identifier === id(k));
      if (i !== -1 && !times.has(i) && e.renderTime >= probe.t0) times.set(i, e.renderTime);
    }
    done();
  }).observe({ type: 'element', buffered: true });
  const mark = () => {
    selectors.forEach((s, i) => {
      const el = document.querySelector(s);
      if (el.tagName === 'CANVAS') {
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => {
            times.set(i, performance.now());
            done();
          };
          channel.port2.postMessage(null);
        });
      } else for (const x of [el, ...el.querySelectorAll('*')]) x.setAttribute('elementtiming', id(i));
    });
  };
  const all = () => selectors.every((s) => document.querySelector(s));
  if (all()) return mark();
  const observer = new MutationObserver(() => {
    if (!all()) return;
    observer.disconnect();
    mark();
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
}`;

const armScript = (args: { name: string; selectors: string[]; t0: number | null }) =>
  `(${ARM})(${JSON.stringify(args)});`;

/**
 * Arms a probe named `name` in every page this page loads from now on, counting from the
 * navigation's start (call once per name; the next page load measures).
 */
export async function armOnLoad(page: Page, name: string, selectors: string[]): Promise<void> {
  await page.addInitScript({ content: armScript({ name, selectors, t0: 0 }) });
}

/**
 * Arms a probe in the page as it is, counting from now (right before the user's action), or from
 * `since`, a time of the page's clock (pageNow) taken when the action began.
 */
export async function armNow(page: Page, name: string, selectors: string[], since?: number): Promise<void> {
  await page.evaluate(armScript({ name, selectors, t0: since ?? null }));
}

// Runs in the page: resolves once it has been quiet for a while: three idle periods in a row
// with most of their 50 ms free, and no new network request meanwhile.
const SETTLE = `new Promise((resolve) => {
  let quiet = 0;
  let seen = performance.getEntriesByType('resource').length;
  const next = () =>
    requestIdleCallback(
      (deadline) => {
        const now = performance.getEntriesByType('resource').length;
        quiet = deadline.timeRemaining() > 40 && now === seen ? quiet + 1 : 0;
        seen = now;
        if (quiet >= 3) resolve(true);
        else setTimeout(next, 20);
      },
      { timeout: 1000 },
    );
  next();
})`;

/**
 * Waits until the page has settled: what a load started after its first paint (the whole run list
 * parsed, the other views' code fetched ahead) is done, as it is by the time a user acts on what
 * they see. An action timed before that would count the page's own leftover work.
 */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(SETTLE);
}

/** The page's clock now. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/**
 * Milliseconds from the probe's start to the paint it waited for (waits for that paint). It asks
 * through a bare CDP session, which puts nothing into the page: Playwright's locators and
 * waitForFunction first load their injected script into a new page, a task of 16-26 ms that a
 * page load would otherwise pay right before its first paint (a user's browser has no such task).
 */
export async function paintedMs(page: Page, name: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  const expression = `(() => { const p = window.__probes?.[${JSON.stringify(name)}]; return p && p.painted !== undefined ? p.painted - p.t0 : null; })()`;
  try {
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      const { result } = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true })) as {
        result: { value?: number | null };
      };
      if (typeof result.value === 'number') return Math.round(result.value);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`The probe "${name}" saw no paint within 30 s.`);
  } finally {
    await cdp.detach();
  }
}

/**
 * Playwright's own figure for a page load: goto and waitFor of `selector`, from a load of its own
 * (so that its injected script never lands in a load the page's clock times).
 */
export async function playwrightLoadMs(page: Page, url: string, selector: string): Promise<number> {
  await page.goto('about:blank');
  const t0 = Date.now();
  await page.goto(url);
  await page.locator(selector).first().waitFor();
  return Date.now() - t0;
}

/**
 * What Playwright's own steps cost: goto and waitFor of a static page with one table row, served
 * by a plain local server (median of `times` loads).
 */
export async function staticPageMs(page: Page, times = 5): Promise<number> {
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><table><tr data-id="1"><td>one row</td></tr></table>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      await page.goto('about:blank');
      const t0 = Date.now();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.locator('tr[data-id]').first().waitFor();
      ms.push(Date.now() - t0);
    }
    return median(ms);
  } finally {
    server.close();
  }
}

/** A UI timing: by the page's clock until painted, and as Playwright's goto/waitFor saw it. */
export interface UiTiming {
  ms: number;
  playwrightMs: number;
}

/** The medians of several timings. */
export function medianTiming(ts: UiTiming[]): UiTiming {
  return { ms: median(ts.map((t) => t.ms)), playwrightMs: median(ts.map((t) => t.playwrightMs)) };
}

/** The note of a timing's row: its target, and what Playwright saw beside a static page. */
export function timingNote(t: UiTiming, staticMs: number, more = ''): string {
  return `target < 300${more}; Playwright saw ${t.playwrightMs} ms (a static page: ${staticMs})`;
}

/** The rows of the runs table, as the page-load probes wait for them. */
export const TABLE_ROWS = '[data-testid="runs-table"] tr[data-id]';
