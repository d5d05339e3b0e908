import fs from 'node:fs';
import path from 'node:path';
import type { FeatureCacheInfo, FeatureConfig } from '../../shared/features';
import { errorKind } from '../errors';
import { writeDurable } from '../fs-safe';
import { TrainingError } from './failure';

/** One named weight array with its shape. */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What a saved model directory holds besides its weights. */
export interface SavedModelMeta {
  /** Enough to rebuild the network: model spec, input shape, feature config, labels. */
  topology: Record<string, unknown>;
  /** Anything else worth keeping (epoch, optimizer state names, ...). */
  userDefinedMetadata?: Record<string, unknown>;
}

/** A model directory that cannot be read back. */
export const ModelFileError = errorKind('ModelFileError', 'bad-input');
export type ModelFileError = InstanceType<typeof ModelFileError>;

/** Flushes a folder's entries (a rename into it); not possible on every platform, which is fine. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for fsync; its renames are journaled by NTFS anyway.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes a model in the tfjs artifacts layout (`model.json` with a weights manifest, and
 * `weights.bin`) into `dir.tmp-<pid>`, flushed to the disk, then renamed into place: a crash
 * leaves either no `dir` or a complete one. A folder already at `dir` is replaced, which is not
 * atomic: callers write each folder once (epoch-numbered names), never one the database points at.
 */
export function saveModelDir(dir: string, weights: NamedWeight[], meta: SavedModelMeta): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const bytes = weights.reduce((n, w) => n + w.data.byteLength, 0);
  const bin = Buffer.alloc(bytes);
  let offset = 0;
  for (const w of weights) {
    Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).copy(bin, offset);
    offset += w.data.byteLength;
  }
  writeDurable(path.join(tmp, 'weights.bin'), bin);
  const modelJson = {
    format: 'timbre-workbench',
    generatedBy: 'Timbre Workbench',
    modelTopology: meta.topology,
    userDefinedMetadata: meta.userDefinedMetadata ?? {},
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })),
      },
    ],
  };
  writeDurable(path.join(tmp, 'model.json'), JSON.stringify(modelJson, null, 1));
  syncDir(tmp);
  // Only a leftover of a killed attempt can be here (see above): nothing points at it.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  syncDir(path.dirname(dir));
}

/** Reads a model directory written by saveModelDir. */
export function loadModelDir(dir: string): { weights: NamedWeight[]; meta: SavedModelMeta } {
  const jsonFile = path.join(dir, 'model.json');
  if (!fs.existsSync(jsonFile))
    throw new ModelFileError(`${dir} holds no model.json: not a saved model folder`);
  let json: {
    modelTopology?: Record<string, unknown>;
    userDefinedMetadata?: Record<string, unknown>;
    weightsManifest?: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  };
  try {
    json = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  } catch (err) {
    throw new ModelFileError(`${jsonFile} is not valid JSON: ${(err as Error).message}`);
  }
  if (!json.modelTopology || !json.weightsManifest) {
    throw new ModelFileError(`${jsonFile} is not a Timbre Workbench model (no topology or weights manifest)`);
  }
  const weights: NamedWeight[] = [];
  for (const group of json.weightsManifest) {
    const bin = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > bin.length)
        throw new ModelFileError(`${dir}: weights.bin is shorter than its manifest`);
      const data = new Float32Array(count);
      Buffer.from(data.buffer).set(bin.subarray(offset, offset + count * 4));
      weights.push({ name: spec.name, shape: spec.shape, data });
      offset += count * 4;
    }
  }
  return { weights, meta: { topology: json.modelTopology, userDefinedMetadata: json.userDefinedMetadata } };
}

/** The features a saved model's evaluations read: its cache's longer clip where it had one. */
export function evaluationFeatures(topology: Record<string, unknown>): Partial<FeatureConfig> {
  return (topology.cacheFeatures ?? topology.features) as Partial<FeatureConfig>;
}

/**
 * The window a saved model reads from a cache built with evaluationFeatures: its steps when the
 * cache's rows are its training clip's longer ones (cut at their start), else undefined (whole
 * rows); a TrainingError when the cache's rows cannot give the model's input.
 */
export function evaluationWindow(
  topology: Record<string, unknown>,
  cache: FeatureCacheInfo,
): number | undefined {
  const shape = topology.inputShape as { steps: number; dims: number };
  const longer = topology.cacheFeatures !== undefined && cache.shape.steps > shape.steps;
  if (shape.dims !== cache.shape.dims || (shape.steps !== cache.shape.steps && !longer)) {
    throw new TrainingError(
      `The model reads ${shape.steps}x${shape.dims} features but the data gives ${cache.shape.steps}x${cache.shape.dims}.`,
    );
  }
  return longer ? shape.steps : undefined;
}
