// Model folders carried between a worker and the hub: read whole on one side, checked and written
// whole on the other (a temporary renamed into place, as the trainer writes its own).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorKind } from '../errors';
import { loadModelDir } from '../training/model-io';
import { FOLDER_NAME, MODEL_FILES } from './protocol';

/** A model folder a worker sent that the hub cannot use. */
export const ModelTransferError = errorKind('ModelTransferError', 'bad-input');

/** A model folder's files as base64, for a report. */
export type FolderFiles = Record<(typeof MODEL_FILES)[number], string>;

/** Reads a saved model folder's files (model.json, weights.bin) as base64. */
export function readFolder(dir: string): FolderFiles {
  return {
    'model.json': fs.readFileSync(path.join(dir, 'model.json')).toString('base64'),
    'weights.bin': fs.readFileSync(path.join(dir, 'weights.bin')).toString('base64'),
  };
}

/**
 * Writes a model folder a worker sent into `modelDir/name`, whole or not at all: its model.json
 * must name only weights.bin and weights.bin must hold every weight it lists. A folder of that name
 * already there is kept when `keep` names it (the database points at it), else replaced (a
 * leftover of an epoch never committed). Returns the folder's path.
 */
export function writeFolder(
  modelDir: string,
  name: string,
  files: FolderFiles,
  keep: ReadonlySet<string>,
): string {
  if (!FOLDER_NAME.test(name))
    throw new ModelTransferError(`"${name.slice(0, 40)}" is not a model folder's name.`);
  const dir = path.join(modelDir, name);
  if (keep.has(name) && fs.existsSync(dir)) return dir;
  const json = Buffer.from(files['model.json'], 'base64');
  checkManifest(name, json);
  fs.mkdirSync(modelDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(tmp);
  try {
    fs.writeFileSync(path.join(tmp, 'model.json'), json);
    fs.writeFileSync(path.join(tmp, 'weights.bin'), Buffer.from(files['weights.bin'], 'base64'));
    try {
      loadModelDir(tmp);
    } catch (err) {
      throw new ModelTransferError(`The model folder ${name} is not whole: ${(err as Error).message}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/** model.json must be JSON whose weights all live in weights.bin: no other path is ever read. */
function checkManifest(name: string, json: Buffer): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw new ModelTransferError(`The model.json of ${name} is not JSON.`);
  }
  const manifest = (parsed as { weightsManifest?: unknown } | null)?.weightsManifest;
  const ok =
    Array.isArray(manifest) &&
    manifest.every((g: unknown) => {
      const paths = (g as { paths?: unknown } | null)?.paths;
      return Array.isArray(paths) && paths.length === 1 && paths[0] === 'weights.bin';
    });
  if (!ok) throw new ModelTransferError(`The model.json of ${name} must keep its weights in weights.bin.`);
}
