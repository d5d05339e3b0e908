import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueState } from '../../src-main/shared/contract';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { seedSweeps, type SeededSweeps } from './seed-sweeps';
import { unpackRuns, type PackedRuns } from '../../src-main/shared/run-list';

let home: string;
let cleanup: () => void;
let shell: Shell;
let seeded: SeededSweeps;

const queueNow = () => shell.call<QueueState>('queueState');
const waitingIds = async () =>
  (await shell.page
    .locator('[data-testid="queue-waiting"] li[data-id]')
    .evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.id)))) as number[];
const strip = () => shell.page.getByTestId('queue-summary').textContent();

async function shots(name: string) {
  // Notices are transient; they would hide part of the page.
  for (const x of await shell.page.getByRole('button', { name: 'Dismiss' }).all()) await x.click();
  for (const scheme of ['light', 'dark'] as const) {
    await shell.page.emulateMedia({ colorScheme: scheme });
    await shell.shot(`${name}-${scheme}`);
  }
  await shell.page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  ({ dir: home, cleanup } = tempDir('timbre-ui-queue-'));
  // 2 grid runs + 2 random ones + 1,000 of a big sweep wait; a grid run trains and a random one
  // prepares (both "in this process").
  seeded = await seedSweeps(home, { bigRuns: 1000, preparing: true });
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

describe('the Queue view', () => {
  it('says once that runs of an earlier session wait, the queue being paused', async () => {
    const notice = shell.page.getByRole('status').filter({ hasText: 'earlier session' });
    await expect
      .poll(() => notice.textContent(), { timeout: 20_000 })
      .toContain('1,004 runs queued in an earlier session wait: the queue is paused.');
    await expect.poll(strip).toBe('2 training · 1,004 waiting · paused');
  });

  it('shows the run training with its epoch and the first 200 waiting runs in order', async () => {
    const { page } = shell;
    await page.getByRole('link', { name: '2 training · 1,004 waiting · paused' }).click();
    const training = page.locator(`[data-testid="queue-training"] li[data-id="${seeded.training}"]`);
    await training.waitFor();
    expect(await training.textContent()).toContain('epoch 1 of 3');
    expect(await training.locator('[data-status]').textContent()).toBe('running');
    const preparing = page.locator(`[data-testid="queue-training"] li[data-id="${seeded.preparing}"]`);
    expect(await preparing.locator('[data-status]').textContent()).toBe('preparing');
    expect(await preparing.textContent()).toContain('computing features');
    const state = await queueNow();
    await expect.poll(waitingIds).toEqual(state.queued.slice(0, 200));
    expect(await page.getByTestId('queue-more').textContent()).toContain('and 804 more');
    expect(await page.getByTestId('queue-runner').textContent()).toContain('This app runs the queue.');
    expect(await page.getByTestId('queue-paused').isVisible()).toBe(true);
    await shots('queue');
  });

  it('moves a waiting run to the top, down and up, keeping the rest in order', async () => {
    const { page } = shell;
    const before = (await queueNow()).queued;
    const x = before[199]!;
    await page.getByRole('button', { name: `Move run ${x} to the top` }).click();
    await expect.poll(async () => (await queueNow()).queued.slice(0, 2)).toEqual([x, before[0]]);
    await expect.poll(async () => (await waitingIds())[0]).toBe(x);
    await page.getByRole('button', { name: `Move run ${x} down` }).click();
    await expect.poll(async () => (await queueNow()).queued.slice(0, 2)).toEqual([before[0], x]);
    await page.getByRole('button', { name: `Move run ${x} up` }).click();
    await expect.poll(async () => (await queueNow()).queued.slice(0, 2)).toEqual([x, before[0]]);

    // Two runs now wait ahead of the one training in the queue's order: moving the third waiting
    // run up one place must still land it second among the waiting ones.
    const y = before[198]!;
    await page.getByRole('button', { name: `Move run ${y} to the top` }).click();
    await expect.poll(async () => (await queueNow()).queued[0]).toBe(y);
    const third = (await queueNow()).queued[2]!;
    await page.getByRole('button', { name: `Move run ${third} up` }).click();
    await expect.poll(async () => (await queueNow()).queued.slice(0, 3)).toEqual([y, third, x]);
    await expect.poll(async () => (await waitingIds()).slice(0, 3)).toEqual([y, third, x]);
    const after = (await queueNow()).queued;
    expect(after.slice(3)).toEqual(before.filter((id) => id !== x && id !== y && id !== third));
  });

  it('shows more waiting runs on request and cancels one', async () => {
    const { page } = shell;
    await page.getByRole('button', { name: 'Show 200 more' }).click();
    await expect.poll(async () => (await waitingIds()).length).toBe(400);
    const gone = (await queueNow()).queued[3]!;
    await page.getByRole('button', { name: `Cancel run ${gone}`, exact: true }).click();
    await expect.poll(async () => (await queueNow()).queued.includes(gone)).toBe(false);
    await expect.poll(async () => (await waitingIds()).includes(gone)).toBe(false);
    const run = (await shell.call<PackedRuns>('listRuns').then(unpackRuns)).find((r) => r.id === gone)!;
    expect(run.status).toBe('cancelled');
    await expect.poll(strip).toBe('2 training · 1,003 waiting · paused');
  });

  it('saves how many runs train at once, refusing a number out of range', async () => {
    const { page } = shell;
    const field = page.getByLabel('Runs at once');
    await field.fill('0');
    await field.press('Enter');
    const problem = page.locator('#runs-at-once-problem');
    await expect.poll(() => problem.textContent()).toContain('from 1 to 64');
    expect((await queueNow()).runsAtOnce).toBe(1);
    await field.fill('3');
    await field.press('Enter');
    await expect.poll(async () => (await queueNow()).runsAtOnce).toBe(3);
    expect(await problem.count()).toBe(0);
  });

  it('resumes and pauses the whole queue', async () => {
    const { page } = shell;
    // Every waiting run belongs to a sweep: paused sweeps keep them from training when the queue resumes.
    for (const s of [seeded.grid, seeded.random, seeded.big!]) await shell.call('pauseSweep', s.id);
    await page.getByRole('button', { name: 'Resume queue' }).click();
    await expect.poll(async () => (await queueNow()).paused).toBe(false);
    await expect.poll(strip).toBe('2 training · 1,003 waiting');
    expect(await page.getByTestId('queue-paused').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="queue-waiting"] .held').count()).toBeGreaterThan(0);
    await shots('queue-running');
    await page.getByRole('button', { name: 'Pause queue' }).click();
    await expect.poll(async () => (await queueNow()).paused).toBe(true);
    await expect.poll(strip).toBe('2 training · 1,003 waiting · paused');
    const training = (await queueNow()).training.map((t) => t.runId);
    expect(training.sort((a, b) => a - b)).toEqual(
      [seeded.training, seeded.preparing!].sort((a, b) => a - b),
    );
  });

  it('shows, in the window of another process, who runs the queue, and moves runs from there', async () => {
    // A second server on the same folder finds the queue's lease taken: it only shows the queue.
    const other = await startShell({ home });
    try {
      await other.page.evaluate(() => (location.hash = '#/queue'));
      // The sentence as read, its line breaks folded.
      const runner = async () =>
        (await other.page.getByTestId('queue-runner').textContent())?.replace(/\s+/g, ' ');
      await expect
        .poll(runner, { timeout: 20_000 })
        .toMatch(new RegExp(`The queue is run by process ${shell.server.pid} on \\S+ since`));
      expect(await runner()).toContain(
        'this window shows it. Pausing, moving and cancelling work from here too',
      );
      const last = (await queueNow()).queued[3]!;
      await other.page.getByRole('button', { name: `Move run ${last} to the top` }).click();
      await expect.poll(async () => (await queueNow()).queued[0]).toBe(last);
      for (const scheme of ['light', 'dark'] as const) {
        await other.page.emulateMedia({ colorScheme: scheme });
        await other.shot(`queue-elsewhere-${scheme}`);
      }
    } finally {
      await other.close();
    }
  });

  it("shows a preparing run's page as live, with its badge", async () => {
    const { page } = shell;
    await page.locator(`[data-testid="queue-training"] li[data-id="${seeded.preparing}"] a.name`).click();
    await page.locator(`[data-run="${seeded.preparing}"]`).waitFor();
    expect(await page.locator('.head [data-status]').textContent()).toBe('preparing');
    expect(await page.getByTestId('progress').textContent()).toContain('Preparing');
    expect(await page.getByRole('button', { name: 'Cancel run' }).isVisible()).toBe(true);
    await shots('run-preparing');
  });
});
