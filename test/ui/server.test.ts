import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { DatasetSummary } from '../../src-main/shared/types';
import { startShell, type Shell } from '../helpers/ui';
import { tempDir } from '../helpers/tmp';

let shell: Shell;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  shell = await startShell({ home: t.dir });
});
afterAll(async () => {
  await shell?.close();
  cleanup();
});

describe('the browser shell (timbre serve)', () => {
  it('binds loopback and prints a URL carrying a token', () => {
    expect(shell.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shell.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses requests without the token, or with a wrong one, with 401', async () => {
    for (const [path, init] of [
      ['/', {}],
      ['/api/listRuns', { method: 'POST', body: '{"args":[]}' }],
      ['/api/listRuns', { method: 'POST', body: '{"args":[]}', headers: { authorization: 'Bearer nope' } }],
      ['/?token=wrong', {}],
    ] as const) {
      const r = await fetch(shell.origin + path, { ...init, redirect: 'manual' });
      expect(r.status, path).toBe(401);
    }
  });

  it('refuses a WebSocket without the token, and streams events to one with it', async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<WebSocket | 'refused'>((resolve) => {
        const ws = new WebSocket(shell.origin.replace('http', 'ws') + '/events', { headers });
        ws.on('open', () => resolve(ws));
        ws.on('error', () => resolve('refused'));
      });
    expect(await open({})).toBe('refused');
    const ws = await open({ authorization: `Bearer ${shell.token}` });
    expect(ws).not.toBe('refused');
    const socket = ws as WebSocket;
    const got = new Promise<{ type: string }>((resolve) =>
      socket.once('message', (m) => resolve(JSON.parse(String(m)))),
    );
    await shell.call('createRun', {
      overrides: { epochs: 1, model: { type: 'mlp', hidden: 4, layers: 1 }, features: { maxPerFamily: 1 } },
    });
    expect(['queue', 'run', 'progress']).toContain((await got).type);
    socket.close();
  });

  it('answers the API with the token and turns bad arguments into a readable 400', async () => {
    const datasets = await shell.call<DatasetSummary[]>('listDatasets');
    expect(datasets.map((d) => d.name)).toEqual(['default']);
    const bad = await fetch(`${shell.origin}/api/createRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shell.token}` },
      body: JSON.stringify({ args: [{ overrides: { lr: 'fast' } }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/overrides\.lr/);
    const range = await fetch(`${shell.origin}/api/validateRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shell.token}` },
      body: JSON.stringify({ args: [{ overrides: { batch: 0 } }] }),
    });
    expect(range.status).toBe(400);
    expect(((await range.json()) as { error: { message: string } }).error.message).toMatch(
      /batch must be a whole number from 1 to 4096/,
    );
    const missing = await fetch(`${shell.origin}/api/getRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shell.token}` },
      body: JSON.stringify({ args: [999] }),
    });
    expect(missing.status).toBe(404);
  });

  it('serves the UI to the page, which keeps the token in a cookie and out of the address bar', async () => {
    expect(shell.page.url()).not.toContain('token=');
    expect(await shell.page.title()).toMatch(/Timbre Workbench$/);
    const cookies = await shell.page.context().cookies();
    expect(cookies.find((c) => c.name === 'timbre_token')?.httpOnly).toBe(true);
    await shell.page.reload();
    expect(await shell.page.title()).toMatch(/Timbre Workbench$/);
  });
});

describe('npm start', () => {
  it('falls back to the browser shell where Electron is missing, says why, and prints the URL', async () => {
    const { spawn } = await import('node:child_process');
    const path = await import('node:path');
    const t = tempDir();
    const child = spawn(
      process.execPath,
      [path.resolve(import.meta.dirname, '../../bin/start.mjs'), '--port', '0'],
      {
        env: { ...process.env, TIMBRE_HOME: t.dir, TIMBRE_DEFAULT_PRESET: 'tiny' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let i = 0; i < 1200 && !/default data set is ready/.test(out); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/Electron is not installed/);
      expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}/);
      expect(out).toMatch(/default data set is ready/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      t.cleanup();
    }
  });
});
