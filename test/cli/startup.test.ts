import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/timbre.mjs');

// An ESM resolve hook (our sources and tsx are ESM) and a Module._load wrapper (tfjs's own
// CommonJS requires), each appending what it saw of @tensorflow to a log synchronously, so
// nothing is lost when the process exits.
const HOOKS = `import fs from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  if (found.url.includes('/@tensorflow/')) fs.appendFileSync(log, 'import ' + specifier + ' from ' + context.parentURL + '\\n');
  return found;
}
`;
const WATCH = `import fs from 'node:fs';
import Module, { register } from 'node:module';
const log = process.env.TFJS_WATCH_LOG;
register('./hooks.mjs', import.meta.url, { data: { log } });
const load = Module._load;
Module._load = function (request, ...rest) {
  if (String(request).includes('@tensorflow/')) fs.appendFileSync(log, 'require ' + request + '\\n');
  return load.call(this, request, ...rest);
};
`;

let dir: string;
let home: string;
let cleanup: () => void;
let watch: string;
let runs = 0;

// Runs node with the watcher; returns the exit code and every @tensorflow load it logged.
function watched(args: string[]): { code: number; stderr: string; loads: string[] } {
  const log = path.join(dir, `loads-${++runs}.txt`);
  const r = spawnSync(process.execPath, ['--import', watch, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TIMBRE_HOME: home, TFJS_WATCH_LOG: log },
    timeout: 120_000,
  });
  const loads = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { code: r.status ?? -1, stderr: r.stderr, loads };
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-startup-'));
  home = path.join(dir, 'home');
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  fs.writeFileSync(path.join(dir, 'watch.mjs'), WATCH);
  watch = pathToFileURL(path.join(dir, 'watch.mjs')).href;
});

afterAll(() => cleanup());

describe('timbre startup', () => {
  it('the watcher sees tfjs when a source module that builds models is imported through tsx', () => {
    const build = pathToFileURL(path.join(ROOT, 'src-main/core/training/models/build.ts')).href;
    const script = `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(build)});`;
    const r = watched(['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loads.join('\n')).toMatch(/import @tensorflow\/tfjs from .*\/training\/models\//);
  });

  // Commands that neither train nor evaluate in their own process (training runs in worker threads):
  // one that opens the store, one that reads the queue, and the training command's own module.
  it.each(['runs list --json', 'queue list --json', 'train --help'])(
    'timbre %s loads no @tensorflow module',
    (line) => {
      const r = watched([BIN, ...line.split(' ')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.loads).toEqual([]);
    },
  );
});
