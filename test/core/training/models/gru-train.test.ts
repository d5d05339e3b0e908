import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns } from '../../../../src-main/core/compare';
import { availableBackends, selectBackend } from '../../../../src-main/core/training/backend';
import type { TrainOverrides } from '../../../../src-main/core/training/config';
import { loadModelDir } from '../../../../src-main/core/training/model-io';
import { buildModel } from '../../../../src-main/core/training/models/build';
import type { ModelSpec } from '../../../../src-main/core/training/models/types';
import { Workbench } from '../../../../src-main/core/workbench';
import type { RunDetail } from '../../../../src-main/shared/training';
import { tinyDataset } from '../../../helpers/tiny';
import { tempDir } from '../../../helpers/tmp';
import { unpackRuns } from '../../../../src-main/shared/run-list';

const home = tempDir('timbre-gru-');
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

// Two epochs of 16-note batches over 16 log-mel bands of half a second: seconds on one core.
// Dropout on, so the training path uses it.
const MODELS = {
  gru: { type: 'gru', hidden: 8, layers: 2, dropout: 0.2, readout: 'max' },
  bgru: { type: 'bgru', hidden: 6, layers: 2, dropout: 0.1, readout: 'last' },
} as const satisfies Record<string, TrainOverrides['model']>;
const overrides = (model: TrainOverrides['model']): TrainOverrides => ({
  epochs: 2,
  batch: 16,
  model,
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, normalization: 'standard', maxPerFamily: 3 },
});

/** The weight names a GRU of `spec` saves, in order. */
function gruWeightNames(spec: { type: string; layers: number }): string[] {
  const dirs = spec.type === 'bgru' ? ['', '_reverse'] : [''];
  const parts = ['kernel', 'recurrent_kernel', 'bias', 'recurrent_bias'];
  const layers = Array.from({ length: spec.layers }, (_, l) =>
    dirs.flatMap((d) => parts.map((p) => `gru.l${l}${d}.${p}`)),
  );
  return [...layers.flat(), 'fc.kernel', 'fc.bias'];
}

const finished: RunDetail[] = [];

describe('GRU and BGRU runs through the app, in its training worker', () => {
  for (const backend of availableBackends()) {
    for (const [name, model] of Object.entries(MODELS)) {
      it(`trains ${name} for 2 epochs on ${backend}, records its history and saves a model that loads`, async () => {
        const run = await wb.createRun({
          preset: 'seed-lstm',
          overrides: overrides(model),
          dataset: datasetId,
          backend,
        });
        const done = await wb.waitForRun(run.id);
        expect(done.error).toBeNull();
        expect(done.status).toBe('finished');
        expect(done.backend).toBe(backend);
        expect(done.config.model).toMatchObject(model);
        expect(done.history.map((h) => h.epoch)).toEqual([1, 2]);
        for (const h of done.history) {
          expect(Number.isFinite(h.trainLoss)).toBe(true);
          expect(Number.isFinite(h.valLoss)).toBe(true);
          expect(h.valAccuracy).toBeGreaterThanOrEqual(0);
        }
        expect(done.evaluations.filter((e) => e.split === 'test').map((e) => e.weights)).toContain('best');
        expect(done.models.map((m) => m.kind).sort()).toEqual(['best', 'last']);
        finished.push(done);

        // The saved folder holds the GRU's weights under their stable names, and loads into a fresh build.
        await selectBackend(backend);
        const { weights, meta } = loadModelDir(done.models.find((m) => m.kind === 'last')!.dir);
        expect(weights.map((w) => w.name)).toEqual(gruWeightNames(model));
        const spec = meta.topology.model as ModelSpec;
        const shape = meta.topology.inputShape as { steps: number; dims: number };
        expect(spec.type).toBe(name);
        const net = buildModel(spec, shape, 12345);
        net.setWeights(Object.fromEntries(weights.map((w) => [w.name, w.data])));
        expect(net.getWeights()).toEqual(Object.fromEntries(weights.map((w) => [w.name, w.data])));
        const probabilities = tf.tidy(() =>
          tf.softmax(net.apply(tf.ones([2, shape.steps, shape.dims]), false)).dataSync(),
        );
        expect(Array.from(probabilities).every(Number.isFinite)).toBe(true);
        net.dispose();
      });
    }
  }

  it('the runs list, comparisons and reports show the GRU runs with no change of their own', async () => {
    expect(finished.length).toBe(2 * availableBackends().length);
    const ids = finished.map((r) => r.id);
    const listed = unpackRuns(await wb.listRuns()).filter((r) => ids.includes(r.id));
    expect(listed.map((r) => r.model).sort()).toEqual(finished.map((r) => r.config.model.type).sort());
    const compared = compareRuns((await wb.getRuns(ids)).map((r) => r!));
    const types = Object.values(compared.differing).find((v) => v.includes('gru'));
    expect(types).toEqual(finished.map((r) => r.config.model.type));
    expect(compared.metrics.map((m) => m.bestValAccuracy)).toEqual(finished.map((r) => r.bestValAccuracy));
    const report = await wb.exportReport(ids, 'md');
    const text = report.files.map((f) => Buffer.from(f.base64, 'base64').toString('utf8')).join('\n');
    expect(text).toContain('gru 8x2, dropout 0.2');
    expect(text).toContain('bgru 6x2, dropout 0.1');
  });
});
