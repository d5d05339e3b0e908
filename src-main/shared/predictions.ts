// What a run's models predicted for notes, and a note's audio, as the Audition view reads them.

/** One note of an evaluated split with what the model said about it. */
export interface NotePrediction {
  noteStr: string;
  trueFamily: number;
  predicted: number;
  /** Probability of the predicted family. */
  confidence: number;
  /** The family with the second highest probability. */
  runnerUp: number;
  /** confidence minus the runner-up's probability (0 to 1). */
  margin: number;
  /** Probability the model gave the true family. */
  trueProbability: number;
  /** MIDI pitch, velocity, instrument and source (0 acoustic, 1 electronic, 2 synthetic) from the data set. */
  pitch: number;
  velocity: number;
  instrument: string;
  source: number;
}

/** Every note of one split as one of a run's final evaluations predicted it. */
export interface PredictionSet {
  runId: number;
  evaluationId: number;
  split: 'valid' | 'test';
  weights: 'best' | 'last';
  /** The epoch whose weights were evaluated. */
  epoch: number | null;
  accuracy: number;
  /** The part of each note the model saw, in seconds from the note's start. */
  seen: { start: number; seconds: number };
  /** The data set the notes come from; `available` is false when it is no longer registered. */
  dataset: { id: number | null; name: string | null; fingerprint: string; available: boolean };
  /** Whether the run recorded its validation predictions per epoch (noteHistory). */
  history: boolean;
  /** Every note of the split, correct and not, sorted by note_str. */
  notes: NotePrediction[];
}

/** One note's audio as a WAV file image. */
export interface NoteAudio {
  noteStr: string;
  sampleRate: number;
  /** Length of the note in seconds. */
  seconds: number;
  /** The file's bytes (16-bit PCM WAV), base64. */
  wavBase64: string;
}

/** What a run's model predicted for one validation note after each epoch. */
export interface NoteHistory {
  noteStr: string;
  trueFamily: number;
  epochs: { epoch: number; predicted: number }[];
}

/** What a run's model predicted for every validation note after one epoch. */
export interface EpochPredictions {
  runId: number;
  epoch: number;
  /** The validation notes, sorted by note_str. */
  notes: { noteStr: string; trueFamily: number; predicted: number }[];
}
