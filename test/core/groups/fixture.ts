// Runs with known results, written straight into a fresh TIMBRE_HOME (no training): two
// configurations of three seeds each, their epochs, test evaluations and per-note predictions.
import path from 'node:path';
import { FAMILIES } from '../../../src-main/shared/constants';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { SweepRepo } from '../../../src-main/core/store/sweeps';
import { emptyDataset, epochMetrics, withStore } from '../../helpers/store';

/** Test accuracies of the two configurations (lr 0.001 and 0.0003), seeds 1-3. */
export const ACC = { fast: [0.6, 0.62, 0.64], slow: [0.55, 0.56, 0.6] };

/** Per note, what each run predicted (family indices), runs in creation order: fast 1-3, slow 1-3. */
export const PREDICTED: Record<string, { truth: number; predicted: number[] }> = {
  'bass_1-040-100': { truth: 0, predicted: [2, 2, 2, 2, 2, 3] },
  'brass_2-050-100': { truth: 1, predicted: [1, 4, 1, 4, 1, 4] },
  'flute_3-060-100': { truth: 2, predicted: [2, 2, 2, 2, 2, 2] },
  'guitar_4-070-100': { truth: 3, predicted: [3, 3, 3, 3, 3, 5] },
};

export interface Seeded {
  fast: number[];
  slow: number[];
  /** A run of the fast configuration that has not been tested (no test metric). */
  untested: number;
  sweep: number;
}

function matrixOf(run: number): number[][] {
  const m = Array.from({ length: FAMILIES.length }, () => new Array<number>(FAMILIES.length).fill(0));
  for (const { truth, predicted } of Object.values(PREDICTED)) m[truth]![predicted[run]!]! += 1;
  return m;
}

/** Writes the runs into the home's database (created if new); the runs belong to one sweep. */
export function seedGroups(home: string): Seeded {
  return withStore(home, ({ db, runs }) => {
    const dataset = emptyDataset(db);
    const sweep = new SweepRepo(db).create('lr', {
      name: 'lr',
      base: { preset: 'seed-lstm' },
      method: 'grid',
      grid: { lr: [0.001, 0.0003] },
      seeds: 3,
    });
    const make = (lr: number, seed: number, trial: number) =>
      runs.create({
        name: `lr ${lr} seed ${seed}`,
        config: resolveTrainConfig('seed-lstm', { lr, seed, epochs: 3 }),
        preset: 'seed-lstm',
        datasetId: dataset,
        datasetFingerprint: 'fp',
        appVersion: 'test',
        sweep: seed <= 3 ? { id: sweep, trial, replicate: seed - 1 } : undefined,
      });
    const out: Seeded = { fast: [], slow: [], untested: 0, sweep };
    const all = [
      ...ACC.fast.map((acc, i) => ({ lr: 0.001, seed: i + 1, acc, trial: 0, list: out.fast })),
      ...ACC.slow.map((acc, i) => ({ lr: 0.0003, seed: i + 1, acc, trial: 1, list: out.slow })),
    ];
    all.forEach(({ lr, seed, acc, trial, list }, index) => {
      const id = make(lr, seed, trial);
      runs.start(id, 'cpu', 'test');
      for (let e = 1; e <= 3; e++)
        runs.recordEpoch(
          id,
          epochMetrics(e, {
            valAccuracy: acc - 0.1 + e * 0.02 + seed * 0.001,
            valLoss: 2 - e * 0.3,
            trainLoss: 2 - e * 0.4,
          }),
          matrixOf(index),
          null,
        );
      runs.end(id, 'finished');
      runs.recordEvaluation({
        runId: id,
        weights: 'best',
        epoch: 3,
        modelDir: path.join(home, 'models', String(id)),
        datasetId: dataset,
        datasetFingerprint: 'fp',
        split: 'test',
        loss: 1 - acc,
        accuracy: acc,
        perClass: [],
        confusion: matrixOf(index),
        labels: [...FAMILIES],
        predictions: Object.entries(PREDICTED).map(([noteStr, { truth, predicted }]) => {
          const probabilities = new Float32Array(FAMILIES.length).fill(0.01);
          probabilities[predicted[index]!] = 0.9;
          return { noteStr, trueFamily: truth, predicted: predicted[index]!, probabilities };
        }),
      });
      list.push(id);
    });
    // A fourth seed of the fast configuration, outside the sweep, trained one epoch and never tested.
    out.untested = make(0.001, 4, 0);
    runs.start(out.untested, 'cpu', 'test');
    runs.recordEpoch(out.untested, epochMetrics(1, { valAccuracy: 0.3 }), null, null);
    runs.end(out.untested, 'interrupted');
    return out;
  });
}
