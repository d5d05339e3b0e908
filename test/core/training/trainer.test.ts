import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../../src-main/core/workbench';
import type { TrainOverrides } from '../../../src-main/core/training/config';
import { FAMILIES } from '../../../src-main/shared/constants';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';
import { unpackRuns } from '../../../src-main/shared/run-list';

let wb: Workbench;
let cleanup: () => void;
let datasetId: number;

// Small enough to train in seconds on one core, yet every layer type is exercised.
const SMALL: TrainOverrides = {
  epochs: 2,
  batch: 16,
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, normalization: 'standard', maxPerFamily: 3 },
};
const MODELS: Record<string, TrainOverrides['model']> = {
  mlp: { type: 'mlp', hidden: 16, layers: 1 },
  cnn: { type: 'cnn', hidden: 4, layers: 2 },
  lstm: { type: 'lstm', hidden: 8, layers: 2 },
  blstm: { type: 'blstm', hidden: 6, layers: 1 },
};

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  wb = new Workbench({ home: t.dir });
  datasetId = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
});
afterAll(async () => {
  await wb.close();
  cleanup();
});

describe('training in a worker thread', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [name, model] of Object.entries(MODELS)) {
      it(`trains ${name} on the ${backend} backend and records what the run reported`, async () => {
        const events: string[] = [];
        const stop = wb.subscribe((e) => e.type === 'run' && events.push(e.event.type));
        const run = await wb.createRun({
          preset: 'seed-lstm',
          overrides: { ...SMALL, model },
          dataset: datasetId,
          backend,
        });
        const done = await wb.waitForRun(run.id);
        stop();
        expect(done.error).toBeNull();
        expect(done.status).toBe('finished');
        expect(done.backend).toBe(backend);
        expect(done.backendVersion).toMatch(/tfjs-core 4\.22\.0/);
        expect(done.history.map((h) => h.epoch)).toEqual([1, 2]);
        for (const h of done.history) {
          expect(Number.isFinite(h.trainLoss)).toBe(true);
          expect(h.valAccuracy).toBeGreaterThanOrEqual(0);
          expect(h.samplesPerSecond).toBeGreaterThan(0);
        }
        expect(done.confusions).toHaveLength(2);
        const tests = done.evaluations.filter((e) => e.split === 'test');
        expect(tests.map((e) => e.weights).sort()).toEqual(['best', 'last']);
        const best = tests.find((e) => e.weights === 'best')!;
        const notes = best.confusion.flat().reduce((a, b) => a + b, 0);
        expect(best.labels).toEqual([...FAMILIES]);
        expect(best.accuracy).toBeCloseTo(best.confusion.reduce((a, r, i) => a + r[i]!, 0) / notes, 10);
        expect(done.testAccuracy).toBe(best.accuracy);
        // The trainer's best weights are those of the epoch the store names best: the most accurate on validation.
        expect(best.epoch).toBe(done.bestEpoch);
        const top = Math.max(...done.history.map((h) => h.valAccuracy!));
        expect(done.history.find((h) => h.epoch === done.bestEpoch)!.valAccuracy).toBe(top);
        const predictions = await wb.listPredictions(run.id, 'test', 'best');
        expect(predictions.evaluationId).toBe(best.id);
        expect(predictions.notes).toHaveLength(notes);
        expect(done.models.map((m) => m.kind).sort()).toEqual(['best', 'last']);
        for (const m of done.models) expect(fs.existsSync(path.join(m.dir, 'model.json'))).toBe(true);
        expect(events).toContain('batch');
        expect(events.filter((e) => e === 'epoch')).toHaveLength(2);
      });
    }
  }

  it('evaluates a saved model again and records it (test mode)', async () => {
    const run = unpackRuns(await wb.listRuns()).find((r) => r.status === 'finished')!;
    const ev = await wb.testModel({ model: run.id, dataset: datasetId, split: 'valid', backend: 'cpu' });
    expect(ev.split).toBe('valid');
    expect(ev.weights).toBe('external');
    expect(ev.runId).toBe(run.id);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect((await wb.getRun(run.id)).evaluations.some((e) => e.id === ev.id)).toBe(true);
  });

  it('fails a diverging run with a readable reason', async () => {
    const run = await wb.createRun({
      preset: 'seed-lstm',
      overrides: { ...SMALL, model: MODELS.mlp, optimizer: 'sgd', lr: 10, momentum: 0.99, epochs: 5 },
      dataset: datasetId,
      backend: 'cpu',
    });
    const done = await wb.waitForRun(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/training diverged/);
  });

  it('cancels a training run within one batch and queues runs one after another', async () => {
    const long = { ...SMALL, model: MODELS.lstm, epochs: 50, batch: 1 };
    const first = await wb.createRun({
      preset: 'seed-lstm',
      overrides: long,
      dataset: datasetId,
      backend: 'cpu',
    });
    const second = await wb.createRun({
      preset: 'seed-lstm',
      overrides: long,
      dataset: datasetId,
      backend: 'cpu',
    });
    expect(await wb.queueState()).toMatchObject({ active: first.id, queued: [second.id] });
    await wb.cancelRun(second.id);
    expect((await wb.getRun(second.id)).status).toBe('cancelled');
    await new Promise<void>((resolve) => {
      const stop = wb.subscribe((e) => {
        if (e.type === 'run' && e.runId === first.id && e.event.type === 'batch') {
          stop();
          resolve();
        }
      });
    });
    await wb.cancelRun(first.id);
    const done = await wb.waitForRun(first.id);
    expect(done.status).toBe('cancelled');
    // Stopped in its first epoch (cancelled after its first batch), not after the 50 asked for.
    expect(done.epochsDone).toBeLessThanOrEqual(1);
  });
});
