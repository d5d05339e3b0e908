// Without --redis nothing of cluster mode is loaded; with a Redis that cannot be reached, the hub
// and the worker say so in one line and exit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';
import { freePort } from './processes';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/timbre.mjs');

// A resolve hook that appends every module of bullmq or ioredis it sees to a log, synchronously.
const HOOKS = `import fs from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  if (/\\/node_modules\\/(bullmq|ioredis)\\//.test(found.url)) fs.appendFileSync(log, found.url + '\\n');
  return found;
}
`;
const WATCH = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { log: process.env.CLUSTER_WATCH_LOG } });
`;

let dir: string;
let cleanup: () => void;
let watch: string;
let n = 0;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-no-redis-'));
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  fs.writeFileSync(path.join(dir, 'watch.mjs'), WATCH);
  watch = pathToFileURL(path.join(dir, 'watch.mjs')).href;
});
afterAll(() => cleanup());

/** `timbre ...` with the watcher: exit code, stderr, and the bullmq/ioredis modules it loaded. */
function watched(args: string[]) {
  const log = path.join(dir, `loads-${++n}.txt`);
  const r = spawnSync(process.execPath, ['--import', watch, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TIMBRE_HOME: path.join(dir, `home-${n}`), CLUSTER_WATCH_LOG: log },
    timeout: 60_000,
  });
  const loads = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { code: r.status ?? -1, stderr: r.stderr, loads };
}

describe('cluster mode stays out of the way', () => {
  it('running the queue without --redis never loads bullmq or ioredis', () => {
    const r = watched(['queue', 'run', '--until-empty']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loads).toEqual([]);
  });

  it('a worker whose Redis cannot be reached says so in one line (and the watcher sees bullmq load)', async () => {
    const port = await freePort();
    const r = watched([
      'worker',
      '--hub',
      'http://127.0.0.1:9/?token=abc',
      '--redis',
      `redis://127.0.0.1:${port}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `timbre: Cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}.`,
    );
    expect(r.loads.some((u) => u.includes('/bullmq/'))).toBe(true);
  });

  it('a hub whose Redis cannot be reached, or is no Redis URL, exits saying why', async () => {
    const port = await freePort();
    const down = watched(['serve', '--port', '0', '--no-build', '--redis', `redis://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      new RegExp(`^timbre: Cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: `, 'm'),
    );
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const wrong = watched(['serve', '--port', '0', '--no-build', '--redis', 'http://127.0.0.1:6379']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/is not a Redis URL: it must start with redis:\/\/ or rediss:\/\//);
  });

  it('a worker without --hub or --redis is a usage error', () => {
    const r = watched(['worker', '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--hub URL is needed/);
    const token = watched(['worker', '--hub', 'http://127.0.0.1:1', '--redis', 'redis://127.0.0.1:1']);
    expect(token.stderr).toMatch(/The hub needs its token/);
    expect(r.loads).toEqual([]);
  });
});
