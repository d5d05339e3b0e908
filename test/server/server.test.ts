import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { API_METHODS, type WorkbenchApi } from '../../src-main/shared/contract';
import { tempDir } from '../helpers/tmp';

let server: RunningServer;
let cleanup: () => void;
const logs: string[] = [];
let events: ((e: unknown) => void) | undefined;

// A workbench whose methods fail the ways a bug would: a TypeError, a string thrown, a throw before
// any promise, an error naming a private path, a value JSON cannot write.
const broken = {
  ...Object.fromEntries(API_METHODS.map((m) => [m, async () => null])),
  listRuns: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'id')");
  },
  queueState: async () => {
    throw 'a string';
  },
  listDatasets: () => {
    throw new RangeError('thrown before any promise');
  },
  appInfo: async () => {
    throw Object.assign(new Error("ENOENT: no such file or directory, open '/home/someone/secret'"), {
      code: 'ENOENT',
    });
  },
  listPresets: async () => ({ big: 10n }),
  subscribe: (listener: (e: unknown) => void) => {
    events = listener;
    return () => (events = undefined);
  },
} as unknown as WorkbenchApi;

beforeAll(async () => {
  const t = tempDir('timbre-server-');
  cleanup = t.cleanup;
  fs.writeFileSync(path.join(t.dir, 'index.html'), '<title>x</title>');
  server = await startServer({ workbench: broken, staticDir: t.dir, log: (m) => logs.push(m) });
});
afterAll(async () => {
  await server?.close();
  cleanup?.();
});

const call = (method: string) =>
  fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: '{"args":[]}',
  });

describe('internal faults in the browser shell', () => {
  it('answers each with a generic 500, logs the details, and keeps serving', async () => {
    for (const method of ['listRuns', 'queueState', 'listDatasets', 'appInfo', 'listPresets']) {
      logs.length = 0;
      const r = await call(method);
      expect(r.status, method).toBe(500);
      const body = (await r.json()) as { ok: boolean; error: { name: string; message: string } };
      expect(body.ok).toBe(false);
      expect(body.error.name).toBe('InternalError');
      expect(body.error.message).toMatch(/^The workbench failed to answer this request .*timbre serve/);
      expect(body.error.message).not.toMatch(/TypeError|RangeError|undefined|secret|string|BigInt/);
      expect(logs.join('\n'), method).toMatch(new RegExp(`Internal error answering POST /api/${method}`));
    }
    expect(logs.join('\n')).toMatch(/BigInt/);
    expect((await call('getRuns')).status).toBe(400);
    expect((await call('listStuff')).status).toBe(404);
  });

  it('closes an event stream whose event cannot be sent, without troubling the app', async () => {
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise((resolve) => ws.once('close', resolve));
    expect(() => events!({ type: 'log', message: 1n })).not.toThrow();
    await closed;
    expect(logs.join('\n')).toMatch(/Internal error sending an event/);
  });
});
