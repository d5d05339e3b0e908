import type { AppInfo, WorkbenchEvent } from '../../shared/contract';
import type { ProgressFn } from '../../shared/types';
import { errorKind } from '../errors';
import { ensureDir } from '../fs-safe';
import { homePaths, timbreHome, type HomePaths } from '../paths';
import { openDatabase, type Db } from '../store/database';
import { DatasetRepo } from '../store/datasets';
import { LeaseRepo } from '../store/lease';
import { QueueRepo } from '../store/queue';
import { RunRepo } from '../store/runs';
import { SweepRepo } from '../store/sweeps';

/** A reference to a data set, a run or a method that matches none. */
export const NotFoundError = errorKind('NotFoundError', 'not-found');
export type NotFoundError = InstanceType<typeof NotFoundError>;

/** A request that does not fit the run's state (resume a finished run, delete a training one). */
export const RunStateError = errorKind('RunStateError', 'conflict');
export type RunStateError = InstanceType<typeof RunStateError>;

/**
 * What the Workbench's parts share, and only they: one TIMBRE_HOME with its database and
 * repositories, and the event stream to the shells. No shell ever sees it.
 */
export interface Home {
  readonly paths: HomePaths;
  readonly db: Db;
  readonly datasets: DatasetRepo;
  readonly runs: RunRepo;
  readonly queue: QueueRepo;
  readonly lease: LeaseRepo;
  readonly sweeps: SweepRepo;
  /** Runs `f` in one write transaction (IMMEDIATE): the repositories' writes in it commit together. */
  transaction<T>(f: () => T): T;
  /** Sends an event to every listener. */
  emit(event: WorkbenchEvent): void;
  /** A progress callback that reports a task's progress as events. */
  progress(task: string): ProgressFn;
}

/** Opens TIMBRE_HOME (`home`, default from the environment) and its database, with listeners to emit to. */
export function openHome(
  home: string | undefined,
  shell: AppInfo['shell'],
  listeners: ReadonlySet<(event: WorkbenchEvent) => void>,
): Home {
  const paths = homePaths(ensureDir(home ?? timbreHome(), 'TIMBRE_HOME'));
  // A backup at most daily from one-shot CLI commands, at each start (hourly at most) of the app and `serve`.
  const db = openDatabase(paths.database, { backupAfterHours: shell === 'cli' ? 24 : 1 });
  const emit = (event: WorkbenchEvent) => {
    for (const listener of listeners) listener(event);
  };
  return {
    paths,
    db,
    datasets: new DatasetRepo(db),
    runs: new RunRepo(db),
    queue: new QueueRepo(db),
    lease: new LeaseRepo(db),
    sweeps: new SweepRepo(db),
    transaction: (f) => db.transaction(f).immediate(),
    emit,
    progress: (task) => (progress) => emit({ type: 'progress', task, progress }),
  };
}

/** The error for a run id that names no run. */
export function noSuchRun(id: number): NotFoundError {
  return new NotFoundError(`No run ${id}. \`timbre runs list\` shows them.`);
}

/** The run's record, or a NotFoundError naming it. */
export function runOf(home: Pick<Home, 'runs'>, id: number) {
  const run = home.runs.get(id);
  if (!run) throw noSuchRun(id);
  return run;
}
