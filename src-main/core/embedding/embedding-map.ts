import fs from 'node:fs';
import path from 'node:path';
import type { EmbeddingMap } from '../../shared/embedding';
import { FAMILIES } from '../../shared/constants';
import type { RunDetail } from '../../shared/training';
import type { ProgressFn } from '../../shared/types';
import { writeDurable } from '../fs-safe';
import { evaluationFeatures, loadModelDir } from '../training/model-io';
import type { WorkbenchDatasets } from '../workbench/datasets';
import { RunStateError } from '../workbench/home';
import { siblingModule, startWorker } from '../workers';
import type { EmbedEvent, EmbedJob } from './embed-notes';

const workerUrl = siblingModule(import.meta.url, 'embedding-worker');

/** The map's file, kept in the folder of the weights it maps (deleted with them). */
export const EMBEDDING_MAP_FILE = 'embedding-map.json';

/** The saved weights a run's map is of: its best, else its last; null before it saved any. */
function mappedModel(run: RunDetail): { kind: 'best' | 'last'; epoch: number; dir: string } | null {
  const m = run.models.find((x) => x.kind === 'best') ?? run.models.find((x) => x.kind === 'last');
  return m ? { kind: m.kind as 'best' | 'last', epoch: m.epoch, dir: m.dir } : null;
}

// A map file as written, checked field by field (a file on disk is not to be trusted).
function parseMap(text: string, run: RunDetail): EmbeddingMap | null {
  let m: Partial<EmbeddingMap>;
  try {
    m = JSON.parse(text) as Partial<EmbeddingMap>;
  } catch {
    return null;
  }
  const n = Array.isArray(m.notes) ? m.notes.length : -1;
  const numbers = (a: unknown, ok: (v: number) => boolean) =>
    Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && ok(v));
  const unit = (v: number) => v >= 0 && v <= 1;
  const family = (v: number) => Number.isInteger(v) && v >= 0 && v < FAMILIES.length;
  const valid =
    n >= 0 &&
    m.notes!.every((s) => typeof s === 'string') &&
    numbers(m.x, unit) &&
    numbers(m.y, unit) &&
    numbers(m.truth, family) &&
    numbers(m.predicted, family) &&
    m.runId === run.id &&
    m.seed === run.seed &&
    Number.isInteger(m.dims) &&
    m.dims! > 0 &&
    (m.weights === 'best' || m.weights === 'last') &&
    (m.epoch === null || Number.isInteger(m.epoch)) &&
    m.split === 'test' &&
    typeof m.createdAt === 'string';
  return valid ? (m as EmbeddingMap) : null;
}

/** The run's stored map, or null when none was made (or its file is unreadable: it is made again). */
export function storedEmbeddingMap(run: RunDetail): EmbeddingMap | null {
  const model = mappedModel(run);
  if (!model) return null;
  try {
    return parseMap(fs.readFileSync(path.join(model.dir, EMBEDDING_MAP_FILE), 'utf8'), run);
  } catch {
    return null;
  }
}

const making = new Map<number, Promise<EmbeddingMap>>();

/**
 * The run's map: stored, or computed in a worker thread (its model's hidden layer for every test
 * note, then UMAP seeded by the run's seed) and stored beside the weights. Progress goes to
 * `progress`; asking again while it is made waits for the same result.
 */
export function makeEmbeddingMap(
  run: RunDetail,
  datasets: WorkbenchDatasets,
  progress: ProgressFn,
): Promise<EmbeddingMap> {
  const stored = storedEmbeddingMap(run);
  if (stored) return Promise.resolve(stored);
  const pending = making.get(run.id);
  if (pending) return pending;
  const made = compute(run, datasets, progress).finally(() => making.delete(run.id));
  making.set(run.id, made);
  return made;
}

async function compute(
  run: RunDetail,
  datasets: WorkbenchDatasets,
  progress: ProgressFn,
): Promise<EmbeddingMap> {
  const model = mappedModel(run);
  if (run.status !== 'finished' || !model)
    throw new RunStateError(`Run ${run.id} has no map: only a finished run with saved weights has one.`);
  if (run.datasetId === null)
    throw new RunStateError(`Run ${run.id}'s data set is gone, so its notes cannot be mapped.`);
  const { meta } = loadModelDir(model.dir);
  progress({ phase: 'features', done: 0, total: 1 });
  const cache = await datasets.buildFeatures(run.datasetId, evaluationFeatures(meta.topology));
  const job: EmbedJob = { modelDir: model.dir, cache, seed: run.seed, batch: 64 };
  const result = await new Promise<Extract<EmbedEvent, { type: 'done' }>>((resolve, reject) => {
    const worker = startWorker(workerUrl);
    let done: Extract<EmbedEvent, { type: 'done' }> | undefined;
    worker.on('message', (e: EmbedEvent) => {
      if (e.type === 'progress') progress({ phase: e.phase, done: e.done, total: e.total });
      else if (e.type === 'done') done = e;
      else reject(new RunStateError(`Run ${run.id}'s map could not be made: ${e.reason}`));
    });
    worker.on('error', (err) => reject(new Error(`The embedding worker crashed: ${err.message}`)));
    worker.on('exit', () =>
      done ? resolve(done) : reject(new Error('The embedding worker stopped without a map.')),
    );
    worker.postMessage(job);
  });
  const map: EmbeddingMap = {
    runId: run.id,
    weights: model.kind,
    epoch: model.epoch,
    split: 'test',
    seed: run.seed,
    dims: result.dims,
    notes: result.notes,
    x: result.x,
    y: result.y,
    truth: result.truth,
    predicted: result.predicted,
    createdAt: new Date().toISOString(),
  };
  // Written whole, then renamed: a map file is either complete or absent.
  const file = path.join(model.dir, EMBEDDING_MAP_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeDurable(tmp, JSON.stringify(map));
  fs.renameSync(tmp, file);
  return map;
}
