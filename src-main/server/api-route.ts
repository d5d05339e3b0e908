import type { IncomingMessage } from 'node:http';
import { RequestError } from './errors';

/** The largest API request body accepted (a run's notes field is the biggest argument: 100 kB). */
export const MAX_BODY = 1024 * 1024;
// A body past MAX_BODY is read to its end and dropped, so that the client hears the 413 instead of
// a reset connection; past this much more the connection is cut instead.
const DRAIN = 64 * 1024 * 1024;

/** Reads a request body of at most `max` bytes (MAX_BODY) as UTF-8; throws RequestError 413 or 400. */
export function readBody(req: IncomingMessage, max = MAX_BODY): Promise<string> {
  const drain = Math.max(max, DRAIN);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > drain) {
    return Promise.reject(new RequestError(413, `The request body is over ${max / 1024 / 1024} MB.`));
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
      else if (size > drain) req.destroy();
    });
    req.on('end', () => {
      if (size > max) {
        return reject(new RequestError(413, `The request body is over ${max / 1024 / 1024} MB.`));
      }
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new RequestError(400, 'The request body is not UTF-8.'));
      }
    });
    req.on('error', () => reject(new RequestError(400, 'The request body was cut off.')));
    req.on('close', () => {
      if (!req.complete) reject(new RequestError(400, 'The request body was cut off.'));
    });
  });
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((v) => hasNul(v, depth + 1));
}

/**
 * The arguments of an API call from its JSON body, `{"args": [...]}` (an empty body means no
 * arguments), for the dispatch to check. Throws RequestError 400 naming what is wrong.
 */
export function parseCall(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new RequestError(400, 'The request body is not JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new RequestError(400, 'The request body must be a JSON object: {"args": [...]}.');
  // JSON.parse makes `__proto__` an own key, never a prototype; refusing unknown keys keeps it so
  // for whatever reads this object next.
  const extra = Object.keys(parsed).find((k) => k !== 'args');
  if (extra !== undefined)
    throw new RequestError(400, `The request body has an unknown key ${JSON.stringify(extra.slice(0, 40))}.`);
  const args = (parsed as { args?: unknown }).args ?? [];
  if (!Array.isArray(args)) throw new RequestError(400, 'The request body\'s "args" must be an array.');
  // A NUL character cannot be part of a path, a name or a note id; file system calls throw a
  // TypeError on it, which would otherwise surface as an internal error.
  if (hasNul(args)) throw new RequestError(400, 'An argument holds a NUL character.');
  return args;
}
