// One run on a worker: claim it at the hub, fetch its features (kept by key) and the folders it
// resumes from, train it in a thread with the app's own trainer, and report each event back.
import fs from 'node:fs';
import path from 'node:path';
import type { FeatureCacheInfo } from '../../shared/features';
import type { BackendName } from '../../shared/training';
import { readFeatureCache } from '../features/cache';
import { pruneModelFolders } from '../training/model-dirs';
import type { TrainerEvent, TrainerRequest, TrainJob } from '../training/protocol';
import { siblingModule, startWorker } from '../workers';
import { HubRefusal, type HubClient } from './hub-client';
import { readFolder, type FolderFiles } from './model-transfer';
import {
  FEATURE_FILE,
  holderHeader,
  HOLDER_HEADER,
  MODEL_FILES,
  type ClaimAnswer,
  type ReportAnswer,
  type ReportEvent,
  type ReportRequest,
  type ResumeAnswer,
} from './protocol';

const trainWorkerUrl = siblingModule(import.meta.url, 'train-worker');

/**
 * The most bytes of reports a run keeps waiting while its hub cannot be reached (it restarts):
 * beyond, the run stops here and goes back to the hub's queue, from its last committed epoch, when
 * the hub is back. TIMBRE_WORKER_BUFFER_MB sets it (default 512).
 */
const MAX_BUFFER_BYTES = (Number(process.env.TIMBRE_WORKER_BUFFER_MB) || 512) * 1024 * 1024;

/** Who runs the run and where it keeps its files. */
export interface RemoteRunContext {
  hub: HubClient;
  /** This worker process's id (host:pid:random). */
  worker: string;
  host: string;
  /** Folder of this worker's feature caches and runs' model folders. */
  dir: string;
  /** The backend this worker trains on, if told (else the run's, else the best it has). */
  backend?: BackendName;
  log: (line: string) => void;
  /** Told the backend a run trains on once its thread is ready. */
  onBackend?: (backend: BackendName) => void;
  /** Always fetch the features from the hub, even when its folder of them is readable here. */
  copyFeatures?: boolean;
}

/**
 * How a run left this worker: ended (its end reported to the hub), refused by the hub (it no longer
 * gives it to this worker), or left behind because the worker is stopping (its job must not finish).
 */
export type RemoteRunOutcome = 'ended' | 'refused' | 'left';

/** Trains run `runId` of BullMQ job `jobId` to its end, reporting to the hub; resolves with how it left. */
export async function trainRemoteRun(
  ctx: RemoteRunContext,
  runId: number,
  jobId: string,
  signal: { stopped: boolean },
): Promise<RemoteRunOutcome> {
  const holder = { runId, jobId, worker: ctx.worker };
  let claim: ClaimAnswer;
  try {
    claim = await ctx.hub.post<ClaimAnswer>('/cluster/claim', { ...holder, host: ctx.host });
  } catch (err) {
    if (err instanceof HubRefusal && err.status === 409) {
      ctx.log(`Run ${runId}: the hub refused it (${err.message}).`);
      return 'refused';
    }
    // The worker is stopping (the hub refused its token): the job is left for another worker.
    if (signal.stopped) return 'left';
    throw err;
  }
  const headers = { [HOLDER_HEADER]: holderHeader(ctx.worker, jobId) };
  const modelDir = path.join(ctx.dir, 'runs', `${runId}-${safe(jobId)}`);
  fs.rmSync(modelDir, { recursive: true, force: true });
  fs.mkdirSync(modelDir, { recursive: true });
  const uploaded = new Set<string>();
  let resumeFrom: TrainJob['resumeFrom'];
  let cache: FeatureCacheInfo;
  try {
    cache = await fetchFeatures(ctx, claim, headers);
    if (claim.resumeFrom) {
      const r = claim.resumeFrom;
      for (const folder of [r.checkpoint, r.best]) {
        if (!folder || fs.existsSync(path.join(modelDir, folder))) continue;
        // The hub's word too is checked: a folder name, nothing that leaves this run's folder.
        if (!/^(best|checkpoint)(-[1-9]\d{0,5})?$/.test(folder))
          throw new Error(`The hub named a model folder "${folder.slice(0, 60)}".`);
        const tmp = path.join(modelDir, `${folder}.download`);
        fs.mkdirSync(tmp, { recursive: true });
        for (const file of MODEL_FILES)
          await ctx.hub.download(
            `/cluster/runs/${runId}/models/${folder}/${file}`,
            headers,
            path.join(tmp, file),
          );
        fs.renameSync(tmp, path.join(modelDir, folder));
        uploaded.add(folder);
      }
      resumeFrom = {
        epoch: r.epoch,
        bestValLoss: r.bestValLoss,
        bestValAccuracy: r.bestValAccuracy,
        bestEpoch: r.bestEpoch,
        bestDir: r.best ? path.join(modelDir, r.best) : null,
      };
      ctx.log(`Run ${runId}: resuming after epoch ${r.epoch}.`);
    }
  } catch (err) {
    if (err instanceof HubRefusal && err.status === 409) return 'refused';
    if (signal.stopped) {
      fs.rmSync(modelDir, { recursive: true, force: true });
      return 'left';
    }
    const reason = `The worker ${ctx.worker} could not fetch the run's data: ${(err as Error).message}`;
    await report(ctx, holder, { type: 'failed', reason }).catch(() => {});
    fs.rmSync(modelDir, { recursive: true, force: true });
    return 'ended';
  }
  ctx.log(`Run ${runId}: training${resumeFrom ? '' : ' from the start'}.`);
  try {
    return await train(ctx, holder, claim, cache, modelDir, resumeFrom, uploaded, signal);
  } finally {
    fs.rmSync(modelDir, { recursive: true, force: true });
  }
}

/**
 * The hub's own folder of the run's features, when this machine can read it (a shared file system,
 * or the hub on this machine) and it holds the cache the hub named, whole: the same key and
 * fingerprint, every file of the size the hub listed. Undefined otherwise.
 */
export function sharedFeatures(claim: Pick<ClaimAnswer, 'features'>): FeatureCacheInfo | undefined {
  const { key, fingerprint, files, path: dir } = claim.features;
  if (typeof dir !== 'string' || !path.isAbsolute(dir) || path.basename(dir) !== key) return undefined;
  try {
    const cache = readFeatureCache(dir);
    if (!cache || cache.key !== key || cache.fingerprint !== fingerprint) return undefined;
    for (const f of files) if (fs.statSync(path.join(dir, f.name)).size !== f.size) return undefined;
    return cache;
  } catch {
    return undefined;
  }
}

/**
 * The run's feature cache: the hub's folder itself where it is readable here, else a copy on this
 * worker, fetched from the hub the first time its key is met.
 */
async function fetchFeatures(
  ctx: RemoteRunContext,
  claim: ClaimAnswer,
  headers: Record<string, string>,
): Promise<FeatureCacheInfo> {
  const { key, files } = claim.features;
  if (!FEATURE_FILE.test(key)) throw new Error(`The hub named a feature cache "${key.slice(0, 60)}".`);
  const shared = ctx.copyFeatures ? undefined : sharedFeatures(claim);
  if (shared) {
    ctx.log(`Run ${claim.runId}: features read in place from the hub's folder ${shared.dir}.`);
    return shared;
  }
  const root = path.join(ctx.dir, 'features');
  const dir = path.join(root, key);
  const have = readFeatureCache(dir);
  if (have) {
    ctx.log(`Run ${claim.runId}: features ${key} already fetched.`);
    return have;
  }
  ctx.log(`Run ${claim.runId}: fetching features ${key} from the hub (${files.length} files).`);
  const tmp = path.join(root, `${key}.download-${process.pid}-${claim.runId}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    for (const f of files) {
      if (!FEATURE_FILE.test(f.name))
        throw new Error(`The hub named a feature file "${f.name.slice(0, 60)}".`);
      await ctx.hub.download(
        `/cluster/runs/${claim.runId}/features/${encodeURIComponent(f.name)}`,
        headers,
        path.join(tmp, f.name),
        f.size,
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const cache = readFeatureCache(dir);
  if (!cache) throw new Error(`The feature cache ${key} the hub sent is not whole.`);
  return cache;
}

/** Trains the run in a thread, reporting its events in order; resolves once its end was reported. */
function train(
  ctx: RemoteRunContext,
  holder: Pick<ReportRequest, 'runId' | 'jobId' | 'worker'>,
  claim: ClaimAnswer,
  cache: FeatureCacheInfo,
  modelDir: string,
  resumeFrom: TrainJob['resumeFrom'],
  uploaded: Set<string>,
  signal: { stopped: boolean },
): Promise<RemoteRunOutcome> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const job: TrainJob = {
    runId: claim.runId,
    config: claim.config,
    cache,
    modelDir,
    backend: ctx.backend ?? claim.backend ?? undefined,
    resumeFrom,
    progressMs: 1000,
    cancelFlag: cancel.buffer as SharedArrayBuffer,
  };
  return new Promise((resolve, reject) => {
    const thread = startWorker(trainWorkerUrl);
    let chain = Promise.resolve();
    let settled = false;
    let batchPending = false;
    let best = resumeFrom?.bestDir ?? null;
    /** Bytes of reports waiting for the hub; what the hub had committed when it handed the run back. */
    let buffered = 0;
    let committedByHub = 0;
    let backend: { backend: BackendName; version: string } | null = null;
    /** A hub that restarted knows nothing of this worker's hold: ask it for the run back, once a refusal. */
    const resume = async (): Promise<boolean> => {
      if (!backend || signal.stopped) return false;
      try {
        const answer = await ctx.hub.post<ResumeAnswer>('/cluster/resume', {
          ...holder,
          host: ctx.host,
          ...backend,
        });
        committedByHub = answer.committed;
        ctx.log(`Run ${holder.runId}: the hub gave it back to this worker after epoch ${answer.committed}.`);
        return true;
      } catch (err) {
        if (err instanceof HubRefusal) ctx.log(`Run ${holder.runId}: ${err.message}`);
        return false;
      }
    };
    /** Reports an event; after a refusal, once, asks for the run back and reports it again. */
    const deliver = async (event: ReportEvent, folders?: Record<string, FolderFiles>) => {
      for (let attempt = 0; ; attempt++) {
        // Committed before the hub went away (its answer was lost): not sent twice.
        if (event.type === 'epoch' && event.metrics.epoch <= committedByHub) return { stop: false };
        try {
          return await report(ctx, holder, event, folders);
        } catch (err) {
          const refused = err instanceof HubRefusal && err.status === 409;
          if (attempt > 0 || !refused || !(await resume())) throw err;
        }
      }
    };
    const end = (outcome: RemoteRunOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      void thread.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    // The worker process is stopping: the run is left as it is, for the hub's queue to give it out again.
    const watch = setInterval(() => {
      if (signal.stopped) end('left');
    }, 200);
    const send = (event: ReportEvent, folders?: Record<string, FolderFiles>) => {
      const bytes =
        event.type === 'batch' || event.type === 'log'
          ? 0
          : JSON.stringify(event).length +
            Object.values(folders ?? {}).reduce(
              (n, f) => n + f['model.json'].length + f['weights.bin'].length,
              0,
            );
      buffered += bytes;
      if (buffered > MAX_BUFFER_BYTES && !settled) {
        ctx.log(
          `Run ${holder.runId}: more than ${Math.round(MAX_BUFFER_BYTES / 2 ** 20)} MB of reports wait for the hub; ` +
            'the run stops here and goes back to its queue, from its last committed epoch, when the hub is back.',
        );
        return end('refused');
      }
      chain = chain.then(async () => {
        if (settled) return;
        try {
          const answer = await deliver(event, folders);
          buffered -= bytes;
          if (answer.stop) Atomics.store(cancel, 0, 1);
          if (event.type === 'done' || event.type === 'failed') end('ended');
        } catch (err) {
          if (signal.stopped) return end('left');
          if (err instanceof HubRefusal && err.status === 409) {
            ctx.log(`Run ${holder.runId}: the hub no longer gives it to this worker (${err.message}).`);
            return end('refused');
          }
          if (err instanceof HubRefusal && event.type !== 'failed') {
            // The hub cannot use what this worker sends: the run fails, saying why.
            Atomics.store(cancel, 0, 1);
            const reason = `The hub refused a report of worker ${ctx.worker}: ${err.message}`;
            return void report(ctx, holder, { type: 'failed', reason })
              .catch(() => {})
              .then(() => end('ended'));
          }
          end(err as Error);
        }
      });
    };
    /** The folders an event names that the hub has not got yet. */
    const foldersOf = (...dirs: (string | null)[]) => {
      const out: Record<string, FolderFiles> = {};
      for (const dir of dirs) {
        if (!dir) continue;
        const name = path.basename(dir);
        if (uploaded.has(name)) continue;
        out[name] = readFolder(dir);
        uploaded.add(name);
      }
      return out;
    };
    thread.on('message', (e: TrainerEvent) => {
      if (settled) return;
      switch (e.type) {
        case 'ready':
          ctx.log(`Run ${holder.runId}: training on ${e.backend}.`);
          ctx.onBackend?.(e.backend);
          backend = { backend: e.backend, version: e.version };
          return send({ type: 'ready', backend: e.backend, version: e.version });
        case 'batch':
          // Progress only: one in flight at a time, the rest dropped.
          if (batchPending) return;
          batchPending = true;
          send(e);
          chain = chain.then(() => void (batchPending = false));
          return;
        case 'epoch': {
          const folders = foldersOf(e.checkpointDir, e.bestDir);
          send(
            {
              type: 'epoch',
              metrics: e.metrics,
              confusion: e.confusion,
              predicted: e.predicted ? Buffer.from(e.predicted).toString('base64') : null,
              checkpoint: path.basename(e.checkpointDir),
              best: e.bestDir ? path.basename(e.bestDir) : null,
            },
            folders,
          );
          if (e.bestDir) best = e.bestDir;
          const keep = [e.checkpointDir, ...(best ? [best] : [])];
          // The hub has the earlier folders; the newest checkpoint and best weights stay for the trainer.
          chain = chain.then(() => {
            if (!settled)
              pruneModelFolders(modelDir, { keep, kinds: ['best', 'checkpoint'], upTo: e.metrics.epoch });
          });
          return;
        }
        case 'evaluation':
          return send(
            {
              type: 'evaluation',
              weights: e.weights === 'external' ? 'best' : e.weights,
              epoch: e.epoch ?? 0,
              folder: path.basename(e.modelDir),
              split: e.split,
              loss: e.loss,
              accuracy: e.accuracy,
              confusion: e.confusion,
              perClass: e.perClass,
              labels: e.labels,
              noteStrs: e.noteStrs,
              truth: bytes(e.truth),
              predicted: bytes(e.predicted),
              probabilities: bytes(e.probabilities),
            },
            foldersOf(e.modelDir),
          );
        case 'done':
          ctx.log(`Run ${holder.runId}: ${e.status}.`);
          return send(
            {
              type: 'done',
              status: e.status,
              last: e.lastDir ? path.basename(e.lastDir) : null,
              lastEpoch: e.lastEpoch,
            },
            foldersOf(e.lastDir),
          );
        case 'failed':
          ctx.log(`Run ${holder.runId}: failed: ${e.reason}`);
          return send({ type: 'failed', reason: e.reason.slice(0, 4000) });
        case 'log':
          return send({ type: 'log', message: e.message.slice(0, 4000) });
      }
    });
    thread.on('error', (err) =>
      send({ type: 'failed', reason: `The training thread crashed: ${err.message}` }),
    );
    thread.on('exit', (code) => {
      if (!settled)
        send({ type: 'failed', reason: `The training thread stopped unexpectedly (exit code ${code}).` });
    });
    thread.postMessage({ type: 'start', job } satisfies TrainerRequest);
  });
}

function report(
  ctx: RemoteRunContext,
  holder: Pick<ReportRequest, 'runId' | 'jobId' | 'worker'>,
  event: ReportEvent,
  folders?: Record<string, FolderFiles>,
): Promise<ReportAnswer> {
  const body: ReportRequest = {
    ...holder,
    event,
    ...(folders && Object.keys(folders).length ? { folders } : {}),
  };
  return ctx.hub.post<ReportAnswer>('/cluster/report', body);
}

function bytes(a: Int32Array | Uint8Array | Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** A job id as part of a folder name. */
function safe(text: string): string {
  return text.replace(/[^\w.-]/g, '_').slice(0, 60);
}
