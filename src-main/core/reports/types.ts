import type { EmbeddingMap } from '../../shared/embedding';
import type { RunComparison, RunMetrics } from '../compare';
import type { ChromiumLookup } from './pdf';
import type { ReportFormatInfo } from '../../shared/contract';
import type { Evaluation, RunDetail } from '../../shared/training';
import { errorKind } from '../errors';
import type { GroupReportData } from './groups/types';
import type { SweepReportData } from './sweep/types';

/** One note's prediction in an evaluation; probabilities follow the evaluation's labels. */
export interface PredictionRecord {
  noteStr: string;
  trueFamily: number;
  predicted: number;
  probabilities: number[];
}

/** An evaluation with every note's prediction. */
export interface ReportEvaluation extends Evaluation {
  predictions: PredictionRecord[];
}

/** A misclassified note shown under a confusion, with its clip when the audio could be read. */
export interface ConfusionExample {
  noteStr: string;
  /** Probability the model gave its (wrong) prediction. */
  confidence: number;
  /** The clip as a 16-bit mono WAV file image, when asked for and readable. */
  wav?: Buffer;
  /** Where the embedded clip starts and how long it is, in seconds into the note. */
  clip?: { start: number; seconds: number };
  /** Why there is no clip when one was asked for (file missing, data set deleted ...). */
  missing?: string;
}

/** One off-diagonal cell of a confusion matrix: `count` notes of `trueLabel` predicted as `predictedLabel`. */
export interface TopConfusion {
  trueIndex: number;
  predictedIndex: number;
  trueLabel: string;
  predictedLabel: string;
  count: number;
  /** count / notes of the true family. */
  rowShare: number;
  examples: ConfusionExample[];
}

/** A run with everything a report shows of it. */
export interface ReportRun {
  detail: RunDetail;
  metrics: RunMetrics;
  /** The run's colour in every chart and table of the report. */
  color: string;
  /** Every evaluation of the run, oldest first, with predictions. */
  evaluations: ReportEvaluation[];
  /** The evaluation the report centres on: test split, best weights (else last, else the newest). */
  focus: ReportEvaluation | null;
  /** The most frequent confusions of `focus`, most notes first. */
  confusions: TopConfusion[];
  /** Predicted family per validation note for each epoch, in the feature cache's order of notes. */
  validationPredictions: { epoch: number; predicted: number[] }[];
  /** The run's embedding map, if one was made (the HTML report draws it). */
  embeddingMap?: EmbeddingMap | null;
}

/** Everything an exporter needs; exporters are pure functions of it. */
export interface ReportData {
  generatedAt: string;
  /** Version of the app that wrote the report (each run keeps the one it trained with). */
  appVersion: string;
  runs: ReportRun[];
  /** Parameters that differ between the runs, and their metrics. */
  comparison: RunComparison;
}

/** Why a report cannot be written as asked (no Chromium for PDF, a bad output path ...). */
export const ReportError = errorKind('ReportError', 'bad-input');
export type ReportError = InstanceType<typeof ReportError>;

/** What a format's render gets besides the report's data. */
export interface RenderOptions {
  /** The file the report is written to or offered as; a format of several files names them after it. */
  out: string;
  /** Where to look for Chromium (PDF only). */
  chromium?: ChromiumLookup;
}

/** One file of a rendered report. */
export interface RenderedFile {
  path: string;
  content: string | Buffer;
}

/** A report format: what menus and help show of it, and how it renders. One file in formats/ each. */
export interface ReportFormatModule<Id extends string = string> extends ReportFormatInfo {
  readonly id: Id;
  /** Whether the report embeds audio clips; collectReport and collectGroupReport read them only then. */
  readonly audio?: boolean;
  /** Throws a ReportError before any work when the format cannot be written here (PDF without Chromium). */
  check?(options: RenderOptions): void;
  /** The report's files: one named `options.out`, or several named after it. */
  render(data: ReportData, options: RenderOptions): RenderedFile[] | Promise<RenderedFile[]>;
  /** A sweep's report (sweep/*.ts writes its parts), named as `render` names its files. */
  sweep(data: SweepReportData, options: RenderOptions): RenderedFile[] | Promise<RenderedFile[]>;
  /** A report of groups of runs (groups/*.ts writes its parts), named as `render` names its files. */
  groups(data: GroupReportData, options: RenderOptions): RenderedFile[] | Promise<RenderedFile[]>;
}

/** Declares a report format, keeping its id's literal type for the registry. */
export function defineReportFormat<Id extends string>(
  format: ReportFormatModule<Id>,
): ReportFormatModule<Id> {
  return format;
}
