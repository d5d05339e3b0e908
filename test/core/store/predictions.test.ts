import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import type { NoteRecord } from '../../../src-main/shared/types';
import { tempDir } from '../../helpers/tmp';
import { epochMetrics } from '../../helpers/store';

let db: Db;
let cleanup: () => void;
afterEach(() => {
  db?.close();
  cleanup?.();
});

const note = (split: NoteRecord['split'], noteStr: string, pitch: number): NoteRecord => ({
  split,
  noteStr,
  family: 0,
  source: 1,
  instrumentStr: noteStr.slice(0, -8),
  pitch,
  velocity: 100,
  path: path.join('/data/nsynth', split, `${noteStr}.wav`),
});

function setup() {
  const t = tempDir();
  cleanup = t.cleanup;
  db = openDatabase(path.join(t.dir, 'timbre.db'));
  const datasets = new DatasetRepo(db);
  const dataset = datasets.save({
    name: 'd',
    root: '/data/nsynth',
    fingerprint: 'fp',
    notes: [note('test', 'bass_synthetic_001-040-100', 40), note('valid', 'bass_synthetic_001-041-100', 41)],
    splits: {},
    skipped: [],
  });
  const runs = new RunRepo(db);
  const create = (name: string) =>
    runs.create({
      name,
      config: resolveTrainConfig('seed-lstm', { epochs: 2 }),
      preset: null,
      datasetId: dataset.id,
      datasetFingerprint: 'fp',
      appVersion: '0',
    });
  return { datasets, runs, datasetId: dataset.id, create };
}

const metrics = (epoch: number) => epochMetrics(epoch);

describe('PredictionRepo', () => {
  it("reads an evaluation's predictions by note_str, with the data set's facts where the split has the note", () => {
    const { runs, datasetId, create } = setup();
    const id = create('r');
    const evaluationId = runs.recordEvaluation({
      runId: id,
      weights: 'best',
      epoch: 1,
      modelDir: '/m',
      datasetId,
      datasetFingerprint: 'fp',
      split: 'test',
      loss: 1,
      accuracy: 0.5,
      perClass: [],
      confusion: [[1]],
      labels: ['bass'],
      predictions: [
        // Not in the test split (a note of the valid split): no facts.
        {
          noteStr: 'bass_synthetic_001-041-100',
          trueFamily: 0,
          predicted: 1,
          probabilities: new Float32Array([0.25, 0.75]),
        },
        {
          noteStr: 'bass_synthetic_001-040-100',
          trueFamily: 0,
          predicted: 0,
          probabilities: new Float32Array([0.5, 0.5]),
        },
      ],
    });
    const recorded = runs.predictions;
    expect(recorded.evaluation(evaluationId).map((p) => [p.noteStr, p.trueFamily, p.predicted])).toEqual([
      ['bass_synthetic_001-040-100', 0, 0],
      ['bass_synthetic_001-041-100', 0, 1],
    ]);
    const probabilities = recorded.evaluation(evaluationId)[1]!.probabilities;
    expect([...new Float32Array(Uint8Array.from(probabilities).buffer)]).toEqual([0.25, 0.75]);

    const joined = recorded.evaluationWithNotes(evaluationId, datasetId, 'test');
    const byNote = new Map(joined.map((p) => [p.noteStr, p]));
    expect(byNote.get('bass_synthetic_001-040-100')).toMatchObject({
      pitch: 40,
      velocity: 100,
      instrumentStr: 'bass_synthetic_001',
      source: 1,
    });
    expect(byNote.get('bass_synthetic_001-041-100')).toMatchObject({
      pitch: null,
      velocity: null,
      instrumentStr: null,
      source: null,
    });
    // A deleted data set (null) has no facts for any note.
    expect(recorded.evaluationWithNotes(evaluationId, null, 'test').map((p) => p.pitch)).toEqual([
      null,
      null,
    ]);
    expect(recorded.evaluationNotes(evaluationId).sort((a, b) => a.noteStr.localeCompare(b.noteStr))).toEqual(
      [
        { noteStr: 'bass_synthetic_001-040-100', family: 0 },
        { noteStr: 'bass_synthetic_001-041-100', family: 0 },
      ],
    );
  });

  it("reads a run's per-epoch validation predictions, oldest first, and says whether there are any", () => {
    const { runs, create } = setup();
    const id = create('r');
    const other = create('other');
    expect(runs.predictions.hasEpochs(id)).toBe(false);
    expect(runs.predictions.epochs(id)).toEqual([]);
    runs.recordEpoch(id, metrics(2), null, new Uint8Array([2, 3]));
    runs.recordEpoch(id, metrics(1), null, new Uint8Array([0, 1]));
    runs.recordEpoch(id, metrics(3), null, null);
    runs.recordEpoch(other, metrics(1), null, new Uint8Array([9]));
    expect(runs.predictions.hasEpochs(id)).toBe(true);
    expect(runs.predictions.epochs(id).map((r) => [r.epoch, [...r.predicted]])).toEqual([
      [1, [0, 1]],
      [2, [2, 3]],
    ]);
    expect([...runs.predictions.epoch(id, 2)!]).toEqual([2, 3]);
    expect(runs.predictions.epoch(id, 3)).toBeUndefined();
  });
});

describe('RunRepo.lastBackend', () => {
  it('is the backend of the run started most recently, null before any run started', () => {
    const { runs, create } = setup();
    const a = create('a');
    const b = create('b');
    expect(runs.lastBackend()).toBeNull();
    runs.start(a, 'wasm', '1');
    expect(runs.lastBackend()).toBe('wasm');
    runs.start(b, 'cpu', '1');
    // By start time, not by id: run a started later than run b.
    const started = db.prepare('UPDATE runs SET started_at = ? WHERE id = ?');
    started.run('2026-01-02T00:00:00.000Z', a);
    started.run('2026-01-01T00:00:00.000Z', b);
    expect(runs.lastBackend()).toBe('wasm');
  });
});

describe('DatasetRepo.notePath', () => {
  it("is the absolute path of a note's WAV in its split, undefined for a note the split does not have", () => {
    const { datasets, datasetId } = setup();
    expect(datasets.notePath(datasetId, 'test', 'bass_synthetic_001-040-100')).toBe(
      path.resolve('/data/nsynth/test/bass_synthetic_001-040-100.wav'),
    );
    expect(datasets.notePath(datasetId, 'valid', 'bass_synthetic_001-040-100')).toBeUndefined();
    expect(datasets.notePath(datasetId + 1, 'test', 'bass_synthetic_001-040-100')).toBeUndefined();
  });
});
