import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

let shell: Shell;
let cleanup: () => void;

beforeAll(async () => {
  const { dir, cleanup: c } = tempDir('timbre-ui-reconnect-');
  cleanup = c;
  shell = await startShell({ home: dir });
});
afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

it('says when the event stream drops, reconnects, and reloads what changed meanwhile', async () => {
  // A second page whose event WebSocket goes through the test, so the test can cut it.
  const page = await shell.page.context().newPage();
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/events/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(`${shell.origin}/#/datasets`);
  await page.getByTestId('dataset-default').waitFor();
  await expect.poll(() => sockets.length).toBe(1);
  await expect(page.getByTestId('connection-lost').count()).resolves.toBe(0);

  // Hold the reconnection until the test has changed something the page shows.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.unrouteAll();
  await page.routeWebSocket(/\/events/, async (ws) => {
    await held;
    ws.connectToServer();
    sockets.push(ws);
  });
  await sockets[0]!.close();
  await page.getByTestId('connection-lost').waitFor({ timeout: 5_000 });
  await page.screenshot({ path: 'test-artifacts/ui/reconnect-lost.png' });

  // Registered while the page hears nothing: its 'datasets' event is missed.
  await shell.call('importDataset', await tinyDataset(), 'added-offline');
  await new Promise((r) => setTimeout(r, 300));
  expect(await page.getByTestId('dataset-added-offline').count()).toBe(0);

  release();
  await page.getByTestId('dataset-added-offline').waitFor({ timeout: 15_000 });
  await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 5_000 });
  expect(sockets.length).toBe(2);
  await page.close();
});
