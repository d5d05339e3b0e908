import type { Worker } from 'node:worker_threads';
import type { ProgressFn } from '../../../shared/types';
import { siblingModule, startWorker } from '../../workers';
import type { NoteJob, RenderReply, RenderRequest } from './render-worker';

/** A note to render with the font it comes from. */
export interface PoolJob extends NoteJob {
  font: string;
}

/** What rendering one note gave. */
export interface NoteResult {
  peak: number;
  silent: boolean;
  qualities: number[];
}

/** Jobs, in font order, and how to run them. */
export interface PoolOptions {
  jobs: PoolJob[];
  workers: number;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

// A few progress reports per second at most: enough for a bar with notes/s and ETA.
const PROGRESS_MS = 250;

// The built app ships the worker as .js beside this module; tests and the CLI run the .ts source.
const WORKER_URL = siblingModule(import.meta.url, 'render-worker');

// One batch per instrument: a worker decodes only the samples of instruments it is sent, and the
// batches stay small enough (~20 notes, well under a second) to balance the load.
function batchesOf(jobs: PoolJob[]): { font: string; notes: NoteJob[] }[] {
  const batches: { font: string; notes: NoteJob[]; program: number }[] = [];
  for (const { font, ...note } of jobs) {
    const last = batches.at(-1);
    if (last && last.font === font && last.program === note.program) last.notes.push(note);
    else batches.push({ font, program: note.program, notes: [note] });
  }
  return batches;
}

/**
 * Renders every job on a pool of worker threads and returns the results indexed by `job.index`.
 * Batches go out in order, so a worker sees each font in one stretch and loads it once.
 */
export function runRenderPool(opts: PoolOptions): Promise<NoteResult[]> {
  const batches = batchesOf(opts.jobs);
  const total = opts.jobs.length;
  const results: NoteResult[] = [];
  const pool: Worker[] = [];
  let next = 0;
  let done = 0;
  let finishedBatches = 0;
  let lastReport = 0;

  return new Promise<NoteResult[]>((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      // terminate() also stops workers mid-batch, so a failure or cancel returns promptly.
      for (const w of pool) void w.terminate();
      if (err === undefined) resolve(results);
      else reject(err);
    };
    const onAbort = () => finish(opts.signal?.reason ?? new Error('Render cancelled'));
    const report = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastReport < PROGRESS_MS) return;
      lastReport = now;
      opts.onProgress?.({ phase: 'render', done, total });
    };
    const send = (w: Worker) => {
      const batch = batches[next];
      if (!batch) return;
      const req: RenderRequest = { type: 'render', seq: next++, font: batch.font, notes: batch.notes };
      w.postMessage(req);
    };

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    report(true);
    if (batches.length === 0) return finish();

    const size = Math.max(1, Math.min(opts.workers, batches.length));
    for (let i = 0; i < size; i++) {
      const w = startWorker(WORKER_URL);
      pool.push(w);
      w.on('message', (msg: RenderReply) => {
        if (settled) return;
        if (msg.type === 'note') {
          results[msg.index] = { peak: msg.peak, silent: msg.silent, qualities: msg.qualities };
          done++;
          report(done === total);
        } else if (msg.type === 'done') {
          finishedBatches++;
          if (finishedBatches === batches.length) finish();
          else send(w);
        } else {
          finish(new Error(`${batches[msg.seq]?.font ?? 'a SoundFont'}: ${msg.message}`));
        }
      });
      w.on('error', (err) => finish(err));
      w.on('exit', (code) => {
        if (!settled) finish(new Error(`a render worker stopped unexpectedly (exit code ${code})`));
      });
      send(w);
    }
  });
}
