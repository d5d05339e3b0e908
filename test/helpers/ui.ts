import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Workbench } from '../../src-main/core/workbench';
import { tinyDataset } from './tiny';

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');
/** Where UI tests keep screenshots, to be looked at (gitignored). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/ui');

/** A browser shell (`timbre serve`) with a Chromium page on it. */
export interface Shell {
  url: string;
  token: string;
  origin: string;
  page: Page;
  browser: Browser;
  server: ChildProcess;
  /** Output of the server so far (for failure messages). */
  log: () => string;
  /** Calls the API over HTTP with the token, as the page does. */
  call: <T = unknown>(method: string, ...args: unknown[]) => Promise<T>;
  /** Saves a screenshot as test-artifacts/ui/<name>.png. */
  shot: (name: string) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A fresh home gets the default set as `timbre serve` would make it on first start (the tiny
 * preset renders the same notes every time): a copy of the render every test shares, in the
 * folder the server renders into, imported under the same name. The server then finds it ready
 * instead of rendering it again, a few seconds per test file. The render on first start is tested
 * where it is the subject (datasets.test.ts, first-start.test.ts).
 */
async function placeDefaultSet(home: string): Promise<void> {
  if (fs.existsSync(path.join(home, 'timbre.db'))) return;
  const dir = path.join(home, 'datasets', 'default');
  const tiny = await tinyDataset();
  // The database first: a home with data sets and no database is refused (one may have been lost).
  const wb = new Workbench({ home });
  try {
    fs.cpSync(tiny, dir, { recursive: true });
    await wb.importDataset(dir, 'default');
  } finally {
    await wb.close();
  }
}

/** Launches Debian's Chromium headless, as the UI tests and the benchmark use it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TIMBRE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // The audition's tests start playback from a key press the page did not receive from a person.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/**
 * Starts `timbre serve --port 0` on a TIMBRE_HOME with the tiny default data set, waits for its
 * URL and (unless told not to) for the default set, and opens it in Chromium at 1280x800.
 */
export async function startShell(options: {
  home: string;
  env?: Record<string, string>;
  waitForData?: boolean;
}): Promise<Shell> {
  if (options.waitForData !== false && (options.env?.TIMBRE_DEFAULT_PRESET ?? 'tiny') === 'tiny')
    await placeDefaultSet(options.home);
  let out = '';
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, TIMBRE_HOME: options.home, TIMBRE_DEFAULT_PRESET: 'tiny', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 180_000;
  const ready = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(re);
        if (m) return resolve(m);
        if (server.exitCode !== null) return reject(new Error(`timbre serve exited:\n${out}`));
        if (Date.now() > deadline) return reject(new Error(`timbre serve did not get ready:\n${out}`));
        setTimeout(check, 50);
      };
      check();
    });
  const [, url] = await ready(/(http:\/\/\S+\?token=\S+)/);
  if (options.waitForData !== false) await ready(/default data set is ready|could not be prepared/);
  const parsed = new URL(url!);
  const token = parsed.searchParams.get('token')!;
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url!);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url: url!,
    token,
    origin: parsed.origin,
    page,
    browser,
    server,
    log: () => out,
    call: async <T>(method: string, ...args: unknown[]) => {
      const r = await fetch(`${parsed.origin}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ args }),
      });
      const body = (await r.json()) as { ok: boolean; value?: T; error?: { message: string } };
      if (!body.ok) throw new Error(body.error!.message);
      return body.value as T;
    },
    shot: async (name) => {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    },
    close: async () => {
      await browser.close();
      server.kill('SIGTERM');
      await new Promise((r) => (server.exitCode !== null ? r(null) : server.once('exit', r)));
    },
  };
}
