import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the cookie the browser shell keeps its token in after the first visit. */
export const TOKEN_COOKIE = 'timbre_token';

/** A fresh random token, as Jupyter prints one: whoever holds the URL may use the app. */
export function newToken(): string {
  return randomBytes(24).toString('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request carries: `?token=`, `Authorization: Bearer`, or the cookie. */
export function requestToken(
  req: IncomingMessage,
  url: URL,
): { token: string | undefined; fromQuery: boolean } {
  const query = url.searchParams.get('token');
  if (query) return { token: query, fromQuery: true };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), fromQuery: false };
  const cookie = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === TOKEN_COOKIE)?.[1];
  return { token: cookie, fromQuery: false };
}

/** Whether a request carries the server's token. */
export function authorized(req: IncomingMessage, url: URL, token: string): boolean {
  const given = requestToken(req, url).token;
  return given !== undefined && same(given, token);
}

/**
 * Whether the Host header names this server. A page on another site that resolves its own name
 * to 127.0.0.1 (DNS rebinding) sends its own host name and is refused.
 */
export function hostAllowed(req: IncomingMessage, host: string, port: number): boolean {
  const header = req.headers.host;
  if (!header) return false;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  const names = host === '0.0.0.0' || host === '::' ? null : loopback.includes(host) ? loopback : [host];
  if (names === null) return true;
  return names.some((n) => header === `${n}:${port}`);
}
