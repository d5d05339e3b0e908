import type { Worker } from 'node:worker_threads';
import type { FeatureConfig } from '../../shared/features';
import { errorMessage, siblingModule, startWorker } from '../workers';
import { featureShape } from './config';
import { FeatureCacheError } from './layout';
import { createExtractor, normalizeClip, readClip, type Extractor } from './extract';

/** Main -> worker: compute the rows of these WAV files, in order. */
export interface FeatureJob {
  id: number;
  files: string[];
}

/** Worker -> main: the rows of one job (files x steps x dims), or why not. */
export type FeatureReply =
  { type: 'rows'; id: number; data: Float32Array } | { type: 'failed'; id: number; message: string };

/** Features of several notes' WAV files, one row each, clip-normalized when the config says so. */
export function extractRows(files: string[], config: FeatureConfig, extract: Extractor): Float32Array {
  const { steps, dims } = featureShape(config);
  const row = steps * dims;
  const out = new Float32Array(files.length * row);
  files.forEach((file, i) => {
    let features: Float32Array;
    try {
      features = extract(readClip(file, config));
    } catch (err) {
      throw new FeatureCacheError(`Cannot compute the features of ${file}: ${errorMessage(err)}`);
    }
    if (config.normalization === 'clip') normalizeClip(features);
    out.set(features, i * row);
  });
  return out;
}

/** Computes rows of features on worker threads (or inline with 0 workers). */
export interface FeaturePool {
  readonly workers: number;
  /** Rows of `files`, in their order. */
  run(files: string[]): Promise<Float32Array>;
  /** Stops the workers; pending jobs fail. */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (rows: Float32Array) => void; reject: (err: Error) => void }>;
}

/** Starts `workers` feature threads for `config`; 0 computes on the calling thread. */
export function createFeaturePool(
  config: FeatureConfig,
  workers: number,
  workerUrl = featureWorkerUrl(),
): FeaturePool {
  if (workers <= 0) {
    const extract = createExtractor(config);
    return {
      workers: 0,
      run: async (files) => extractRows(files, config, extract),
      close: async () => {},
    };
  }
  let nextId = 0;
  let closing = false;
  const slots: Slot[] = [];
  const failAll = (slot: Slot, err: Error) => {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  for (let i = 0; i < workers; i++) {
    const slot: Slot = { worker: startWorker(workerUrl, { workerData: { config } }), pending: new Map() };
    slot.worker.on('message', (reply: FeatureReply) => {
      const p = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if (reply.type === 'rows') p?.resolve(reply.data);
      else p?.reject(new FeatureCacheError(reply.message));
    });
    slot.worker.on('error', (err) =>
      failAll(slot, new FeatureCacheError(`Feature worker failed: ${err.message}`)),
    );
    slot.worker.on('exit', (code) => {
      if (!closing) {
        failAll(slot, new FeatureCacheError(`Feature worker stopped unexpectedly (exit code ${code})`));
      }
    });
    slots.push(slot);
  }
  return {
    workers,
    run(files) {
      if (closing) return Promise.reject(new FeatureCacheError('The feature pool is closed'));
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, files } satisfies FeatureJob);
      });
    },
    async close() {
      closing = true;
      for (const slot of slots) failAll(slot, new FeatureCacheError('The feature pool was closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** Module URL of the feature worker: the .ts source under tsx, a sibling .js in a build. */
export function featureWorkerUrl(): URL {
  return siblingModule(import.meta.url, 'feature-worker');
}
