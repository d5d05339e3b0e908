// Model folders a worker sends: written whole or refused, never read from anywhere but themselves.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFolder, writeFolder } from '../../../src-main/core/cluster/model-transfer';
import { loadModelDir, saveModelDir } from '../../../src-main/core/training/model-io';
import { tempDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;

beforeEach(() => ({ dir, cleanup } = tempDir('timbre-transfer-')));
afterEach(() => cleanup());

/** A real saved model folder (two weights) as a worker would read it. */
function sent(name = 'source') {
  const source = path.join(dir, name);
  saveModelDir(
    source,
    [
      { name: 'dense/kernel', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { name: 'dense/bias', shape: [3], data: new Float32Array([7, 8, 9]) },
    ],
    { topology: { class_name: 'Test' }, userDefinedMetadata: { epoch: 2 } },
  );
  return readFolder(source);
}

const leftovers = (modelDir: string) => fs.readdirSync(modelDir).filter((n) => n.includes('.tmp-'));

describe('model folders from workers', () => {
  it('writes a folder whole, loadable as the trainer saved it', () => {
    const modelDir = path.join(dir, 'models', '1');
    const written = writeFolder(modelDir, 'checkpoint-2', sent(), new Set());
    expect(written).toBe(path.join(modelDir, 'checkpoint-2'));
    const { weights } = loadModelDir(written);
    expect(weights.map((w) => [w.name, [...w.data]])).toEqual([
      ['dense/kernel', [1, 2, 3, 4, 5, 6]],
      ['dense/bias', [7, 8, 9]],
    ]);
    expect(leftovers(modelDir)).toEqual([]);
  });

  it('refuses a model.json that points its weights anywhere but weights.bin, reading nothing there', () => {
    const secret = path.join(dir, 'secret.bin');
    fs.writeFileSync(secret, Buffer.alloc(64, 1));
    const files = sent();
    const json = JSON.parse(Buffer.from(files['model.json'], 'base64').toString('utf8'));
    json.weightsManifest[0].paths = ['../../secret.bin'];
    const forged = { ...files, 'model.json': Buffer.from(JSON.stringify(json)).toString('base64') };
    const modelDir = path.join(dir, 'models', '1');
    expect(() => writeFolder(modelDir, 'best-2', forged, new Set())).toThrow(
      /The model.json of best-2 must keep its weights in weights.bin/,
    );
    expect(fs.existsSync(path.join(modelDir, 'best-2'))).toBe(false);
  });

  it('refuses weights shorter than the manifest and names that are not model folders, leaving nothing', () => {
    const files = sent();
    const cut = { ...files, 'weights.bin': Buffer.alloc(8).toString('base64') };
    const modelDir = path.join(dir, 'models', '1');
    expect(() => writeFolder(modelDir, 'checkpoint-3', cut, new Set())).toThrow(/not whole.*shorter/);
    expect(fs.existsSync(path.join(modelDir, 'checkpoint-3'))).toBe(false);
    expect(leftovers(modelDir)).toEqual([]);
    for (const name of ['../escape', 'checkpoint-0', 'best', 'last-1/..', 'weights-2'])
      expect(() => writeFolder(modelDir, name, files, new Set()), name).toThrow(
        /is not a model folder's name/,
      );
    expect(fs.existsSync(path.join(dir, 'models', 'escape'))).toBe(false);
  });

  it('keeps a folder the database points at, and replaces a leftover of an epoch never committed', () => {
    const modelDir = path.join(dir, 'models', '1');
    const first = writeFolder(modelDir, 'best-2', sent('a'), new Set());
    const before = fs.readFileSync(path.join(first, 'weights.bin'));
    const other = sent('b');
    const otherJson = JSON.parse(Buffer.from(other['model.json'], 'base64').toString('utf8'));
    otherJson.userDefinedMetadata.epoch = 99;
    const changed = { ...other, 'model.json': Buffer.from(JSON.stringify(otherJson)).toString('base64') };
    // Pointed at: kept as it is.
    writeFolder(modelDir, 'best-2', changed, new Set(['best-2']));
    expect(fs.readFileSync(path.join(first, 'weights.bin'))).toEqual(before);
    expect(
      JSON.parse(fs.readFileSync(path.join(first, 'model.json'), 'utf8')).userDefinedMetadata.epoch,
    ).toBe(2);
    // Not pointed at: replaced whole.
    writeFolder(modelDir, 'best-2', changed, new Set());
    expect(
      JSON.parse(fs.readFileSync(path.join(first, 'model.json'), 'utf8')).userDefinedMetadata.epoch,
    ).toBe(99);
  });
});
