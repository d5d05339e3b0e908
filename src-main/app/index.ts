import path from 'node:path';
import { app, BrowserWindow } from 'electron';

// The Electron shell. Windows, menus, dialogs and IPC arrive with the UI; this opens the window.
function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    webPreferences: {
      preload: path.join(import.meta.dirname, '../preload/index.mjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(path.join(import.meta.dirname, '../renderer/index.html'));
}

if (!app.requestSingleInstanceLock()) app.quit();
else void app.whenReady().then(createWindow);
app.on('window-all-closed', () => app.quit());
