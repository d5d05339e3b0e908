import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WorkbenchApi, WorkbenchEvent } from '../shared/contract';
import { ERROR_CODES } from '../shared/errors';
import { apiDispatch, noSuchMethod } from '../core/dispatch';
import { errorBody, isInternal } from '../core/errors';
import type { ClusterHub } from '../core/cluster/hub';
import { parseCall, readBody } from './api-route';
import { clusterRoute } from './cluster-route';
import { authorized, crossSiteReason, hostAllowed, newToken, TOKEN_COOKIE } from './auth';
import { RequestError, statusOf } from './errors';
import { parseTarget, type RequestTarget } from './request-target';
import { notFound, sendStatic, staticFile } from './static-files';

/** How the browser shell is served. */
export interface ServeOptions {
  workbench: WorkbenchApi;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** Default 127.0.0.1: only this machine. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  /** Where internal errors are logged (default: stderr); a request never sees their details. */
  log?: (message: string) => void;
  /** Cluster mode's hub: answers `timbre worker` processes under /cluster/ (docs/cluster.md). */
  cluster?: ClusterHub;
}

/** A running browser shell. */
export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

// Sent with every answer: nothing is sniffed as another type or loaded by another origin's
// <script>/<img> (no-cors loads), and the token never leaves in a Referer.
const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

const UNAUTHORIZED = 'This address needs the token: open the URL that `timbre serve` printed.';

function isApi(target: RequestTarget): boolean {
  return target.segments[0] === 'api' || target.segments[0] === 'cluster';
}

function answer(res: http.ServerResponse, status: number, body: string, json: boolean): void {
  if (res.headersSent) return void res.destroy();
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    'content-type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  };
  // A refused body may be unread (413): close rather than parse what follows as a new request.
  if (status === 413) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

// What a request that hit an internal fault is told: where the details went, and nothing else.
const INTERNAL =
  'The workbench failed to answer this request (an internal error; the terminal running `timbre serve` shows why).';

function refuse(res: http.ServerResponse, err: unknown, json: boolean): void {
  const error = errorBody(err, INTERNAL);
  answer(res, statusOf(err), json ? JSON.stringify({ ok: false, error }) : `${error.message}\n`, json);
}

function rawRefusal(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(message) + 1}\r\n\r\n${message}\n`,
  );
}

/**
 * Serves the renderer and the WorkbenchApi over HTTP (POST /api/<method>) plus a WebSocket of
 * events (/events), on loopback unless told otherwise. Every request needs the token; API calls
 * and the WebSocket must also come from the page itself (see crossSiteReason). No request, however
 * malformed, can end the process: each is answered with a 4xx and a one-line reason, and an
 * internal fault with a generic 500.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const wb = options.workbench;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const staticDir = path.resolve(options.staticDir);
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let port = 0;

  const logInternal = (where: string, err: unknown) =>
    log(`Internal error ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const api = apiDispatch(wb, {
    log: (method, err) => logInternal(`answering POST /api/${method}`, err),
    internalMessage: INTERNAL,
  });

  const checkHost = (req: http.IncomingMessage) => {
    // Node keeps the first of several Host headers; a request that sends two is malformed (RFC 9112).
    if (req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length > 1)
      throw new RequestError(400, 'The request has more than one Host header.');
    if (!hostAllowed(req, host, port)) throw new RequestError(403, 'Unknown host.');
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget) => {
    checkHost(req);
    const source = authorized(req, target.query, token);
    if (target.segments[0] === 'cluster') {
      // Workers are programs: the token comes in the Authorization header, never a cookie or the URL.
      if (source !== 'header')
        throw new RequestError(
          401,
          'Cluster requests need "Authorization: Bearer <token>" (the hub\'s token).',
        );
      const refusal = crossSiteReason(req, source);
      if (refusal) throw new RequestError(403, refusal);
      return clusterRoute(options.cluster, req, res, target, (status, body) =>
        answer(res, status, JSON.stringify(body), true),
      );
    }
    if (isApi(target)) {
      if (!source) throw new RequestError(401, UNAUTHORIZED);
      const refusal = crossSiteReason(req, source);
      if (refusal) throw new RequestError(403, refusal);
      const name = target.segments.length === 2 ? target.segments[1]! : '';
      if (!api.has(name)) throw new RequestError(404, noSuchMethod(name));
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        throw new RequestError(405, 'API calls are POST requests.');
      }
      const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (type !== 'application/json')
        throw new RequestError(415, 'API calls must be sent as Content-Type: application/json.');
      const result = await api.call(name, parseCall(await readBody(req)));
      if (result.ok) return answer(res, 200, JSON.stringify(result), true);
      const { ok, error, code } = result;
      return answer(res, ERROR_CODES[code].status, JSON.stringify({ ok, error }), true);
    }
    if (!source) throw new RequestError(401, UNAUTHORIZED);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      throw new RequestError(405, 'Only GET and HEAD are served here.');
    }
    const file = await staticFile(staticDir, target.segments);
    if (!file) throw notFound();
    if (source === 'query' && req.method === 'GET') {
      // Keep the token in a cookie and take it out of the address bar.
      target.query.delete('token');
      const search = target.query.toString();
      res.writeHead(303, {
        ...COMMON_HEADERS,
        location: target.rawPath + (search ? `?${search}` : ''),
        'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      return void res.end();
    }
    sendStatic(res, file, { head: req.method === 'HEAD', host: req.headers.host!, headers: COMMON_HEADERS });
  };

  // Without a Host header Node would answer 400 itself, with an empty body; ours says why.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    // An aborted upload or a reset socket is the client's business; without these listeners its
    // 'error' event would be thrown at the event loop.
    req.on('error', () => {});
    res.on('error', () => {});
    let json = (req.url ?? '').startsWith('/api/');
    void (async () => {
      try {
        const target = parseTarget(req.url);
        json = isApi(target);
        await handle(req, res, target);
      } catch (err) {
        if (isInternal(err)) logInternal(`answering ${req.method} ${String(req.url).slice(0, 200)}`, err);
        try {
          refuse(res, err, json);
        } catch {
          res.destroy();
        }
      }
    })();
  });

  // Requests Node's parser cannot read (a bad method, a broken header, a bad chunk) arrive here
  // instead of at the handler. Without this listener Node answers 400 itself; with it, each gets
  // its one-line reason and nothing is thrown.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Half a response already sent (a reset mid-answer): there is nobody left to tell.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || inFlight?.headersSent)
      return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    rawRefusal(
      socket,
      status,
      status === 400 ? 'Malformed HTTP request.' : (http.STATUS_CODES[status] ?? ''),
    );
  });
  // CONNECT is for proxies: without a listener Node would drop the connection without an answer.
  server.on('connect', (_req, socket: Duplex) => {
    socket.on('error', () => {});
    rawRefusal(socket, 405, 'CONNECT is not served here.');
  });
  server.on('connection', (socket: Socket) => socket.on('error', () => {}));

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    try {
      const target = parseTarget(req.url);
      if (target.segments.length !== 1 || target.segments[0] !== 'events') throw notFound();
      checkHost(req);
      const source = authorized(req, target.query, token);
      if (!source) throw new RequestError(401, UNAUTHORIZED);
      const refusal = crossSiteReason(req, source);
      if (refusal) throw new RequestError(403, refusal);
      sockets.handleUpgrade(req, socket, head, (ws) => {
        // A client that sends a bad frame gets an 'error'; the stream just ends.
        ws.on('error', () => ws.terminate());
        const stop = wb.subscribe((event: WorkbenchEvent) => {
          // This runs inside the app's own event dispatch: a failure here must not reach it.
          try {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event), () => {});
          } catch (err) {
            logInternal('sending an event', err);
            ws.terminate();
          }
        });
        ws.on('close', stop);
      });
    } catch (err) {
      if (isInternal(err)) logInternal('upgrading a WebSocket', err);
      rawRefusal(socket, statusOf(err), errorBody(err, INTERNAL).message);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      // From now on a failed accept (too many open files) must not end the process.
      server.on('error', (err) => logInternal('in the server', err));
      resolve();
    });
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
