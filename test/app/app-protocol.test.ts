// The app:// scheme the Electron window's page is served from, against the stand-in for Electron's
// protocol module: declared privileged before ready, files of the renderer folder only, with their
// types and the page's CSP, and every odd address answered with a 4xx instead of a throw or a read
// outside the folder.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP_CSP,
  APP_ENTRY,
  handleAppScheme,
  isAppUrl,
  registerAppScheme,
  serveRenderer,
} from '../../src-main/app/app-protocol';
import { protocols } from '../helpers/electron-stub';
import { tempDir } from '../helpers/tmp';

let dir: string;
let root: string;
let cleanup: () => void;
let serve: (request: Request) => Promise<Response>;

const get = (url: string, init?: RequestInit) => serve(new Request(url, init));

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-protocol-'));
  root = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Timbre</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-Ab1.js'), 'export const x = 1;');
  fs.writeFileSync(path.join(root, 'assets', 'index-Ab1.css'), 'body{}');
  fs.writeFileSync(path.join(root, 'assets', 'tfjs.wasm'), Buffer.from([0, 97, 115, 109]));
  fs.writeFileSync(path.join(root, 'assets', 'notes.unknownext'), 'bytes');
  // Files beside the folder that no address may reach.
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
  fs.writeFileSync(path.join(dir, 'renderer-secret.txt'), 'SECRET');
  if (process.platform !== 'win32') fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
  serve = serveRenderer(root);
});
afterAll(() => cleanup?.());
afterEach(() => vi.restoreAllMocks());

describe('the app:// scheme', () => {
  it('is declared standard and secure before ready, and handled by the renderer folder after', async () => {
    registerAppScheme();
    expect(protocols.privileged).toContainEqual({
      scheme: 'app',
      privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }),
    });
    // Neither of the privileges that would loosen the page's own rules.
    const app = protocols.privileged.find((s) => s.scheme === 'app')!;
    expect(app.privileges?.bypassCSP).not.toBe(true);
    expect(app.privileges?.allowServiceWorkers).not.toBe(true);

    const stop = handleAppScheme(root);
    const handler = protocols.handlers.get('app')!;
    const r = await handler(new Request(APP_ENTRY));
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>Timbre</title>');
    stop();
    expect(protocols.handlers.has('app')).toBe(false);
  });

  it('serves index.html and the assets with their types, the CSP and nosniff', async () => {
    const cases: [string, string, string][] = [
      [APP_ENTRY, 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://workbench/', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://workbench/index.html?x=1#/runs', 'text/html; charset=utf-8', '<!doctype html>'],
      ['app://workbench/assets/index-Ab1.js', 'text/javascript; charset=utf-8', 'export const x'],
      ['app://workbench/assets/index-Ab1.css', 'text/css; charset=utf-8', 'body{}'],
      ['app://workbench/assets/notes.unknownext', 'application/octet-stream', 'bytes'],
    ];
    for (const [url, type, start] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type'), url).toBe(type);
      expect(r.headers.get('content-security-policy'), url).toBe(APP_CSP);
      expect(r.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect((await r.text()).startsWith(start), url).toBe(true);
    }
    const wasm = await get('app://workbench/assets/tfjs.wasm');
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await wasm.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it('allows scripts, styles and media from the app and blob: audio, and nothing remote or inline', () => {
    const directive = (name: string) =>
      APP_CSP.split(';')
        .map((d) => d.trim().split(/\s+/))
        .find(([n]) => n === name)
        ?.slice(1);
    expect(directive('script-src')).toEqual(["'self'"]);
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('media-src')).toContain('blob:');
    expect(directive('object-src')).toEqual(["'none'"]);
    expect(APP_CSP).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('answers a missing file, a folder and a HEAD without throwing', async () => {
    const missing = await get('app://workbench/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not found');
    expect((await get('app://workbench/assets')).status).toBe(404);
    const head = await get(APP_ENTRY, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await head.text()).toBe('');
    expect((await get(APP_ENTRY, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('refuses traversal, encoded separators, NUL, bad escapes and other hosts, reading nothing outside', async () => {
    const touched: string[] = [];
    for (const name of ['readFile', 'realpath', 'stat', 'open', 'lstat'] as const) {
      const real = fsp[name] as (...a: unknown[]) => Promise<unknown>;
      vi.spyOn(fsp, name).mockImplementation(((p: unknown, ...rest: unknown[]) => {
        touched.push(String(p));
        return real(p, ...rest);
      }) as never);
    }
    const refused = [
      'app://workbench/../../etc/passwd',
      'app://workbench/../secret.txt',
      'app://workbench/%2e%2e/secret.txt',
      'app://workbench/..%2fsecret.txt',
      'app://workbench/%2e%2e%2fsecret.txt',
      'app://workbench/assets/..%2f..%2fsecret.txt',
      'app://workbench/..%5csecret.txt',
      'app://workbench/%2fetc%2fpasswd',
      'app://workbench/%2Fetc/passwd',
      'app://workbench/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      'app://workbench/index.html%00.js',
      'app://workbench/%00',
      'app://workbench/%E0%A4%A',
      'app://workbench/%zz',
      'app://workbench/%',
      'app://workbench/C:%5cWindows%5cwin.ini',
      'app://workbench/assets//index-Ab1.js',
      'app://other/index.html',
      'app://workbench:8080/index.html',
      'app://workbench-secret.txt/',
      'https://workbench/index.html',
    ];
    for (const url of refused) {
      const r = await get(url);
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(r.status, url).toBeLessThan(500);
      expect(await r.text(), url).not.toContain('SECRET');
    }
    // Dot segments are resolved by the URL parser itself, inside the folder: a plain 404 there.
    expect((await get('app://workbench/../../etc/passwd')).status).toBe(404);
    expect((await get('app://workbench/..%2fsecret.txt')).status).toBe(400);
    expect((await get('app://workbench/%E0%A4%A')).status).toBe(400);
    expect((await get('app://workbench/index.html%00.js')).status).toBe(400);

    const realRoot = fs.realpathSync(root);
    const inside = (p: string) =>
      p === root || p.startsWith(root + path.sep) || p.startsWith(realRoot + path.sep);
    expect(touched.filter((p) => !inside(p) && p !== realRoot)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')(
    'does not follow a link inside the folder to a file outside it',
    async () => {
      const reads: string[] = [];
      const readFile = fsp.readFile;
      vi.spyOn(fsp, 'readFile').mockImplementation(((p: string, ...rest: never[]) => {
        reads.push(String(p));
        return readFile(p, ...rest);
      }) as never);
      const r = await get('app://workbench/link.txt');
      expect(r.status).toBe(404);
      expect(await r.text()).not.toContain('SECRET');
      expect(reads).toEqual([]);
    },
  );

  it('recognises the app’s own pages by scheme and host exactly', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true);
    expect(isAppUrl('app://workbench/#/runs/3')).toBe(true);
    for (const url of [
      'file:///app/out/renderer/index.html',
      'app://workbench.evil/index.html',
      'app://workbench:1/index.html',
      'app://u@workbench/index.html',
      'apps://workbench/index.html',
      'https://workbench/index.html',
      'http://localhost:5173/',
      'about:blank',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});
