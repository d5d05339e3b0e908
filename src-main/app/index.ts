import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, session, shell, type MenuItemConstructorOptions } from 'electron';
import { Workbench } from '../core/api';
import { timbreHome } from '../core/paths';
import { setupIpc } from './ipc';
import { loadWindowState, saveWindowState } from './window-state';

// The Electron shell: one window, the same core as the CLI and the browser shell.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

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
  // No navigation away from the app and no new windows; links to the web open in the system browser.
  w.webContents.on('will-navigate', (e) => e.preventDefault());
  w.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void w.loadFile(path.join(import.meta.dirname, '../renderer/index.html'));
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
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  // Nothing remote: every web contents is ours and may not attach webviews.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    process.env.TIMBRE_HOME ??= app.getPath('userData');
    const home = timbreHome();
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
    });
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
