import fs from 'node:fs/promises';
import path from 'node:path';
import { protocol } from 'electron';

/** The scheme the window's page is served from (not file://, whose pages share one origin). */
export const APP_SCHEME = 'app';

/** The one host under the scheme: the built renderer. */
export const APP_HOST = 'workbench';

/** The address the window loads. */
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The page's Content-Security-Policy, sent with every response of the scheme. */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Types of the files electron-vite writes to out/renderer; anything else is served as bytes.
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Declares the scheme standard (relative URLs, an origin of its own, storage) and secure. Must run
 * before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      // No bypassCSP, no service workers, no streaming: audio plays from blob: URLs.
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
    },
  ]);
}

/** Serves the built renderer folder on the scheme (after ready); returns a function that stops it. */
export function handleAppScheme(root: string): () => void {
  protocol.handle(APP_SCHEME, serveRenderer(root));
  return () => protocol.unhandle(APP_SCHEME);
}

/** Whether an address is a page of the app itself: the scheme and host exactly, nothing else. */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // `host` includes a port, so app://workbench:1/ is refused too.
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/**
 * The scheme's handler: files of `root` only, with their type and the page's CSP. Every failure is a
 * response (400 for an address that is not a plain path inside the folder, 404 for a missing file),
 * never a throw, and nothing outside `root` is opened.
 */
export function serveRenderer(root: string): (request: Request) => Promise<Response> {
  const base = path.resolve(root);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const file = resolveInside(base, request.url);
    if (typeof file === 'number') return plain(file, file === 404 ? 'Not found' : 'Bad request');
    let body: Buffer;
    try {
      // A link inside the folder could point outside it: the real path must stay inside too.
      const real = await fs.realpath(file);
      if (!isInside(await fs.realpath(base), real)) return plain(404, 'Not found');
      if (!(await fs.stat(real)).isFile()) return plain(404, 'Not found');
      body = await fs.readFile(real);
    } catch {
      return plain(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': String(body.length),
        'content-security-policy': APP_CSP,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    });
  };
}

/** The file an address names inside `base`, or the status that refuses it. */
function resolveInside(base: string, url: string): string | 400 | 404 {
  if (!isAppUrl(url)) return 404;
  const { pathname } = new URL(url);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname === '/' || pathname === '' ? '/index.html' : pathname);
  } catch {
    return 400;
  }
  // The URL parser resolves `..` and `%2e%2e`, but an encoded slash or backslash only appears as one
  // after decoding: every segment is checked again here, and control characters (NUL) are refused.
  const segments = decoded.slice(1).split('/');
  const bad = (s: string) => s === '' || s === '.' || s === '..' || /[\\:]|\p{Cc}/u.test(s);
  if (!decoded.startsWith('/') || segments.some(bad)) return 400;
  const file = path.join(base, ...segments);
  return isInside(base, file) ? file : 400;
}

function isInside(base: string, file: string): boolean {
  const rel = path.relative(base, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}
