import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { RequestError } from './errors';

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

/** The policy the UI's pages run under; `host` is the Host header, already checked by hostAllowed. */
export function csp(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    // The event WebSocket of this very server, and nothing else: older browsers do not count
    // ws: as 'self'.
    `connect-src 'self' ws://${host}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The file of the built renderer a path names, or null when there is none. Segments come from
 * parseTarget (no `..`, no slashes, no NUL); the resolved real path must still be inside the folder,
 * which also stops a symbolic link that leads out of it.
 */
export async function staticFile(staticDir: string, segments: string[]): Promise<string | null> {
  const rel = segments.length ? segments : ['index.html'];
  // A colon names a drive or an alternate data stream on Windows; the build never makes one.
  if (rel.some((s) => s.includes(':') || s.startsWith('.'))) return null;
  try {
    const root = await fs.promises.realpath(staticDir);
    const file = await fs.promises.realpath(path.join(root, ...rel));
    if (!file.startsWith(root + path.sep)) return null;
    return (await fs.promises.stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Sends a file of the built renderer (GET or HEAD), with the UI's security headers. */
export function sendStatic(
  res: ServerResponse,
  file: string,
  options: { head: boolean; host: string; headers: Record<string, string> },
): void {
  const index = path.basename(file) === 'index.html';
  res.writeHead(200, {
    ...options.headers,
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-security-policy': csp(options.host),
    'cache-control': index ? 'no-store' : 'max-age=3600',
  });
  if (options.head) return void res.end();
  const stream = fs.createReadStream(file);
  // The file can vanish between stat and read (a rebuild): cut the response rather than let an
  // unhandled stream error end the process.
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** RequestError for a path that names no file. */
export function notFound(): RequestError {
  return new RequestError(404, 'Not found.');
}
