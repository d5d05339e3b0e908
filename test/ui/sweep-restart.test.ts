import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueState } from '../../src-main/shared/contract';
import type { SweepSummary } from '../../src-main/shared/sweeps';
import { withStore } from '../helpers/store';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';

// Issue 12's promise, as a user meets it: a sweep of 12 configurations x 2 seeds launched in
// Chromium on the tiny set; `timbre serve` killed with SIGKILL in the middle and started again:
// the sweep goes on by itself, no committed epoch is lost, none is trained twice, the counts add
// up; and a normal quit leaves the queue as it was.

const EPOCHS = 3;
let home: string;
let cleanup: () => void;
let shell: Shell | undefined;

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  home = path.join(t.dir, 'home');
});
afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

/** Every committed epoch of the home's runs, keyed "run/epoch", with what it measured. */
function committedEpochs(): Map<string, string> {
  return withStore(home, ({ db }) => {
    const rows = db
      .prepare('SELECT run_id, epoch, train_loss, seconds FROM epochs ORDER BY run_id, epoch')
      .all() as { run_id: number; epoch: number; train_loss: number; seconds: number }[];
    return new Map(rows.map((r) => [`${r.run_id}/${r.epoch}`, `${r.train_loss} ${r.seconds}`]));
  });
}

/** The runs' status, start and end as the database has them. */
function runRows(): Map<
  number,
  { status: string; started: string | null; finished: string | null; epochs: number }
> {
  return withStore(home, ({ db }) => {
    const rows = db
      .prepare('SELECT id, status, started_at, finished_at, epochs_done FROM runs ORDER BY id')
      .all() as {
      id: number;
      status: string;
      started_at: string | null;
      finished_at: string | null;
      epochs_done: number;
    }[];
    return new Map(
      rows.map((r) => [
        r.id,
        { status: r.status, started: r.started_at, finished: r.finished_at, epochs: r.epochs_done },
      ]),
    );
  });
}

/** Resolves once `check` holds, looking every 100 ms. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 240_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting: ${what}\n${shell?.log() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (status: string) => [...runRows().values()].filter((r) => r.status === status).length;

describe('a sweep across a killed and a quit `timbre serve`', () => {
  it('continues by itself after SIGKILL, loses and repeats no epoch, and a normal quit leaves the queue as it was', async () => {
    shell = await startShell({ home });
    // Both cores: two runs train at once, and the kill catches both part-way.
    await shell.call('setRunsAtOnce', 2);
    const sweep = await launchFromForm(shell);
    expect(sweep.counts.total).toBe(24);

    // Killed in the middle: some runs finished, one part-way through its epochs.
    await until('some runs finished and one part-way', () => {
      const rows = [...runRows().values()];
      return (
        rows.filter((r) => r.status === 'finished').length >= 4 &&
        rows.some((r) => r.status === 'running' && r.epochs >= 1 && r.epochs < EPOCHS)
      );
    });
    shell.server.kill('SIGKILL');
    await new Promise((r) =>
      shell!.server.exitCode !== null || shell!.server.signalCode ? r(null) : shell!.server.once('exit', r),
    );
    await shell.browser.close();
    const killedEpochs = committedEpochs();
    const killedRuns = runRows();
    const finishedBefore = [...killedRuns].filter(([, r]) => r.status === 'finished').map(([id]) => id);

    // Started again, nobody touches anything: the sweep goes on.
    shell = await startShell({ home });
    await until('a few more runs finished', () => count('finished') >= finishedBefore.length + 3);

    // A normal quit (SIGTERM, as Ctrl-C or closing the app): the queue stays as it was.
    const before = await shell.call<QueueState>('queueState');
    await shell.close();
    const quitRuns = runRows();
    // Waiting runs still wait; those training went back to waiting (or finished just before the
    // quit); nothing was cancelled, interrupted or left claimed by the process that quit.
    expect(before.queued.length).toBeGreaterThan(0);
    for (const id of before.queued) expect(quitRuns.get(id)?.status, `run ${id}`).toBe('queued');
    for (const { runId } of before.training)
      expect(['queued', 'finished'], `run ${runId}`).toContain(quitRuns.get(runId)?.status);
    expect(
      [...quitRuns.values()].map((r) => r.status).filter((s) => !['queued', 'finished'].includes(s)),
    ).toEqual([]);

    shell = await startShell({ home });
    expect((await shell.call<QueueState>('queueState')).carriedOver).toBeGreaterThan(0);
    await until('the sweep is done', async () => (await shell!.call<SweepSummary[]>('listSweeps'))[0]!.done);

    // The counts add up: every run of the sweep finished, each with every epoch exactly once.
    const [done] = await shell.call<SweepSummary[]>('listSweeps');
    expect(done!.counts).toMatchObject({ total: 24, finished: 24 });
    const epochs = committedEpochs();
    const rows = runRows();
    expect(rows.size).toBe(24);
    for (const [id, run] of rows) {
      expect(run.status, `run ${id}`).toBe('finished');
      for (let e = 1; e <= EPOCHS; e++) expect(epochs.has(`${id}/${e}`), `run ${id} epoch ${e}`).toBe(true);
    }
    expect(epochs.size).toBe(24 * EPOCHS);
    // No committed epoch lost or trained again: each reads as it did when the server was killed
    // (its wall-clock seconds would differ had it been trained twice).
    for (const [key, value] of killedEpochs) expect(epochs.get(key), key).toBe(value);
    // Runs that had finished were not started again.
    for (const id of finishedBefore) expect(rows.get(id)).toEqual(killedRuns.get(id));

    await shell.page.goto(`${shell.url.split('?')[0]}#/sweeps/${done!.id}`);
    await shell.page.getByText('24', { exact: false }).first().waitFor();
    await shell.shot('sweep-after-restart');
  }, 600_000);
});

/** Varies three settings on the New run form (3 x 2 x 2 = 12 configurations), 2 seeds, and launches. */
async function launchFromForm(s: Shell): Promise<SweepSummary> {
  const { page } = s;
  const vary = (label: string) => page.getByRole('button', { name: `Vary ${label}`, exact: true });
  await page.evaluate(() => (location.hash = '#/new'));
  await page.locator('#f-lr').waitFor();
  await page.getByRole('button', { name: 'seed-lstm' }).click();
  await page.locator('#f-type').selectOption('mlp');
  await page.locator('#f-epochs').fill(String(EPOCHS));
  await page.locator('#f-batch').fill('16');
  await page.locator('#f-representation').selectOption('logmel');
  await page.locator('#f-seconds').fill('0.5');
  await page.locator('#f-nMels').fill('16');
  await page.locator('#f-maxPerFamily').fill('3');
  await vary('Learning rate').click();
  await page.locator('#f-lr').fill('1e-3, 3e-4, 1e-4');
  await vary('Hidden units').click();
  await page.locator('#f-hidden').fill('8, 12');
  await vary('Layers').click();
  await page.locator('#f-layers').fill('1, 2');
  await page.locator('#sweep-seeds').fill('2');
  await page.locator('#sweep-name').fill('restart');
  const launch = page.locator('button.launch-button');
  await expect.poll(() => launch.textContent()).toMatch(/Launch 24 runs/);
  await launch.click();
  await page.waitForURL(/#\/sweeps\/\d+$/);
  const id = Number(/#\/sweeps\/(\d+)$/.exec(page.url())![1]);
  return s.call<SweepSummary>('getSweep', id);
}
