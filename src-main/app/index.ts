import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, session, type MenuItemConstructorOptions } from 'electron';
import { Workbench } from '../core/workbench';
import { timbreHome } from '../core/paths';
import { APP_ENTRY, handleAppScheme, registerAppScheme } from './app-protocol';
import { guardNavigation } from './external-links';
import { setupIpc } from './ipc';
import { loadWindowState, saveWindowState } from './window-state';

// The Electron shell: one window, the same core as the CLI and the browser shell. Its page is served
// from app://workbench (app-protocol.ts), an origin of its own that IPC accepts and nothing else has.

let win: BrowserWindow | undefined;
let workbench: Workbench | undefined;

function createWindow(home: string): BrowserWindow {
  const stateFile = path.join(home, 'window.json');
  const state = loadWindowState(stateFile);
  const w = new BrowserWindow({
    ...state,
    minWidth: 960,
    minHeight: 600,
    title: 'Timbre Workbench',
    show: false,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  if (state.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  w.on('close', () => saveWindowState(stateFile, { ...w.getNormalBounds(), maximized: w.isMaximized() }));
  void w.loadURL(APP_ENTRY);
  return w;
}

function menu(): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        {
          label: 'Import NSynth Folder…',
          accelerator: 'CmdOrCtrl+O',
          click: async () => {
            const r = await dialog.showOpenDialog(win!, {
              properties: ['openDirectory'],
              title: 'Choose an NSynth folder',
            });
            if (!r.canceled && r.filePaths[0]) {
              try {
                await workbench!.importDataset(r.filePaths[0]);
              } catch (err) {
                dialog.showErrorBox('Import failed', (err as Error).message);
              }
            }
          },
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Before ready, or the scheme gets no origin of its own and relative URLs do not resolve.
  registerAppScheme();
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  // Every web contents (the window, the hidden PDF printer) stays on its page and attaches no webviews.
  app.on('web-contents-created', (_e, contents) => guardNavigation(contents));
  void app.whenReady().then(() => {
    process.env.TIMBRE_HOME ??= app.getPath('userData');
    const home = timbreHome();
    // The built renderer, beside this bundle (inside app.asar when packaged); the CSP comes with it.
    handleAppScheme(path.join(import.meta.dirname, '../renderer'));
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    workbench = new Workbench({ home, shell: 'electron' });
    menu();
    win = createWindow(home);
    setupIpc(workbench, () => (win && !win.isDestroyed() ? [win] : []));
    // The default data set is rendered on first start; the window shows its progress.
    void workbench
      .ensureDefaultDataset()
      .catch((err: Error) => dialog.showErrorBox('Default data set', err.message));
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void workbench?.close());
}
