import type { RepresentationInfo } from '../../../shared/train-schema';
import { logmelRepresentation } from './logmel';
import { mfccRepresentation } from './mfcc';
import { rawRepresentation } from './raw';
import type { RepresentationDef } from './types';

export type { Extractor, RepresentationDef } from './types';

/** Every feature representation, in the order the form's select and --help list them. */
export const REPRESENTATION_LIST: readonly RepresentationDef[] = [
  // One line per representation.
  rawRepresentation,
  logmelRepresentation,
  mfccRepresentation,
];

/** The registered representation of an id, or undefined. */
export function findRepresentation(id: unknown): RepresentationDef | undefined {
  return REPRESENTATION_LIST.find((r) => r.id === id);
}

/** What the shells see of each representation (no extractors: this crosses to windows as JSON). */
export function representationInfo(): RepresentationInfo[] {
  return REPRESENTATION_LIST.map(({ id, label, description, uses, steps, dims }) => ({
    id,
    label,
    description,
    uses: [...uses],
    steps,
    dims,
  }));
}
