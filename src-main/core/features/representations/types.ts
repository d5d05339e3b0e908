import type { FeatureConfig } from '../../../shared/features';
import type { FieldKey } from '../../../shared/train-schema';

/** Turns one clip's samples into its features (steps x dims, time-major), before normalization. */
export type Extractor = (pcm: Float32Array) => Float32Array;

/**
 * One feature representation: everything the rest of the app learns about it. A new one is a file
 * in this folder exporting a RepresentationDef and one line in registry.ts; validation (and through
 * it the API's answers), the cache key, extraction, reports, the CLI's --features and the form's select read it.
 */
export interface RepresentationDef {
  /** What FeatureConfig.representation holds (the CLI's --features value). */
  readonly id: string;
  /** Shown in the form's select. */
  readonly label: string;
  /** One sentence for --help and tooltips. */
  readonly description: string;
  /** The representation-specific fields it reads (frame, nFft, hop, nMels, nMfcc...); start, seconds... are common. */
  readonly uses: readonly FieldKey[];
  /** Time steps of a clip: frames of `frame` samples, or one STFT frame per `hop` (torch.stft, center=True). */
  readonly steps: 'frames' | 'stft';
  /** The field that says how many values each step has. */
  readonly dims: FieldKey;
  /** Its settings in a few words, as reports name them: "raw 160-sample frames", "logmel 64 mels". */
  summary(config: FeatureConfig): string;
  /** An extractor for clips of exactly `samples` samples, its tables made once. */
  extractor(config: FeatureConfig, samples: number): Extractor;
}
