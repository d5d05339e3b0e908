import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { API_METHODS, type ApiMethod, type WorkbenchEvent } from '../shared/api';
import type { Workbench } from '../core/api';
import { checkArgs } from '../core/api-schema';
import { authorized, hostAllowed, newToken, requestToken, TOKEN_COOKIE } from './auth';
import { errorBody, statusOf } from './errors';

/** How the browser shell is served. */
export interface ServeOptions {
  workbench: Workbench;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** Default 127.0.0.1: only this machine. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
}

/** A running browser shell. */
export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
};

const MAX_BODY = 1024 * 1024;

function csp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port} ws:`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body over 1 MB'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Serves the renderer and the WorkbenchApi over HTTP (POST /api/<method>) plus a WebSocket of
 * events (/events), on loopback unless told otherwise. Every request needs the token.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const wb = options.workbench;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const staticDir = path.resolve(options.staticDir);
  let port = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostAllowed(req, host, port))
      return send(res, 403, { ok: false, error: { name: 'Forbidden', message: 'Unknown host.' } });
    if (!authorized(req, url, token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Timbre Workbench: this address needs the token. Open the URL that `timbre serve` printed.\n');
      return;
    }
    const { fromQuery } = requestToken(req, url);
    const cookie = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    if (fromQuery && req.method === 'GET') {
      // Keep the token in a cookie and take it out of the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, { location: url.pathname + url.search, 'set-cookie': cookie });
      res.end();
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice(5) as ApiMethod;
      if (req.method !== 'POST' || !(API_METHODS as readonly string[]).includes(method)) {
        return send(res, 404, {
          ok: false,
          error: { name: 'NotFound', message: `No API method "${method}".` },
        });
      }
      try {
        const body = await readBody(req);
        let parsed: { args?: unknown };
        try {
          parsed = JSON.parse(body || '{}') as { args?: unknown };
        } catch {
          return send(res, 400, {
            ok: false,
            error: { name: 'BadRequest', message: 'The request body is not JSON.' },
          });
        }
        const args = checkArgs(method, parsed.args ?? []);
        const fn = wb[method] as (...a: unknown[]) => Promise<unknown>;
        const value = await fn.apply(wb, args);
        return send(res, 200, { ok: true, value: value ?? null });
      } catch (err) {
        return send(res, statusOf(err), { ok: false, error: errorBody(err) });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { ok: false, error: { name: 'MethodNotAllowed', message: 'GET only.' } });
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.resolve(staticDir, rel);
    if (!file.startsWith(staticDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found.\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': csp(port),
      'x-content-type-options': 'nosniff',
      'cache-control': rel === 'index.html' ? 'no-store' : 'max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });

  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/events' || !hostAllowed(req, host, port) || !authorized(req, url, token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const stop = wb.subscribe((event: WorkbenchEvent) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
      });
      ws.on('close', stop);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sockets.clients) c.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
