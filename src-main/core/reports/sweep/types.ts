// What a sweep report holds: the sweep, its search space, every run and every configuration with
// the spread over its seeds, and the best configuration. Exporters are pure functions of it.
import type { SweepDetail, SweepValue } from '../../../shared/sweeps';
import type { FieldKey } from '../../../shared/train-schema';
import type { RunStatus } from '../../../shared/training';

/** Mean and sample standard deviation of the runs that have a value; sd is null below two values. */
export interface Spread {
  n: number;
  mean: number | null;
  sd: number | null;
}

/** One run of the sweep with its place in it, its results and its whole configuration. */
export interface SweepReportRun {
  id: number;
  name: string;
  /** "lr=0.001 layers=2 seed=1". */
  label: string;
  trial: number;
  replicate: number;
  seed: number;
  status: RunStatus;
  epochsDone: number;
  epochs: number;
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  /** Test accuracy of the best weights. */
  testAccuracy: number | null;
  /** Why it ended early: the sweep's stopping rule (status stopped) or the failure (status failed). */
  reason: string | null;
  /** The varied settings' values of its configuration. */
  values: Partial<Record<FieldKey, SweepValue>>;
  /** Every setting, as runs record them (`model.hidden`, `lr` ...). */
  params: Record<string, string | number | boolean>;
}

/** One configuration of the sweep: its runs (one per seed) and their spread. */
export interface SweepConfiguration {
  trial: number;
  /** "lr=0.001 layers=2" (no seed). */
  label: string;
  values: Partial<Record<FieldKey, SweepValue>>;
  runIds: number[];
  valAccuracy: Spread;
  testAccuracy: Spread;
}

/** How one setting is varied. */
export interface SpaceEntry {
  key: FieldKey;
  label: string;
  kind: 'grid' | 'choice' | 'uniform' | 'loguniform' | 'int';
  /** Grid and choice: the values. */
  values?: SweepValue[];
  min?: number;
  max?: number;
  /** In words: "0.001, 0.0003", "log-uniform from 1e-6 to 0.001". */
  text: string;
}

/** The best configuration and the run whose settings stand for it. */
export interface SweepBest {
  /** 'mean': by mean best validation accuracy over its seeds; 'run': the best single run. */
  by: 'mean' | 'run';
  configuration: SweepConfiguration;
  /** Its run with the highest best validation accuracy. */
  run: SweepReportRun;
}

/** Everything a sweep report shows. */
export interface SweepReportData {
  generatedAt: string;
  appVersion: string;
  /** The sweep's summary and spec (its runs are in `runs`). */
  sweep: Omit<SweepDetail, 'runs'>;
  space: SpaceEntry[];
  /** The base configuration: its preset and the overrides as runs record settings (`model.layers`). */
  base: { preset: string; overrides: Record<string, string | number | boolean> };
  /** The early-stopping rule in words, or null without one. */
  earlyStopping: string | null;
  runs: SweepReportRun[];
  configurations: SweepConfiguration[];
  best: SweepBest | null;
}
