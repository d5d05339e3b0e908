// `timbre worker`: takes runs off the hub's BullMQ queue and trains them here (docs/cluster.md).
// It holds no database: the hub records everything it reports.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { BackendName } from '../../shared/training';
import { checkRedisUrl, pingRedis } from './redis';
import packageJson from '../../../package.json';
import { HubClient, HubRefusal, HubUnreachableError, parseHubUrl } from './hub-client';
import { CLUSTER_QUEUE, type HeartbeatRequest, type LeaveAnswer } from './protocol';
import { HEARTBEAT_MS } from './roster';
import { trainRemoteRun, type RemoteRunContext } from './remote-run';

/** How a worker is started. */
export interface ClusterWorkerOptions {
  /** The hub's address (the URL `timbre serve` printed will do). */
  hub: string;
  /** The hub's token, unless the address carries it. */
  token?: string;
  redis: string;
  /** Runs trained at once here (default 1). */
  runsAtOnce?: number;
  /** Folder of the fetched feature caches and the runs' model folders while they train. */
  dir: string;
  backend?: BackendName;
  /**
   * How long a job's lock lasts without renewal, in ms (default 30 s): a worker that died is noticed
   * by the others this long after, and its run is taken up again.
   */
  lockMs?: number;
  /** How often the worker tells the hub it is alive, in ms (default 5 s). */
  heartbeatMs?: number;
  log?: (line: string) => void;
  /** Always fetch the features from the hub, even when its folder of them is readable here. */
  copyFeatures?: boolean;
}

/** A running worker. */
export interface ClusterWorker {
  /** This process's id at the hub: host:pid:random. */
  id: string;
  /** Resolves with the reason if the worker has to stop by itself (the hub refused its token). */
  broken: Promise<string>;
  /**
   * Stops taking runs and leaves those training here: the hub is told (`leave`) and gives them to
   * another worker at once, which resumes from the hub's last committed epoch; runs the hub did
   * not take back (it could not be reached) go when their jobs' locks lapse.
   */
  close(): Promise<void>;
}

/** Starts a worker: connects to Redis and the hub, then takes runs until closed. */
export async function startClusterWorker(o: ClusterWorkerOptions): Promise<ClusterWorker> {
  const { base, token } = parseHubUrl(o.hub, o.token);
  const host =
    os
      .hostname()
      .replace(/[^\w.-]/g, '_')
      .slice(0, 100) || 'host';
  const id = `${host}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = o.log ?? (() => {});
  fs.mkdirSync(o.dir, { recursive: true });
  const signal = { stopped: false };
  let broke: (reason: string) => void = () => {};
  const broken = new Promise<string>((resolve) => (broke = resolve));
  const hub = new HubClient(base, token, undefined, (message) => {
    // A wrong token fails every run it would take: stop taking them, leave the held ones.
    signal.stopped = true;
    broke(`The hub at ${base} refused the token: ${message}`);
  });
  /** The runs training here, by job id; the backend the last one trained on. */
  const held = new Map<string, number>();
  let backend: BackendName | null = o.backend ?? null;
  const ctx: RemoteRunContext = {
    hub,
    worker: id,
    host,
    dir: o.dir,
    backend: o.backend,
    log,
    onBackend: (b) => (backend = b),
    copyFeatures: o.copyFeatures,
  };
  // Released by the hub when this worker left: their jobs are finished here, not left to lapse.
  let released: Promise<Set<string>> | undefined;
  // Loaded here only: nothing else in the app needs BullMQ.
  const { Worker } = await import('bullmq');
  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker(
    CLUSTER_QUEUE,
    async (job) => {
      const runId = (job.data as { runId?: unknown } | null)?.runId;
      if (typeof runId !== 'number' || !Number.isSafeInteger(runId) || runId < 1 || !job.id) {
        log(`Job ${String(job.id).slice(0, 60)} names no run; dropped.`);
        return 'dropped';
      }
      // A job fetched while this worker stops is not claimed: it is left for its lock to lapse.
      if (signal.stopped) return new Promise<never>(() => {});
      held.set(job.id, runId);
      let outcome: Awaited<ReturnType<typeof trainRemoteRun>>;
      try {
        outcome = await trainRemoteRun(ctx, runId, job.id, signal);
      } finally {
        held.delete(job.id);
      }
      // Stopping: a run the hub took back is done here; any other job stays unfinished, so
      // that its lock lapses and another worker takes it up.
      if (outcome === 'left' && !(await released)?.has(job.id)) return new Promise<never>(() => {});
      return outcome;
    },
    {
      connection: { url: checkRedisUrl(o.redis), maxRetriesPerRequest: null },
      concurrency: o.runsAtOnce ?? 1,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A run whose workers keep dying is given out this many times before BullMQ fails its job.
      maxStalledCount: 5,
      autorun: false,
    },
  );
  // Once running, Redis going away is said (BullMQ reconnects by itself), once per outage.
  let started = false;
  let down = false;
  worker.on('error', (err) => {
    if (started && !down) log(`Redis: ${err.message} (reconnecting)`);
    down = true;
  });
  try {
    await pingRedis({ ping: () => worker.waitUntilReady(), once: (e, f) => worker.once(e, f) }, o.redis);
  } catch (err) {
    await worker.close(true).catch(() => {});
    throw err;
  }
  started = true;
  down = false;
  try {
    await checkHub(base, token, log);
  } catch (err) {
    await worker.close(true).catch(() => {});
    throw err;
  }
  worker.on('ready', () => (down = false));
  worker.on('failed', (job, err) => log(`Job ${job?.id ?? '?'} failed: ${err.message}`));
  const completed = new Set<string>();
  worker.on('completed', (job) => void (job.id && completed.add(job.id)));
  void worker.run().catch((err: Error) => log(`The worker stopped taking runs: ${err.message}`));
  // Heartbeats: one try each (a missed one is harmless), never two in flight.
  const everyMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const quick = new HubClient(base, token, 0);
  const runs = () => [...held].map(([jobId, runId]) => ({ runId, jobId }));
  let beating = false;
  const beat = () => {
    if (beating || signal.stopped) return;
    beating = true;
    const body: HeartbeatRequest = {
      worker: id,
      host,
      cores: os.availableParallelism(),
      runsAtOnce: o.runsAtOnce ?? 1,
      backend,
      everyMs,
      runs: runs(),
    };
    void quick
      .post('/cluster/heartbeat', body)
      .catch(() => {})
      .finally(() => (beating = false));
  };
  beat();
  const heart = setInterval(beat, everyMs);
  heart.unref();
  log(`Worker ${id} takes runs from ${base} (at most ${o.runsAtOnce ?? 1} at once).`);
  return {
    id,
    broken,
    close: async () => {
      clearInterval(heart);
      const leaving = runs();
      // Set before the runs see `stopped`: a run that leaves at once waits for the hub's answer
      // too, instead of reading that nothing was released.
      let settle: (jobs: Set<string>) => void = () => {};
      released = new Promise((resolve) => (settle = resolve));
      signal.stopped = true;
      // No new job from now on (the hub is about to put this worker's runs back on the queue).
      await worker.pause(true).catch(() => {});
      // The hub takes the runs back at once; one try, a few seconds at most.
      const answer = await new HubClient(base, token, 0)
        .post<LeaveAnswer>('/cluster/leave', { worker: id, runs: leaving })
        .then((a) => new Set(leaving.filter((r) => a.released.includes(r.runId)).map((r) => r.jobId)))
        .catch((err: Error) => {
          if (leaving.length)
            log(`The hub could not be told (${err.message}); its runs go when their locks lapse.`);
          return new Set<string>();
        });
      settle(answer);
      const finishing = [...answer];
      const back = leaving.filter((r) => finishing.includes(r.jobId)).map((r) => r.runId);
      if (back.length) log(`The hub took back run${back.length > 1 ? 's' : ''} ${back.join(', ')}.`);
      // The jobs the hub took back are finished here (their processors return), a few seconds at
      // most; the others are left unfinished, for their locks to lapse. (A closing BullMQ worker
      // that waits for its jobs would wait for those forever.)
      const until = Date.now() + 5000;
      while (finishing.some((j) => !completed.has(j)) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 50));
      await worker.close(true).catch(() => {});
    },
  };
}

/** The hub answers with this token (or the worker cannot start); a hub of another version is said. */
async function checkHub(base: string, token: string, log: (line: string) => void): Promise<void> {
  let info: { ok: boolean; value?: { version?: unknown } };
  try {
    info = await new HubClient(base, token, 15_000).post('/api/appInfo', { args: [] });
  } catch (err) {
    if (err instanceof HubRefusal && err.status === 401)
      throw new HubUnreachableError(`The hub at ${base} refused the token: ${err.message}`);
    throw err;
  }
  const version = info.value?.version;
  if (typeof version === 'string' && version !== packageJson.version)
    log(`The hub runs version ${version.slice(0, 40)}, this worker ${packageJson.version}.`);
}
