import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../../src-main/core/workbench';
import type { TrainOverrides } from '../../../src-main/core/training/config';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

let wb: Workbench;
let root: string;
let cleanup: () => void;

const SMALL: TrainOverrides = {
  epochs: 1,
  batch: 16,
  model: { type: 'mlp', hidden: 8, layers: 1 },
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, maxPerFamily: 3 },
};

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  // A copy of the tiny set, so that the test can change it under the Workbench.
  root = path.join(t.dir, 'data');
  fs.cpSync(await tinyDataset(), root, { recursive: true });
  wb = new Workbench({ home: path.join(t.dir, 'home') });
});
afterAll(async () => {
  await wb?.close();
  cleanup?.();
});

describe('a run as the queue gets it', () => {
  it('fails a queued run whose data set was imported again, changed, before the run came to train', async () => {
    const dataset = await wb.importDataset(root, 'copy');
    // The first run holds the queue while the second waits behind it.
    const first = await wb.createRun({
      preset: 'seed-lstm',
      overrides: { ...SMALL, epochs: 50, batch: 1 },
      dataset: dataset.id,
      backend: 'cpu',
    });
    const second = await wb.createRun({
      preset: 'seed-lstm',
      overrides: SMALL,
      dataset: dataset.id,
      backend: 'cpu',
    });
    expect(await wb.queueState()).toMatchObject({ active: first.id, queued: [second.id] });

    // One train note fewer: the data set's fingerprint changes when it is imported again.
    const examples = path.join(root, 'nsynth-train', 'examples.json');
    const notes = JSON.parse(fs.readFileSync(examples, 'utf8')) as Record<string, unknown>;
    delete notes[Object.keys(notes)[0]!];
    fs.writeFileSync(examples, JSON.stringify(notes));
    const again = await wb.importDataset(root, 'copy');
    expect(again.id).toBe(dataset.id);
    expect(again.fingerprint).not.toBe(dataset.fingerprint);

    await wb.cancelRun(first.id);
    const done = await wb.waitForRun(second.id);
    expect(done.status).toBe('failed');
    expect(done.error).toBe(
      `Could not compute the features: The data set "copy" changed since run ${second.id} was created (its fingerprint differs).`,
    );
    expect(done.history).toEqual([]);
  });

  it('trains a run on the data set as it is now, and records its evaluations against it', async () => {
    const dataset = await wb.getDataset('copy');
    const run = await wb.createRun({
      preset: 'seed-lstm',
      overrides: SMALL,
      dataset: dataset.id,
      backend: 'cpu',
    });
    const done = await wb.waitForRun(run.id);
    expect(done.status, done.error ?? '').toBe('finished');
    expect(done.datasetFingerprint).toBe(dataset.fingerprint);
    expect(done.evaluations.length).toBeGreaterThan(0);
    for (const e of done.evaluations) {
      expect([e.datasetId, e.datasetFingerprint]).toEqual([dataset.id, dataset.fingerprint]);
    }
    const folder = await wb.runModelFolder(run.id);
    expect(done.models.every((m) => path.dirname(m.dir) === folder)).toBe(true);
  });
});
