// Real processes for the cluster tests: a redis-server of the test's own, a hub (`timbre serve
// --redis`) and `timbre worker`s, each with its output kept for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { timbre } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');

/** A child process with its output so far and a wait for a line of it. */
export interface Child {
  proc: ChildProcess;
  out: () => string;
  /** Resolves with the first match of `re` in the output; rejects if the process exits first or time runs out. */
  waitFor: (re: RegExp, ms?: number) => Promise<RegExpMatchArray>;
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

const children: Child[] = [];

/** Starts a process and keeps it for stopAll. */
export function child(command: string, args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const c: Child = {
    proc,
    out: () => out,
    waitFor: (re, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + ms;
        const check = () => {
          const m = out.match(re);
          if (m) return resolve(m);
          if (proc.exitCode !== null || proc.signalCode !== null)
            return reject(new Error(`${path.basename(args[1] ?? command)} exited before ${re}:\n${out}`));
          if (Date.now() > deadline) return reject(new Error(`No ${re} within ${ms} ms:\n${out}`));
          setTimeout(check, 50);
        };
        check();
      }),
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
  children.push(c);
  return c;
}

/** Kills whatever the test started and is still running. */
export async function stopAll(): Promise<void> {
  await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
}

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own on 127.0.0.1 (on `port`, else a free one), nothing saved to disk; its URL. */
export async function startRedis(dir: string, port?: number): Promise<{ url: string; server: Child }> {
  fs.mkdirSync(dir, { recursive: true });
  port ??= await freePort();
  const server = child('redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
  ]);
  await server.waitFor(/Ready to accept connections/, 10_000);
  return { url: `redis://127.0.0.1:${port}`, server };
}

/**
 * A hub: `timbre serve --port 0 --redis URL` on `home`, whose default data set is the tiny set the
 * app renders (copied in from the shared render, so the hub only imports it). Its URL and token.
 */
export async function startHub(
  home: string,
  redis: string | null,
  /** `build`: the UI is built first if its sources changed (for tests that open it in Chromium). */
  options: { port?: number; env?: Record<string, string>; build?: boolean } = {},
): Promise<{ url: string; base: string; token: string; server: Child }> {
  if (!fs.existsSync(path.join(home, 'timbre.db'))) {
    // The database first (a home with data sets but no database is refused as damaged), then the set.
    const made = timbre(home, ['runs', 'list']);
    if (made.code !== 0) throw new Error(made.stderr);
    fs.mkdirSync(path.join(home, 'datasets'), { recursive: true });
    fs.cpSync(await tinyDataset(), path.join(home, 'datasets', 'default'), { recursive: true });
  }
  const server = child(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      String(options.port ?? 0),
      ...(options.build ? [] : ['--no-build']),
      ...(redis ? ['--redis', redis] : []),
    ],
    { TIMBRE_HOME: home, TIMBRE_DEFAULT_PRESET: 'tiny', ...options.env },
  );
  const [, url] = await server.waitFor(/(http:\/\/\S+\?token=\S+)/, options.build ? 180_000 : 60_000);
  await server.waitFor(/default data set is ready/);
  const parsed = new URL(url!);
  return { url: url!, base: parsed.origin, token: parsed.searchParams.get('token')!, server };
}

/** A `timbre worker` on the hub (with more flags in `args`); its id once it takes runs. */
export async function startWorker(
  hubUrl: string,
  redis: string,
  dir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<{ id: string; worker: Child }> {
  const worker = child(
    process.execPath,
    [BIN, 'worker', '--hub', hubUrl, '--redis', redis, '--dir', dir, ...args],
    {
      TIMBRE_HOME: path.join(dir, 'home'),
      ...env,
    },
  );
  const [, id] = await worker.waitFor(/Worker (\S+) takes runs/);
  return { id: id!, worker };
}

/** Calls the hub's API over HTTP with its token, as a script would. */
export async function call<T>(
  hub: { base: string; token: string },
  method: string,
  ...args: unknown[]
): Promise<T> {
  const res = await fetch(`${hub.base}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ args }),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value as T;
}

/** Twelve epochs of a small MLP, two notes a batch, on a few notes per family: half a second an epoch. */
export const TWELVE_EPOCHS = {
  epochs: 12,
  batch: 2,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

/** Locks of a second: a dead worker's job is noticed within two or so, not a minute. */
export const QUICK_LOCKS = { TIMBRE_WORKER_LOCK_MS: '1000' };

/** A token the hub keeps across restarts (TIMBRE_HUB_TOKEN), for tests that restart it. */
export const HUB_TOKEN = 'cluster-test-token-0123456789abcdef';

/** Resolves once `check` holds, looking every 50 ms; throws saying `what` (and `log()`) when time is up. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 60_000,
  log: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting: ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A hub of its own Redis on a fixed port with a fixed token, and workers on it; the hub can be restarted. */
export interface Cluster {
  redis: { url: string; server: Child };
  hub: Awaited<ReturnType<typeof startHub>>;
  home: string;
  workers: { id: string; worker: Child }[];
  /** Starts one more worker (in `dir/<name>`). */
  addWorker: (name: string, env?: Record<string, string>) => Promise<{ id: string; worker: Child }>;
  /**
   * Kills the hub with SIGKILL and, `downMs` later, starts it again on its port with its token;
   * `hub` is the new one.
   */
  restartHub: (downMs?: number) => Promise<void>;
  /** Every process's output, for failure messages. */
  log: () => string;
}

/**
 * Starts Redis, a hub (port and token fixed, so that workers reach it again after a restart) and
 * `workers` worker processes with locks of a second (plus `workerEnv`).
 */
export async function startCluster(
  dir: string,
  options: { workers: number; workerEnv?: Record<string, string>; hubEnv?: Record<string, string> },
): Promise<Cluster> {
  const redis = await startRedis(path.join(dir, 'redis'));
  const port = await freePort();
  const home = path.join(dir, 'hub');
  const hubEnv = { TIMBRE_HUB_TOKEN: HUB_TOKEN, ...options.hubEnv };
  const c: Cluster = {
    redis,
    hub: await startHub(home, redis.url, { port, env: hubEnv }),
    home,
    workers: [],
    addWorker: async (name, env = {}) => {
      const w = await startWorker(`http://127.0.0.1:${port}`, redis.url, path.join(dir, name), {
        TIMBRE_HUB_TOKEN: HUB_TOKEN,
        ...QUICK_LOCKS,
        ...options.workerEnv,
        ...env,
      });
      c.workers.push(w);
      return w;
    },
    restartHub: async (downMs = 0) => {
      await c.hub.server.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, downMs));
      c.hub = await startHub(home, redis.url, { port, env: hubEnv });
    },
    log: () =>
      [`hub:\n${c.hub.server.out()}`, ...c.workers.map((w) => `worker ${w.id}:\n${w.worker.out()}`)].join(
        '\n',
      ),
  };
  for (let i = 1; i <= options.workers; i++) await c.addWorker(`w${i}`);
  return c;
}

/** The `run_workers` rows of a run in the hub's database, in order. */
export function runWorkerRows(
  home: string,
  runId: number,
): { from_epoch: number; worker: string; backend: string | null; taken_at: string }[] {
  const db = new Database(path.join(home, 'timbre.db'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT from_epoch, worker, backend, taken_at FROM run_workers WHERE run_id = ? ORDER BY rowid',
      )
      .all(runId) as { from_epoch: number; worker: string; backend: string | null; taken_at: string }[];
  } finally {
    db.close();
  }
}
