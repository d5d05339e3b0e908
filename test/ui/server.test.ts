import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunSummary } from '../../src-main/shared/training';
import type { DatasetSummary } from '../../src-main/shared/types';
import { rawRequest } from '../server/raw-http';
import { startShell, type Shell } from '../helpers/ui';
import { tempDir } from '../helpers/tmp';
import { unpackRuns, type PackedRuns } from '../../src-main/shared/run-list';

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
      headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: [{ overrides: { lr: 'fast' } }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/overrides\.lr/);
    const range = await fetch(`${shell.origin}/api/validateRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: [{ overrides: { batch: 0 } }] }),
    });
    expect(range.status).toBe(400);
    expect(((await range.json()) as { error: { message: string } }).error.message).toMatch(
      /batch must be a whole number from 1 to 4096/,
    );
    const missing = await fetch(`${shell.origin}/api/getRun`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shell.token}`, 'content-type': 'application/json' },
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

describe('the browser shell against malformed and cross-site requests', () => {
  it("answers the issue's process-ending requests with a 4xx, and the process lives on", async () => {
    const port = Number(new URL(shell.origin).port);
    const host = `Host: 127.0.0.1:${port}\r\nConnection: close\r\n`;
    const bearer = `Authorization: Bearer ${shell.token}\r\n`;
    const api = (body: string) =>
      `POST /api/createRun HTTP/1.1\r\n${host}${bearer}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const upgrade =
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const cases: [string, string, Buffer | undefined, number][] = [
      ['GET //', `GET // HTTP/1.1\r\n${host}\r\n`, undefined, 400],
      ['GET //:99999', `GET //:99999 HTTP/1.1\r\n${host}\r\n`, undefined, 400],
      ['GET //[::1', `GET //[::1 HTTP/1.1\r\n${host}\r\n`, undefined, 400],
      ['upgrade to //', `GET // HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgrade}\r\n`, undefined, 400],
      ['GET /%E0%A4%A', `GET /%E0%A4%A?token=${shell.token} HTTP/1.1\r\n${host}\r\n`, undefined, 400],
      ['GET /%', `GET /% HTTP/1.1\r\n${host}${bearer}\r\n`, undefined, 400],
      ['GET /%zz', `GET /%zz HTTP/1.1\r\n${host}${bearer}\r\n`, undefined, 400],
      ['NUL in the path', `GET /index.html%00 HTTP/1.1\r\n${host}${bearer}\r\n`, undefined, 400],
      ['body null', api('null'), undefined, 400],
      [
        '10 MB body',
        `POST /api/createRun HTTP/1.1\r\n${host}${bearer}Content-Type: application/json\r\n` +
          `Content-Length: ${big.length}\r\n\r\n`,
        big,
        413,
      ],
    ];
    for (const [label, head, body, status] of cases) {
      const r = await rawRequest(port, head, body);
      expect(r.status, label).toBe(status);
      expect(r.body.trim().split('\n'), label).toHaveLength(1);
      expect(r.body, label).not.toMatch(/TypeError|at .*\(/);
      expect(shell.server.exitCode, `${label}: the process ended\n${shell.log()}`).toBeNull();
      expect((await shell.call<unknown[]>('listDatasets')).length, label).toBe(1);
    }
  });

  it('refuses a page on another port of 127.0.0.1: no delete, no rename, no event stream', async () => {
    // A run (the WebSocket test's, if it ran), idle, so that a delete would succeed.
    const run =
      (await shell.call<PackedRuns>('listRuns').then(unpackRuns))[0] ??
      (await shell.call<RunSummary>('createRun', {
        overrides: { epochs: 1, model: { type: 'mlp', hidden: 4, layers: 1 }, features: { maxPerFamily: 1 } },
      }));
    for (
      let i = 0;
      i < 600 && ['queued', 'running'].includes((await shell.call<RunSummary>('getRun', run!.id)).status);
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const page = await shell.page.context().newPage();
    try {
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      // The same browser holds the workbench's cookie: these are the attacks.
      const outcome = await page.evaluate(
        async ({ origin, id }) => {
          const post = (method: string, body: string, type?: string) =>
            fetch(`${origin}/api/${method}`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: type ? { 'content-type': type } : {},
              body,
            }).then(
              () => 'sent',
              () => 'network error',
            );
          await post('deleteRun', JSON.stringify({ args: [id] }));
          await post(
            'updateRun',
            JSON.stringify({ args: [id, { name: 'renamed by another site' }] }),
            'text/plain',
          );
          await fetch(`${origin}//`, { mode: 'no-cors' }).catch(() => null);
          const cors = await fetch(`${origin}/api/listRuns`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: '{"args":[]}',
          }).then(
            (r) => `read ${r.status}`,
            () => 'blocked',
          );
          const socket = await new Promise<string>((resolve) => {
            // window's: `WebSocket` in this file is the ws package's.
            const ws = new window.WebSocket(`${origin.replace('http', 'ws')}/events`);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          });
          return { cors, socket };
        },
        { origin: shell.origin, id: run!.id },
      );
      expect(outcome).toEqual({ cors: 'blocked', socket: 'refused' });
      const after = await shell.call<RunSummary>('getRun', run!.id);
      expect(after.name).toBe(run!.name);
      expect(shell.server.exitCode).toBeNull();
      // The workbench's own page still calls the API and opens the stream, with the same cookie.
      const own = await shell.page.evaluate(async () => {
        const r = await fetch('/api/listRuns', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"args":[]}',
        });
        const socket = await new Promise<string>((resolve) => {
          const ws = new window.WebSocket(new URL('/events', location.href.replace('http', 'ws')));
          ws.onopen = () => (ws.close(), resolve('open'));
          ws.onerror = () => resolve('refused');
        });
        return { status: r.status, socket };
      });
      expect(own).toEqual({ status: 200, socket: 'open' });
    } finally {
      await page.close();
      evil.close();
    }
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
