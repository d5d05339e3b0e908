// The Electron shell's start-up (src-main/app/index.ts) against the stand-in for Electron's API: the
// app:// scheme declared before ready and served after it, one window on app://workbench with a
// sandboxed, isolated page, IPC answering that page, no permissions, and every web contents kept on
// its page. The default data set's rendering is left out (the core's tests cover it).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_ENTRY } from '../../src-main/app/app-protocol';
import { CHANNELS } from '../../src-main/app/ipc';
import { Workbench } from '../../src-main/core/workbench';
import {
  appEvents,
  becomeReady,
  BrowserWindow,
  handlers,
  protocols,
  session,
  windows,
  type IpcMainInvokeEvent,
} from '../helpers/electron-stub';
import { tempDir } from '../helpers/tmp';

let cleanup: () => void;
const ensure = vi.spyOn(Workbench.prototype, 'ensureDefaultDataset').mockResolvedValue(undefined as never);

beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir('timbre-main-'));
  process.env.TIMBRE_HOME = path.join(dir, 'home');
  await import('../../src-main/app/index');
});
afterAll(async () => {
  for (const quit of appEvents.get('before-quit') ?? []) quit({}, undefined as never);
  // The database closes on the next turn of the loop.
  await new Promise((r) => setTimeout(r, 50));
  delete process.env.TIMBRE_HOME;
  cleanup?.();
});

describe('the Electron shell starting', () => {
  it('declares the app:// scheme before ready, and opens nothing yet', () => {
    expect(protocols.privileged.map((s) => s.scheme)).toEqual(['app']);
    expect(protocols.handlers.has('app')).toBe(false);
    expect(windows).toHaveLength(0);
  });

  it('once ready, serves app:// and opens one sandboxed window on app://workbench/index.html', async () => {
    becomeReady();
    await vi.waitFor(() => expect(windows).toHaveLength(1));
    const [w] = windows;
    expect(w!.loaded).toBe(APP_ENTRY);
    expect(w!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(w!.options.webPreferences!.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/);
    expect(protocols.handlers.has('app')).toBe(true);
    expect(ensure).toHaveBeenCalledOnce();
  });

  it('answers the window’s page over IPC, and the page at a file:// address no more', async () => {
    const w = windows[0]!;
    const invoke = handlers.get(CHANNELS.invoke) as (
      e: IpcMainInvokeEvent,
      m: unknown,
      a: unknown,
    ) => unknown;
    const event = { sender: { id: w.webContents.id }, senderFrame: w.webContents.mainFrame };
    expect(await invoke(event, 'listRuns', [])).toMatchObject({ ok: true });
    await w.loadFile('/somewhere/index.html');
    expect(await invoke(event, 'listRuns', [])).toMatchObject({ ok: false, error: { name: 'Forbidden' } });
    await w.loadURL(APP_ENTRY);
  });

  it('grants no permission, and keeps every web contents (the window’s, a PDF printer’s) on its page', () => {
    let granted: boolean | undefined;
    session.defaultSession.permissionHandler!(null, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    for (const w of [windows[0]!, new BrowserWindow({ show: false })]) {
      expect(w.webContents.emit('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
      expect(w.webContents.emit('will-attach-webview', 'https://evil.example/').defaultPrevented).toBe(true);
      expect(w.webContents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    }
  });
});
