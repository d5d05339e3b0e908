// Cluster mode for real: a redis-server of the test's own, a hub (`timbre serve --redis`) and two
// `timbre worker` processes; three tiny runs queued through the hub's API.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunSummary, RunDetail } from '../../src-main/shared/training';
import type { WorkbenchEvent } from '../../src-main/shared/contract';
import type { SweepDetail, SweepSummary } from '../../src-main/shared/sweeps';
import { tempDir } from '../helpers/tmp';
import { call, child, startHub, startRedis, startWorker, stopAll } from './processes';

// Three epochs of a small MLP on a few notes per family: a second or two each.
const SMALL = {
  epochs: 3,
  batch: 4,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

let dir: string;
let cleanup: () => void;
let hub: Awaited<ReturnType<typeof startHub>>;
let workerIds: string[];
let workers: Awaited<ReturnType<typeof startWorker>>[];
let redisUrl: string;
const events: WorkbenchEvent[] = [];
let socket: WebSocket;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('timbre-cluster-'));
  const redis = await startRedis(path.join(dir, 'redis'));
  redisUrl = redis.url;
  hub = await startHub(path.join(dir, 'hub'), redis.url);
  socket = new WebSocket(`${hub.base.replace('http:', 'ws:')}/events`, {
    headers: { authorization: `Bearer ${hub.token}` },
  });
  socket.on('message', (data) => events.push(JSON.parse(String(data)) as WorkbenchEvent));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  // The hub's folders are readable here: w1 reads the features in place, w2 is told to fetch them.
  workers = await Promise.all([
    startWorker(hub.url, redis.url, path.join(dir, 'w1')),
    startWorker(hub.url, redis.url, path.join(dir, 'w2'), {}, ['--copy-features']),
  ]);
  workerIds = workers.map((w) => w.id);
}, 60_000);

afterAll(async () => {
  socket?.terminate();
  await stopAll();
  cleanup();
});

/** Every run's record once none is queued or training. */
async function settled(ids: number[], ms = 45_000): Promise<RunDetail[]> {
  const until = Date.now() + ms;
  for (;;) {
    const runs = await Promise.all(ids.map((id) => call<RunDetail>(hub, 'getRun', id)));
    if (runs.every((r) => !['queued', 'preparing', 'running'].includes(r.status))) return runs;
    if (Date.now() > until)
      throw new Error(
        `Runs still going: ${runs.map((r) => `${r.id} ${r.status}`).join(', ')}\n${hub.server.out()}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('cluster mode: a hub and two workers through Redis', () => {
  it('trains three queued runs on the workers, each exactly once, with contiguous epochs, recording who trained it', async () => {
    const ids: number[] = [];
    for (const name of ['a', 'b', 'c']) {
      const run = await call<RunSummary>(hub, 'createRun', {
        name,
        preset: 'seed-lstm',
        backend: 'cpu',
        overrides: SMALL,
      });
      ids.push(run.id);
    }
    const runs = await settled(ids);
    for (const run of runs) {
      expect(run.status, `run ${run.id}: ${run.error}`).toBe('finished');
      expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      expect(run.backend).toBe('cpu');
      // The final evaluations came back too: the test split with best and last weights, valid with best.
      expect(run.evaluations.map((e) => `${e.weights}/${e.split}`).sort()).toEqual([
        'best/test',
        'best/valid',
        'last/test',
      ]);
    }

    // The hub's database (a real SQLite file; the hub keeps it open, WAL lets us read): one worker
    // took each run from its first epoch, and trained it on cpu.
    const db = new Database(path.join(dir, 'hub', 'timbre.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT run_id, from_epoch, worker, backend FROM run_workers ORDER BY run_id, rowid')
        .all() as { run_id: number; from_epoch: number; worker: string; backend: string }[];
      expect(rows.map((r) => r.run_id)).toEqual(ids);
      for (const r of rows) {
        expect(r.from_epoch).toBe(1);
        expect(workerIds).toContain(r.worker);
        expect(r.backend).toBe('cpu');
      }
      // The hub keeps one run waiting ahead of the workers: while one trains, the other takes the next.
      expect(new Set(rows.map((r) => r.worker)).size).toBe(2);
      // Each got the features its way: w1 from the hub's folder itself, w2 as a copy over HTTP.
      const [w1, w2] = workers.map((w) => w.worker.out());
      expect(w1).toMatch(/features read in place from the hub's folder \S+features/);
      expect(w1).not.toMatch(/fetching features/);
      expect(w2).toMatch(/fetching features \S+ from the hub \(\d+ files\)/);
      expect(w2).not.toMatch(/read in place/);
      expect(fs.readdirSync(path.join(dir, 'w2', 'features')).length).toBeGreaterThan(0);
      expect(fs.existsSync(path.join(dir, 'w1', 'features'))).toBe(false);
      // Each epoch committed once (the epochs table's key would refuse a second; its count says so).
      const counts = db.prepare('SELECT run_id, count(*) AS n FROM epochs GROUP BY run_id').all();
      expect(counts).toEqual(ids.map((id) => ({ run_id: id, n: 3 })));
      // The models live on the hub: the folders the database points at exist there.
      const dirs = db.prepare('SELECT dir FROM models').pluck().all() as string[];
      expect(dirs.length).toBeGreaterThanOrEqual(6);
      for (const d of dirs) expect(d.startsWith(path.join(dir, 'hub', 'models'))).toBe(true);
    } finally {
      db.close();
    }

    // The UI's event stream saw every epoch of every run as it arrived, in order, and each end once.
    for (const id of ids) {
      const mine = events.filter((e) => e.type === 'run' && e.runId === id);
      const epochs = mine.flatMap((e) =>
        e.type === 'run' && e.event.type === 'epoch' ? [e.event.metrics.epoch] : [],
      );
      expect(epochs).toEqual([1, 2, 3]);
      const ends = mine.filter((e) => e.type === 'run' && e.event.type === 'ended');
      expect(ends).toHaveLength(1);
    }
    expect(hub.server.out()).not.toMatch(/Internal error/);
  });

  it('trains a sweep of six runs on the workers, each once, and the sweep ends done', async () => {
    const sweep = await call<SweepSummary>(hub, 'createSweep', {
      name: 'lr',
      base: { preset: 'seed-lstm', overrides: { ...SMALL, epochs: 2 } },
      method: 'grid',
      grid: { lr: [0.001, 0.0003, 0.0001] },
      seeds: 2,
    });
    const detail = await call<SweepDetail>(hub, 'getSweep', sweep.id);
    const ids = detail.runs.map((r) => r.run.id);
    expect(ids).toHaveLength(6);
    const runs = await settled(ids);
    for (const run of runs) {
      expect(run.status, `run ${run.id}: ${run.error}`).toBe('finished');
      expect(run.history.map((h) => h.epoch)).toEqual([1, 2]);
    }
    const db = new Database(path.join(dir, 'hub', 'timbre.db'), { readonly: true });
    try {
      const taken = db
        .prepare(`SELECT run_id FROM run_workers WHERE run_id IN (${ids.join(',')}) ORDER BY run_id`)
        .pluck()
        .all();
      expect(taken).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      db.close();
    }
    const after = await call<SweepSummary>(hub, 'getSweep', sweep.id);
    expect(after).toMatchObject({ done: true, counts: { finished: 6, total: 6 } });
  });

  it('cancels a run a worker trains at its next report; the worker is free for the next run', async () => {
    const long = await call<RunSummary>(hub, 'createRun', {
      name: 'cancelled',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: { ...SMALL, epochs: 200, batch: 1 },
    });
    const until = Date.now() + 30_000;
    const epochOne = () =>
      events.some((e) => e.type === 'run' && e.runId === long.id && e.event.type === 'epoch');
    while (!epochOne() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(await call<boolean>(hub, 'cancelRun', long.id)).toBe(true);
    const [cancelled] = await settled([long.id], 20_000);
    expect(cancelled!.status).toBe('cancelled');
    expect(cancelled!.history.length).toBeGreaterThanOrEqual(1);
    expect(cancelled!.history.length).toBeLessThan(200);
    expect(cancelled!.history.map((h) => h.epoch)).toEqual(cancelled!.history.map((_, i) => i + 1));
    const ends = events.filter((e) => e.type === 'run' && e.runId === long.id && e.event.type === 'ended');
    expect(ends).toHaveLength(1);
    const next = await call<RunSummary>(hub, 'createRun', {
      name: 'after',
      preset: 'seed-lstm',
      backend: 'cpu',
      overrides: SMALL,
    });
    const [after] = await settled([next.id], 30_000);
    expect(after!.status).toBe('finished');
  });

  it('refuses reports from a worker that does not hold the run, and requests without the token', async () => {
    const report = (headers: Record<string, string>, body: unknown) =>
      fetch(`${hub.base}/cluster/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const auth = { authorization: `Bearer ${hub.token}` };
    const event = {
      type: 'epoch',
      metrics: {
        epoch: 4,
        trainLoss: 1,
        trainAccuracy: 0.5,
        valLoss: 1,
        valAccuracy: 0.5,
        seconds: 1,
        samplesPerSecond: 1,
      },
      confusion: null,
      predicted: null,
      checkpoint: 'checkpoint-4',
      best: null,
    };
    const body = { runId: 1, jobId: 'run-1-forged', worker: 'evil:1:x', event };
    const forged = await report(auth, body);
    expect(forged.status).toBe(409);
    expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(
      /does not hold run 1/,
    );
    expect((await report({}, body)).status).toBe(401);
    // The token in a cookie (what a browser attaches unasked) is not enough for a worker's request.
    expect((await report({ cookie: `timbre_token=${hub.token}` }, body)).status).toBe(401);
    const bad = await report(auth, { ...body, event: { ...event, type: 'nonsense' } });
    expect(bad.status).toBe(400);
    const run = await call<RunDetail>(hub, 'getRun', 1);
    expect(run.history).toHaveLength(3);
  });

  it('a worker with a wrong token says so in one line and takes no run', async () => {
    const bin = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');
    const wrong = child(
      process.execPath,
      [bin, 'worker', '--hub', hub.base, '--redis', redisUrl, '--dir', path.join(dir, 'wrong')],
      { TIMBRE_HUB_TOKEN: 'not-the-token', TIMBRE_HOME: path.join(dir, 'wrong-home') },
    );
    const code = await new Promise<number | null>((resolve) => wrong.proc.once('exit', resolve));
    expect(code).toBe(1);
    expect(wrong.out().trim()).toBe(
      `timbre: The hub at ${hub.base} refused the token: This address needs the token: open the URL that \`timbre serve\` printed.`,
    );
  });
});
