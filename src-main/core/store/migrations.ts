/**
 * The schema, one small migration per version. Never edit a released migration:
 * add the next one. `PRAGMA user_version` holds how many have been applied.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: registered data sets and their notes.
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    root TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    splits TEXT NOT NULL
  ) STRICT;
  CREATE TABLE dataset_notes (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train', 'valid', 'test')),
    note_str TEXT NOT NULL,
    family INTEGER NOT NULL CHECK (family BETWEEN 0 AND 10),
    source INTEGER NOT NULL CHECK (source BETWEEN 0 AND 2),
    instrument_str TEXT NOT NULL,
    pitch INTEGER NOT NULL,
    velocity INTEGER NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (dataset_id, split, note_str)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE dataset_skipped (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    reason TEXT NOT NULL
  ) STRICT;
  CREATE INDEX dataset_skipped_dataset ON dataset_skipped(dataset_id);
  `,
];
