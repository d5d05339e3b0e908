import { storedEmbeddingMap } from '../embedding/embedding-map';
import { compareRuns, runMetrics } from '../compare';
import { NOTE_SECONDS, RUN_COLORS } from '../../shared/constants';
import type { FeatureConfig } from '../../shared/features';
import type { RunDetail } from '../../shared/training';
import type { NoteRecord } from '../../shared/types';
import { encodeWav16, nsynthWavProblem, readPcm16, readWavInfo } from '../datasets/wav';
import type { PredictionRepo, RecordedPrediction } from '../store/predictions';
import { float32Value } from './describe';
import {
  ReportError,
  type ConfusionExample,
  type PredictionRecord,
  type ReportData,
  type ReportEvaluation,
  type ReportRun,
  type TopConfusion,
} from './types';
import packageJson from '../../../package.json';

/** What a report reads: the Workbench fits it. */
export interface ReportSource {
  /** The recorded predictions of the runs' evaluations and epochs. */
  readonly runs: { readonly predictions: Pick<PredictionRepo, 'evaluation' | 'epochs'> };
  readonly datasets: { notes(datasetId: number): NoteRecord[] };
  /** The run's record; throws a NotFoundError naming the run when there is none. */
  getRun(id: number): Promise<RunDetail>;
}

/** What goes into a report besides the runs. */
export interface CollectOptions {
  /** Read the clips of the example notes (for HTML). Default false. */
  audio?: boolean;
  /** Off-diagonal cells listed per run. Default 5. */
  confusions?: number;
  /** Example notes per confusion. Default 3. */
  examples?: number;
  /** The time durations are measured to, for runs still training. Default now. */
  now?: number;
}

/** Gathers everything the exporters need about the runs, in the order given. */
export async function collectReport(
  source: ReportSource,
  runIds: number[],
  options: CollectOptions = {},
): Promise<ReportData> {
  if (!runIds.length) throw new ReportError('A report needs at least one run id.');
  const twice = runIds.find((id, i) => runIds.indexOf(id) !== i);
  if (twice !== undefined) throw new ReportError(`Run ${twice} is given twice; give each run once.`);
  const now = options.now ?? Date.now();
  const details: RunDetail[] = [];
  for (const id of runIds) details.push(await source.getRun(id));

  const recorded = source.runs.predictions;
  const audio = new AudioLookup(source);

  const runs: ReportRun[] = details.map((detail, i) => {
    const evaluations: ReportEvaluation[] = detail.evaluations.map((e) => ({
      ...e,
      predictions: recorded.evaluation(e.id).map(predictionOf),
    }));
    const focus = focusEvaluation(evaluations);
    const confusions = focus ? topConfusions(focus, options.confusions ?? 5, options.examples ?? 3) : [];
    if (focus && options.audio) {
      for (const ex of confusions.flatMap((c) => c.examples)) audio.attach(ex, focus, detail.config.features);
    }
    return {
      detail,
      metrics: runMetrics(detail, now),
      color: RUN_COLORS[i % RUN_COLORS.length]!,
      evaluations,
      focus,
      confusions,
      validationPredictions: recorded
        .epochs(detail.id)
        .map((r) => ({ epoch: r.epoch, predicted: [...r.predicted] })),
      embeddingMap: storedEmbeddingMap(detail),
    };
  });
  return {
    generatedAt: new Date(now).toISOString(),
    appVersion: packageJson.version,
    runs,
    comparison: compareRuns(details, now),
  };
}

function predictionOf(row: RecordedPrediction): PredictionRecord {
  // Copy the blob: SQLite's buffer need not be 4-byte aligned for a Float32Array view.
  const bytes = Uint8Array.from(row.probabilities);
  const probabilities = new Float32Array(bytes.buffer, 0, bytes.byteLength >> 2);
  return {
    noteStr: row.noteStr,
    trueFamily: row.trueFamily,
    predicted: row.predicted,
    probabilities: Array.from(probabilities, float32Value),
  };
}

/** The evaluation a report centres on: test split with best weights, else last weights, else the newest. */
export function focusEvaluation<E extends ReportEvaluation>(evaluations: E[]): E | null {
  const newest = (f: (e: E) => boolean) => evaluations.filter(f).at(-1);
  return (
    newest((e) => e.split === 'test' && e.weights === 'best') ??
    newest((e) => e.split === 'test' && e.weights === 'last') ??
    evaluations.at(-1) ??
    null
  );
}

/**
 * The `limit` largest off-diagonal cells of an evaluation's confusion matrix (ties: by true, then
 * predicted family), each with up to `perCell` of its notes, the most confidently wrong first.
 */
export function topConfusions(e: ReportEvaluation, limit: number, perCell: number): TopConfusion[] {
  const cells: TopConfusion[] = [];
  e.confusion.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      if (t === p || count === 0) return;
      cells.push({
        trueIndex: t,
        predictedIndex: p,
        trueLabel: e.labels[t] ?? String(t),
        predictedLabel: e.labels[p] ?? String(p),
        count,
        rowShare: count / total,
        examples: [],
      });
    });
  });
  cells.sort((a, b) => b.count - a.count || a.trueIndex - b.trueIndex || a.predictedIndex - b.predictedIndex);
  const top = cells.slice(0, limit);
  for (const cell of top) {
    cell.examples = e.predictions
      .filter((p) => p.trueFamily === cell.trueIndex && p.predicted === cell.predictedIndex)
      .map((p) => ({ noteStr: p.noteStr, confidence: p.probabilities[p.predicted] ?? NaN }))
      .sort((a, b) => b.confidence - a.confidence || a.noteStr.localeCompare(b.noteStr))
      .slice(0, perCell);
  }
  return top;
}

/**
 * The part of a note an example plays: the clip the model saw, lengthened to at least 1 s so it can
 * be heard, at most the whole note.
 */
export function exampleClip(f: Pick<FeatureConfig, 'start' | 'seconds'>): { start: number; seconds: number } {
  const seconds = Math.min(NOTE_SECONDS, Math.max(1, f.seconds));
  return { start: Math.max(0, Math.min(f.start, NOTE_SECONDS - seconds)), seconds };
}

/** Finds notes' WAV files through their data sets, reading each data set's notes once. */
class AudioLookup {
  private readonly byDataset = new Map<number, Map<string, string>>();

  constructor(private readonly source: ReportSource) {}

  /** Sets the example's clip from the data set the evaluation ran on, or says why there is none. */
  attach(ex: ConfusionExample, e: ReportEvaluation, features: FeatureConfig): void {
    if (e.datasetId === null) {
      ex.missing = 'the evaluated data set was deleted';
      return;
    }
    const file = this.paths(e.datasetId).get(`${e.split}/${ex.noteStr}`);
    if (!file) {
      ex.missing = `not in the ${e.split} split of the evaluated data set`;
      return;
    }
    const clip = exampleClip(features);
    try {
      const info = readWavInfo(file);
      const problem = nsynthWavProblem(info, info.sampleRate, 0);
      if (problem) {
        ex.missing = `${file}: ${problem}`;
        return;
      }
      const start = Math.round(clip.start * info.sampleRate);
      const count = Math.round(clip.seconds * info.sampleRate);
      ex.wav = encodeWav16(readPcm16(file, start, count, info), info.sampleRate);
      ex.clip = clip;
    } catch (err) {
      // A moved or unreadable file costs one example its player, not the whole report.
      ex.missing = err instanceof Error ? err.message : String(err);
    }
  }

  private paths(datasetId: number): Map<string, string> {
    let map = this.byDataset.get(datasetId);
    if (!map) {
      map = new Map(this.source.datasets.notes(datasetId).map((n) => [`${n.split}/${n.noteStr}`, n.path]));
      this.byDataset.set(datasetId, map);
    }
    return map;
  }
}
