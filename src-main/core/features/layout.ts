import path from 'node:path';
import type { Split } from '../../shared/constants';
import { errorKind } from '../errors';

/** A feature cache that cannot be built or read; the message names the file at fault. */
export const FeatureCacheError = errorKind('FeatureCacheError', 'unusable');
export type FeatureCacheError = InstanceType<typeof FeatureCacheError>;

/** Name of the file that describes a cache, written last. */
export const META_FILE = 'meta.json';

/** Files of one split inside a cache directory: float32 LE rows, Uint8 family labels, note_str order. */
export function splitFiles(dir: string, split: Split) {
  return {
    features: path.join(dir, `${split}.f32`),
    labels: path.join(dir, `${split}.labels.u8`),
    notes: path.join(dir, `${split}.notes.json`),
  };
}
