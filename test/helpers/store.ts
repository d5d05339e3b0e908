import path from 'node:path';
import { openDatabase, type Db } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { RunRepo } from '../../src-main/core/store/runs';
import type { ReportSource } from '../../src-main/core/reports/collect';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { reportSourceOf } from '../../src-main/core/workbench/reports';
import type { EpochMetrics } from '../../src-main/shared/training';
import { tempDir } from './tmp';

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

/** Records `n` runs r1..rn of seed-lstm (1 epoch) on a new empty data set; their ids, in order. */
export function recordRuns(db: Db, n: number): number[] {
  const datasetId = emptyDataset(db);
  const runs = new RunRepo(db);
  const config = resolveTrainConfig('seed-lstm', { epochs: 1 });
  return Array.from({ length: n }, (_, i) =>
    runs.create({
      name: `r${i + 1}`,
      config,
      preset: null,
      datasetId,
      datasetFingerprint: 'fp',
      appVersion: '0',
    }),
  );
}

/** A TIMBRE_HOME's database on a connection of its own, beside a Workbench over the same home. */
export interface TestStore {
  db: Db;
  runs: RunRepo;
  datasets: DatasetRepo;
  close(): void;
}

/**
 * Opens the database of a TIMBRE_HOME on a second connection, for tests to set up or read what
 * the contract does not offer (a run recorded by hand, raw rows); the Workbench keeps its own.
 */
export function openStore(home: string): TestStore {
  const db = openDatabase(path.join(home, 'timbre.db'));
  return { db, runs: new RunRepo(db), datasets: new DatasetRepo(db), close: () => db.close() };
}

/** Runs `fn` with a TIMBRE_HOME's store open, closing it after. */
export function withStore<T>(home: string, fn: (store: TestStore) => T): T {
  const store = openStore(home);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** What a report reads, from a test's own connection to a home's database (as the Workbench reads it). */
export function reportSource(store: TestStore): ReportSource {
  return reportSourceOf(store);
}

/** An epoch's metrics for store tests: loss 1, accuracy 0.5 unless `values` says otherwise. */
export function epochMetrics(epoch: number, values: Partial<EpochMetrics> = {}): EpochMetrics {
  return {
    epoch,
    trainLoss: 1,
    trainAccuracy: 0.5,
    valLoss: 1,
    valAccuracy: 0.5,
    seconds: 1,
    samplesPerSecond: 1,
    ...values,
  };
}

/** Database files in temp folders and connections to them; `cleanup` (in afterEach) closes and removes all. */
export function tempDatabases() {
  const cleanups: (() => void)[] = [];
  return {
    /** A new database file's path, in a folder of its own. */
    file(): string {
      const t = tempDir();
      cleanups.push(t.cleanup);
      return path.join(t.dir, 'timbre.db');
    },
    /** A connection to `file`, closed by cleanup. */
    open(file: string): Db {
      const db = openDatabase(file);
      cleanups.unshift(() => db.open && db.close());
      return db;
    },
    cleanup(): void {
      cleanups.splice(0).forEach((c) => c());
    },
  };
}

/** Counts the statements prepared on `db` from now on: the returned function reads the count. */
export function countPrepared(db: Db): () => number {
  let prepared = 0;
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    prepared++;
    return prepare(source);
  }) as Db['prepare'];
  return () => prepared;
}
