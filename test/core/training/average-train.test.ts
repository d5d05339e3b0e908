// Weight averaging over a run's last epochs (issue 14, `averageLast`): the last model is the mean
// of the weights the run had after each of those epochs, also across a cancel and resume; real
// SQLite, real worker threads and real tfjs on the tiny set the app renders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { loadModelDir } from '../../../src-main/core/training/model-io';
import { describeOptimizer } from '../../../src-main/core/reports/describe';
import { Workbench } from '../../../src-main/core/workbench';
import { averagedEpochs, type RunDetail } from '../../../src-main/shared/training';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

let wb: Workbench;
let cleanup: () => void;
let dataset: number;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  wb = new Workbench({ home: t.dir });
  dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
});
afterAll(async () => {
  await wb.close();
  cleanup();
});

// A constant learning rate: the first epochs of a 3-epoch run are those of a 2-epoch run.
const BASE = {
  batch: 8,
  model: { hidden: 12, layers: 1 },
  features: { seconds: 0.25, nMels: 16, maxPerFamily: 3 },
  pitch: 1,
} as const;

function start(overrides: { epochs: number; averageLast?: number }) {
  return wb.createRun({
    preset: 'logmel-mlp',
    // The preset's own averaging off unless asked for.
    overrides: { ...BASE, averageLast: 1, ...overrides },
    dataset,
    backend: 'cpu',
  });
}

async function train(overrides: { epochs: number; averageLast?: number }): Promise<RunDetail> {
  const run = await wb.waitForRun((await start(overrides)).id);
  expect(run.error).toBeNull();
  expect(run.status).toBe('finished');
  return run;
}

function weights(run: RunDetail, kind: 'best' | 'last'): Map<string, Float32Array> {
  const dir = run.models.find((m) => m.kind === kind)!.dir;
  return new Map(loadModelDir(dir).weights.map((w) => [w.name, w.data]));
}

describe('weight averaging over the last epochs', () => {
  it('spans the last epochs the run reached, from two of them', () => {
    expect(averagedEpochs({ epochs: 15, averageLast: 5 }, 15)).toEqual({ from: 11, to: 15 });
    // An early stop inside the span averages the epochs it reached; before it, none.
    expect(averagedEpochs({ epochs: 15, averageLast: 5 }, 13)).toEqual({ from: 11, to: 13 });
    expect(averagedEpochs({ epochs: 15, averageLast: 5 }, 11)).toBeNull();
    expect(averagedEpochs({ epochs: 15, averageLast: 5 }, 8)).toBeNull();
    expect(averagedEpochs({ epochs: 3, averageLast: 50 }, 3)).toEqual({ from: 1, to: 3 });
    expect(averagedEpochs({ epochs: 15, averageLast: 1 }, 15)).toBeNull();
    // Runs from before the setting average nothing.
    expect(averagedEpochs({ epochs: 15 }, 15)).toBeNull();
  });

  it('refuses a span that is not a whole number from 1 to 50; a longer one than the run spans all of it', () => {
    for (const averageLast of [0, 51, 2.5, 'all'])
      expect(() => resolveTrainConfig('logmel-mlp', { averageLast: averageLast as number })).toThrow(
        /averageLast must be a whole number from 1 to 50 \(got/,
      );
    expect(resolveTrainConfig('logmel-mlp', { epochs: 3, averageLast: 5 }).averageLast).toBe(5);
    expect(averagedEpochs({ epochs: 3, averageLast: 5 }, 3)).toEqual({ from: 1, to: 3 });
    // Off but in the first preset.
    expect(resolveTrainConfig('seed-lstm', {}).averageLast).toBe(1);
    expect(resolveTrainConfig('logmel-mlp', {}).averageLast).toBe(5);
  });

  it("makes the last model the mean of the last epochs' weights, keeps the best one, and survives a cancel and resume", async () => {
    const two = await train({ epochs: 2 });
    const three = await train({ epochs: 3 });
    const averaged = await train({ epochs: 3, averageLast: 2 });
    // The same training: the same history and the same best model.
    expect(averaged.history.map((h) => h.trainLoss)).toEqual(three.history.map((h) => h.trainLoss));
    expect(averaged.bestEpoch).toBe(three.bestEpoch);
    expect([...weights(averaged, 'best')]).toEqual([...weights(three, 'best')]);
    // The last model: the mean of the weights after epochs 2 and 3.
    const w2 = weights(two, 'last');
    const w3 = weights(three, 'last');
    const mean = weights(averaged, 'last');
    expect([...mean.keys()]).toEqual([...w3.keys()]);
    let moved = 0;
    for (const [name, w] of mean) {
      const a = w2.get(name)!;
      const b = w3.get(name)!;
      for (let i = 0; i < w.length; i++) {
        expect(Math.abs(w[i]! - (a[i]! + b[i]!) / 2)).toBeLessThan(1e-6);
        if (Math.abs(w[i]! - b[i]!) > 1e-6) moved++;
      }
    }
    expect(moved).toBeGreaterThan(0);
    // Tested as the last weights are, recorded and described.
    const last = averaged.evaluations.find((e) => e.split === 'test' && e.weights === 'last')!;
    expect(last.epoch).toBe(3);
    expect(averaged.config.averageLast).toBe(2);
    expect(averaged.params).toMatchObject({ averageLast: 2 });
    expect(describeOptimizer(averaged)).toBe(
      'adam lr 0.0008, augmented: pitch ±1 st, last 2 epochs averaged',
    );

    // Cancelled once epoch 2 is in (the flag lands within one of the next epochs, all inside the
    // span) and resumed: the sum so far came back from the checkpoint, and the last model is the
    // uninterrupted run's.
    const whole = await train({ epochs: 6, averageLast: 5 });
    const run = await start({ epochs: 6, averageLast: 5 });
    const stop = wb.subscribe((e) => {
      if (e.type === 'run' && e.runId === run.id && e.event.type === 'epoch' && e.event.metrics.epoch === 2)
        void wb.cancelRun(run.id);
    });
    const cancelled = await wb.waitForRun(run.id);
    stop();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.length).toBeGreaterThanOrEqual(2);
    expect(cancelled.history.length).toBeLessThan(6);
    await wb.resumeRun(run.id);
    const resumed = await wb.waitForRun(run.id);
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const want = weights(whole, 'last');
    for (const [name, w] of weights(resumed, 'last')) {
      const m = want.get(name)!;
      for (let i = 0; i < w.length; i++) expect(Math.abs(w[i]! - m[i]!)).toBeLessThan(1e-6);
    }
  }, 120_000);
});
