// The requests the fuzz test sends: fixed cases for each way a request can be malformed or
// hostile, and seeded generators of more of the same.
import path from 'node:path';
import { checkArgs } from '../../src-main/core/api-schema';
import { API_METHODS, type ApiMethod } from '../../src-main/shared/contract';

/** What every fuzz request needs to know of the server under test and its folders. */
export interface FuzzTarget {
  port: number;
  token: string;
  /** The temp folder holding TIMBRE_HOME, the static folder and the canaries. */
  parent: string;
  home: string;
}

/** Written outside TIMBRE_HOME and the static folder: no response may ever hold it. */
export const CANARY = 'timbre-fuzz-canary-5f0c2a9e71d4';
const MB = 1024 * 1024;

/** How a request carries the token, if at all. */
export type Auth = 'none' | 'query' | 'bearer' | 'cookie';

/** A request, described; `build` makes its bytes. */
export interface Spec {
  method?: string;
  target: string;
  auth?: Auth;
  /** Host header; null leaves it out. Default this server's. */
  host?: string | null;
  /** Origin header; null leaves it out. Default: this server's with cookie auth, else none. */
  origin?: string | null;
  contentType?: string | null;
  /** Raw header lines, sent as they are. */
  headers?: string[];
  body?: string | Buffer;
  /** Send the body chunked instead of with a Content-Length. */
  chunked?: boolean;
  /** A WebSocket handshake. */
  upgrade?: boolean;
}

/** One fuzz request and the statuses it may get. */
export interface Case {
  label: string;
  spec: Spec;
  /** Bytes sent instead of the request `spec` describes. */
  raw?: Buffer;
  /** Statuses allowed; default any 4xx. */
  expect?: number[];
}

const own = (t: FuzzTarget) => `http://127.0.0.1:${t.port}`;

/** The bytes of a request: head, and body (chunked if asked). */
export function build(t: FuzzTarget, spec: Spec): { head: Buffer; body?: Buffer } {
  const auth = spec.auth ?? 'none';
  let target = spec.target;
  if (auth === 'query') target += `${target.includes('?') ? '&' : '?'}token=${t.token}`;
  const lines = [`${spec.method ?? 'GET'} ${target} HTTP/1.1`];
  const host = spec.host === undefined ? `127.0.0.1:${t.port}` : spec.host;
  if (host !== null) lines.push(`Host: ${host}`);
  if (auth === 'bearer') lines.push(`Authorization: Bearer ${t.token}`);
  if (auth === 'cookie') lines.push(`Cookie: timbre_token=${t.token}`);
  const origin = spec.origin === undefined ? (auth === 'cookie' ? own(t) : null) : spec.origin;
  if (origin !== null) lines.push(`Origin: ${origin}`);
  if (spec.upgrade) {
    lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13');
    lines.push('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  } else lines.push('Connection: close');
  if (spec.contentType) lines.push(`Content-Type: ${spec.contentType}`);
  lines.push(...(spec.headers ?? []));
  let body: Buffer | undefined;
  if (spec.body !== undefined) {
    const bytes = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body);
    if (spec.chunked) {
      lines.push('Transfer-Encoding: chunked');
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 65536) {
        const piece = bytes.subarray(i, i + 65536);
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      body = Buffer.concat(parts);
    } else {
      lines.push(`Content-Length: ${bytes.length}`);
      body = bytes;
    }
  }
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body };
}

/** An API call as the page makes it, changed by `spec`. */
export function api(method: string, body: string | Buffer, spec: Partial<Spec> = {}): Spec {
  return {
    method: 'POST',
    target: `/api/${method}`,
    auth: 'bearer',
    contentType: 'application/json',
    body,
    ...spec,
  };
}

/** Bytes that are not an HTTP/1.1 request at all, or barely. */
export function garbageCases(t: FuzzTarget, rng: () => number, count: number): Case[] {
  const host = `Host: 127.0.0.1:${t.port}\r\n`;
  const fixed: [string, string | Buffer][] = [
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['HTTP/0.9', 'GET /\r\n\r\n'],
    ['HTTP/1.0 without Host', 'GET / HTTP/1.0\r\n\r\n'],
    ['HTTP/3.0', `GET / HTTP/3.0\r\n${host}\r\n`],
    ['bare LF', `GET / HTTP/1.1\n${host.trim()}\n\n`],
    ['no request line', `${host}\r\n`],
    ['half a request line', 'GET /api/listR'],
    ['half the headers', `POST /api/listRuns HTTP/1.1\r\n${host}Content-Le`],
    [
      'short body',
      `POST /api/listRuns HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{}`,
    ],
    ['TLS hello', Buffer.from('16030100a5010000a10303', 'hex')],
    ['NUL bytes', Buffer.alloc(64)],
  ];
  const cases: Case[] = fixed.map(([label, raw]) => ({
    label,
    spec: { target: '/' },
    raw: Buffer.from(raw),
  }));
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(
      Array.from({ length: 1 + Math.floor(rng() * 200) }, () => Math.floor(rng() * 256)),
    );
    cases.push({
      label: `random bytes ${i} ${bytes.subarray(0, 8).toString('hex')}`,
      spec: { target: '/' },
      raw: bytes,
    });
  }
  return cases;
}

// Path segments that make a request target malformed or point out of the static folder.
const BAD_SEGMENTS = [
  '..',
  '.',
  '%',
  '%zz',
  '%2e%2e',
  '%2E.',
  '%2f',
  '%2F..',
  '%5c',
  '\\',
  '%00',
  '%0a',
  '%E0%A4%A',
  '%c0%ae',
  '%ff',
  '',
];
const OTHER_SEGMENTS = [
  'index.html',
  'assets',
  'app.js',
  'api',
  'events',
  'canary.txt',
  'outside',
  'link.txt',
  '__proto__',
  'constructor',
  '%41',
  '..%252f',
  'a:b',
];
const FOREIGN_ORIGINS = (t: FuzzTarget) => [
  `http://127.0.0.1:${t.port + 1}`,
  'http://127.0.0.1:1',
  `http://localhost:${t.port}`,
  'null',
  'http://evil.example',
  `https://127.0.0.1:${t.port}`,
  `http://127.0.0.1:${t.port}.evil.example`,
  'http://127.0.0.1',
  `http://127.0.0.1:${t.port}/`,
  'file://',
];

/** One or more cases for each way a request can be malformed or hostile. */
export function fixedCases(t: FuzzTarget): Case[] {
  const cases: Case[] = [];
  const add = (label: string, spec: Spec, expect?: number[]) => cases.push({ label, spec, expect });
  const P = t.port;

  // The reproductions.
  for (const t of ['//', '//:99999', '//[::1'])
    for (const auth of ['none', 'bearer'] as const) add(`GET ${t} ${auth}`, { target: t, auth }, [400]);
  for (const auth of ['none', 'bearer', 'cookie'] as const)
    add(`upgrade to // ${auth}`, { target: '//', auth, upgrade: true }, [400]);
  for (const t of ['/%E0%A4%A', '/%', '/%zz'])
    for (const auth of ['query', 'bearer', 'cookie'] as const)
      add(`GET ${t} ${auth}`, { target: t, auth }, [400]);
  add('body null', api('createRun', 'null'), [400]);
  add('NUL in path', { target: '/a%00b', auth: 'bearer' }, [400]);
  add('10 MB body', api('createRun', Buffer.alloc(10 * MB, 0x20)), [413]);

  // Paths out of the static folder, however spelled.
  const traversal = [
    '/../canary.txt',
    '/..%2fcanary.txt',
    '/%2e%2e/canary.txt',
    '/%2e%2e%2fcanary.txt',
    '/assets/../../canary.txt',
    '/assets/%2e%2e/%2e%2e/canary.txt',
    '/.%2e/canary.txt',
    '/%2E%2E/%2E%2E/canary.txt',
    '/..\\canary.txt',
    '/%5c..%5ccanary.txt',
    '/assets%2f..%2f..%2fcanary.txt',
    '/%2fetc%2fpasswd',
    `/${encodeURIComponent(path.join(t.parent, 'canary.txt'))}`,
    `${t.parent}/canary.txt`,
    `/${t.parent}/canary.txt`,
    '/assets/link.txt',
    '/canary.txt%00.html',
    '/index.html%00',
    '/%00',
    '/%c0%ae%c0%ae/canary.txt',
    '/%252e%252e/canary.txt',
    '/assets/.',
    '/assets/./app.js',
    '/index.html/..',
    '/api/../canary.txt',
    '/./canary.txt',
    '/assets/',
    '/static/../canary.txt',
    '/%ff',
    '/..;/canary.txt',
    '/file:%2f%2f%2fetc%2fpasswd',
    '/C:%5cWindows',
    '/index.html::$DATA',
    '/.env',
    '/outside/examples.json',
    '/../outside/examples.json',
    '/\\evil.example',
  ];
  for (const t of traversal)
    for (const auth of ['none', 'query', 'bearer', 'cookie'] as const)
      add(`GET ${t} ${auth}`, { target: t, auth });
  for (const t of [
    `http://127.0.0.1:${P}/../canary.txt`,
    `http://127.0.0.1:${P}/`,
    '*',
    'canary.txt',
    'file:///etc/passwd',
  ])
    add(`target ${t}`, { target: t, auth: 'bearer' }, [400]);
  add('OPTIONS *', { method: 'OPTIONS', target: '*', auth: 'bearer' }, [400]);
  add('target over 4 kB', { target: `/${'a'.repeat(5000)}`, auth: 'bearer' }, [414]);
  add('raw byte above 0x7f', { target: '/\xff', auth: 'bearer' });

  // Methods.
  const methods = [
    'FOO',
    'PATCH',
    'DELETE',
    'PUT',
    'OPTIONS',
    'TRACE',
    'PROPFIND',
    'get',
    'M-SEARCH',
    'PURGE',
  ];
  for (const method of methods) {
    add(`${method} /`, { method, target: '/', auth: 'bearer' });
    add(`${method} /api/listRuns`, { ...api('listRuns', '{"args":[]}'), method });
  }
  add('POST /', { method: 'POST', target: '/', auth: 'bearer', body: '{}' }, [405]);
  add('GET /api/listRuns', { target: '/api/listRuns', auth: 'bearer' }, [405]);
  add('HEAD /api/listRuns', { method: 'HEAD', target: '/api/listRuns', auth: 'bearer' }, [405]);
  add('CONNECT', { method: 'CONNECT', target: '127.0.0.1:22', auth: 'bearer' });
  add('CONNECT /', { method: 'CONNECT', target: '/', auth: 'bearer' });

  // Headers.
  const listRuns = (spec: Partial<Spec>) => api('listRuns', '{"args":[]}', spec);
  add('no Host', listRuns({ host: null }));
  for (const host of [
    'evil.example',
    '127.0.0.1:1',
    '127.0.0.1',
    `localhost.evil:${P}`,
    `127.0.0.1:${P};x`,
    '[::1',
  ])
    add(`Host ${host}`, listRuns({ host }), [400, 403]);
  add('two Hosts', listRuns({ headers: ['Host: evil.example'] }));
  add('Content-Length abc', { ...listRuns({}), body: undefined, headers: ['Content-Length: abc'] }, [400]);
  add('Content-Length -1', { ...listRuns({}), body: undefined, headers: ['Content-Length: -1'] }, [400]);
  add('two Content-Lengths', listRuns({ headers: ['Content-Length: 3'] }), [400]);
  add('Content-Length and chunked', listRuns({ headers: ['Transfer-Encoding: chunked'] }), [400]);
  add('bad chunk', {
    ...listRuns({}),
    body: 'zz\r\n{}\r\n0\r\n\r\n',
    headers: ['Transfer-Encoding: chunked'],
  });
  add('gzip transfer', { ...listRuns({}), body: undefined, headers: ['Transfer-Encoding: gzip'] });
  add('header without colon', listRuns({ headers: ['Oops'] }), [400]);
  add('space in header name', listRuns({ headers: ['X Y: z'] }), [400]);
  add('folded header', listRuns({ headers: ['X-A: b', ' folded'] }), [400]);
  add('NUL in header', listRuns({ headers: ['X-A: b\0c'] }), [400]);
  add('20 kB header', listRuns({ headers: [`X-Big: ${'b'.repeat(20_000)}`] }), [431]);
  for (const a of ['Bearer ', 'Bearer wrong', 'Basic dXNlcjpwYXNz', `bearer ${'0'.repeat(48)}`, 'Bearer'])
    add(`Authorization ${a}`, listRuns({ auth: 'none', headers: [`Authorization: ${a}`] }), [401]);
  for (const c of [
    'timbre_token',
    'timbre_token=',
    'timbre_token=wrong',
    `a=b; timbre_token=${'f'.repeat(48)}`,
    ';;;=',
  ])
    add(`Cookie ${c}`, listRuns({ auth: 'none', origin: own(t), headers: [`Cookie: ${c}`] }), [401]);

  // Bodies.
  const bodies = [
    'null',
    '[]',
    '1',
    '"x"',
    'true',
    '{',
    '{"args":null}',
    '{"args":{}}',
    '{"args":"x"}',
    '{"args":[null]}',
    '{"__proto__":{"args":[{}]}}',
    '{"args":[],"x":1}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"args":[],"__proto__":{"polluted":1}}',
    '{"args":[{"__proto__":{"polluted":1}}]}',
    '{"args":[{"overrides":{"__proto__":{"polluted":1}}}]}',
    '{"args":[{"overrides":{"constructor":{"prototype":{"polluted":1}}}}]}',
    '{"args":[{"overrides":{"model":{"__proto__":{"type":"mlp"}}}}]}',
    '{"args":[{"preset":"__proto__"}]}',
    '{"args":[{"preset":"constructor"}]}',
    '{"args":[{"preset":"toString"}]}',
    '{"args":[{"overrides":{"lr":1e400}}]}',
    `{"args":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    '{"args":[]}\0',
    '{"args":["a\0b"]}',
    '\ufeff{"args":[{"x":1}]}',
  ];
  for (const b of bodies) {
    add(`validateRun ${b.slice(0, 60)}`, api('validateRun', b), [400]);
    add(`createRun ${b.slice(0, 60)}`, api('createRun', b), [400]);
  }
  add('body not UTF-8', api('validateRun', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), [400]);
  add('NUL in getDataset', api('getDataset', '{"args":["\\u0000"]}'), [400]);
  add('NUL in importDataset', api('importDataset', '{"args":["/etc\\u0000"]}'), [400]);
  add('NUL in noteHistory', api('noteHistory', '{"args":[1,"a\\u0000b"]}'), [400]);
  add('__proto__ key for appInfo', api('appInfo', '{"__proto__":{"args":[]}}'), [400]);
  add('id 1e21', api('getRun', '{"args":[1e21]}'), [400]);
  add('id -1', api('deleteRun', '{"args":[-1]}'), [400]);
  add('id 1.5', api('deleteRun', '{"args":[1.5]}'), [400]);
  add('tags not strings', api('updateRun', '{"args":[1,{"tags":[1]}]}'), [400]);

  // Content types (listRuns would answer 200 with the right one).
  for (const type of [
    null,
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'text/json',
    'application/json-seq',
    'json',
    ' ',
  ])
    add(`Content-Type ${type}`, listRuns({ contentType: type }), [415]);

  // Sizes.
  add('1 MB + 1', api('validateRun', Buffer.alloc(MB + 1, 0x20)), [413]);
  add('2 MB chunked', api('validateRun', Buffer.alloc(2 * MB, 0x20), { chunked: true }), [413]);
  add('10 MB, cookie', api('validateRun', Buffer.alloc(10 * MB, 0x20), { auth: 'cookie' }), [413]);

  // Names that are not API methods, the prototype's above all.
  for (const name of [
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'toString',
    'valueOf',
    'subscribe',
    'renderDataset',
    'testModel',
    'close',
    'waitForRun',
    'printableReportHtml',
    'writeReport',
    'runModelFolder',
    'LISTRUNS',
    'listRuns%00',
    '%5F%5Fproto%5F%5F',
    'listRuns/x',
    'prototype',
    'then',
    'paths',
    'db',
    'emit',
    'x'.repeat(300),
  ])
    add(`API ${name.slice(0, 40)}`, api(name, '{"args":[]}'), [400, 404]);
  add('API /api', api('', '{"args":[]}', { target: '/api' }), [404]);
  add('API /api/', api('', '{"args":[]}'), [400]);

  // Other sites.
  for (const origin of FOREIGN_ORIGINS(t)) {
    add(`Origin ${origin}, cookie`, listRuns({ auth: 'cookie', origin }), [403]);
    add(`Origin ${origin}, bearer`, listRuns({ origin }), [403]);
    add(`Origin ${origin}, deleteRun`, api('deleteRun', '{"args":[1]}', { auth: 'cookie', origin }), [403]);
    add(`Origin ${origin}, WebSocket`, { target: '/events', auth: 'cookie', origin, upgrade: true }, [403]);
  }
  for (const site of ['cross-site', 'same-site', 'garbage']) {
    add(`Sec-Fetch-Site ${site}`, listRuns({ auth: 'cookie', headers: [`Sec-Fetch-Site: ${site}`] }), [403]);
    const ws = {
      target: '/events',
      auth: 'cookie' as const,
      upgrade: true,
      headers: [`Sec-Fetch-Site: ${site}`],
    };
    add(`Sec-Fetch-Site ${site}, WebSocket`, ws, [403]);
  }
  add('cookie without Origin', listRuns({ auth: 'cookie', origin: null }), [403]);
  add(
    'cookie without Origin, WebSocket',
    { target: '/events', auth: 'cookie', origin: null, upgrade: true },
    [403],
  );
  add('WebSocket without token', { target: '/events', upgrade: true }, [401]);
  for (const t of ['/events/x', '/events%00', '/%2e%2e/events', '/api/events', '/events/'])
    add(`WebSocket to ${t}`, { target: t, auth: 'cookie', upgrade: true }, [400, 404]);
  add('WebSocket version 99', {
    target: '/events',
    auth: 'cookie',
    upgrade: true,
    headers: ['Sec-WebSocket-Version: 99'],
  });

  // Paths as arguments: importDataset reads the folder it is given (the Datasets view's import
  // form takes any folder), but only an NSynth layout, and answers without the files' contents.
  for (const root of [
    '/etc',
    t.parent,
    path.join(t.parent, 'canary.txt'),
    path.join(t.parent, 'outside'),
    path.join(t.parent, 'outside-ds'),
    '../..',
    '/proc/self',
    t.home,
    '/',
    '~',
    'C:\\Windows',
    'x'.repeat(4096),
  ])
    add(`importDataset ${root.slice(0, 60)}`, api('importDataset', JSON.stringify({ args: [root] })));
  add('getDataset parent', api('getDataset', JSON.stringify({ args: [t.parent] })), [404]);
  add('buildFeatures parent', api('buildFeatures', JSON.stringify({ args: [t.parent] })), [404]);
  add('createRun dataset parent', api('createRun', JSON.stringify({ args: [{ dataset: t.parent }] })), [404]);
  add('noteAudio traversal', api('noteAudio', '{"args":[1,"train","../../canary"]}'), [404]);
  return cases;
}

const pick = <T>(rng: () => number, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

/** Request targets with at least one bad segment among good ones (a 4xx whatever the rest). */
export function randomPathCases(rng: () => number, count: number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const segments = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => pick(rng, OTHER_SEGMENTS));
    segments.splice(Math.floor(rng() * (segments.length + 1)), 0, pick(rng, BAD_SEGMENTS));
    let target = `/${segments.join('/')}`;
    if (target === '/') target = '//';
    if (rng() < 0.3) target += `?${pick(rng, ['a=%', 'token=%zz', 'x=%E0%A4%A', 'q', '__proto__=1'])}`;
    const auth = pick(rng, ['none', 'bearer', 'cookie'] as const);
    const post = rng() < 0.3;
    cases.push({
      label: `random path ${i} ${target.slice(0, 80)} ${auth}`,
      spec: post
        ? { method: 'POST', target, auth, contentType: 'application/json', body: '{"args":[]}' }
        : { target, auth },
    });
  }
  return cases;
}

const STRINGS = [
  '',
  'x',
  '/etc/passwd',
  '../../canary.txt',
  '\0',
  'a'.repeat(5000),
  '__proto__',
  'default',
  'test',
];
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'overrides',
  'lr',
  'model',
  'type',
  'name',
  'tags',
  'preset',
];
const NUMBERS = ['0', '-1', '1', '2', '1.5', '1e21', '-0', '9007199254740993', '1e400', '99999'];

function jsonValue(rng: () => number, depth: number): string {
  const k = Math.floor(rng() * (depth > 2 ? 5 : 10));
  if (k === 0) return 'null';
  if (k === 1) return rng() < 0.5 ? 'true' : 'false';
  if (k === 2) return pick(rng, NUMBERS);
  if (k <= 4) return JSON.stringify(pick(rng, STRINGS));
  const n = Math.floor(rng() * 4);
  if (k <= 6) return `[${Array.from({ length: n }, () => jsonValue(rng, depth + 1)).join(',')}]`;
  const entries = Array.from(
    { length: n },
    () => `${JSON.stringify(pick(rng, KEYS))}:${jsonValue(rng, depth + 1)}`,
  );
  return `{${entries.join(',')}}`;
}

function refused(method: ApiMethod, args: unknown[]): boolean {
  if (JSON.stringify(args).includes('\\u0000')) return true;
  try {
    checkArgs(method, args);
    return false;
  } catch {
    return true;
  }
}

/** API calls with random JSON arguments, only those the API refuses (a valid one could train). */
export function randomArgCases(rng: () => number, count: number): Case[] {
  const cases: Case[] = [];
  while (cases.length < count) {
    const method = pick(rng, API_METHODS);
    const body = `{"args":[${Array.from({ length: Math.floor(rng() * 4) }, () => jsonValue(rng, 0)).join(',')}]}`;
    // Only calls the API refuses: a valid one could train a model or render a data set.
    if (!refused(method, (JSON.parse(body) as { args: unknown[] }).args)) continue;
    cases.push({
      label: `random args ${method} ${body.slice(0, 100)}`,
      spec: api(method, body),
      expect: [400],
    });
  }
  return cases;
}

/** API calls and WebSocket upgrades with at least one sign of another site. */
export function randomOriginCases(t: FuzzTarget, rng: () => number, count: number): Case[] {
  const cases: Case[] = [];
  const foreign = FOREIGN_ORIGINS(t);
  while (cases.length < count) {
    const origin = rng() < 0.6 ? pick(rng, foreign) : rng() < 0.5 ? own(t) : null;
    const site = pick(rng, [undefined, 'same-origin', 'none', 'cross-site', 'same-site'] as const);
    const auth = pick(rng, ['cookie', 'bearer', 'query'] as const);
    const cross =
      (origin !== null && origin !== own(t)) ||
      site === 'cross-site' ||
      site === 'same-site' ||
      (!origin && auth === 'cookie');
    if (!cross) continue;
    const headers = site ? [`Sec-Fetch-Site: ${site}`] : [];
    const spec: Spec =
      rng() < 0.5
        ? api(pick(rng, ['listRuns', 'deleteRun', 'updateRun']), '{"args":[1,{"name":"x"}]}', {
            auth,
            origin,
            headers,
          })
        : { target: '/events', auth, origin, headers, upgrade: true };
    cases.push({ label: `random origin ${origin} ${site} ${auth} ${spec.target}`, spec, expect: [403] });
  }
  return cases;
}
