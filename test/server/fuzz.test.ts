// Malformed and hostile requests against the browser shell's server, over raw loopback sockets:
// each must get a 4xx with a one-line reason, leave the server answering, read nothing outside
// its folders into a response, and write nothing outside TIMBRE_HOME.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workbench } from '../../src-main/core/workbench';
import { mulberry32 } from '../../src-main/core/random';
import { startServer, type RunningServer } from '../../src-main/server/server';
import { tempDir } from '../helpers/tmp';
import {
  api,
  build,
  CANARY,
  fixedCases,
  garbageCases,
  randomArgCases,
  randomOriginCases,
  randomPathCases,
  type FuzzTarget,
  type Spec,
} from './fuzz-cases';
import { rawRequest, type RawResponse } from './raw-http';
import { unpackRuns } from '../../src-main/shared/run-list';

const SEED = 20_261_129;

let parent: string;
let home: string;
let server: RunningServer;
let wb: Workbench;
let cleanup: () => void;
const logs: string[] = [];

beforeAll(async () => {
  const t = tempDir('timbre-fuzz-');
  parent = t.dir;
  cleanup = t.cleanup;
  home = path.join(parent, 'home');
  // The built UI's stand-in, with canaries beside it and beside TIMBRE_HOME, and a link out.
  const staticDir = path.join(parent, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>fuzz</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  fs.writeFileSync(path.join(parent, 'canary.txt'), CANARY);
  fs.mkdirSync(path.join(parent, 'outside'));
  fs.writeFileSync(path.join(parent, 'outside', 'examples.json'), CANARY);
  // An NSynth layout whose examples.json is the canary: an import fails on it, without echoing it.
  fs.mkdirSync(path.join(parent, 'outside-ds', 'nsynth-train', 'audio'), { recursive: true });
  fs.writeFileSync(path.join(parent, 'outside-ds', 'nsynth-train', 'examples.json'), CANARY);
  fs.symlinkSync(path.join(parent, 'canary.txt'), path.join(staticDir, 'assets', 'link.txt'));
  wb = new Workbench({ home, shell: 'browser', defaultPreset: 'tiny' });
  server = await startServer({ workbench: wb, staticDir, log: (m) => logs.push(m) });
});
afterAll(async () => {
  // A server that left a socket dangling (as one that threw in its upgrade handler did) would
  // never finish closing: the failure has been reported by then.
  await Promise.race([server?.close(), new Promise((r) => setTimeout(r, 5000))]);
  await wb?.close();
  cleanup?.();
});

const target = (): FuzzTarget => ({ port: server.port, token: server.token, parent, home });
const own = () => `http://127.0.0.1:${server.port}`;

function send(spec: Spec, raw?: Buffer): Promise<RawResponse> {
  if (raw) return rawRequest(server.port, raw, undefined, 2000, true);
  const { head, body } = build(target(), spec);
  return rawRequest(server.port, head, body, 2000);
}

/** Whether the server still answers a good API call. */
async function alive(): Promise<boolean> {
  const r = await send(api('queueState', '{"args":[]}'));
  return r.status === 200;
}

/** What is wrong with a refusal's body, if anything: it must be one line, with no internals. */
function badReason(r: RawResponse, head: boolean): string | null {
  if (head) return null;
  let reason = r.body.replace(/\n$/, '');
  if ((r.headers['content-type'] ?? '').startsWith('application/json')) {
    const parsed = JSON.parse(r.body) as { ok?: boolean; error?: { message?: unknown } };
    if (parsed.ok !== false || typeof parsed.error?.message !== 'string')
      return `not an error body: ${r.body}`;
    reason = parsed.error.message;
  }
  if (!reason.trim()) return 'empty reason';
  if (reason.includes('\n')) return `reason over several lines: ${reason}`;
  if (/TypeError|ReferenceError|\bat \S+ \(|node:internal/.test(reason))
    return `internals in reason: ${reason}`;
  return null;
}

/** Every file and folder under the temp parent except TIMBRE_HOME, with size and mtime. */
function snapshotOutsideHome(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (full === home) continue;
      const st = fs.lstatSync(full);
      out.push(`${path.relative(parent, full)} ${e.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(full);
    }
  };
  walk(parent);
  return out.sort();
}

describe('the browser shell under malformed and hostile requests', () => {
  it('allows what the page, the CLI and curl send (the controls for the refusals below)', async () => {
    expect((await send(api('listRuns', '{"args":[]}'))).status).toBe(200);
    expect((await send(api('listRuns', '{"args":[]}', { auth: 'cookie' }))).status).toBe(200);
    expect((await send(api('listRuns', '', { auth: 'query' }))).status).toBe(200);
    const siteOk = api('listRuns', '{"args":[]}', {
      auth: 'cookie',
      headers: ['Sec-Fetch-Site: same-origin'],
    });
    expect((await send(siteOk)).status).toBe(200);
    expect((await send({ target: '/assets/app.js', auth: 'cookie' })).body).toBe('console.log(1);');
    const index = await send({ target: '/', auth: 'bearer' });
    expect(index.headers['content-security-policy']).toContain(
      `connect-src 'self' ws://127.0.0.1:${server.port};`,
    );
    const redirect = await send({ target: '/?a=1', auth: 'query' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers['location']).toBe('/?a=1');
    expect(redirect.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, {
      headers: { cookie: `timbre_token=${server.token}`, origin: own() },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.close();
  });

  it('answers 300+ malformed requests with a 4xx and a one-line reason, and stays up', async () => {
    const rng = mulberry32(SEED);
    const cases = [
      ...fixedCases(target()),
      ...randomPathCases(rng, 150),
      ...randomArgCases(rng, 120),
      ...randomOriginCases(target(), rng, 60),
      ...garbageCases(target(), rng, 20),
    ];
    expect(cases.length).toBeGreaterThanOrEqual(300);
    const protoBefore = Object.getOwnPropertyNames(Object.prototype);
    const outsideBefore = snapshotOutsideHome();
    const failures: string[] = [];
    const started = Date.now();
    for (const c of cases) {
      const r = await send(c.spec, c.raw);
      const why =
        r.status < 400 || r.status > 499
          ? `status ${r.status}`
          : c.expect && !c.expect.includes(r.status)
            ? `status ${r.status}, expected ${c.expect.join('/')}`
            : r.body.includes(CANARY)
              ? 'canary in the response'
              : badReason(r, c.spec.method === 'HEAD');
      if (why) failures.push(`${c.label}: ${why} (${r.body.slice(0, 160).trim()})`);
      if (!(await alive())) throw new Error(`The server stopped answering after: ${c.label}`);
      // A guard against a server that answers each request slowly (the old one), not a speed goal.
      if (Date.now() - started > 100_000)
        throw new Error(`Out of time at: ${c.label}\n${failures.join('\n')}`);
    }
    expect(failures).toEqual([]);
    // Nothing polluted, nothing logged as an internal fault, nothing written outside TIMBRE_HOME.
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(logs).toEqual([]);
    expect(snapshotOutsideHome()).toEqual(outsideBefore);
    expect(unpackRuns(await wb.listRuns())).toEqual([]);
  });
});
