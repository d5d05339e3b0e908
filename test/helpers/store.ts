import type { Db } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';

/** Registers an empty data set `d` (fingerprint `fp`) for runs to point at; returns its id. */
export function emptyDataset(db: Db): number {
  return new DatasetRepo(db).save({
    name: 'd',
    root: '/d',
    fingerprint: 'fp',
    notes: [],
    splits: {},
    skipped: [],
  }).id;
}
