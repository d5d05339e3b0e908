import type { Split } from './constants';

/** One value of an NSynth examples.json, exactly the keys NSynth has. */
export interface NsynthNote {
  note: number;
  note_str: string;
  instrument: number;
  instrument_str: string;
  instrument_family: number;
  instrument_family_str: string;
  instrument_source: number;
  instrument_source_str: string;
  pitch: number;
  velocity: number;
  sample_rate: number;
  qualities: number[];
  qualities_str: string[];
}

/** A note as the app keeps it once a data set is registered. */
export interface NoteRecord {
  split: Split;
  noteStr: string;
  family: number;
  source: number;
  instrumentStr: string;
  pitch: number;
  velocity: number;
  /** Absolute path of the note's WAV file. */
  path: string;
}

/** Notes per family name in one split. */
export interface SplitSummary {
  notes: number;
  families: Record<string, number>;
}

/** A note or file the importer passed over, with why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What `timbre dataset import|show --json` prints. */
export interface DatasetSummary {
  id: number;
  name: string;
  root: string;
  fingerprint: string;
  createdAt: string;
  splits: Partial<Record<Split, SplitSummary>>;
  skipped: SkippedFile[];
  /** How its notes were split, in words, when the app rendered it; null for other folders. */
  splitRule: string | null;
}

/** Progress of a long task, reported a few times per second. */
export interface Progress {
  phase: string;
  done: number;
  total: number;
}
export type ProgressFn = (p: Progress) => void;
