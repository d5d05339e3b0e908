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

/** Where a request's token came from: the URL, the Authorization header, or the cookie. */
export type TokenSource = 'query' | 'header' | 'cookie';

/** The token a request carries: `?token=`, `Authorization: Bearer`, or the cookie. */
export function requestToken(
  req: IncomingMessage,
  query: URLSearchParams,
): { token: string | undefined; source: TokenSource | null } {
  const fromQuery = query.get('token');
  if (fromQuery) return { token: fromQuery, source: 'query' };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), source: 'header' };
  for (const part of req.headers.cookie?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) {
      return { token: part.slice(eq + 1).trim(), source: 'cookie' };
    }
  }
  return { token: undefined, source: null };
}

/** Where the request's token came from when it is the server's token, else null. */
export function authorized(req: IncomingMessage, query: URLSearchParams, token: string): TokenSource | null {
  const given = requestToken(req, query);
  return given.token !== undefined && same(given.token, token) ? given.source : null;
}

// A Host header as a browser sends it: a name or an IPv4 address, or an IPv6 one in brackets,
// and a port. Anything else could smuggle text into the CSP that names it.
const HOST_SYNTAX = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Whether the Host header names this server. A page on another site that resolves its own name
 * to 127.0.0.1 (DNS rebinding) sends its own host name and is refused.
 */
export function hostAllowed(req: IncomingMessage, host: string, port: number): boolean {
  const header = req.headers.host;
  if (!header || !HOST_SYNTAX.test(header)) return false;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  // An IPv6 address is written in brackets in a Host header (`--host ::1` gives `[::1]:8765`).
  const named = host.includes(':') ? `[${host}]` : host;
  const names = host === '0.0.0.0' || host === '::' ? null : loopback.includes(named) ? loopback : [named];
  if (names === null) return true;
  return names.some((n) => header.toLowerCase() === `${n}:${port}`);
}

/**
 * Why an API call or an event WebSocket must be refused as cross-site, or null when it may go on.
 * Checked after hostAllowed, so the Host header is one of this server's names.
 *
 * The rule, and why:
 * - The cookie is ambient: a browser attaches it to requests other pages make. SameSite=Strict
 *   keeps it off cross-site requests, but every port of 127.0.0.1 is the same site, so a page
 *   served by any other local program would still carry it. What tells our page apart is its
 *   origin, which browsers state on every POST and every WebSocket upgrade, and which no page can
 *   forge. So an `Origin` header, when sent, must be exactly this server's origin (scheme, host and
 *   port as the Host header names them); `null` and every other origin are refused.
 * - `Sec-Fetch-Site`, when sent (current browsers do), must be `same-origin` or `none` (typed by
 *   the user). It backs the Origin check up for requests like a cross-site form post in browsers
 *   that left Origin out.
 * - A request with no Origin does not come from a page: curl, the CLI, a test. It must then prove
 *   itself with a token it chose to send, in the Authorization header or the URL; a cookie alone
 *   is not enough, since a browser that omitted Origin would attach the cookie unasked.
 */
export function crossSiteReason(req: IncomingMessage, source: TokenSource | null): string | null {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && origin.toLowerCase() !== `http://${req.headers.host ?? ''}`.toLowerCase())
    return 'Requests from other sites are refused (the Origin header is not this server).';
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return `Requests from other sites are refused (Sec-Fetch-Site: ${site.slice(0, 20)}).`;
  if (origin === undefined && source === 'cookie')
    return 'A request without an Origin header must send the token as "Authorization: Bearer <token>".';
  return null;
}
