import { RequestError } from './errors';

/** The longest request target the browser shell accepts (the app's own are far shorter). */
export const MAX_TARGET = 4096;

/** A request target taken apart: its decoded path segments and its query. */
export interface RequestTarget {
  /** The path as sent (still percent-encoded), e.g. `/assets/index-1a2b.js`. */
  rawPath: string;
  /** Decoded segments of the path: `/` gives [], `/api/listRuns` gives ['api', 'listRuns']. */
  segments: string[];
  query: URLSearchParams;
}

// Printable ASCII without space: what a client that follows RFC 3986 sends. Anything else (a raw
// byte above 0x7f, a control character) is a broken or hostile client.
const TARGET_CHARS = /^[\x21-\x7e]*$/;
// Whether a decoded segment holds a control character (NUL included) or either slash, which
// would let an encoded `%2f` or `%5c` cross into another folder.
function badSegment(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return true;
  }
  return false;
}

function decodeSegment(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new RequestError(400, 'The path has a malformed percent-escape.');
  }
  if (badSegment(decoded))
    throw new RequestError(400, 'The path has a control character or an encoded slash.');
  if (decoded === '.' || decoded === '..') throw new RequestError(400, 'The path has a "." or ".." segment.');
  return decoded;
}

/**
 * Parses `req.url` without `new URL`, which throws on targets like `//` or `//[::1` and would
 * resolve `..` before we could refuse it. Only origin-form (`/path?query`) is accepted: the
 * absolute form is for proxies and `*` for server-wide OPTIONS, neither of which this server is.
 * Throws RequestError (4xx) for anything it will not serve.
 */
export function parseTarget(target: string | undefined): RequestTarget {
  if (!target) throw new RequestError(400, 'The request has no target.');
  if (target.length > MAX_TARGET)
    throw new RequestError(414, `The request target is over ${MAX_TARGET} characters.`);
  if (!target.startsWith('/'))
    throw new RequestError(400, 'The request target must be a path starting with "/".');
  if (!TARGET_CHARS.test(target))
    throw new RequestError(400, 'The request target has characters a URL may not hold.');
  // A fragment is never sent by a browser; drop it as a URL parser would.
  const hash = target.indexOf('#');
  const noHash = hash < 0 ? target : target.slice(0, hash);
  const q = noHash.indexOf('?');
  const rawPath = q < 0 ? noHash : noHash.slice(0, q);
  // URLSearchParams never throws: a malformed escape in the query is kept as written.
  const query = new URLSearchParams(q < 0 ? '' : noHash.slice(q + 1));
  if (rawPath === '/') return { rawPath, segments: [], query };
  const parts = rawPath.slice(1).split('/');
  if (parts.some((p) => p === '')) throw new RequestError(400, 'The path has an empty segment ("//").');
  return { rawPath, segments: parts.map(decodeSegment), query };
}
