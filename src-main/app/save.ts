import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { ReportFiles } from '../shared/contract';
import { saveName, savePaths, writeFileAtomic } from '../core/reports/export';

/** The IPC channel of the native save dialog. */
export const SAVE_CHANNEL = 'timbre:save';

/**
 * Answers the renderer's "save these files": the native save dialog, then the files written
 * atomically. Resolves with the first file's path, or null when the user cancelled.
 */
export function setupSave(fromOurWindow: (e: IpcMainInvokeEvent) => boolean): () => void {
  ipcMain.handle(SAVE_CHANNEL, async (event, files: unknown) => {
    if (!fromOurWindow(event))
      return { ok: false, error: { name: 'Forbidden', message: 'Not one of our windows.' } };
    if (!isFileList(files)) {
      return { ok: false, error: { name: 'ApiArgumentError', message: 'saveFiles: expected files.' } };
    }
    const names = files.map((f) => f.name);
    let name: string;
    try {
      name = saveName(names);
    } catch (err) {
      return {
        ok: false,
        error: { name: 'ApiArgumentError', message: `saveFiles: ${(err as Error).message}` },
      };
    }
    const owner = BrowserWindow.fromWebContents(event.sender);
    const ext = path.extname(name).slice(1);
    const options = {
      title: files.length > 1 ? `Save ${files.length} files` : 'Save',
      defaultPath: path.join(defaultFolder(), name),
      filters: ext ? [{ name: ext.toUpperCase(), extensions: [ext] }] : [],
    };
    const r = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
    if (r.canceled || !r.filePath) return { ok: true, value: null };
    try {
      const targets = savePaths(names, r.filePath);
      // The dialog asked about the name it showed; files written beside it are asked about here.
      const clash = targets.filter((t) => t !== r.filePath && fs.existsSync(t));
      if (clash.length) {
        const question = {
          type: 'warning' as const,
          buttons: ['Replace', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          message: `${clash.map((t) => path.basename(t)).join(', ')} already exist${clash.length > 1 ? '' : 's'}. Replace ${clash.length > 1 ? 'them' : 'it'}?`,
        };
        const answer = owner
          ? await dialog.showMessageBox(owner, question)
          : await dialog.showMessageBox(question);
        if (answer.response !== 0) return { ok: true, value: null };
      }
      files.forEach((f, i) => writeFileAtomic(targets[i]!, Buffer.from(f.base64, 'base64')));
      return { ok: true, value: targets[0] };
    } catch (err) {
      return { ok: false, error: { name: 'SaveError', message: (err as Error).message } };
    }
  });
  return () => ipcMain.removeHandler(SAVE_CHANNEL);
}

/**
 * Prints an HTML report to PDF in a hidden window of this Electron (no Chromium needed beside it).
 * The page is loaded from a temporary file (a data URL of a report with audio would be too long)
 * with JavaScript off.
 */
export async function printHtmlToPdf(html: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-pdf-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);
  const w = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await w.loadFile(file);
    return await w.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
  } finally {
    w.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function defaultFolder(): string {
  const docs = path.join(os.homedir(), 'Documents');
  return fs.existsSync(docs) ? docs : os.homedir();
}

function isFileList(x: unknown): x is ReportFiles['files'] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.length <= 10 &&
    x.every(
      (f) =>
        typeof f === 'object' &&
        f !== null &&
        typeof (f as { name?: unknown }).name === 'string' &&
        /^[^/\\\0]{1,200}$/.test((f as { name: string }).name) &&
        !['.', '..'].includes((f as { name: string }).name) &&
        typeof (f as { base64?: unknown }).base64 === 'string',
    )
  );
}
