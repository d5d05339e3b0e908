// The Electron shell's main-process checks, run against a stand-in for Electron's API (this machine
// cannot download Electron's binary): which frame may call (our window's main frame showing the app://
// page, nothing else), argument checks, errors without stacks, events to our windows, the native save
// dialog and PDF printing through the app's own window.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APP_ENTRY } from '../../src-main/app/app-protocol';
import { setupIpc, CHANNELS } from '../../src-main/app/ipc';
import { SAVE_CHANNEL } from '../../src-main/app/save';
import { Workbench } from '../../src-main/core/workbench';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import {
  BrowserWindow,
  frame,
  handlers,
  saveDialog,
  windows,
  type IpcMainInvokeEvent,
  type WebFrameMain,
} from '../helpers/electron-stub';
import { withStore } from '../helpers/store';
import { tempDir } from '../helpers/tmp';
import { tinyDataset } from '../helpers/tiny';

let dir: string;
let cleanup: () => void;
let wb: Workbench;
let win: BrowserWindow;
let stop: () => void;
let runId: number;

// A call from a window's frame: its main frame (showing whatever the window loaded) unless told.
const from = (
  w: BrowserWindow,
  senderFrame: WebFrameMain | null = w.webContents.mainFrame,
): IpcMainInvokeEvent => ({
  sender: { id: w.webContents.id },
  senderFrame,
});
// Our window's main frame as it would be after navigating to another address.
const mainFrameAt = (w: BrowserWindow, url: string): WebFrameMain => ({ ...w.webContents.mainFrame, url });
/** A window showing the app's page, as index.ts opens it. */
const appWindow = async () => {
  const w = new BrowserWindow();
  await w.loadURL(APP_ENTRY);
  return w;
};
const invoke = (event: IpcMainInvokeEvent, method: unknown, args: unknown) =>
  (handlers.get(CHANNELS.invoke) as (e: IpcMainInvokeEvent, m: unknown, a: unknown) => Promise<unknown>)(
    event,
    method,
    args,
  );
const save = (event: IpcMainInvokeEvent, files: unknown) =>
  (handlers.get(SAVE_CHANNEL) as (e: IpcMainInvokeEvent, f: unknown) => Promise<unknown>)(event, files);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-ipc-'));
  wb = new Workbench({ home: path.join(dir, 'home'), shell: 'electron' });
  const dataset = await wb.importDataset(await tinyDataset(), 'tiny');
  // A run recorded by hand on the test's own connection (the contract would train it).
  runId = withStore(path.join(dir, 'home'), ({ runs }) => {
    const id = runs.create({
      name: 'recorded',
      config: resolveTrainConfig('seed-lstm', { epochs: 2 }),
      preset: 'seed-lstm',
      datasetId: dataset.id,
      datasetFingerprint: dataset.fingerprint,
      appVersion: '0.1.0',
    });
    runs.end(id, 'cancelled');
    return id;
  });
  win = await appWindow();
  stop = setupIpc(wb, () => (win.isDestroyed() ? [] : [win]));
});
afterAll(async () => {
  stop?.();
  await wb?.close();
  cleanup?.();
});
beforeEach(() => {
  saveDialog.opened.length = 0;
});

describe('API calls over IPC', () => {
  it('answers our window with the value', async () => {
    const r = (await invoke(from(win), 'getRun', [runId])) as { ok: true; value: { name: string } };
    expect(r.ok).toBe(true);
    expect(r.value.name).toBe('recorded');
    const info = (await invoke(from(win), 'appInfo', [])) as { value: { shell: string } };
    expect(info.value.shell).toBe('electron');
  });

  it('refuses another window, a page not loaded from the app, and unknown methods', async () => {
    // Another window showing the app's page is still not one of ours.
    const other = await appWindow();
    expect(await invoke(from(other), 'listRuns', [])).toEqual({
      ok: false,
      error: { name: 'Forbidden', message: 'Not one of our windows.' },
    });
    expect(await invoke(from(win, mainFrameAt(win, 'https://example.com/')), 'listRuns', [])).toMatchObject({
      ok: false,
      error: { name: 'Forbidden' },
    });
    expect(await invoke(from(win), 'close', [])).toMatchObject({ ok: false, error: { name: 'NotFound' } });
    expect(await invoke(from(win), 'subscribe', [])).toMatchObject({
      ok: false,
      error: { name: 'NotFound' },
    });
  });

  it('checks arguments and sends errors as a name and a message, never a stack', async () => {
    const bad = (await invoke(from(win), 'getRun', ['1; DROP TABLE runs'])) as {
      ok: false;
      error: { name: string; message: string };
    };
    expect(bad.error.name).toBe('ApiArgumentError');
    expect(bad.error.message).toMatch(/^getRun: invalid arguments at 0/);
    const missing = (await invoke(from(win), 'getRun', [9999])) as {
      ok: false;
      error: Record<string, string>;
    };
    expect(missing.error).toEqual({
      name: 'NotFoundError',
      message: 'No run 9999. `timbre runs list` shows them.',
    });
    expect(Object.keys(missing.error)).toEqual(['name', 'message']);
    // A NUL in any text is refused before a file system call can throw on it.
    for (const args of [
      ['/tmp/x\0y', 'name'],
      ['/tmp/x', 'na\0me'],
    ]) {
      expect(await invoke(from(win), 'importDataset', args)).toMatchObject({
        ok: false,
        error: {
          name: 'ApiArgumentError',
          message: 'importDataset: invalid arguments: a text holds a NUL character',
        },
      });
    }
  });

  it('forwards the app’s events to our window, and none to a closed one', async () => {
    win.sent.length = 0;
    await invoke(from(win), 'importDataset', [await tinyDataset(), 'again']);
    expect(win.sent.filter((m) => m.channel === CHANNELS.event).map((m) => m.payload)).toContainEqual({
      type: 'datasets',
    });
    win.destroy();
    win.sent.length = 0;
    await wb.importDataset(await tinyDataset(), 'again');
    expect(win.sent).toEqual([]);
    // A closed window's page is not answered either.
    expect(await invoke(from(win), 'listRuns', [])).toMatchObject({
      ok: false,
      error: { name: 'Forbidden' },
    });
    win = await appWindow();
  });

  it("prints a groups report's PDF the same way", async () => {
    const request = { select: { runs: [runId] }, groupBy: 'configuration' };
    const r = (await invoke(from(win), 'exportGroupReport', [request, 'pdf'])) as {
      ok: true;
      value: { files: { name: string; mime: string; base64: string }[] };
    };
    expect(r.ok).toBe(true);
    expect(r.value.files.map((f) => [f.name, f.mime])).toEqual([
      [`timbre-groups-runs-${runId}.pdf`, 'application/pdf'],
    ]);
    expect(Buffer.from(r.value.files[0]!.base64, 'base64').toString()).toMatch(
      /^%PDF-stub of .*report\.html$/,
    );
    expect(windows.at(-1)!.isDestroyed()).toBe(true);
    // Other formats are the Workbench's own.
    const md = (await invoke(from(win), 'exportGroupReport', [request, 'md'])) as {
      value: { files: { name: string }[] };
    };
    expect(md.value.files.map((f) => f.name)).toEqual([`timbre-groups-runs-${runId}.md`]);
  });

  it('prints a PDF report with its own hidden window, scripts off, and closes it', async () => {
    const r = (await invoke(from(win), 'exportReport', [[runId], 'pdf'])) as {
      ok: true;
      value: { format: string; files: { name: string; mime: string; base64: string }[] };
    };
    expect(r.ok).toBe(true);
    expect(r.value.files.map((f) => [f.name, f.mime])).toEqual([
      [`timbre-run-${runId}.pdf`, 'application/pdf'],
    ]);
    expect(Buffer.from(r.value.files[0]!.base64, 'base64').toString()).toMatch(
      /^%PDF-stub of .*report\.html$/,
    );
    const printer = windows.at(-1)!;
    expect(printer.options).toMatchObject({
      show: false,
      webPreferences: { javascript: false, sandbox: true },
    });
    expect(printer.isDestroyed()).toBe(true);
    // The temporary page is gone with it.
    expect(fs.existsSync(printer.loaded!)).toBe(false);
  });
});

describe('which frames may call', () => {
  const forbidden = { ok: false, error: { name: 'Forbidden', message: 'Not one of our windows.' } };

  it('answers only the app:// origin, exactly', async () => {
    expect(await invoke(from(win), 'listRuns', [])).toMatchObject({ ok: true });
    expect(
      await invoke(from(win, mainFrameAt(win, 'app://workbench/index.html#/runs/1')), 'listRuns', []),
    ).toMatchObject({
      ok: true,
    });
    for (const url of [
      // Any file:// page used to pass: a report opened from disk, a downloaded page.
      'file:///app/out/renderer/index.html',
      'file:///tmp/timbre-pdf-x/report.html',
      'app://workbench.evil.example/index.html',
      'app://workbench:8080/index.html',
      'app://other/index.html',
      'https://workbench/index.html',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,<script></script>',
      '',
    ]) {
      expect(await invoke(from(win, mainFrameAt(win, url)), 'listRuns', []), url).toEqual(forbidden);
      expect(
        await save(from(win, mainFrameAt(win, url)), [{ name: 'x.html', mime: 'text/html', base64: '' }]),
        url,
      ).toEqual(forbidden);
    }
  });

  it('refuses a subframe, a frame that is not the main one, a detached frame and no frame', async () => {
    const main = win.webContents.mainFrame;
    // An iframe of our own page, even at the app's own address.
    expect(await invoke(from(win, frame(APP_ENTRY, main)), 'listRuns', [])).toEqual(forbidden);
    // A top-level frame at the right address that is not our window's main frame.
    expect(await invoke(from(win, frame(APP_ENTRY)), 'listRuns', [])).toEqual(forbidden);
    expect(await invoke(from(win, { ...main, detached: true }), 'listRuns', [])).toEqual(forbidden);
    expect(await invoke(from(win, null), 'listRuns', [])).toEqual(forbidden);
    // A frame gone while the call was in flight throws on access in Electron.
    const disposed = Object.defineProperty({ ...main }, 'url', {
      get() {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    });
    expect(await invoke(from(win, disposed), 'listRuns', [])).toEqual(forbidden);
  });

  it('refuses our window while it shows a file:// page, and answers it back on the app', async () => {
    await win.loadFile('/app/out/renderer/index.html');
    expect(await invoke(from(win), 'listRuns', [])).toEqual(forbidden);
    await win.loadURL(APP_ENTRY);
    expect(await invoke(from(win), 'listRuns', [])).toMatchObject({ ok: true });
  });
});

describe('the native save dialog', () => {
  const files = (names: string[]) =>
    names.map((name, i) => ({ name, mime: 'text/csv', base64: Buffer.from(`file ${i}`).toString('base64') }));

  it('writes one file where the user chose', async () => {
    const target = path.join(dir, 'saved', 'mine.html');
    saveDialog.answer = { canceled: false, filePath: target };
    const r = await save(from(win), files(['timbre-run-1.html']));
    expect(r).toEqual({ ok: true, value: target });
    expect(fs.readFileSync(target, 'utf8')).toBe('file 0');
    expect(saveDialog.opened[0]!.defaultPath).toMatch(/timbre-run-1\.html$/);
    expect(saveDialog.opened[0]!.filters).toEqual([{ name: 'HTML', extensions: ['html'] }]);
  });

  it('offers CSV’s three files under their stem, writes them after the chosen name, and asks before replacing', async () => {
    const target = path.join(dir, 'saved', 'paper.csv');
    const csv = ['t-1-runs.csv', 't-1-epochs.csv', 't-1-predictions.csv'];
    saveDialog.answer = { canceled: false, filePath: target };
    saveDialog.messages.length = 0;
    expect(await save(from(win), files(csv))).toEqual({
      ok: true,
      value: path.join(dir, 'saved', 'paper-runs.csv'),
    });
    expect(saveDialog.opened[0]!.defaultPath).toMatch(/[/\\]t-1\.csv$/);
    for (const [i, suffix] of ['runs', 'epochs', 'predictions'].entries()) {
      expect(fs.readFileSync(path.join(dir, 'saved', `paper-${suffix}.csv`), 'utf8')).toBe(`file ${i}`);
    }
    expect(saveDialog.messages).toEqual([]);

    // Saved again: the files beside the chosen name exist, so the user is asked; Cancel writes nothing.
    const changed = csv.map((name) => ({
      name,
      mime: 'text/csv',
      base64: Buffer.from('new').toString('base64'),
    }));
    saveDialog.response = 1;
    expect(await save(from(win), changed)).toEqual({ ok: true, value: null });
    expect(saveDialog.messages.at(-1)).toMatch(
      /paper-runs\.csv, paper-epochs\.csv, paper-predictions\.csv already exist/,
    );
    expect(fs.readFileSync(path.join(dir, 'saved', 'paper-runs.csv'), 'utf8')).toBe('file 0');
    saveDialog.response = 0;
    await save(from(win), changed);
    expect(fs.readFileSync(path.join(dir, 'saved', 'paper-epochs.csv'), 'utf8')).toBe('new');
  });

  it('writes nothing when cancelled, and refuses other windows and bad file names', async () => {
    saveDialog.answer = { canceled: true, filePath: '' };
    expect(await save(from(win), files(['x.html']))).toEqual({ ok: true, value: null });
    expect(await save(from(new BrowserWindow()), files(['x.html']))).toMatchObject({
      ok: false,
      error: { name: 'Forbidden' },
    });
    expect(await save(from(win), files(['../../etc/passwd']))).toMatchObject({
      ok: false,
      error: { name: 'ApiArgumentError' },
    });
    for (const bad of [['..'], ['a-runs.csv', 'a-run.bat', 'a-predictions.csv'], ['a.html', 'b.html']]) {
      expect(await save(from(win), files(bad))).toMatchObject({
        ok: false,
        error: { name: 'ApiArgumentError' },
      });
    }
    expect(await save(from(win), [])).toMatchObject({ ok: false });
    expect(saveDialog.opened).toHaveLength(1);
  });
});
