// The few pieces of Electron's main-process API that src-main/app/ uses (ipc, save, the app://
// protocol, navigation guards), so their checks (which frame may call, which arguments pass, where
// files are saved, which files are served, which addresses open) run in tests on a machine without
// Electron's binary. Tests alias `electron` to this file (vitest.config.ts and
// test/tsconfig.json); the app itself is type-checked against Electron's real types.

/** A frame as the main process sees it (WebFrameMain): where it is in its page and what it shows. */
export interface WebFrameMain {
  url: string;
  frameTreeNodeId: number;
  parent: WebFrameMain | null;
  detached: boolean;
}

/** What a handler learns about the call's sender. */
export interface IpcMainInvokeEvent {
  sender: { id: number };
  senderFrame: WebFrameMain | null;
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

/** Error boxes shown (title and text). */
export const errorBoxes: [string, string][] = [];

export const dialog = {
  async showOpenDialog(
    ..._args: [BrowserWindow, { properties?: string[]; title?: string }] | [{ properties?: string[] }]
  ): Promise<{ canceled: boolean; filePaths: string[] }> {
    return { canceled: true, filePaths: [] };
  },
  showErrorBox(title: string, content: string): void {
    errorBoxes.push([title, content]);
  },
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
let nextFrameId = 100;

/** A new frame; a subframe when given its parent. */
export function frame(url: string, parent: WebFrameMain | null = null): WebFrameMain {
  return { url, frameTreeNodeId: nextFrameId++, parent, detached: false };
}

/** The event a navigation listener gets (will-navigate). */
export interface NavigationEvent {
  url: string;
  defaultPrevented: boolean;
  preventDefault(): void;
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

/** A window's contents: its main frame, sent messages, navigation listeners and window-open handler. */
export class WebContents {
  readonly id = nextId++;
  readonly mainFrame = frame('about:blank');
  readonly listeners = new Map<string, ((event: NavigationEvent) => void)[]>();
  windowOpenHandler: WindowOpenHandler | null = null;

  constructor(private readonly owner: BrowserWindow) {}

  send(channel: string, payload: unknown): void {
    this.owner.sent.push({ channel, payload });
  }

  async printToPDF(_options: { printBackground?: boolean; pageSize?: string }): Promise<Buffer> {
    return Buffer.from(`%PDF-stub of ${this.owner.loaded}`);
  }

  on(event: string, listener: (event: NavigationEvent) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  /** Emits a navigation event as the page would; returns it to see whether it was prevented. */
  emit(name: string, url: string): NavigationEvent {
    const event = {
      url,
      defaultPrevented: false,
      preventDefault() {
        event.defaultPrevented = true;
      },
    };
    for (const l of this.listeners.get(name) ?? []) l(event);
    return event;
  }
}

/** Windows made so far (the app's and the hidden ones that print PDFs). */
export const windows: BrowserWindow[] = [];

/** A window: an id, sent messages, and a page it "loads" and "prints" (the PDF names the file). */
export class BrowserWindow {
  readonly sent: { channel: string; payload: unknown }[] = [];
  loaded: string | null = null;
  destroyed = false;
  readonly webContents: WebContents;
  readonly events = new Map<string, (() => void)[]>();

  constructor(
    readonly options: {
      show?: boolean;
      webPreferences?: Record<string, unknown>;
      [key: string]: unknown;
    } = {},
  ) {
    windows.push(this);
    this.webContents = new WebContents(this);
    // As Electron does: a new window's contents are announced to the app before it loads anything.
    for (const l of appEvents.get('web-contents-created') ?? []) l({}, this.webContents);
  }

  on(event: string, listener: () => void): this {
    this.events.set(event, [...(this.events.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  show(): void {}
  focus(): void {}
  restore(): void {}
  maximize(): void {}
  isMaximized(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  getNormalBounds(): { x: number; y: number; width: number; height: number } {
    return { x: 0, y: 0, width: 1280, height: 800 };
  }

  static fromWebContents(contents: { id: number }): BrowserWindow | null {
    return windows.find((w) => w.webContents.id === contents.id) ?? null;
  }

  async loadFile(file: string): Promise<void> {
    this.loaded = file;
    this.webContents.mainFrame.url = `file://${file}`;
  }

  async loadURL(url: string): Promise<void> {
    this.loaded = url;
    this.webContents.mainFrame.url = url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    this.destroyed = true;
  }
}

/** A menu item as the app describes it (only what the tests read). */
export interface MenuItemConstructorOptions {
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  click?: () => unknown;
  submenu?: MenuItemConstructorOptions[];
}

/** The application menu last set. */
export const menus: { current: MenuItemConstructorOptions[] | null } = { current: null };

export const Menu = {
  buildFromTemplate(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
    return template;
  },
  setApplicationMenu(menu: MenuItemConstructorOptions[] | null): void {
    menus.current = menu;
  },
};

type PermissionHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void;

/** The default session: only the permission handler the app sets. */
export const session = {
  defaultSession: {
    permissionHandler: null as PermissionHandler | null,
    setPermissionRequestHandler(handler: PermissionHandler): void {
      this.permissionHandler = handler;
    },
  },
};

type AppListener = (event: unknown, contents: WebContents) => void;

/** Listeners of the app's events, by name. */
export const appEvents = new Map<string, AppListener[]>();

let markReady: () => void = () => {};
const readyPromise = new Promise<void>((resolve) => {
  markReady = resolve;
});

/** The app: one instance, events, and a `ready` the test triggers with `becomeReady()`. */
export const app = {
  quitting: false,
  requestSingleInstanceLock(): boolean {
    return true;
  },
  quit(): void {
    this.quitting = true;
  },
  on(event: string, listener: AppListener): void {
    appEvents.set(event, [...(appEvents.get(event) ?? []), listener]);
  },
  whenReady(): Promise<void> {
    return readyPromise;
  },
  getPath(_name: string): string {
    throw new Error('The stub has no user data folder: set TIMBRE_HOME.');
  },
};

/** Makes the app ready, as Electron does once it has started. */
export function becomeReady(): void {
  protocols.ready = true;
  markReady();
}

/** A scheme's privileges, as registerSchemesAsPrivileged takes them. */
export interface CustomScheme {
  scheme: string;
  privileges?: Record<string, boolean>;
}

/** Schemes declared privileged, and the handlers registered with protocol.handle, by scheme. */
export const protocols = {
  privileged: [] as CustomScheme[],
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  /** Set to model the app being ready: privileges can no longer be declared then. */
  ready: false,
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    if (protocols.ready)
      throw new Error('registerSchemesAsPrivileged must be called before the app is ready');
    protocols.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (protocols.handlers.has(scheme)) throw new Error(`The scheme has been handled: ${scheme}`);
    protocols.handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    protocols.handlers.delete(scheme);
  },
};

/** Addresses handed to the system browser. */
export const opened: string[] = [];

export const shell = {
  async openExternal(url: string): Promise<void> {
    opened.push(url);
  },
};
