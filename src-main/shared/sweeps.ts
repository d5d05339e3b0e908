// A sweep: many runs from one base configuration, the fields to vary and how. Plain types and
// limits, read by core (validation and expansion: core/sweeps/), the contract and the renderer.
import type { TrainOverrides } from './contract';
import type { RunStatus, RunSummary, TrainConfig } from './training';
import type { FieldKey } from './train-schema';

/** The most runs one sweep may create (after its budget). */
export const MAX_SWEEP_RUNS = 10_000;
/** The most seeds per configuration. */
export const MAX_SWEEP_SEEDS = 100;
/** The longest name of a sweep, in characters. */
export const MAX_SWEEP_NAME = 100;
/** The largest reduction factor of ASHA (keep the top 1/eta at each rung). */
export const MAX_ASHA_ETA = 16;

/** How the configurations are chosen: every combination of the lists, or N random draws. */
export type SweepMethod = 'grid' | 'random';

/** One value of a setting: a number, or a word of a choice field. */
export type SweepValue = number | string;

/**
 * How a random sweep draws one setting: one of listed values, uniform or log-uniform between two
 * numbers (inclusive; rounded to 4 significant digits, or to a whole number for an integer field),
 * or a whole number from min to max inclusive.
 */
export type SweepDistribution =
  | { kind: 'choice'; values: SweepValue[] }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'loguniform'; min: number; max: number }
  | { kind: 'int'; min: number; max: number };

/**
 * ASHA (successive halving, asynchronous): at each rung epoch a run continues only when it is in
 * the top 1/eta of the runs that reached that rung. Rungs are given, or minEpochs * eta^k.
 */
export interface AshaSettings {
  method: 'asha';
  /** The rung epochs, strictly increasing; leave out to derive them from minEpochs and eta. */
  rungs?: number[];
  /** The first rung when `rungs` is left out (default 1). */
  minEpochs?: number;
  /** The reduction factor (default 3): the top 1/eta of the runs at a rung continue. */
  eta?: number;
  /** Runs that must have reached a rung before any is stopped there (default eta). */
  minRuns?: number;
}

/** Median stopping (Google Vizier): stop a run whose best so far is below the others' median. */
export interface MedianSettings {
  method: 'median';
  /** Epochs every run trains before it may be stopped (default 3). */
  minEpochs?: number;
  /** Other runs that must have reached the epoch before a run is stopped there (default 3). */
  minRuns?: number;
}

/** Optional early stopping of a sweep's bad runs. */
export type EarlyStopping = AshaSettings | MedianSettings;

/** A sweep as a user specifies it (the New-run form in sweep mode, `timbre sweep create`). */
export interface SweepSpec {
  name: string;
  /** The base configuration: a preset (default seed-lstm) and overrides, as for one run. */
  base: { preset?: string; overrides?: TrainOverrides };
  method: SweepMethod;
  /** Grid: every combination of these lists. Random: each drawn uniformly from its list. */
  grid?: Partial<Record<FieldKey, SweepValue[]>>;
  /** Random only: how each setting is drawn. */
  random?: Partial<Record<FieldKey, SweepDistribution>>;
  /** Random only: how many configurations to draw. */
  trials?: number;
  /** Runs per configuration, each with its own seed (default 1). */
  seeds?: number;
  /** Seeds the random draws and the runs' seeds (default: the base configuration's seed). */
  seed?: number;
  /** At most this many runs: whole configurations, in order, are kept. */
  budget?: number;
  earlyStopping?: EarlyStopping;
}

/** One run a sweep creates. */
export interface SweepRunPlan {
  /** Position in the sweep's list of runs, from 0. */
  index: number;
  /** The configuration's index, from 0: the same for its seeds, stable for a given spec. */
  trial: number;
  /** Which of the configuration's seeds, from 0. */
  replicate: number;
  seed: number;
  preset: string;
  /** The base overrides with this configuration's values and seed. */
  overrides: TrainOverrides;
  /** The varied settings' values of this configuration, in schema order. */
  values: Partial<Record<FieldKey, SweepValue>>;
  /** The whole configuration, checked. */
  config: TrainConfig;
  /** Short, e.g. "lr=0.001 layers=2 seed=1". */
  label: string;
}

/** A sweep's dry run: the checked spec (defaults filled), its counts and every run it would create. */
export interface SweepPlan {
  /** The spec as checked: name trimmed, preset, seeds and seed filled in. */
  spec: SweepSpec;
  /** Configurations kept (after the budget). */
  configurations: number;
  seeds: number;
  /** Runs the sweep would create: configurations x seeds. */
  total: number;
  /** Whether the budget left configurations out. */
  truncated: boolean;
  runs: SweepRunPlan[];
  /**
   * Training time of all its runs one at a time, in seconds, from the speed of earlier runs of the
   * same model type and features on this machine; null when there were none (or for a dry run
   * without a database).
   */
  estimatedSeconds?: number | null;
}

/** A sweep's state as its user set it: its runs wait and train (active), wait (paused), or were cancelled. */
export type SweepStatus = 'active' | 'paused' | 'cancelled';

/** How many of a sweep's runs are in each status, and in all. */
export type SweepCounts = Record<RunStatus, number> & { total: number };

/** A sweep as the Sweeps page and `timbre sweep list` show it. */
export interface SweepSummary {
  id: number;
  name: string;
  status: SweepStatus;
  createdAt: string;
  method: SweepMethod;
  /** The varied settings, in schema order. */
  varied: FieldKey[];
  configurations: number;
  seeds: number;
  earlyStopping: EarlyStopping['method'] | null;
  counts: SweepCounts;
  /** No run of it waits, prepares or trains. */
  done: boolean;
  /** The run with the best validation accuracy so far. */
  best: { runId: number; name: string; valAccuracy: number; testAccuracy: number | null } | null;
}

/** One run of a sweep with its place in it. */
export interface SweepRun {
  run: RunSummary;
  trial: number;
  replicate: number;
  /** The varied settings' values of its configuration. */
  values: Partial<Record<FieldKey, SweepValue>>;
  label: string;
}

/** A sweep with its spec and every run. */
export interface SweepDetail extends SweepSummary {
  spec: SweepSpec;
  runs: SweepRun[];
}

/** How to extend a sweep: more random trials, or more seeds for every configuration. */
export interface SweepExtension {
  trials?: number;
  seeds?: number;
}
