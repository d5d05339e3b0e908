import fs from 'node:fs';
import type { NoteAudio } from '../shared/contract';
import type { RunDetail } from '../shared/training';
import { encodeWav16, nsynthWavProblem, readPcm16, readWavInfo } from './datasets/wav';
import type { DatasetRepo } from './store/datasets';
import { PredictionsError } from './predictions';

/** One note of the data set a run trained on, the whole note as a 16-bit WAV. */
export function readNoteAudio(
  datasets: Pick<DatasetRepo, 'notePath'>,
  run: RunDetail,
  split: 'train' | 'valid' | 'test',
  noteStr: string,
): NoteAudio {
  if (run.datasetId === null) {
    throw new PredictionsError(
      `The data set run ${run.id} trained on was deleted, so its notes cannot be played.`,
    );
  }
  const file = datasets.notePath(run.datasetId, split, noteStr);
  if (file === undefined) {
    throw new PredictionsError(`The ${split} split of run ${run.id}'s data set has no note "${noteStr}".`);
  }
  if (!fs.existsSync(file)) {
    throw new PredictionsError(
      `${file} is missing: was the data set moved? Import its folder again to play its notes.`,
    );
  }
  const info = readWavInfo(file);
  const problem = nsynthWavProblem(info, info.sampleRate, 1);
  if (problem) throw new PredictionsError(`${file}: ${problem}`);
  const samples = readPcm16(file, 0, Math.floor(Math.min(info.dataBytes, info.availableBytes) / 2), info);
  return {
    noteStr,
    sampleRate: info.sampleRate,
    seconds: samples.length / info.sampleRate,
    wavBase64: encodeWav16(samples, info.sampleRate).toString('base64'),
  };
}
