// The hub's side of cluster mode (docs/cluster.md): the lasting queue's driver hands claimed runs to
// this "runner", which puts them on a BullMQ queue instead of training them, and records what the
// workers that hold them report. The hub stays the only writer of the database.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterWorkerInfo, RunEventPayload } from '../../shared/contract';
import type { EndStatus, RunStatus } from '../../shared/training';
import { RunWorkerRepo } from '../store/run-workers';
import { pruneModelFolders } from '../training/model-dirs';
import type { TrainsRuns } from '../training/queue-driver';
import type { RunJob } from '../training/runner';
import { resumePoint } from '../workbench/run-jobs';
import { NotFoundError, type Home } from '../workbench/home';
import { commitEpoch, commitEvaluation, NotHolderError, sentFolder } from './hub-record';
import { checkRedisUrl, pingRedis } from './redis';
import { writeFolder } from './model-transfer';
import { WorkerRoster, HEARTBEAT_MS } from './roster';
import {
  CLUSTER_QUEUE,
  FEATURE_FILE,
  MODEL_FILES,
  type ClaimAnswer,
  type ClaimRequest,
  type HeartbeatRequest,
  type LeaveAnswer,
  type LeaveRequest,
  type ReportAnswer,
  type ResumeAnswer,
  type ResumeRequest,
  type ReportRequest,
} from './protocol';
import type { Queue, QueueEvents } from 'bullmq';

/** How often the hub looks whether Redis still has the jobs of the runs waiting there, in ms. */
const RECHECK_MS = 5000;
/**
 * For this long after it starts, the hub holds back the runs that workers trained (their holder
 * may still train them and ask for them back with `resume`), in ms; TIMBRE_HUB_RESUME_GRACE_MS.
 */
const RESUME_GRACE_MS = Number(process.env.TIMBRE_HUB_RESUME_GRACE_MS) || 15_000;
/** A held run whose worker was not heard from for this long is given out again, in ms. */
const SILENT_HOLDER_MS = 60_000;

/** A run the hub has put on the cluster's queue, until it ends. */
interface Dispatched {
  job: RunJob;
  /** The BullMQ job that carries it; a run put back gets a new one. */
  jobId: string;
  /** The worker holding it, from its claim on; undefined while it waits in Redis. */
  holder?: string;
  /** Asked to stop: cancelled (undefined reason) or stopped by its sweep's rule (the reason). */
  stop?: { reason?: string };
  /** The feature cache's folder, once the holder asked for it. */
  featuresDir?: string;
  /** When it was put on Redis, then when its holder last reported. */
  heard: number;
  /** How many notes the run's validation split has (each epoch predicts them all). */
  validNotes?: number;
  /** The epoch its holder trains now, from its reports. */
  epoch?: number;
  /** When its holder took it (a heartbeat sent before may not name it yet). */
  heldSince?: number;
  /** Held back from Redis just after the hub started, for its earlier holder to resume. */
  deferred?: ReturnType<typeof setTimeout>;
  /** Heartbeats of its holder in a row that did not name it. */
  missed?: number;
}

/** A BullMQ job id of the hub's own for a run: a run given out again gets a new one. */
function newJobId(runId: number): string {
  return `run-${runId}-${randomUUID().slice(0, 8)}`;
}

/**
 * The lasting queue's runner in cluster mode: `train` puts a claimed run on the BullMQ queue; a
 * worker that takes the job claims the run here, fetches its features and folders, and reports
 * each event. `size` counts the runs waiting in Redis, so the queue's driver keeps "runs at once"
 * of them ahead of the workers and the order of the rest stays the lasting queue's.
 */
export class ClusterHub implements TrainsRuns {
  private readonly dispatched = new Map<number, Dispatched>();
  private readonly waiters = new Map<number, ((status: RunStatus) => void)[]>();
  private readonly workers: RunWorkerRepo;
  /** The workers heard from lately, for the status strip and the queue view. */
  private readonly roster = new WorkerRoster();
  private readonly queue: Promise<Queue>;
  private events?: QueueEvents;
  private recheck?: ReturnType<typeof setInterval>;
  private closing = false;

  constructor(
    private readonly home: Home,
    private readonly redisUrl: string,
    private readonly modelFolder: (runId: number) => string,
    private readonly changed: () => void,
    /** The job of a waiting run this hub claims for a worker that resumes it (null: it cannot train). */
    private readonly jobOf: (runId: number) => RunJob | null = () => null,
  ) {
    this.workers = new RunWorkerRepo(home.db);
    this.queue = this.open();
    // A failure is reported by connected(); the driver's adds wait on it and put their runs back.
    this.queue.catch(() => {});
  }

  /** Resolves once Redis answered; rejects with why it cannot be reached. */
  async connected(): Promise<void> {
    await this.queue;
  }

  private async open(): Promise<Queue> {
    // Loaded only in cluster mode: a hub without Redis never loads BullMQ.
    const { Queue, QueueEvents } = await import('bullmq');
    const url = checkRedisUrl(this.redisUrl);
    const queue = new Queue(CLUSTER_QUEUE, { connection: { url, maxRetriesPerRequest: 3 } });
    queue.on('error', () => {});
    try {
      await pingRedis(
        { ping: () => queue.getJobCounts('wait'), once: (e, f) => queue.once(e, f) },
        this.redisUrl,
      );
      // Jobs a previous life of this hub left waiting: their runs were put back in the lasting
      // queue and go out again with new jobs; a worker that takes an old one is refused.
      await queue.drain();
    } catch (err) {
      await queue.close().catch(() => {});
      throw err;
    }
    // A job BullMQ failed (its worker gave up, or it stalled too often) never reports its end.
    this.events = new QueueEvents(CLUSTER_QUEUE, { connection: { url, maxRetriesPerRequest: null } });
    this.events.on('error', () => {});
    this.events.on('failed', ({ jobId, failedReason }) => this.jobFailed(jobId, failedReason));
    this.recheck = setInterval(() => void this.requeueLost(queue), RECHECK_MS);
    this.recheck.unref();
    return queue;
  }

  /**
   * Puts back on Redis the jobs of runs waiting there that Redis lost (restarted without
   * persistence): the lasting queue knows them, so nothing waits forever for a job that is gone.
   */
  private async requeueLost(queue: Queue): Promise<void> {
    for (const [runId, d] of this.dispatched) {
      // A holder not heard from for long (it died without Redis noticing: its job was lost or
      // finished elsewhere): the run goes out again.
      if (d.holder && Date.now() - d.heard > SILENT_HOLDER_MS && !this.roster.alive(d.holder)) {
        this.giveOutAgain(
          d,
          `Worker ${d.holder} has not been heard from for a minute; the run goes out again.`,
        );
        continue;
      }
      if (d.holder || d.deferred || Date.now() - d.heard < RECHECK_MS) continue;
      try {
        if (await queue.getJob(d.jobId)) continue;
        if (this.dispatched.get(runId) !== d || d.holder || this.closing) continue;
        await queue.add('run', { runId }, { jobId: d.jobId, removeOnComplete: true, removeOnFail: 1000 });
        d.heard = Date.now();
        this.log(runId, "Redis had lost the run's job (restarted?): it is on the cluster's queue again.");
      } catch {
        // Redis is away: looked at again next time.
      }
    }
  }

  private readonly started = Date.now();

  get size(): number {
    let waiting = 0;
    for (const d of this.dispatched.values()) if (!d.holder) waiting++;
    return waiting;
  }

  activeIds(): number[] {
    return [];
  }

  statusOf(): undefined {
    return undefined;
  }

  /** Whether the run is out in the cluster (on the queue in Redis, or held by a worker). */
  has(runId: number): boolean {
    return this.dispatched.has(runId);
  }

  /** Resolves with the run's status once it ends (or the hub stops and puts it back). */
  wait(runId: number): Promise<RunStatus> {
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  private settle(runId: number, status: RunStatus): void {
    for (const resolve of this.waiters.get(runId) ?? []) resolve(status);
    this.waiters.delete(runId);
  }

  /** Puts a run the driver claimed on the BullMQ queue. */
  train(job: RunJob): void {
    if (this.closing || this.dispatched.has(job.runId)) return;
    const d: Dispatched = { job, jobId: newJobId(job.runId), heard: Date.now() };
    this.dispatched.set(job.runId, d);
    // Just after a restart, a run a worker trained waits a little: its worker may still train it.
    const wait = this.started + RESUME_GRACE_MS - Date.now();
    if (wait > 0 && this.workers.of(job.runId).length) {
      d.deferred = setTimeout(() => {
        d.deferred = undefined;
        if (this.dispatched.get(job.runId) === d && !d.holder && !this.closing) this.enqueue(d);
      }, wait);
      d.deferred.unref();
      return;
    }
    this.enqueue(d);
  }

  /** Adds the run's job to Redis; if Redis refuses, the run waits in the lasting queue again. */
  private enqueue(d: Dispatched): void {
    const { runId } = d.job;
    const jobId = d.jobId;
    this.queue
      .then((q) => q.add('run', { runId }, { jobId, removeOnComplete: true, removeOnFail: 1000 }))
      .catch((err: Error) => {
        // Redis refused: the run waits in the lasting queue again, and the hub says why.
        if (this.dispatched.get(runId)?.jobId !== jobId) return;
        this.dispatched.delete(runId);
        this.home.queue.requeue(runId);
        this.log(runId, `Could not put the run on the cluster's queue: ${err.message}`);
        this.changed();
      });
  }

  /**
   * Gives a held run out again at once under a new job (its holder left): the old job, if it
   * comes back from Redis, is refused; the next worker resumes after the last committed epoch.
   */
  private giveOutAgain(d: Dispatched, why: string): void {
    d.jobId = newJobId(d.job.runId);
    d.holder = undefined;
    d.heldSince = undefined;
    d.epoch = undefined;
    d.heard = Date.now();
    this.log(d.job.runId, why);
    this.enqueue(d);
    this.changed();
  }

  /** A worker says it is alive; what it is and holds is kept for the workers list. */
  heartbeat(req: HeartbeatRequest): { ok: true } {
    this.roster.heard(req.worker, req.host, {
      backend: req.backend,
      cores: req.cores,
      runsAtOnce: req.runsAtOnce,
      everyMs: req.everyMs,
    });
    // A run this worker holds here that its heartbeat no longer names was dropped by it (its
    // buffer overflowed, its thread died unseen): it goes out again.
    // The hub's own period, not the sender's (a heartbeat names its worker, which anyone holding
    // the token can read): a run goes out again only when two heartbeats in a row leave it out.
    const named = new Set(req.runs.map((r) => `${r.runId} ${r.jobId}`));
    for (const [runId, d] of this.dispatched) {
      if (d.holder !== req.worker) continue;
      if (named.has(`${runId} ${d.jobId}`)) {
        d.missed = 0;
        continue;
      }
      d.missed = (d.missed ?? 0) + 1;
      if (d.missed < 2 || Date.now() - (d.heldSince ?? 0) < 2 * HEARTBEAT_MS + 1000) continue;
      this.giveOutAgain(d, `Worker ${req.worker} no longer trains the run; it goes out again.`);
    }
    return { ok: true };
  }

  /**
   * A worker kept training a run while this hub was away (it restarted) and asks for it back under
   * the job it still holds in Redis. It gets it only if it is the run's last recorded worker, its
   * job is active in Redis, the run has not ended and no other worker holds it here; the run's job
   * this hub made meanwhile (or held back) is taken off the queue. The answer says the epochs
   * committed, so the worker sends only the later ones: none is lost, none counted twice.
   */
  async resume(req: ResumeRequest): Promise<ResumeAnswer> {
    const refuse = (why: string): never => {
      throw new NotHolderError(`Run ${req.runId} is not given back to ${req.worker}: ${why}`);
    };
    let d = this.dispatched.get(req.runId);
    if (d?.holder === req.worker && d.jobId === req.jobId)
      return { committed: this.home.runs.get(req.runId)?.epochsDone ?? 0 };
    if (d?.holder) refuse('another worker holds it.');
    const last = this.workers.of(req.runId).at(-1);
    if (!last || last.worker !== req.worker) refuse('another worker took it up after it.');
    const queue = await this.queue;
    const job = await queue.getJob(req.jobId);
    if (!job || (job.data as { runId?: unknown })?.runId !== req.runId || !(await job.isActive()))
      refuse(`its job ${req.jobId} is not active in Redis.`);
    d = this.dispatched.get(req.runId);
    if (d?.holder) refuse('another worker holds it.');
    if (d) {
      // Out under a job of this hub: held back, or waiting in Redis if no worker has taken it.
      if (d.deferred) clearTimeout(d.deferred);
      else if ((await queue.remove(d.jobId)) !== 1) refuse('a worker has just taken its new job.');
      if (this.dispatched.get(req.runId) !== d || d.holder) refuse('another worker holds it.');
      d.deferred = undefined;
    } else {
      // Waiting in the lasting queue: claimed here for the worker.
      const claimed = this.home.queue.contains(req.runId)
        ? this.home.runs.claim(
            req.runId,
            (r) => {
              if (r.status !== 'queued') refuse(`it is ${r.status}.`);
            },
            { status: 'preparing', pid: process.pid },
          )
        : undefined;
      if (!claimed) refuse('it is not in the queue.');
      const job = this.jobOf(req.runId);
      if (!job) refuse('it cannot train (see its error).');
      d = { job: job!, jobId: req.jobId, heard: Date.now() };
      this.dispatched.set(req.runId, d);
    }
    d = d!;
    // The features first: a run that cannot train ends failed saying why (orFail), and is never
    // left held by a worker that cannot be sent its features.
    const out = d;
    const cache = await this.orFail(
      out,
      () => out.job.features(() => {}),
      'Could not compute the features: ',
    );
    if (this.dispatched.get(req.runId) !== d || d.holder) refuse('another worker holds it.');
    d.jobId = req.jobId;
    d.holder = req.worker;
    d.heldSince = Date.now();
    d.heard = Date.now();
    d.missed = 0;
    d.featuresDir = cache.dir;
    d.validNotes = cache.splits.valid?.notes ?? 0;
    const committed = this.home.runs.get(req.runId)?.epochsDone ?? 0;
    d.epoch = committed + 1;
    this.home.runs.start(req.runId, req.backend, req.version);
    this.roster.heard(req.worker, req.host, { backend: req.backend });
    this.log(
      req.runId,
      `Worker ${req.worker} kept training the run while the hub was away; it goes on after epoch ${committed}.`,
    );
    this.changed();
    return { committed };
  }

  /**
   * A worker stops on purpose: the runs it holds under the jobs it names go out again at once
   * (instead of after its locks lapse), each resuming after its last committed epoch.
   */
  leave(req: LeaveRequest): LeaveAnswer {
    this.roster.left(req.worker);
    const released: number[] = [];
    for (const { runId, jobId } of req.runs) {
      const d = this.dispatched.get(runId);
      if (!d || d.jobId !== jobId || d.holder !== req.worker) continue;
      const done = this.home.runs.get(runId)?.epochsDone ?? 0;
      this.giveOutAgain(d, `Worker ${req.worker} left; the run goes to another worker after epoch ${done}.`);
      released.push(runId);
    }
    return { released };
  }

  /** The workers heard from lately with the runs each holds and the epoch it trains. */
  workersNow(): ClusterWorkerInfo[] {
    const held = new Map<string, { runId: number; epoch: number }[]>();
    for (const [runId, d] of this.dispatched) {
      if (!d.holder) continue;
      const list = held.get(d.holder) ?? [];
      list.push({ runId, epoch: d.epoch ?? 1 });
      held.set(d.holder, list);
    }
    return this.roster.list((worker) => held.get(worker) ?? []);
  }

  /** Cancels a run: one waiting in Redis at once, one a worker holds at its next report. */
  cancel(runId: number): boolean {
    const d = this.dispatched.get(runId);
    if (!d) return false;
    if (d.holder) {
      d.stop ??= {};
      return true;
    }
    this.dispatched.delete(runId);
    void this.queue.then((q) => q.remove(d.jobId)).catch(() => {});
    this.finish(runId, 'cancelled', null);
    return true;
  }

  /** The hub stops: runs out in the cluster wait in the lasting queue again; workers are refused from now on. */
  async close(leave: (runId: number) => RunStatus): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.recheck);
    const queue = await this.queue.catch(() => undefined);
    for (const [runId, d] of this.dispatched) {
      let status: RunStatus = 'interrupted';
      try {
        status = leave(runId);
      } catch {
        // The next hub finds the run's owner gone and puts it back itself.
      }
      this.settle(runId, status);
      clearTimeout(d.deferred);
      if (!d.holder) await queue?.remove(d.jobId).catch(() => {});
    }
    this.dispatched.clear();
    await queue?.close().catch(() => {});
    await this.events?.close().catch(() => {});
  }

  /**
   * A run's job failed in BullMQ: its worker gave up (the hub unreachable too long) and the run
   * waits again, from its last committed epoch; or it stalled more often than allowed (its workers
   * keep dying) and it is interrupted, saying so, for the user to resume or not.
   */
  private jobFailed(jobId: string, reason: string): void {
    for (const [runId, d] of this.dispatched) {
      if (d.jobId !== jobId) continue;
      this.dispatched.delete(runId);
      try {
        if (/stalled more than/i.test(reason)) {
          this.finish(runId, 'interrupted', `The cluster gave the run up: ${reason}.`);
        } else {
          this.home.queue.requeue(runId);
          this.log(runId, `The run's worker gave it up (${reason}); it waits in the queue again.`);
          this.settle(runId, 'queued');
          this.changed();
        }
      } catch (err) {
        // The database refused: the next hub finds the run's owner gone and puts it back.
        this.log(runId, `Could not put the run back: ${(err as Error).message}`);
      }
      return;
    }
  }

  /**
   * A worker took a run's job: it holds the run from now on (a previous holder lost it: BullMQ gave
   * its job away after its lock lapsed), and gets what it needs to train it from the hub's last
   * committed epoch.
   */
  async claim(req: ClaimRequest): Promise<ClaimAnswer> {
    const d = this.dispatched.get(req.runId);
    if (!d || d.jobId !== req.jobId)
      throw new NotHolderError(`Run ${req.runId} is not on the cluster's queue under job ${req.jobId}.`);
    const run = this.home.runs.get(req.runId);
    if (!run) throw new NotHolderError(`Run ${req.runId} no longer exists.`);
    const resume = this.orFail(d, () => resumePoint(run), '');
    if (d.holder !== req.worker) {
      if (d.holder)
        this.log(
          req.runId,
          `Worker ${d.holder} lost the run; ${req.worker} takes it up after epoch ${run.epochsDone}.`,
        );
      d.holder = req.worker;
      d.heldSince = Date.now();
      this.workers.take(req.runId, run.epochsDone + 1, req.worker, req.host);
      this.changed();
    }
    this.roster.heard(req.worker, req.host);
    d.epoch = run.epochsDone + 1;
    d.heard = Date.now();
    const cache = await this.orFail(
      d,
      () =>
        d.job.features((p) => this.emitRun(req.runId, { type: 'features', done: p.done, total: p.total })),
      'Could not compute the features: ',
    );
    d.featuresDir = cache.dir;
    d.validNotes = cache.splits.valid?.notes ?? 0;
    const files = fs
      .readdirSync(cache.dir, { withFileTypes: true })
      .filter((f) => f.isFile() && FEATURE_FILE.test(f.name))
      .map((f) => ({ name: f.name, size: fs.statSync(path.join(cache.dir, f.name)).size }));
    return {
      runId: req.runId,
      config: run.config,
      backend: d.job.backend ?? null,
      resumeFrom: resume
        ? {
            epoch: resume.epoch,
            bestValLoss: resume.bestValLoss,
            bestValAccuracy: resume.bestValAccuracy,
            bestEpoch: resume.bestEpoch,
            checkpoint: path.basename(
              run.models.find((m) => m.kind === 'checkpoint' && m.epoch === resume.epoch)!.dir,
            ),
            best: resume.bestDir ? path.basename(resume.bestDir) : null,
          }
        : null,
      features: {
        key: cache.key,
        path: cache.dir,
        fingerprint: cache.fingerprint,
        config: cache.config,
        shape: cache.shape,
        files,
      },
    };
  }

  /**
   * What `f` gives, or, when the run cannot train (its checkpoint or data set is gone), the run
   * ends failed saying why (as a local run does) and the worker is told to drop it.
   */
  private orFail<T>(d: Dispatched, f: () => T, prefix: string): T {
    const failed = (err: unknown): never => {
      const why = `${prefix}${err instanceof Error ? err.message : String(err)}`;
      if (this.dispatched.get(d.job.runId) === d) {
        this.dispatched.delete(d.job.runId);
        this.finish(d.job.runId, 'failed', why);
      }
      throw new NotHolderError(`Run ${d.job.runId} cannot train: ${why}`);
    };
    try {
      const value = f();
      return value instanceof Promise ? (value.catch(failed) as T) : value;
    } catch (err) {
      return failed(err);
    }
  }

  /** The path of a feature cache file the holder of a run may fetch. */
  featureFile(runId: number, worker: string, jobId: string, name: string): string {
    const d = this.held(runId, worker, jobId);
    if (!d.featuresDir || !FEATURE_FILE.test(name))
      throw new NotFoundError(`Run ${runId} has no feature file "${name.slice(0, 100)}".`);
    const file = path.join(d.featuresDir, name);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile())
      throw new NotFoundError(`Run ${runId} has no feature file "${name.slice(0, 100)}".`);
    return file;
  }

  /** The path of a file of a model folder the database points at, for the run's holder to resume from. */
  modelFile(runId: number, worker: string, jobId: string, folder: string, file: string): string {
    this.held(runId, worker, jobId);
    const known = this.home.runs.modelDirs(runId).map((d) => path.basename(d));
    if (!known.includes(folder) || !(MODEL_FILES as readonly string[]).includes(file))
      throw new NotFoundError(`Run ${runId} has no model file ${folder.slice(0, 40)}/${file.slice(0, 40)}.`);
    return path.join(this.modelFolder(runId), folder, file);
  }

  /** Records an event of a run from the worker holding it; whether the worker should stop it. */
  report(req: ReportRequest): ReportAnswer {
    const d = this.held(req.runId, req.worker, req.jobId);
    d.heard = Date.now();
    this.roster.heard(req.worker, null, req.event.type === 'ready' ? { backend: req.event.backend } : {});
    const runId = req.runId;
    const modelDir = this.modelFolder(runId);
    const e = req.event;
    // Folders first, each whole or refused; the database points at them only with their epoch.
    const keep = new Set(this.home.runs.modelDirs(runId).map((p) => path.basename(p)));
    for (const [name, files] of Object.entries(req.folders ?? {})) writeFolder(modelDir, name, files, keep);
    const folder = (name: string) => sentFolder(modelDir, runId, name);
    switch (e.type) {
      case 'ready':
        this.home.runs.start(runId, e.backend, e.version);
        this.workers.setBackend(runId, req.worker, e.backend);
        this.emitRun(runId, e);
        this.changed();
        break;
      case 'batch':
        d.epoch = e.epoch;
        this.emitRun(runId, e);
        break;
      case 'log':
        this.emitRun(runId, e);
        break;
      case 'epoch': {
        const dbSeconds = commitEpoch(this.home, runId, d.validNotes, folder, e);
        d.epoch = Math.min(e.metrics.epoch + 1, d.job.config.epochs);
        this.prune(runId, { kinds: ['best', 'checkpoint'], upTo: e.metrics.epoch });
        this.emitRun(runId, { type: 'epoch', metrics: e.metrics, confusion: e.confusion, dbSeconds });
        this.askToStop(d, e.metrics.epoch);
        break;
      }
      case 'evaluation':
        commitEvaluation(this.home, d.job, runId, folder, e);
        this.emitRun(runId, {
          type: 'evaluation',
          weights: e.weights,
          split: e.split,
          accuracy: e.accuracy,
          loss: e.loss,
        });
        break;
      case 'done': {
        let status: EndStatus = e.status;
        let error: string | null = null;
        if (status === 'cancelled' && d.stop?.reason) [status, error] = ['stopped', d.stop.reason];
        const last = e.last === null ? undefined : { epoch: e.lastEpoch, dir: folder(e.last) };
        this.dispatched.delete(runId);
        this.finish(runId, status, error, last);
        this.prune(runId, { tmpOf: () => true });
        break;
      }
      case 'failed':
        this.dispatched.delete(runId);
        this.finish(runId, 'failed', e.reason);
        break;
    }
    return { stop: d.stop !== undefined && this.dispatched.has(runId) };
  }

  /** The run as `worker` holds it under `jobId`, or a NotHolderError. */
  private held(runId: number, worker: string, jobId: string): Dispatched {
    const d = this.dispatched.get(runId);
    if (!d || d.jobId !== jobId || d.holder !== worker)
      throw new NotHolderError(`Worker ${worker} does not hold run ${runId}: drop it.`);
    return d;
  }

  private askToStop(d: Dispatched, epoch: number): void {
    if (!d.job.afterEpoch || d.stop) return;
    let reason: string | null = null;
    try {
      reason = d.job.afterEpoch(epoch);
    } catch (err) {
      this.log(d.job.runId, `Early stopping was not decided: ${(err as Error).message}`);
    }
    if (reason === null) return;
    d.stop = { reason };
    this.log(d.job.runId, `Stopping: ${reason}`);
  }

  private finish(
    runId: number,
    status: EndStatus,
    error: string | null,
    last?: { epoch: number; dir: string },
  ) {
    this.home.runs.end(runId, status, error, last);
    this.emitRun(runId, { type: 'ended', status, error });
    this.settle(runId, status);
    this.changed();
  }

  /** Removes the run's folders the database no longer points at; a failure only costs disk space. */
  private prune(
    runId: number,
    rule: { kinds?: ('best' | 'checkpoint')[]; upTo?: number; tmpOf?: () => boolean },
  ) {
    try {
      pruneModelFolders(this.modelFolder(runId), { ...rule, keep: this.home.runs.modelDirs(runId) });
    } catch (err) {
      this.log(runId, `Could not remove old model folders: ${(err as Error).message}`);
    }
  }

  private log(runId: number, message: string): void {
    this.emitRun(runId, { type: 'log', message });
  }

  private emitRun(runId: number, event: RunEventPayload): void {
    this.home.emit({ type: 'run', runId, event });
  }
}
