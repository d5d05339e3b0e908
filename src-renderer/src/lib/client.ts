// The one file of the renderer that knows which shell it runs in: the Electron window (preload
// bridge on `window.timbre`) or the browser shell (`timbre serve`: HTTP + WebSocket, same origin).
import type {
  ApiErrorBody,
  ApiMethod,
  ElectronBridge,
  ReportFiles,
  WorkbenchApi,
  WorkbenchEvent,
} from '../../../src-main/shared/contract';
import { API_METHODS } from '../../../src-main/shared/contract';
import { base64ToBytes } from './wav';

declare global {
  interface Window {
    timbre?: ElectronBridge;
  }
}

/** An error the app reported for a call: its class name (e.g. TrainConfigError) and readable message. */
export class ApiError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Caller = (method: ApiMethod, args: unknown[]) => Promise<unknown>;
type Subscriber = (listener: (event: WorkbenchEvent) => void) => () => void;

function unwrap(result: { ok: true; value: unknown } | { ok: false; error: ApiErrorBody }): unknown {
  if (result.ok) return result.value;
  throw new ApiError(result.error.name, result.error.message);
}

function electronShell(bridge: ElectronBridge): { call: Caller; subscribe: Subscriber } {
  return {
    call: async (method, args) => unwrap(await bridge.invoke(method, args)),
    subscribe: (listener) => bridge.onEvent(listener),
  };
}

function browserShell(): { call: Caller; subscribe: Subscriber } {
  const listeners = new Set<(event: WorkbenchEvent) => void>();
  let socket: WebSocket | undefined;
  let retry = 500;
  let lost = false;
  const deliver = (event: WorkbenchEvent) => {
    for (const l of listeners) l(event);
  };
  const connect = () => {
    const url = new URL('/events', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retry = 500;
      if (lost) {
        lost = false;
        deliver({ type: 'connection', state: 'restored' });
      }
    };
    ws.onmessage = (m) => deliver(JSON.parse(String(m.data)) as WorkbenchEvent);
    // The server restarted or the network blinked: say so, and reconnect, backing off up to 10 s.
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      if (!listeners.size) return;
      if (!lost) {
        lost = true;
        deliver({ type: 'connection', state: 'lost' });
      }
      setTimeout(
        () => {
          if (!socket && listeners.size) connect();
        },
        (retry = Math.min(retry * 2, 10_000)),
      );
    };
  };
  return {
    call: async (method, args) => {
      let response: Response;
      try {
        response = await fetch(`/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ args }),
        });
      } catch {
        throw new ApiError(
          'NetworkError',
          'The workbench server does not answer. Is `timbre serve` still running?',
        );
      }
      if (response.status === 401) {
        throw new ApiError(
          'Unauthorized',
          'This page has no valid token: open the URL `timbre serve` printed.',
        );
      }
      return unwrap(await response.json());
    },
    subscribe: (listener) => {
      listeners.add(listener);
      if (!socket) connect();
      return () => {
        listeners.delete(listener);
        if (!listeners.size) {
          const ws = socket;
          socket = undefined;
          ws?.close();
        }
      };
    },
  };
}

const shell = typeof window !== 'undefined' && window.timbre ? electronShell(window.timbre) : browserShell();

// Calls started ahead of the code that needs their answer (lib/early.ts, before the app's code has
// loaded; the groups view's curves, before the page is drawn), each answering the first identical
// call within a few seconds; by arguments as sent. Older answers are never handed out.
const early = new Map<string, { answer: Promise<unknown>; at: number }>();
const EARLY_FOR_MS = 10_000;
const callKey = (method: ApiMethod, args: unknown[]) => `${method}:${JSON.stringify(args)}`;

/** Starts a call now, for the first identical call within 10 s to take up. */
export function callEarly(method: ApiMethod, args: unknown[]): void {
  const answer = shell.call(method, args);
  // A failure is the taker's to report; unclaimed, it must not surface as an unhandled rejection.
  answer.catch(() => {});
  const now = Date.now();
  for (const [key, e] of early) if (now - e.at > EARLY_FOR_MS) early.delete(key);
  early.set(callKey(method, args), { answer, at: now });
}

/** The workbench, whichever shell hosts this window. */
export const api: WorkbenchApi = Object.assign(
  Object.fromEntries(
    API_METHODS.map((m) => [
      m,
      (...args: unknown[]) => {
        // Optional arguments left out at the end are not sent (JSON would turn them into null).
        while (args.length && args[args.length - 1] === undefined) args.pop();
        if (early.size) {
          const key = callKey(m, args);
          const started = early.get(key);
          early.delete(key);
          if (started && Date.now() - started.at <= EARLY_FOR_MS) return started.answer;
        }
        return shell.call(m, args);
      },
    ]),
  ),
  { subscribe: shell.subscribe },
) as unknown as WorkbenchApi;

/** Which shell hosts this window. */
export const shellName: 'electron' | 'browser' =
  typeof window !== 'undefined' && window.timbre ? 'electron' : 'browser';

/**
 * Saves files the app made (a report, a note's WAV): in Electron through the native save dialog,
 * resolving with where they went or null when cancelled; in the browser as downloads, resolving
 * with their names.
 */
export async function saveFiles(files: ReportFiles['files']): Promise<string | null> {
  if (window.timbre) return window.timbre.saveFiles(files);
  for (const file of files) {
    const url = URL.createObjectURL(new Blob([base64ToBytes(file.base64)], { type: file.mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.name;
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
    // The download reads the URL after click() returns: revoke it once that surely happened.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
  return files.map((f) => f.name).join(', ');
}
