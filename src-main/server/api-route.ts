import type { IncomingMessage } from 'node:http';
import { API_METHODS, type ApiMethod } from '../shared/api';
import type { Workbench } from '../core/api';
import { checkArgs } from '../core/api-schema';
import { RequestError } from './errors';

/** The largest API request body accepted (a run's notes field is the biggest argument: 100 kB). */
export const MAX_BODY = 1024 * 1024;
// A body past MAX_BODY is read to its end and dropped, so that the client hears the 413 instead of
// a reset connection; past this much more the connection is cut instead.
const MAX_DRAIN = 64 * 1024 * 1024;

type Handler = (...args: unknown[]) => Promise<unknown>;

/**
 * The API's methods by name, bound once. A Map has no prototype chain to look names up in, so
 * `__proto__`, `constructor` or `toString` can never reach a member of the Workbench.
 *
 * What these reach on disk: every write goes into TIMBRE_HOME (database, feature caches, models);
 * the methods that write where they are told (renderDataset's `out`, testModel's model folder) are
 * not in API_METHODS, and the fuzz test checks they stay unreachable. importDataset reads the NSynth
 * folder it is given, wherever it is, since the Datasets view imports from any folder the user
 * types; what it answers is a summary or what is wrong with the layout, not the files' contents.
 */
export function apiHandlers(wb: Workbench): ReadonlyMap<string, Handler> {
  const table = new Map<string, Handler>();
  for (const m of API_METHODS) {
    const fn = wb[m] as unknown;
    if (typeof fn === 'function') table.set(m, (fn as Handler).bind(wb));
  }
  return table;
}

/** Reads a request body of at most MAX_BODY bytes as UTF-8; throws RequestError 413 or 400. */
export function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_DRAIN) {
    return Promise.reject(new RequestError(413, `The request body is over ${MAX_BODY / 1024 / 1024} MB.`));
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
      else if (size > MAX_DRAIN) req.destroy();
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        return reject(new RequestError(413, `The request body is over ${MAX_BODY / 1024 / 1024} MB.`));
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
 * The checked arguments of an API call from its JSON body, `{"args": [...]}` (an empty body means
 * no arguments). Throws RequestError 400, or ApiArgumentError, naming what is wrong.
 */
export function parseCall(method: ApiMethod, body: string): unknown[] {
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
  return checkArgs(method, args);
}
