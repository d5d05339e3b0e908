import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupComparison } from '../../src-main/shared/group-compare';
import { tempDir } from '../helpers/tmp';
import { startShell, type Shell } from '../helpers/ui';
import { seedGroups, type SeededGroups } from './seed-groups';

let cleanup: () => void;
let shell: Shell;
let seeded: SeededGroups;

beforeAll(async () => {
  let home: string;
  ({ dir: home, cleanup } = tempDir('timbre-ui-groups-'));
  seeded = await seedGroups(home);
  shell = await startShell({ home });
});

afterAll(async () => {
  await shell?.close();
  cleanup?.();
});

const view = (page: Page) => page.locator('.view.groups');
const ready = (page: Page) =>
  expect.poll(() => view(page).getAttribute('data-ready'), { timeout: 20_000 }).toBe('yes');
const notes = (page: Page) => page.getByTestId('hard-notes');

async function shots(name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await shell.page.emulateMedia({ colorScheme: scheme });
    await shell.page.waitForTimeout(150);
    await shell.shot(`${name}-${scheme}`);
  }
  await shell.page.emulateMedia({ colorScheme: 'light' });
}

describe('the groups view', () => {
  it('compares two configurations of three seeds chosen in the runs table', async () => {
    const { page } = shell;
    const all = [...seeded.lstm, ...seeded.blstm];
    await page.goto(`${shell.origin}/#/runs`);
    const button = page.getByRole('button', { name: 'Compare groups' });
    await expect
      .poll(() => page.getByTestId('runs-count').textContent(), { timeout: 15_000 })
      .toContain('6 runs');
    expect(await button.isDisabled()).toBe(true);
    for (const id of all)
      await page.getByRole('checkbox', { name: new RegExp(`^Select run ${id} `) }).check();
    await button.click();
    await page.waitForURL(`**/#/groups?ids=${all.join(',')}&by=configuration`);
    await ready(page);
    expect(await page.title()).toBe('Groups · Timbre Workbench');
    expect(await page.getByTestId('group-count').textContent()).toBe('6 runs in 2 groups · seed replicates');

    // The table: each configuration with its 3 runs, and the test accuracy the server computed.
    const c = await shell.call<GroupComparison>('compareGroups', {
      select: { runs: all },
      groupBy: 'configuration',
    });
    const rows = page.getByTestId('group-table').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    for (const g of c.groups) {
      const row = page.getByTestId('group-table').locator(`tr[data-group="${g.key.replace(/"/g, '\\"')}"]`);
      expect(await row.locator('td').nth(1).textContent()).toBe('3');
      const cell = await row.locator('td[data-metric="testAccuracy"] .main').textContent();
      expect(cell).toContain(`${(g.metrics.testAccuracy.mean! * 100).toFixed(1)} %`);
    }

    await shots('groups-table');

    // A and B default to the two best: the LSTM first, and the sentence says how sure we are.
    const lstm = c.groups.find((g) => g.runs.includes(seeded.lstm[0]!))!;
    const blstm = c.groups.find((g) => g.runs.includes(seeded.blstm[0]!))!;
    expect(await page.getByLabel('Group A', { exact: true }).inputValue()).toBe(lstm.key);
    expect(await page.getByLabel('Group B', { exact: true }).inputValue()).toBe(blstm.key);
    const sentence = page.getByTestId('pair-sentence');
    expect(await sentence.textContent()).toMatch(
      /^.+ is \d+\.\d points better than .+, 95 % CI .+ with 3 seeds each\.$/,
    );
    // Swapped, it reads the other way round, as the server put that pair.
    await page.getByRole('button', { name: 'Swap A and B' }).click();
    const served = c.pairs.find((p) => p.a === blstm.key && p.b === lstm.key)!;
    await expect.poll(() => sentence.textContent()).toBe(`${served.sentence}.`);
    expect(served.sentence).toMatch(/ points worse than .+: significant with 3 seeds each$/);
    await page.getByRole('button', { name: 'Swap A and B' }).click();

    // The curves: one band per group, the band's kind as chosen.
    const curves = page.getByTestId('group-curves');
    await expect.poll(() => curves.getAttribute('data-bands'), { timeout: 10_000 }).toBe('2');
    expect(await curves.getAttribute('data-band')).toBe('sd');
    // Each group's band drawn: one filled shape over its epochs.
    await expect.poll(() => curves.locator('canvas').getAttribute('data-shapes')).toBe('2');
    await page.getByRole('radio', { name: 'min–max' }).click();
    expect(await curves.getAttribute('data-band')).toBe('minmax');
    await page.getByRole('radio', { name: '95 % CI' }).click();
    expect(await curves.getAttribute('data-band')).toBe('ci');

    // The parallel coordinates: an axis for the setting that varies and for the metrics, a line per
    // run; dragging over the LSTM's tick on the model axis keeps its 3 runs, and offers them as groups.
    const parallel = page.getByTestId('parallel-coords');
    await parallel.scrollIntoViewIfNeeded();
    await expect.poll(() => parallel.getByTestId('parallel-count').textContent()).toBe('6 of 6 runs');
    const axis = parallel.locator('g[data-axis="model.type"]');
    const svg = (await parallel.locator('svg.axes').boundingBox())!;
    const x = svg.x + Number(await axis.getAttribute('data-x'));
    const tick = (await axis.locator('text.tick-label[data-value="lstm"]').boundingBox())!;
    const y = tick.y + tick.height / 2;
    // From just above the top tick (the axis's hit area reaches 6 px past it) to 20 px below.
    await page.mouse.move(x, y - 4);
    await page.mouse.down();
    await page.mouse.move(x, y + 8, { steps: 3 });
    await page.mouse.move(x, y + 20, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => parallel.getByTestId('parallel-count').textContent()).toBe('3 of 6 runs');
    expect(await page.getByTestId('brushed').getAttribute('data-count')).toBe('3');
    expect(await page.getByRole('link', { name: 'Compare them as groups' }).getAttribute('href')).toBe(
      `#/groups?ids=${seeded.lstm.join(',')}&by=configuration`,
    );
    await shots('groups-parallel');

    // The mean matrices of both groups over their 3 runs, and their difference.
    const matrices = page.getByTestId('group-matrices');
    await matrices.scrollIntoViewIfNeeded();
    await expect.poll(() => matrices.locator('figure').count(), { timeout: 10_000 }).toBe(2);
    expect(await matrices.locator('figure[data-runs="3"]').count()).toBe(2);
    expect(await page.getByTestId('group-matrix-diff').isVisible()).toBe(true);
    const diag = page.getByTestId('group-matrix-diff').locator('button.cell[data-true="0"][data-pred="0"]');
    expect(await diag.getAttribute('title')).toMatch(/^bass notes predicted as bass: \d+ % in A, \d+ % in B/);
    await page.getByRole('heading', { name: 'Mean confusion matrices' }).evaluate((h) => h.scrollIntoView());
    await shots('groups-matrices');
    await page.getByRole('heading', { name: 'Curves' }).evaluate((h) => h.scrollIntoView());
    // Each run's own line, thin, behind the bands.
    await page.getByRole('checkbox', { name: 'runs', exact: true }).check();
    // Asked for only now: each of the 6 runs' series.
    await expect.poll(() => curves.getAttribute('data-run-lines')).toBe('6');
    await shots('groups-curves');
  });

  it('lists the notes every run gets wrong first, shows one across the runs and plays it', async () => {
    const { page } = shell;
    const list = notes(page);
    await list.scrollIntoViewIfNeeded();
    await expect.poll(() => list.locator('tbody tr').count(), { timeout: 10_000 }).toBe(seeded.notes);
    const first = await list
      .locator('tbody tr')
      .evaluateAll((rows, n) => rows.slice(0, n).map((r) => r.getAttribute('data-note')), seeded.hard.length);
    // Notes every run gets wrong come first (the seeded ones among them).
    for (const n of seeded.hard)
      expect(await list.locator(`tr[data-note="${n}"]`).textContent()).toContain('6/6');
    for (const n of first) expect(await list.locator(`tr[data-note="${n}"]`).textContent()).toContain('6/6');
    const note = first[0]!;
    const row = list.locator(`tr[data-note="${note}"]`);
    expect(await row.textContent()).toContain('6/6');

    // Picked: which runs got it right (none), each with a link to its audition.
    await row.getByRole('button', { name: note, exact: true }).click();
    const history = page.getByTestId('note-history');
    await expect.poll(() => history.getAttribute('data-note'), { timeout: 10_000 }).toBe(note);
    expect(await history.locator('tbody tr[data-run]').count()).toBe(6);
    expect(await history.textContent()).toContain('right in 0 of 6 runs');

    // Played from the list: the audio element plays, its time moves, a second click pauses it.
    await row.getByRole('button', { name: `Play ${note}` }).click();
    await expect.poll(() => list.getAttribute('data-playing'), { timeout: 10_000 }).toBe('yes');
    expect(await list.getAttribute('data-playing-note')).toBe(note);
    await expect
      .poll(() => list.getAttribute('data-time').then(Number), { timeout: 5_000 })
      .toBeGreaterThan(0.2);
    await shots('groups-notes');
    await row.getByRole('button', { name: `Pause ${note}` }).click();
    await expect.poll(() => list.getAttribute('data-playing')).toBe('no');

    // The arrow keys move through the list.
    await row.getByRole('button', { name: note, exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => history.getAttribute('data-note')).toBe(first[1]);

    // Opened in the audition of a run that got it wrong, on that note.
    await page.getByTestId('open-audition').click();
    await page.waitForURL(/#\/runs\/\d+\/audition\?show=all&note=/);
    expect(decodeURIComponent(page.url())).toContain(`note=${first[1]}`);
    await page.goBack();
    await ready(page);
  });

  it('keeps its grouping, metric and test in the address', async () => {
    const { page } = shell;
    await page.getByRole('radio', { name: 'settings' }).click();
    await expect.poll(() => page.url()).toContain('by=model.type');
    await ready(page);
    expect(await page.getByTestId('group-count').textContent()).toMatch(/^6 runs in 2 groups/);
    expect(await page.getByTestId('group-table').locator('tbody tr').first().textContent()).toContain(
      'model.type=',
    );
    await page.getByLabel('Metric', { exact: true }).selectOption('bestValAccuracy');
    await page.getByRole('radio', { name: 'bootstrap' }).click();
    await expect.poll(() => page.url()).toMatch(/by=model\.type&metric=bestValAccuracy&test=bootstrap$/);
    await ready(page);
    expect(await page.getByTestId('pair-sentence').textContent()).toMatch(/95 % CI/);

    // Reloaded, the comparison is asked for once: before the app's code has loaded, and the view
    // takes that answer up.
    const asked: string[] = [];
    const count = (r: { url(): string }) =>
      void (r.url().endsWith('/api/compareGroups') && asked.push(r.url()));
    page.on('request', count);
    await page.reload();
    await ready(page);
    page.off('request', count);
    expect(asked).toHaveLength(1);
    expect(await page.getByLabel('Metric', { exact: true }).inputValue()).toBe('bestValAccuracy');
    expect(await page.getByRole('radio', { name: 'bootstrap' }).getAttribute('aria-checked')).toBe('true');
    expect(await page.getByRole('checkbox', { name: 'model.type' }).isChecked()).toBe(true);

    // The groups as shown, written as a report.
    await page.getByLabel('Group report format').selectOption('md');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('group-report').getByRole('button', { name: 'Report' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const text = fs.readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('model.type=lstm');
    expect(text).toContain('model.type=blstm');

    // A metric no run has yet: the view says which runs lack it.
    await page.getByLabel('Metric', { exact: true }).selectOption('testAccuracyLast');
    await expect
      .poll(
        () =>
          page
            .getByTestId('no-metric')
            .textContent()
            .then((t) => t?.replace(/\s+/g, ' ')),
        {
          timeout: 10_000,
        },
      )
      .toMatch(/No run has a test accuracy \(last weights\) yet: runs .* lack it/);
  });

  it('says what is wrong with an address: no runs, a run gone, an unknown sweep', async () => {
    const { page } = shell;
    await page.goto(`${shell.origin}/#/groups`);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Pick runs to compare as groups.');

    await page.goto(`${shell.origin}/#/groups?ids=${seeded.lstm.join(',')},999&by=configuration`);
    await ready(page);
    expect(await page.getByRole('alert').first().textContent()).toBe('run 999 no longer exists.');
    expect(await page.getByTestId('group-count').textContent()).toBe('3 runs in 1 group · seed replicates');
    expect(await page.getByTestId('one-group').textContent()).toContain('All 3 runs fall in one group');

    await page.goto(`${shell.origin}/#/groups?sweep=999&by=configuration`);
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 10_000 })
      .toContain('No sweep 999.');
    await shots('groups-error');
  });
});
