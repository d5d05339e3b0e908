// The built renderer as the Electron window gets it: every file through the app:// handler, with its
// CSP header, and the API through the real IPC handler (its sender check included). Electron's binary
// is missing here, so Debian's Chromium stands in: requests to http://workbench/ are answered by the
// handler as app://workbench/ (same host, same relative paths, same CSP), and `window.timbre` is the
// preload's bridge forwarding to the handler. Its checks: the page and its lazily loaded views (charts
// included) run under that CSP, and blob: audio plays.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, APP_ENTRY, serveRenderer } from '../../src-main/app/app-protocol';
import { CHANNELS, setupIpc } from '../../src-main/app/ipc';
import { Workbench } from '../../src-main/core/workbench';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { FAMILIES } from '../../src-main/shared/constants';
import { buildRenderer, RENDERER_OUT, rendererStale } from '../../src-main/server/renderer-build';
import { BrowserWindow, handlers, type IpcMainInvokeEvent } from '../helpers/electron-stub';
import { tinyDataset } from '../helpers/tiny';
import { withStore } from '../helpers/store';
import { tempDir } from '../helpers/tmp';
import { launchChromium } from '../helpers/ui';

let cleanup: () => void;
let wb: Workbench;
let stop: () => void;
let browser: Browser;
let page: Page;
const runIds: number[] = [];
/** CSP violations and uncaught errors the page reported. */
const problems: string[] = [];

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir('timbre-renderer-protocol-'));
  if (rendererStale()) await buildRenderer();
  wb = new Workbench({ home: path.join(dir, 'home'), shell: 'electron' });
  const dataset = await wb.importDataset(await tinyDataset(), 'tiny');
  // Recorded by hand on the test's own connection: two runs the contract could only train.
  withStore(path.join(dir, 'home'), ({ runs }) => {
    for (const name of ['first', 'second']) {
      const id = runs.create({
        name,
        config: resolveTrainConfig('seed-lstm', { epochs: 2 }),
        preset: 'seed-lstm',
        datasetId: dataset.id,
        datasetFingerprint: dataset.fingerprint,
        appVersion: '0.1.0',
      });
      // Two epochs, so that the run's and the comparison's charts and matrices are drawn.
      runs.start(id, 'cpu', '4.22.0');
      for (const epoch of [1, 2]) {
        const m = {
          epoch,
          trainLoss: 2 / epoch,
          trainAccuracy: 0.3 * epoch,
          valLoss: 2.2 / epoch,
          valAccuracy: 0.25 * epoch,
          seconds: 1,
          samplesPerSecond: 100,
        };
        runs.recordEpoch(
          id,
          m,
          FAMILIES.map((_, i) => FAMILIES.map((_, j) => (i === j ? 3 : 1))),
          null,
        );
      }
      runs.end(id, 'cancelled');
      runIds.push(id);
    }
  });
  const win = new BrowserWindow();
  await win.loadURL(APP_ENTRY);
  stop = setupIpc(wb, () => [win]);
  const invoke = handlers.get(CHANNELS.invoke) as (e: IpcMainInvokeEvent, m: unknown, a: unknown) => unknown;
  const serve = serveRenderer(RENDERER_OUT);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('__timbreInvoke', (method: unknown, args: unknown) =>
    invoke({ sender: { id: win.webContents.id }, senderFrame: win.webContents.mainFrame }, method, args),
  );
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    document.addEventListener('securitypolicyviolation', (e) =>
      ((w.__violations ??= []) as string[]).push(`${e.violatedDirective} ${e.blockedURI}`),
    );
    w.timbre = {
      invoke: (method: string, args: unknown[]) =>
        (w.__timbreInvoke as (m: string, a: unknown[]) => Promise<unknown>)(method, args),
      onEvent: () => () => {},
      saveFiles: async () => null,
    };
  });
  await page.route('**/*', async (route) => {
    const u = new URL(route.request().url());
    // Nothing but the app's own host is answered: a request elsewhere is a failure to see.
    if (u.host !== 'workbench') {
      problems.push(`request off the app: ${u.href}`);
      return route.abort();
    }
    const r = await serve(
      new Request(`app://workbench${u.pathname}${u.search}`, { method: route.request().method() }),
    );
    await route.fulfill({
      status: r.status,
      headers: Object.fromEntries(r.headers),
      body: Buffer.from(await r.arrayBuffer()),
    });
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  stop?.();
  await wb?.close();
  cleanup?.();
});

describe('the renderer served by the app:// handler', () => {
  it('runs under the CSP: the runs table, a run with its charts, compare, data sets', async () => {
    // The window's CSP arrives with the page, as the handler sends it.
    const response = await page.goto('http://workbench/index.html');
    expect(response!.headers()['content-security-policy']).toBe(APP_CSP);
    await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 20_000 }).toBe('Runs');
    await expect.poll(() => page.getByText('second').count(), { timeout: 20_000 }).toBeGreaterThan(0);

    await page.goto(`http://workbench/index.html#/runs/${runIds[0]}`);
    await expect.poll(() => page.getByText('Cancelled after 2 epochs').count(), { timeout: 20_000 }).toBe(1);
    // chart.js draws the loss and accuracy curves on canvases.
    await expect.poll(() => page.locator('canvas').count(), { timeout: 20_000 }).toBeGreaterThan(1);

    await page.goto(`http://workbench/index.html#/compare?ids=${runIds.join(',')}`);
    await expect
      .poll(() => page.locator('h1').first().textContent(), { timeout: 20_000 })
      .toBe('Compare 2 runs');

    await page.goto('http://workbench/index.html#/datasets');
    await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 20_000 }).toBe('Data sets');

    expect(
      await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
    ).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('plays audio from a blob: URL, as the audition does', async () => {
    const played = await page.evaluate(async () => {
      // One second of a 440 Hz tone as 16-bit mono WAV at 16 kHz.
      const n = 16000;
      const buf = new ArrayBuffer(44 + n * 2);
      const v = new DataView(buf);
      const text = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
      text(0, 'RIFF');
      v.setUint32(4, 36 + n * 2, true);
      text(8, 'WAVEfmt ');
      v.setUint32(16, 16, true);
      v.setUint16(20, 1, true);
      v.setUint16(22, 1, true);
      v.setUint32(24, 16000, true);
      v.setUint32(28, 32000, true);
      v.setUint16(32, 2, true);
      v.setUint16(34, 16, true);
      text(36, 'data');
      v.setUint32(40, n * 2, true);
      for (let i = 0; i < n; i++)
        v.setInt16(44 + i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)), true);
      const audio = new Audio(URL.createObjectURL(new Blob([buf], { type: 'audio/wav' })));
      audio.muted = true;
      await audio.play();
      return audio.duration;
    });
    expect(played).toBeCloseTo(1, 1);
    expect(
      await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []),
    ).toEqual([]);
  });
});
