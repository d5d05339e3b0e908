// How long the database's integrity check takes at 10,000 runs (issue 10): each run has 20 epochs
// with a validation confusion matrix and per-note validation predictions, and a test evaluation
// with every test note's class probabilities. Run: npx tsx test/bench/db-check.ts [DIR] [VALID] [TEST]
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src-main/core/store/database';
import { scanPages } from '../../src-main/core/store/integrity';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';

const RUNS = 10_000;
const EPOCHS = 20;

/** Writes RUNS finished runs, each with EPOCHS epochs and one test evaluation, into a fresh store. */
function seed(file: string, validNotes: number, testNotes: number): void {
  const db = openDatabase(file);
  const ds = new DatasetRepo(db).save({
    name: 'bench',
    root: '/none',
    fingerprint: 'f',
    notes: [],
    splits: {},
    skipped: [],
  });
  const runs = new RunRepo(db);
  const confusion = Array.from({ length: 11 }, (_, t) =>
    Array.from({ length: 11 }, (_, p) => (t === p ? 40 : p)),
  );
  const predicted = new Uint8Array(validNotes).map((_, i) => i % 11);
  const probabilities = new Float32Array(11).fill(1 / 11);
  for (let start = 0; start < RUNS; start += 500) {
    db.transaction(() => {
      for (let i = start; i < start + 500; i++) {
        const id = runs.create({
          name: `bulk ${i}`,
          config: resolveTrainConfig('seed-lstm', { epochs: EPOCHS }),
          preset: 'seed-lstm',
          datasetId: ds.id,
          datasetFingerprint: 'f',
          appVersion: 'bench',
        });
        for (let e = 1; e <= EPOCHS; e++) {
          const m = {
            epoch: e,
            trainLoss: 1 / e,
            trainAccuracy: 0.5,
            valLoss: 1 / e,
            valAccuracy: 0.4 + e / 100,
          };
          runs.recordEpoch(id, { ...m, seconds: 3, samplesPerSecond: 900 }, confusion, predicted);
        }
        if (testNotes) {
          runs.recordEvaluation({
            runId: id,
            weights: 'best',
            epoch: 3,
            modelDir: `/models/${id}/best`,
            datasetId: ds.id,
            datasetFingerprint: 'f',
            split: 'test',
            loss: 1,
            accuracy: 0.6,
            perClass: [],
            confusion,
            labels: [],
            predictions: Array.from({ length: testNotes }, (_, n) => ({
              noteStr: `instrument_${n}-040-100`,
              trueFamily: n % 11,
              predicted: (n * 7) % 11,
              probabilities,
            })),
          });
        }
        runs.end(id, 'finished');
      }
    })();
  }
  db.close();
}

function time(db: Database.Database, sql: string): { ms: number; result: unknown } {
  const t0 = performance.now();
  const result = db.pragma(sql, { simple: true });
  return { ms: Math.round(performance.now() - t0), result };
}

const dir = process.argv[2] ?? '/tmp/dbbench';
const validNotes = Number(process.argv[3] ?? 500);
const testNotes = Number(process.argv[4] ?? 500);
const file = path.join(dir, `timbre-${validNotes}-${testNotes}.db`);
if (!fs.existsSync(file)) {
  const t0 = performance.now();
  seed(file, validNotes, testNotes);
  console.log(`seeded ${file} in ${Math.round((performance.now() - t0) / 1000)} s`);
}
console.log(`file ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const db = openDatabase(file);
  const openMs = Math.round(performance.now() - t0);
  const q = time(db, 'quick_check');
  const q1 = time(db, 'quick_check(1)');
  const scan = scanPages(file);
  console.log(
    `openDatabase ${openMs} ms (page scan alone ${scan.ms} ms, ${scan.ok ? 'ok' : scan.problems[0]}), ` +
      `quick_check ${q.ms} ms (${String(q.result)}), quick_check(1) ${q1.ms} ms`,
  );
  db.close();
}
const db = new Database(file, { readonly: true });
console.log(`integrity_check ${time(db, 'integrity_check').ms} ms`);
db.close();
