import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../src-main/core/training/backend';
import type { TrainOverrides } from '../../../../src-main/core/training/config';
import { loadModelDir } from '../../../../src-main/core/training/model-io';
import { buildModel } from '../../../../src-main/core/training/models/build';
import type { ModelSpec } from '../../../../src-main/core/training/models/types';
import { Workbench } from '../../../../src-main/core/workbench';
import { tinyDataset } from '../../../helpers/tiny';
import { tempDir } from '../../../helpers/tmp';

const home = tempDir('timbre-cnn2d-');
let wb: Workbench;
let datasetId: number;
beforeAll(async () => {
  wb = new Workbench({ home: home.dir });
  datasetId = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
});
afterAll(async () => {
  await wb.close();
  home.cleanup();
});

// Two epochs of 16-note batches over 16 log-mel bands of half a second (32 steps): seconds on one core.
const RUNS = {
  'logmel-cnn2d': { hidden: 4, layers: 2, dropout: 0.2, readout: 'attention' },
  'logmel-crnn': { hidden: 8, layers: 1, dropout: 0.1, readout: 'max' },
  'logmel-lstm': { hidden: 8, layers: 2, dropout: 0.1, readout: 'attention' },
} as const satisfies Record<string, TrainOverrides['model']>;

describe('2-D CNN, CRNN and attention runs through the app, in its training worker on wasm', () => {
  for (const [preset, model] of Object.entries(RUNS)) {
    it(`trains ${preset} (${model.readout}) for 2 epochs and saves a model that loads into a fresh build`, async () => {
      const run = await wb.createRun({
        preset,
        overrides: {
          epochs: 2,
          batch: 16,
          model,
          features: { seconds: 0.5, nMels: 16, maxPerFamily: 3 },
        },
        dataset: datasetId,
        backend: 'wasm',
      });
      const done = await wb.waitForRun(run.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe('finished');
      expect(done.config.model).toMatchObject(model);
      // The CNNs' presets scale each clip and pitch-shift and average; logmel-lstm is the seed's.
      expect(done.config.features).toMatchObject({
        representation: 'logmel',
        normalization: preset === 'logmel-lstm' ? 'standard' : 'clip',
      });
      expect(done.config.averageLast).toBe(preset === 'logmel-lstm' ? 1 : 5);
      expect(done.history.map((h) => h.epoch)).toEqual([1, 2]);
      for (const h of done.history) {
        expect(Number.isFinite(h.trainLoss)).toBe(true);
        expect(Number.isFinite(h.valLoss)).toBe(true);
      }
      const test = done.evaluations.find((e) => e.split === 'test' && e.weights === 'best')!;
      expect(test.accuracy).toBeGreaterThanOrEqual(0);

      // The saved folder loads into a fresh build of another seed, which then answers identically.
      await selectBackend('wasm');
      const { weights, meta } = loadModelDir(done.models.find((m) => m.kind === 'last')!.dir);
      const spec = meta.topology.model as ModelSpec;
      const shape = meta.topology.inputShape as { steps: number; dims: number };
      expect(shape).toEqual({ steps: 32, dims: 16 });
      expect(weights.map((w) => w.name)).toContain(
        model.readout === 'attention' ? 'attention.kernel' : 'fc.kernel',
      );
      expect(weights.some((w) => w.name.startsWith('conv0.'))).toBe(preset !== 'logmel-lstm');
      const net = buildModel(spec, shape, 12345);
      const fresh = tf.tidy(() => net.apply(tf.ones([2, shape.steps, shape.dims]), false).dataSync());
      net.setWeights(Object.fromEntries(weights.map((w) => [w.name, w.data])));
      const loaded = tf.tidy(() => net.apply(tf.ones([2, shape.steps, shape.dims]), false).dataSync());
      expect(Array.from(loaded).every(Number.isFinite)).toBe(true);
      expect(Array.from(loaded)).not.toEqual(Array.from(fresh));
      net.dispose();
    });
  }
});
