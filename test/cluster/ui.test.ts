// Cluster mode as a user sees it in Chromium: a hub with Redis and a worker process; the status
// strip counts the worker, the queue view lists it with the run it trains and the epoch, the run's
// view says which worker trained which epochs; a worker stopped on purpose shows as left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterWorkerInfo, RunWorkerShare } from '../../src-main/shared/contract';
import type { RunSummary } from '../../src-main/shared/training';
import { ARTIFACTS, launchChromium } from '../helpers/ui';
import { tempDir } from '../helpers/tmp';
import { call, startHub, startRedis, startWorker, stopAll } from './processes';

// Twelve epochs, two notes a batch: the trainer is held still after a new best epoch k (> 1).
const LONGER = {
  epochs: 12,
  batch: 2,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

let dir: string;
let cleanup: () => void;
let browser: Browser;
let page: Page;
let hub: Awaited<ReturnType<typeof startHub>>;
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-ui-'));
  redis = await startRedis(path.join(dir, 'redis'));
  hub = await startHub(path.join(dir, 'hub'), redis.url, { build: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stopAll();
  cleanup();
});

async function shots(name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${scheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Resolves once the file the paused trainer writes holds its epoch. */
async function pausedAt(file: string): Promise<number> {
  const until = Date.now() + 60_000;
  while (!fs.existsSync(file) || !fs.readFileSync(file, 'utf8').endsWith('\n')) {
    if (Date.now() > until) throw new Error(`The trainer never paused:\n${hub.server.out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number(fs.readFileSync(file, 'utf8').trim());
}

describe('cluster mode in the browser', () => {
  it('shows the workers in the status strip and the queue view, and each run its workers', async () => {
    await page.goto(hub.url);
    // No worker yet: the strip says none, the queue view says how to start one.
    await expect
      .poll(() => page.getByTestId('cluster-workers').textContent(), { timeout: 20_000 })
      .toBe('0 workers');
    await page.goto(`${hub.base}/#/queue`);
    await expect.poll(() => page.getByTestId('queue-workers').textContent()).toContain('timbre worker');

    const paused = path.join(dir, 'paused');
    const { id, worker } = await startWorker(hub.url, redis.url, path.join(dir, 'w1'), {
      TIMBRE_WORKER_LOCK_MS: '1000',
      TIMBRE_TEST_PAUSE: `best-saved:${paused}`,
    });
    const run = await call<RunSummary>(hub, 'createRun', {
      name: 'on a worker',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: LONGER,
    });
    const k = await pausedAt(paused);
    expect(k).toBeGreaterThanOrEqual(2);

    // What the API says: the worker, alive, with its machine's cores, the run and the epoch it trains.
    const listed = await call<ClusterWorkerInfo[]>(hub, 'clusterWorkers');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id,
      host: id.split(':')[0],
      backend: 'cpu',
      cores: os.availableParallelism(),
      runsAtOnce: 1,
      state: 'alive',
      runs: [{ runId: run.id, epoch: k }],
    });
    expect(Date.now() - Date.parse(listed[0]!.lastSeen)).toBeLessThan(15_000);

    // The queue view's table, within a poll (5 s).
    const row = page.locator(`[data-testid="queue-workers"] tr[data-worker="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain(`epoch ${k}`);
    const text = (await row.textContent())!;
    expect(text).toContain(id.split(':')[0]);
    expect(text).toContain('alive');
    expect(text).toContain('cpu');
    expect(text).toContain('on a worker');
    expect(await page.getByTestId('cluster-workers').textContent()).toBe('1 worker');
    await shots('cluster-queue');
    // The strip's details on focus: the worker and what it trains.
    await page.getByTestId('cluster-workers').focus();
    const pop = page.locator('#cluster-workers-list');
    await pop.waitFor({ state: 'visible' });
    expect(await pop.textContent()).toContain(`run ${run.id} epoch ${k}`);
    await shots('cluster-strip');

    // The run's view: this worker trained epochs 1 to k - 1 (committed), on cpu.
    await page.goto(`${hub.base}/#/runs/${run.id}`);
    const panel = page.getByTestId('run-workers');
    await panel.waitFor({ timeout: 15_000 });
    const shares = await call<RunWorkerShare[]>(hub, 'runWorkers', run.id);
    expect(shares).toMatchObject([{ fromEpoch: 1, toEpoch: k - 1, worker: id, backend: 'cpu' }]);
    expect(await panel.textContent()).toContain(k - 1 === 1 ? '1' : `1–${k - 1}`);
    await shots('cluster-run');

    // Stopped on purpose: it tells the hub, which shows it left and puts its run back at once.
    await worker.stop('SIGTERM');
    expect(worker.out()).toContain(`The hub took back run ${run.id}`);
    const after = await call<ClusterWorkerInfo[]>(hub, 'clusterWorkers');
    expect(after[0]).toMatchObject({ id, state: 'left', runs: [] });
    await page.goto(`${hub.base}/#/queue`);
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('left');
    await expect.poll(() => page.getByTestId('cluster-workers').textContent()).toBe('0 workers');
  });

  it('a run trained here has no workers; a workbench without Redis shows none and answers null', async () => {
    const plain = await startHub(path.join(dir, 'plain'), null);
    expect(await call(plain, 'clusterWorkers')).toBeNull();
    const run = await call<RunSummary>(plain, 'createRun', { name: 'here', preset: 'seed-lstm' });
    expect(await call(plain, 'runWorkers', run.id)).toEqual([]);
    await expect(call(plain, 'runWorkers', 0)).rejects.toThrow(/invalid arguments/);
    await expect(call(plain, 'runWorkers', 99_999)).rejects.toThrow(/99999/);
    await page.goto(plain.url);
    // The strip has loaded (the app's version is drawn once the app answered) and shows no workers.
    await page
      .getByRole('contentinfo')
      .getByText(/^v\d+\.\d+/)
      .waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('cluster-workers').count()).toBe(0);
  });
});
