// What the hub and its workers say to each other over HTTP (cluster mode, docs/cluster.md): the
// shapes of the worker's requests, checked on the hub (every body is untrusted), and the hub's answers.
import { z } from 'zod';
import { SPLITS } from '../../shared/constants';
import type { FeatureConfig, FeatureShape } from '../../shared/features';
import type { BackendName, TrainConfig } from '../../shared/training';
import { BACKENDS } from '../../shared/training';

/** The BullMQ queue the hub puts runs on; a job's data is `{ runId }`. */
export const CLUSTER_QUEUE = 'timbre-runs';

/** The largest report a worker may send (an epoch carries its checkpoint's files). */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** A model folder's name as the hub and the workers both write it: `checkpoint-3`, `best-2`, `last-5`. */
export const FOLDER_NAME = /^(best|last|checkpoint)-([1-9]\d{0,5})$/;
/** The files of a saved model folder. */
export const MODEL_FILES = ['model.json', 'weights.bin'] as const;
/** A feature cache's file name (meta.json and each split's files). */
export const FEATURE_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const id = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31);
const name = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\w.:@-]+$/, 'only letters, digits and . : @ - _');
const num = z.number().finite();
const rate = z.number().min(0).max(1);
const base64 = (max: number) =>
  z
    .string()
    .max(Math.ceil(max / 3) * 4 + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const matrix = z.array(z.array(z.number().int().min(0)).max(64)).max(64);

/** Who is asking: the worker process (its own id, fresh each start) and the BullMQ job it holds. */
const holder = { runId: id, jobId: name(100), worker: name(200) };

/** `POST /cluster/claim`: a worker took a job off the queue and asks for its run. */
export const ClaimRequest = z.strictObject({ ...holder, host: name(200) });
export type ClaimRequest = z.infer<typeof ClaimRequest>;

/** A run a worker holds, as it names it in a heartbeat or when it leaves. */
const heldRun = z.strictObject({ runId: id, jobId: name(100) });

/** `POST /cluster/heartbeat`: a worker says it is alive, what it is and which runs it trains. */
export const HeartbeatRequest = z.strictObject({
  worker: name(200),
  host: name(200),
  cores: z.number().int().min(1).max(65_536),
  runsAtOnce: z.number().int().min(1).max(64),
  backend: z.enum(BACKENDS).nullable(),
  /** How often it sends these, in ms: the hub shows it silent after three missed. */
  everyMs: z.number().int().min(100).max(600_000),
  runs: z.array(heldRun).max(64),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

/** `POST /cluster/leave`: a worker stops on purpose; the hub gives its runs out again at once. */
export const LeaveRequest = z.strictObject({ worker: name(200), runs: z.array(heldRun).max(64) });
export type LeaveRequest = z.infer<typeof LeaveRequest>;

/**
 * `POST /cluster/resume`: a worker that kept training a run while its hub was away (the hub
 * restarted) asks the new hub to hand the hold back, under the job it still holds in Redis.
 */
export const ResumeRequest = z.strictObject({
  ...holder,
  host: name(200),
  backend: z.enum(BACKENDS),
  version: z.string().max(100),
});
export type ResumeRequest = z.infer<typeof ResumeRequest>;

/** The hub's answer to a resume: the epochs it has committed (the worker sends only later ones). */
export interface ResumeAnswer {
  committed: number;
}

/** The hub's answer to a leave: the runs it took back (their jobs may be finished by the worker). */
export interface LeaveAnswer {
  released: number[];
}

/** The files of model folders a report brings: folder name -> file name -> base64. */
const folders = z
  .record(
    z.string().regex(FOLDER_NAME),
    z.strictObject({ 'model.json': base64(64 * 1024 * 1024), 'weights.bin': base64(MAX_REPORT_BYTES) }),
  )
  .optional();

const metrics = z.strictObject({
  epoch: z.number().int().min(1).max(100_000),
  trainLoss: num,
  trainAccuracy: rate,
  valLoss: num.nullable(),
  valAccuracy: rate.nullable(),
  seconds: num.min(0),
  samplesPerSecond: num.min(0),
});

/** One event of a run training on a worker, as the trainer posted it (typed arrays as base64). */
export const ReportEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), backend: z.enum(BACKENDS), version: z.string().max(100) }),
  z.strictObject({
    type: z.literal('batch'),
    epoch: z.number().int().min(1),
    batch: z.number().int().min(0),
    batches: z.number().int().min(0),
    loss: num,
    accuracy: rate,
    samplesPerSecond: num.min(0),
  }),
  z.strictObject({
    type: z.literal('epoch'),
    metrics,
    confusion: matrix.nullable(),
    predicted: base64(64 * 1024 * 1024).nullable(),
    checkpoint: z.string().regex(FOLDER_NAME),
    best: z.string().regex(FOLDER_NAME).nullable(),
  }),
  z.strictObject({
    type: z.literal('evaluation'),
    weights: z.enum(['best', 'last']),
    epoch: z.number().int().min(0),
    folder: z.string().regex(FOLDER_NAME),
    split: z.enum(SPLITS),
    loss: num,
    accuracy: rate,
    confusion: matrix,
    perClass: z
      .array(
        z.strictObject({
          label: z.string().max(100),
          precision: rate,
          recall: rate,
          f1: rate,
          support: z.number().int().min(0),
        }),
      )
      .max(64),
    labels: z.array(z.string().max(100)).min(1).max(64),
    noteStrs: z.array(z.string().max(200)).max(2_000_000),
    truth: base64(64 * 1024 * 1024),
    predicted: base64(64 * 1024 * 1024),
    probabilities: base64(MAX_REPORT_BYTES),
  }),
  z.strictObject({
    type: z.literal('done'),
    status: z.enum(['finished', 'cancelled']),
    last: z.string().regex(FOLDER_NAME).nullable(),
    lastEpoch: z.number().int().min(0),
  }),
  z.strictObject({ type: z.literal('failed'), reason: z.string().max(4000) }),
  z.strictObject({ type: z.literal('log'), message: z.string().max(4000) }),
]);
export type ReportEvent = z.infer<typeof ReportEvent>;

/** `POST /cluster/report`: an event of the run the worker holds, with the model folders it names. */
export const ReportRequest = z.strictObject({ ...holder, event: ReportEvent, folders });
export type ReportRequest = z.infer<typeof ReportRequest>;

/** The hub's answer to a claim: everything the worker needs to train the run. */
export interface ClaimAnswer {
  runId: number;
  config: TrainConfig;
  /** The backend the run asked for, if any (the worker's own `--backend` comes first). */
  backend: BackendName | null;
  /** Continue after the hub's last committed epoch; its folders are fetched from the hub. */
  resumeFrom: {
    epoch: number;
    bestValLoss: number | null;
    bestValAccuracy: number | null;
    bestEpoch: number | null;
    checkpoint: string;
    best: string | null;
  } | null;
  /**
   * The run's feature cache on the hub: read in place from `path` when that folder is readable on
   * the worker and whole (a shared file system), else fetched file by file and kept under `key`.
   */
  features: {
    key: string;
    /** The cache's folder on the hub's machine. */
    path: string;
    fingerprint: string;
    config: FeatureConfig;
    shape: FeatureShape;
    files: { name: string; size: number }[];
  };
}

/** The hub's answer to a report: whether the worker should stop the run (cancelled, or its sweep's rule). */
export interface ReportAnswer {
  stop: boolean;
}

/** The header a worker names itself in when it fetches files (the holder check of GET requests). */
export const HOLDER_HEADER = 'x-timbre-holder';

/** `<worker> <jobId>` as the holder header carries it. */
export function holderHeader(worker: string, jobId: string): string {
  return `${worker} ${jobId}`;
}

/** A URL as it may be printed: without the password it may carry. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
