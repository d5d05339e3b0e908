// Data-parallel training (issue 15): the same run on one and on two threads, real worker threads
// and real tfjs wasm on the tiny set the app renders, gives the same losses and weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { partBounds } from '../../../src-main/core/training/data-parallel';
import { loadModelDir } from '../../../src-main/core/training/model-io';
import { Workbench } from '../../../src-main/core/workbench';
import type { RunDetail } from '../../../src-main/shared/training';
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

// Every aid of a step at once, on the LSTM (its own op and BPTT); a batch of 5 splits 2 + 3, and
// the epoch ends on a shorter batch.
const OVERRIDES = {
  epochs: 2,
  batch: 5,
  model: { type: 'lstm', hidden: 8, layers: 2 },
  features: {
    representation: 'logmel',
    seconds: 0.25,
    nMels: 16,
    normalization: 'standard',
    maxPerFamily: 3,
  },
  optimizer: 'adamw',
  weightDecay: 0.01,
  clip: 0.5,
  labelSmoothing: 0.1,
  balance: 'weights',
  mixup: 0.3,
  gain: 6,
  pitch: 1,
  timeMasks: 1,
  timeMaskWidth: 4,
  schedule: 'cosine',
} as const;

function start(workers: number) {
  return wb.createRun({
    preset: 'seed-lstm',
    overrides: { ...OVERRIDES, workers },
    dataset,
    backend: 'wasm',
  });
}

async function train(workers: number): Promise<RunDetail> {
  const run = await start(workers);
  return wb.waitForRun(run.id);
}

function lastWeights(run: RunDetail): Map<string, Float32Array> {
  const last = run.models.find((m) => m.kind === 'last')!;
  return new Map(loadModelDir(last.dir).weights.map((w) => [w.name, w.data]));
}

function expectClose(a: number[], b: number[], tolerance: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tolerance);
}

describe('data-parallel training', () => {
  it('refuses a thread count that is not a whole number from 1 to 16', () => {
    for (const workers of [0, 17, 1.5, 'two'])
      expect(() => resolveTrainConfig('seed-lstm', { workers: workers as number })).toThrow(
        /workers must be a whole number from 1 to 16/,
      );
    expect(resolveTrainConfig('seed-lstm', { workers: 2 }).workers).toBe(2);
  });

  it('splits a batch into parts differing by at most one note, empty parts when notes are fewer', () => {
    expect([0, 1].map((i) => partBounds(7, 2, i))).toEqual([
      [0, 3],
      [3, 7],
    ]);
    expect([0, 1, 2].map((i) => partBounds(2, 3, i))).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
    ]);
  });

  it('gives on two threads the losses and weights of one, cancelled and resumed from a checkpoint', async () => {
    const one = await train(1);
    // On two threads, cancelled during epoch 2, then resumed from its checkpoint.
    const run = await start(2);
    const stop = wb.subscribe((e) => {
      if (e.type === 'run' && e.runId === run.id && e.event.type === 'epoch') void wb.cancelRun(run.id);
    });
    const cancelled = await wb.waitForRun(run.id);
    stop();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.map((h) => h.epoch)).toEqual([1]);
    await wb.resumeRun(run.id);
    const two = await wb.waitForRun(run.id);
    for (const r of [one, two]) {
      expect(r.error).toBeNull();
      expect(r.status).toBe('finished');
    }
    expect(two.config.workers).toBe(2);
    expect(two.backendVersion).toMatch(/tfjs-backend-wasm .*\(simd, 1 thread\), 2 threads$/);
    expect(one.backendVersion).toMatch(/1 thread\)$/);
    expect(two.params).toMatchObject({ workers: 2 });
    const metric = (r: RunDetail) => r.history.flatMap((h) => [h.trainLoss, h.valLoss!, h.trainAccuracy]);
    expectClose(metric(two), metric(one), 1e-5);
    const w1 = lastWeights(one);
    const w2 = lastWeights(two);
    expect([...w2.keys()]).toEqual([...w1.keys()]);
    for (const [name, w] of w1) expectClose([...w2.get(name)!], [...w], 1e-5);
  }, 60_000);
});
