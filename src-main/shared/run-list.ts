// The runs table's list as it crosses from the app to a window. 10,000 runs as objects are 4 MB
// of JSON that the app first builds and then serializes; packed, SQLite writes the whole list as
// one JSON text of arrays (under half the size), which the window parses once and unpacks here.
import type { ModelType, RunStatus, RunSummary } from './training';

/** The most runs listRuns answers when asked for the `first` few. */
export const MAX_LIST_FIRST = 1000;

/** What listRuns answers: a JSON array with one PackedRun per run, newest first. */
export interface PackedRuns {
  json: string;
  /** How many runs match the filter: more than `json` holds when it asked for the `first` few. */
  total: number;
}

/** The configuration's fields a run's row carries, in this order. */
export const PACKED_CONFIG_FIELDS = [
  'model.type',
  'features.representation',
  'lr',
  'batch',
  'model.hidden',
  'model.layers',
  'optimizer',
  'epochs',
] as const;

/** One run in a PackedRuns list: its summary's values in a fixed order. */
export type PackedRun = [
  id: number,
  name: string,
  status: RunStatus,
  preset: string | null,
  config: [ModelType, string, number, number, number, number, string, number],
  epochsDone: number,
  bestEpoch: number | null,
  bestValAccuracy: number | null,
  testAccuracy: number | null,
  backend: string | null,
  datasetId: number | null,
  createdAt: string,
  startedAt: string | null,
  finishedAt: string | null,
  tags: string[],
  sweepId: number | null,
];

/** A run's summary from its packed row. */
export function runOfPacked(r: PackedRun): RunSummary {
  const c = r[4];
  // One object literal of a fixed shape: every summary shares V8's hidden class.
  return {
    id: r[0],
    name: r[1],
    status: r[2],
    preset: r[3],
    model: c[0],
    representation: c[1],
    lr: c[2],
    batch: c[3],
    hidden: c[4],
    layers: c[5],
    optimizer: c[6],
    epochs: c[7],
    epochsDone: r[5],
    bestEpoch: r[6],
    bestValAccuracy: r[7],
    testAccuracy: r[8],
    backend: r[9],
    datasetId: r[10],
    createdAt: r[11],
    startedAt: r[12],
    finishedAt: r[13],
    tags: r[14],
    sweepId: r[15],
  };
}

/** The runs of a listRuns answer, as the runs table lists them. */
export function unpackRuns(packed: PackedRuns): RunSummary[] {
  return (JSON.parse(packed.json) as PackedRun[]).map(runOfPacked);
}
