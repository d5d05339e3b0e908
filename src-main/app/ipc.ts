import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { WorkbenchEvent } from '../shared/contract';
import type { WorkbenchLocalApi } from '../core/local-api';
import { REPORT_MIME, reportFileName } from '../core/workbench';
import { groupReportFileName } from '../core/workbench/reports';
import type { GroupRequest } from '../shared/group-compare';
import { apiDispatch } from '../core/dispatch';
import { isAppUrl } from './app-protocol';
import { printHtmlToPdf, setupSave } from './save';

/** The IPC channels between the preload bridge and the main process. */
export const CHANNELS = { invoke: 'timbre:invoke', event: 'timbre:event' } as const;

/**
 * Whether a call comes from the main frame of one of our windows showing the app's own page (the
 * app:// origin exactly): not a subframe, not another window, not a file:// or web page.
 */
export function fromOurPage(e: IpcMainInvokeEvent, windows: readonly BrowserWindow[]): boolean {
  try {
    const frame = e.senderFrame;
    const w = windows.find((x) => !x.isDestroyed() && x.webContents.id === e.sender.id);
    if (!frame || !w || frame.detached || frame.parent !== null) return false;
    return frame.frameTreeNodeId === w.webContents.mainFrame.frameTreeNodeId && isAppUrl(frame.url);
  } catch {
    // A frame disposed while the call was in flight throws on access: such a call is not answered.
    return false;
  }
}

/**
 * Answers the renderer's API calls: only from our own page, every argument checked, errors
 * sent back as { name, message } (never a stack).
 */
export function setupIpc(workbench: WorkbenchLocalApi, ours: () => BrowserWindow[]): () => void {
  const fromOurWindow = (e: IpcMainInvokeEvent) => fromOurPage(e, ours());
  const api = apiDispatch(workbench, {
    // The window gets a generic line for an internal fault; the terminal gets the details.
    log: (method, err) => console.error(`timbre: ${method} failed:`, err),
    overrides: {
      // PDF is printed by this Electron itself: a user's machine need not have Chromium installed.
      exportReport: (args, call) => (args[1] === 'pdf' ? pdfReport(args[0]) : call(args)),
      exportGroupReport: (args, call) => (args[1] === 'pdf' ? pdfGroupReport(args[0]) : call(args)),
    },
  });
  ipcMain.handle(CHANNELS.invoke, async (event, method: unknown, args: unknown) => {
    if (!fromOurWindow(event))
      return { ok: false, error: { name: 'Forbidden', message: 'Not one of our windows.' } };
    const result = await api.call(method, args);
    return result.ok ? result : { ok: false, error: result.error };
  });
  const pdfReport = async (ids: unknown) => {
    const list = ids as number[];
    const pdf = await printHtmlToPdf(await workbench.printableReportHtml(list));
    return {
      format: 'pdf',
      files: [{ name: reportFileName(list, 'pdf'), mime: REPORT_MIME.pdf, base64: pdf.toString('base64') }],
    };
  };
  // The arguments were checked by the dispatch before an override runs.
  const pdfGroupReport = async (request: unknown) => {
    const r = request as GroupRequest;
    const pdf = await printHtmlToPdf(await workbench.printableGroupReportHtml(r));
    return {
      format: 'pdf',
      files: [{ name: groupReportFileName(r, 'pdf'), mime: REPORT_MIME.pdf, base64: pdf.toString('base64') }],
    };
  };
  const stopSave = setupSave(fromOurWindow);
  const stop = workbench.subscribe((e: WorkbenchEvent) => {
    for (const w of ours()) if (!w.isDestroyed()) w.webContents.send(CHANNELS.event, e);
  });
  return () => {
    stop();
    stopSave();
    ipcMain.removeHandler(CHANNELS.invoke);
  };
}
