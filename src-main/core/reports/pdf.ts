import fs from 'node:fs';
import path from 'node:path';
import { ReportError } from './types';

/** What a user reads when no Chromium can be found for PDF export. */
export const PDF_NEEDS_CHROMIUM =
  'PDF export needs Chromium: install it (apt-get install chromium) or export HTML and print it from a browser';

/** Where to look for a Chromium; the defaults are this machine's environment. */
export interface ChromiumLookup {
  env?: NodeJS.ProcessEnv;
  /** Absolute paths tried first, in order. Default: the usual install locations of the platform. */
  candidates?: string[];
  /** Folders searched for chromium / google-chrome by name. Default: the PATH. */
  pathDirs?: string[];
}

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function defaultCandidates(env: NodeJS.ProcessEnv): string[] {
  const win = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA]
    .filter((d): d is string => !!d)
    .flatMap((d) => [
      path.join(d, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      path.join(d, 'Chromium', 'Application', 'chrome.exe'),
      path.join(d, 'Microsoft', 'Edge', 'Application', 'msedge.exe'),
    ]);
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    ...win,
  ];
}

const isFile = (p: string) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The Chromium (or Chrome) to print PDFs with: TIMBRE_CHROMIUM when set (it must exist), else the
 * usual install locations, else chromium / google-chrome on the PATH; undefined when there is none.
 */
export function findChromium(lookup: ChromiumLookup = {}): string | undefined {
  const env = lookup.env ?? process.env;
  if (env.TIMBRE_CHROMIUM) {
    if (!isFile(env.TIMBRE_CHROMIUM)) {
      throw new ReportError(
        `TIMBRE_CHROMIUM is "${env.TIMBRE_CHROMIUM}", which is not a file. ${PDF_NEEDS_CHROMIUM}.`,
      );
    }
    return env.TIMBRE_CHROMIUM;
  }
  const found = (lookup.candidates ?? defaultCandidates(env)).find(isFile);
  if (found) return found;
  const dirs = lookup.pathDirs ?? (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const name of NAMES) {
      const p = path.join(dir, name);
      if (isFile(p)) return p;
    }
  }
  return undefined;
}

/** findChromium, or a ReportError saying how to get one. */
export function requireChromium(lookup: ChromiumLookup = {}): string {
  const found = findChromium(lookup);
  if (!found) throw new ReportError(`${PDF_NEEDS_CHROMIUM}.`);
  return found;
}

/**
 * Prints an HTML page to an A4 PDF in headless Chromium (through playwright-core), with every
 * network request refused. The Electron window uses webContents.printToPDF on the same HTML instead.
 */
export async function htmlToPdf(html: string, executablePath: string = requireChromium()): Promise<Buffer> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    throw new ReportError(
      `PDF export needs the playwright-core package to drive Chromium (${(err as Error).message}); export HTML and print it from a browser instead.`,
    );
  }
  const browser = await playwright.chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    // The report is self-contained; anything it would fetch is a bug, not something to wait for.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
