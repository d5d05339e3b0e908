import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import { parseWavHeader, readPcm16 } from '../../src-main/core/datasets/wav';
import { parseNoteStr } from '../../src-main/core/predictions';
import { saveName, savePaths } from '../../src-main/core/reports/export';
import { FAMILIES } from '../../src-main/shared/constants';
import type { RunDetail } from '../../src-main/shared/training';
import type { DatasetSummary } from '../../src-main/shared/types';
import { timbre } from '../helpers/cli';
import { withStore } from '../helpers/store';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

let wb: Workbench;
let dir: string;
let cleanup: () => void;
let run: RunDetail;
let dataset: DatasetSummary;
// The data set's notes as registered (path, pitch, instrument), which the contract does not list.
const notesOf = (id: number) => withStore(path.join(dir, 'home'), (store) => store.datasets.notes(id));

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  wb = new Workbench({ home: path.join(dir, 'home') });
  dataset = await wb.importDataset(await tinyDataset(), 'tiny');
  const created = await wb.createRun({
    preset: 'seed-lstm',
    name: 'tiny mlp',
    overrides: {
      epochs: 3,
      batch: 8,
      model: { type: 'mlp', hidden: 8, layers: 1 },
      features: { representation: 'logmel', seconds: 0.5, start: 0.25, nMels: 16, maxPerFamily: 0 },
    },
    dataset: dataset.id,
    backend: 'cpu',
  });
  run = await wb.waitForRun(created.id);
  expect(run.status, run.error ?? '').toBe('finished');
});
afterAll(async () => {
  await wb?.close();
  cleanup?.();
});

describe('listPredictions', () => {
  it('lists every test note with the evaluation’s prediction and the data set’s facts', async () => {
    const set = await wb.listPredictions(run.id);
    const evaluation = run.evaluations.find((e) => e.split === 'test' && e.weights === 'best')!;
    expect(set).toMatchObject({
      runId: run.id,
      evaluationId: evaluation.id,
      split: 'test',
      weights: 'best',
      seen: { start: 0.25, seconds: 0.5 },
      dataset: { id: dataset.id, name: 'tiny', available: true },
      history: true,
    });
    const notes = dataset.splits.test!.notes;
    expect(set.notes).toHaveLength(notes);
    // The listed predictions add up to the evaluation's confusion matrix, cell by cell.
    const confusion = evaluation.confusion.map((r) => r.map(() => 0));
    for (const n of set.notes) confusion[n.trueFamily]![n.predicted]!++;
    expect(confusion).toEqual(evaluation.confusion);
    const correct = set.notes.filter((n) => n.trueFamily === n.predicted).length;
    expect(correct / set.notes.length).toBeCloseTo(set.accuracy, 6);
    expect([...set.notes.map((n) => n.noteStr)]).toEqual(set.notes.map((n) => n.noteStr).sort());
    const facts = new Map(notesOf(dataset.id).map((n) => [`${n.split}/${n.noteStr}`, n]));
    for (const n of set.notes) {
      const f = facts.get(`test/${n.noteStr}`)!;
      expect([n.pitch, n.velocity, n.instrument, n.source]).toEqual([
        f.pitch,
        f.velocity,
        f.instrumentStr,
        f.source,
      ]);
      expect(n.runnerUp).not.toBe(n.predicted);
      expect(n.confidence).toBeGreaterThanOrEqual(n.margin);
      expect(n.margin).toBeGreaterThanOrEqual(0);
      if (n.trueFamily === n.predicted) expect(n.trueProbability).toBe(n.confidence);
      else expect(n.trueProbability).toBeLessThanOrEqual(n.confidence);
    }
  });

  it('reads the validation split and the last weights when asked', async () => {
    const valid = await wb.listPredictions(run.id, 'valid');
    expect(valid.notes).toHaveLength(dataset.splits.valid!.notes);
    expect(valid.epoch).toBe(run.bestEpoch);
    const last = await wb.listPredictions(run.id, 'test', 'last');
    expect(last.epoch).toBe(3);
    expect(last.evaluationId).not.toBe(valid.evaluationId);
  });

  it('says why when a run has no such evaluation', async () => {
    const queued = await wb.createRun({ preset: 'seed-lstm', overrides: { epochs: 1 }, dataset: dataset.id });
    await wb.cancelRun(queued.id);
    await wb.waitForRun(queued.id);
    await expect(wb.listPredictions(queued.id)).rejects.toThrow(
      /cancelled; its notes can be auditioned once it has finished/,
    );
    await expect(wb.listPredictions(9999)).rejects.toThrow(/No run 9999/);
    await wb.deleteRun(queued.id);
  });
});

describe('noteAudio', () => {
  it('returns a note’s whole WAV, the samples of its file', async () => {
    const note = notesOf(dataset.id).find((n) => n.split === 'test')!;
    const audio = await wb.noteAudio(run.id, 'test', note.noteStr);
    const bytes = Buffer.from(audio.wavBase64, 'base64');
    const info = parseWavHeader(bytes, bytes.length);
    expect(info).toMatchObject({ format: 1, channels: 1, bitsPerSample: 16, sampleRate: 16000 });
    expect(audio.seconds).toBeCloseTo(info.dataBytes / 2 / 16000, 6);
    const tmp = path.join(dir, 'note.wav');
    fs.writeFileSync(tmp, bytes);
    const ours = readPcm16(tmp, 0, 16000);
    const original = readPcm16(note.path, 0, 16000);
    expect(ours).toEqual(original);
  });

  it('names the note, the split or the file when it cannot play one', async () => {
    await expect(wb.noteAudio(run.id, 'test', 'no_such_note-060-100')).rejects.toThrow(
      /test split of run \d+'s data set has no note "no_such_note-060-100"/,
    );
    const note = notesOf(dataset.id).find((n) => n.split === 'valid')!;
    // Moved away and put back: the error names the missing file.
    fs.renameSync(note.path, `${note.path}.away`);
    try {
      await expect(wb.noteAudio(run.id, 'valid', note.noteStr)).rejects.toThrow(
        /is missing: was the data set moved/,
      );
    } finally {
      fs.renameSync(`${note.path}.away`, note.path);
    }
  });
});

describe('noteHistory', () => {
  it('gives a validation note’s prediction after each epoch, matching the best weights’ at the best epoch', async () => {
    const best = await wb.listPredictions(run.id, 'valid');
    for (const n of best.notes) {
      const h = await wb.noteHistory(run.id, n.noteStr);
      expect(h.trueFamily).toBe(n.trueFamily);
      expect(h.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
      expect(h.epochs.find((e) => e.epoch === run.bestEpoch)!.predicted).toBe(n.predicted);
    }
  });

  it('gives every validation note after one epoch, adding up to that epoch’s confusion matrix', async () => {
    for (const { epoch, matrix } of run.confusions) {
      const ep = await wb.epochPredictions(run.id, epoch);
      expect(ep.notes).toHaveLength(dataset.splits.valid!.notes);
      const counted = matrix.map((r) => r.map(() => 0));
      for (const n of ep.notes) counted[n.trueFamily]![n.predicted]!++;
      expect(counted).toEqual(matrix);
    }
    await expect(wb.epochPredictions(run.id, 99)).rejects.toThrow(/no validation predictions for epoch 99/);
  });

  it('refuses a note that is not a validation note', async () => {
    const test = await wb.listPredictions(run.id, 'test');
    await expect(wb.noteHistory(run.id, test.notes[0]!.noteStr)).rejects.toThrow(
      /not one of run \d+'s validation notes/,
    );
  });
});

describe('exportReport through the API', () => {
  it('returns the report files for a shell to save', async () => {
    const html = await wb.exportReport([run.id], 'html');
    expect(html.files).toHaveLength(1);
    expect(html.files[0]!.name).toBe(`timbre-run-${run.id}.html`);
    expect(Buffer.from(html.files[0]!.base64, 'base64').toString('utf8')).toMatch(/^<!doctype html>/i);
    const csv = await wb.exportReport([run.id], 'csv');
    expect(csv.files.map((f) => f.name)).toEqual([
      `timbre-run-${run.id}-runs.csv`,
      `timbre-run-${run.id}-epochs.csv`,
      `timbre-run-${run.id}-predictions.csv`,
    ]);
    expect(csv.files.every((f) => f.mime === 'text/csv')).toBe(true);
  });

  it('prints reports without their audio clips', async () => {
    const html = Buffer.from((await wb.exportReport([run.id], 'html')).files[0]!.base64, 'base64').toString();
    expect(html).toContain('<audio');
    const printable = await wb.printableReportHtml([run.id]);
    expect(printable).toMatch(/^<!doctype html>/i);
    expect(printable).not.toContain('<audio');
    expect(printable).not.toContain('data:audio/wav');
  });
});

describe('timbre notes', () => {
  const home = () => path.join(dir, 'home');

  it('lists the misclassified notes, most confidently wrong first, and filters by family', async () => {
    const set = await wb.listPredictions(run.id);
    const wrong = set.notes.filter((n) => n.trueFamily !== n.predicted);
    expect(wrong.length).toBeGreaterThan(0);
    const r = timbre(home(), ['notes', String(run.id), '--json', '--limit', '100000']);
    expect(r.code, r.stderr).toBe(0);
    const listed = r.json() as { notes: { noteStr: string; confidence: number }[]; matching: number };
    expect(listed.matching).toBe(wrong.length);
    expect(listed.notes.map((n) => n.noteStr).sort()).toEqual(wrong.map((n) => n.noteStr).sort());
    const conf = listed.notes.map((n) => n.confidence);
    expect(conf).toEqual([...conf].sort((a, b) => b - a));

    const first = wrong[0]!;
    const [t, p] = [FAMILIES[first.trueFamily]!, FAMILIES[first.predicted]!];
    const cell = timbre(home(), ['notes', String(run.id), '--true', t, '--pred', p, '--json']);
    const inCell = (cell.json() as { notes: { noteStr: string }[] }).notes.map((n) => n.noteStr);
    expect(inCell.sort()).toEqual(
      wrong
        .filter((n) => n.trueFamily === first.trueFamily && n.predicted === first.predicted)
        .map((n) => n.noteStr)
        .sort(),
    );
    const text = timbre(home(), ['notes', String(run.id), '--limit', '1']);
    expect(text.stdout).toMatch(/misclassified notes, the first 1 shown|1 misclassified notes/);
    expect(text.stdout).toMatch(/The model saw 0.25 to 0.75 s of each note/);
  });

  it('saves a note as WAV and prints a note’s history', async () => {
    const note = (await wb.listPredictions(run.id, 'valid')).notes[0]!;
    const out = path.join(dir, 'saved', 'note.wav');
    const r = timbre(home(), [
      'notes',
      String(run.id),
      '--wav',
      note.noteStr,
      '--split',
      'valid',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out).subarray(0, 4).toString('latin1')).toBe('RIFF');
    const h = timbre(home(), ['notes', String(run.id), '--history', note.noteStr, '--json']);
    expect((h.json() as { epochs: unknown[] }).epochs).toHaveLength(3);
  });

  it('says what is wrong with a bad command line, in one line', () => {
    const bad = timbre(home(), ['notes', String(run.id), '--true', 'kazoo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--true must be one of bass, brass/);
    const noOut = timbre(home(), ['notes', String(run.id), '--wav', 'x']);
    expect(noOut.code).toBe(2);
    const missing = timbre(home(), [
      'notes',
      String(run.id),
      '--wav',
      'nope-000-000',
      '--out',
      path.join(dir, 'x.wav'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^timbre: The test split of run \d+'s data set has no note "nope-000-000"\.\n$/,
    );
  });
});

describe('helpers', () => {
  it('reads pitch, velocity, instrument and source from an NSynth note name', () => {
    expect(parseNoteStr('bass_electronic_012-045-100')).toEqual({
      pitch: 45,
      velocity: 100,
      instrument: 'bass_electronic_012',
      source: 1,
    });
    expect(parseNoteStr('odd')).toEqual({ pitch: -1, velocity: -1, instrument: 'odd', source: -1 });
  });

  it('offers one file under its name and CSV’s three tables under their stem, and places them', () => {
    expect(saveName(['r.html'])).toBe('r.html');
    expect(savePaths(['r.html'], '/x/mine.html')).toEqual(['/x/mine.html']);
    const csv = ['t-3-runs.csv', 't-3-epochs.csv', 't-3-predictions.csv'];
    expect(saveName(csv)).toBe('t-3.csv');
    expect(savePaths(csv, '/x/paper.csv')).toEqual([
      '/x/paper-runs.csv',
      '/x/paper-epochs.csv',
      '/x/paper-predictions.csv',
    ]);
    expect(savePaths(csv, '/x/paper')).toEqual([
      '/x/paper-runs.csv',
      '/x/paper-epochs.csv',
      '/x/paper-predictions.csv',
    ]);
    // Several files are only ever CSV's three tables, in their order.
    for (const other of [
      ['t-runs.csv', 't-reports.csv'],
      ['a-runs.csv', 'a-run.bat', 'a-predictions.csv'],
      [...csv].reverse(),
    ]) {
      expect(() => saveName(other)).toThrow(/only as a CSV report's tables/);
      expect(() => savePaths(other, '/x/p.csv')).toThrow(/only as a CSV report's tables/);
    }
  });
});
