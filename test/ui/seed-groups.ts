// Two configurations of three seeds each, seeded for the groups view's test without training: epochs
// with validation matrices, and a test evaluation of each run's best weights with a prediction for
// every note of the tiny set's test split, written straight into the store.
import path from 'node:path';
import { Workbench } from '../../src-main/core/workbench';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { FAMILIES } from '../../src-main/shared/constants';
import { tinyDataset } from '../helpers/tiny';

/** What was seeded: each configuration's run ids, and the notes every run gets wrong. */
export interface SeededGroups {
  lstm: number[];
  blstm: number[];
  /** Test notes all six runs get wrong, each predicted as the next family. */
  hard: string[];
  /** Test notes in all. */
  notes: number;
  epochs: number;
}

const EPOCHS = 8;
const F = FAMILIES.length;

/** Seeds a TIMBRE_HOME with the tiny default set and six finished runs: seed-lstm and seed-blstm, seeds 1 to 3. */
export async function seedGroups(home: string): Promise<SeededGroups> {
  const wb = new Workbench({ home, queue: 'watch' });
  await wb.importDataset(await tinyDataset(), 'default');
  await wb.close();

  const db = openDatabase(path.join(home, 'timbre.db'));
  const dataset = new DatasetRepo(db).find('default')!;
  const test = new DatasetRepo(db).notes(dataset.id).filter((n) => n.split === 'test');
  const runs = new RunRepo(db);
  const hard = test.filter((_, i) => i % 9 === 0).map((n) => n.noteStr);
  const seeded: SeededGroups = { lstm: [], blstm: [], hard, notes: test.length, epochs: EPOCHS };

  db.transaction(() => {
    for (const [g, preset] of (['seed-lstm', 'seed-blstm'] as const).entries()) {
      for (let seed = 1; seed <= 3; seed++) {
        const id = runs.create({
          name: `${preset.slice(5)} s${seed}`,
          config: resolveTrainConfig(preset, { epochs: EPOCHS, seed }),
          preset,
          datasetId: dataset.id,
          datasetFingerprint: dataset.fingerprint,
          appVersion: '0.1.0',
        });
        runs.start(id, 'wasm', '4.22.0');
        // The LSTM learns faster and further; each seed a little apart.
        const top = (g === 0 ? 0.62 : 0.55) + (seed - 2) * 0.015;
        for (let e = 1; e <= EPOCHS; e++) {
          const acc = top * (1 - Math.exp(-e / (2 + g))) + 0.05;
          const right = Math.round(acc * 10);
          runs.recordEpoch(
            id,
            {
              epoch: e,
              trainLoss: 2.2 / (1 + e / (3 + seed)),
              trainAccuracy: Math.min(1, acc + 0.08),
              valLoss: 2.3 / (1 + e / (4 + g)) + seed * 0.02,
              valAccuracy: acc,
              seconds: 2,
              samplesPerSecond: 400,
            },
            FAMILIES.map((_, t) =>
              FAMILIES.map((_, p) => (t === p ? right : p === (t + 1) % F ? 10 - right : 0)),
            ),
            null,
          );
        }
        // Which test notes this run gets wrong: the hard ones always, the rest by a pattern of its seed
        // (the BLSTM more often).
        const predictions = test.map((n, i) => {
          const wrong = i % 9 === 0 || (i + seed) % (g === 0 ? 5 : 3) === 0 || i % (9 + seed) === 4;
          const predicted = wrong ? (n.family + 1 + (i % 9 === 0 ? 0 : seed % 2)) % F : n.family;
          const probabilities = new Float32Array(F).fill(0.3 / (F - 1));
          probabilities[predicted] = 0.7;
          return { noteStr: n.noteStr, trueFamily: n.family, predicted, probabilities };
        });
        const confusion = FAMILIES.map(() => FAMILIES.map(() => 0));
        for (const p of predictions) confusion[p.trueFamily]![p.predicted]!++;
        const correct = predictions.filter((p) => p.predicted === p.trueFamily).length;
        runs.recordEvaluation({
          runId: id,
          weights: 'best',
          epoch: EPOCHS,
          modelDir: '/nowhere',
          datasetId: dataset.id,
          datasetFingerprint: dataset.fingerprint,
          split: 'test',
          loss: 1.2 + g * 0.1,
          accuracy: correct / predictions.length,
          perClass: FAMILIES.map((label) => ({ label, precision: 0.5, recall: 0.5, f1: 0.5, support: 1 })),
          confusion,
          labels: [...FAMILIES],
          predictions,
        });
        runs.end(id, 'finished');
        (g === 0 ? seeded.lstm : seeded.blstm).push(id);
      }
    }
  })();
  db.close();
  return seeded;
}
