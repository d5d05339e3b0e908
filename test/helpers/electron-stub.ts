// The few pieces of Electron's main-process API that src-main/app/ipc.ts and save.ts use, so their
// checks (which window may call, which arguments pass, where files are saved) run in tests on a
// machine without Electron's binary. Tests alias `electron` to this file (vitest.config.ts and
// test/tsconfig.json); the app itself is type-checked against Electron's real types.

/** What a handler learns about the call's sender. */
export interface IpcMainInvokeEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

type Handler = (event: IpcMainInvokeEvent, ...args: never[]) => unknown;

/** Handlers registered with ipcMain.handle, by channel. */
export const handlers = new Map<string, Handler>();

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
};

/** What the next save dialog answers, and the options each one was opened with. */
export const saveDialog = {
  answer: { canceled: true, filePath: '' } as { canceled: boolean; filePath: string },
  opened: [] as { defaultPath?: string; filters?: { name: string; extensions: string[] }[] }[],
  /** The button the next message box answers with, and the messages shown. */
  response: 0,
  messages: [] as string[],
};

export const dialog = {
  async showSaveDialog(
    ...args: [BrowserWindow, SaveDialogOptions] | [SaveDialogOptions]
  ): Promise<{ canceled: boolean; filePath: string }> {
    saveDialog.opened.push(args.length === 2 ? args[1] : args[0]);
    return saveDialog.answer;
  },
  async showMessageBox(
    ...args: [BrowserWindow, MessageBoxOptions] | [MessageBoxOptions]
  ): Promise<{ response: number }> {
    saveDialog.messages.push((args.length === 2 ? args[1] : args[0]).message);
    return { response: saveDialog.response };
  },
};

interface MessageBoxOptions {
  type?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
  message: string;
}

interface SaveDialogOptions {
  title?: string;
  defaultPath?: string;
  filters?: { name: string; extensions: string[] }[];
}

let nextId = 1;

/** Windows made so far (the app's and the hidden ones that print PDFs). */
export const windows: BrowserWindow[] = [];

/** A window: an id, sent messages, and a page it "loads" and "prints" (the PDF names the file). */
export class BrowserWindow {
  readonly sent: { channel: string; payload: unknown }[] = [];
  loaded: string | null = null;
  destroyed = false;
  readonly webContents = {
    id: nextId++,
    send: (channel: string, payload: unknown) => this.sent.push({ channel, payload }),
    printToPDF: async (_options: { printBackground?: boolean; pageSize?: string }) =>
      Buffer.from(`%PDF-stub of ${this.loaded}`),
  };

  constructor(readonly options: { show?: boolean; webPreferences?: Record<string, unknown> } = {}) {
    windows.push(this);
  }

  static fromWebContents(contents: { id: number }): BrowserWindow | null {
    return windows.find((w) => w.webContents.id === contents.id) ?? null;
  }

  async loadFile(file: string): Promise<void> {
    this.loaded = file;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
  }
}
