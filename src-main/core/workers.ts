import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module URL. A source `.ts` module (CLI, tests) is loaded
 * through tsx, registered inside the worker (Node 20 workers do not inherit `--import`
 * hooks); a built `.js` module (the packaged app) loads as it is.
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/**
 * The URL of a worker module beside the calling module: `name.ts` when running from sources
 * (tsx, tests), `name.js` when bundled (the packaged app emits each worker next to its bundle).
 */
export function siblingModule(base: string, name: string): URL {
  return new URL(`./${name}.${base.endsWith('.ts') ? 'ts' : 'js'}`, base);
}

/** The message of anything thrown, for sending across a thread boundary. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
