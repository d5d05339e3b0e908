import { MAX_SWEEP_RUNS } from '../../shared/sweeps';
import type {
  SweepCounts,
  SweepDetail,
  SweepExtension,
  SweepPlan,
  SweepSpec,
  SweepSummary,
} from '../../shared/sweeps';
import { RUN_STATUSES, isActive, type RunStatus } from '../../shared/training';
import { TRAIN_FIELDS } from '../../shared/train-schema';
import type { SweepRow, SweepTally } from '../store/sweeps';
import { sweepLabels } from '../sweeps/expand';
import { planSweep } from '../sweeps/plan';
import { checkWhole, SweepError } from '../sweeps/spec';
import type { WorkbenchDatasets } from './datasets';
import { NotFoundError, RunStateError, type Home } from './home';
import type { WorkbenchRuns } from './runs';

/** The error for a sweep id that names no sweep. */
const noSuchSweep = (id: number) => new NotFoundError(`No sweep ${id}. \`timbre sweep list\` shows them.`);

/** The Workbench's sweeps: planning, creating (its runs queued in one transaction), following, pausing, extending. */
export class WorkbenchSweeps {
  constructor(
    private readonly home: Home,
    private readonly datasets: WorkbenchDatasets,
    private readonly runs: WorkbenchRuns,
  ) {}

  /** A sweep's dry run, with the time its runs would take from the speed of earlier runs. */
  plan(spec: SweepSpec): SweepPlan {
    const plan = planSweep(spec);
    const speeds = this.home.sweeps.speeds();
    let seconds = 0;
    for (const run of plan.runs) {
      const perEpoch = speeds.get(`${run.config.model.type}/${run.config.features.representation}`);
      if (perEpoch === undefined) return { ...plan, estimatedSeconds: null };
      seconds += perEpoch * run.config.epochs;
    }
    return { ...plan, estimatedSeconds: plan.runs.length ? seconds : null };
  }

  /** Creates a sweep and queues all its runs, in one transaction: all of them or none. */
  async create(spec: SweepSpec, dataset?: string | number): Promise<SweepSummary> {
    const plan = planSweep(spec);
    const ds = dataset === undefined ? await this.datasets.ensureDefault() : this.datasets.get(dataset);
    const id = this.home.transaction(() => {
      const id = this.home.sweeps.create(plan.spec.name, plan.spec);
      this.runs.record(
        plan.runs.map((r) => ({
          config: r.config,
          preset: r.preset,
          name: `${plan.spec.name} · ${r.label}`,
          datasetId: ds.id,
          datasetFingerprint: ds.fingerprint,
          sweep: { id, trial: r.trial, replicate: r.replicate },
        })),
      );
      return id;
    });
    this.runs.look();
    return this.summary(id);
  }

  /** Every sweep, newest first, with its runs counted by status. */
  list(): SweepSummary[] {
    const tallies = this.home.sweeps.tallies();
    return this.home.sweeps.list().map((row) => summaryOf(row, tallies.get(row.id)));
  }

  /** One sweep with its spec and every run, in the order of its configurations and seeds. */
  get(id: number): SweepDetail {
    const row = this.row(id);
    const summaries = new Map(this.home.runs.listOfSweep(id).map((r) => [r.id, r]));
    const names = sweepLabels(row.spec);
    const runs = this.home.sweeps
      .places(id)
      .filter((p) => summaries.has(p.runId))
      .map((p) => ({
        run: summaries.get(p.runId)!,
        trial: p.trial,
        replicate: p.replicate,
        values: names.valuesOf(p.trial),
        label: names.labelOf(p.trial, p.replicate),
      }));
    return { ...this.summary(id), spec: row.spec, runs };
  }

  /** Pauses a sweep: its waiting runs wait until it is resumed; those training go on. */
  pause(id: number): SweepSummary {
    this.setStatus(id, 'paused', ['active']);
    return this.summary(id);
  }

  /** Resumes a paused sweep: its waiting runs take their places in the queue again. */
  resume(id: number): SweepSummary {
    this.setStatus(id, 'active', ['paused']);
    this.runs.look();
    return this.summary(id);
  }

  /** Cancels a sweep: its waiting runs are cancelled, those preparing or training stop within a batch. */
  cancel(id: number): SweepSummary {
    this.setStatus(id, 'cancelled', ['active', 'paused']);
    for (const runId of this.home.sweeps.unfinished(id)) this.runs.cancel(runId);
    this.runs.look();
    return this.summary(id);
  }

  /**
   * Adds runs to a sweep: more random trials (the same stream of draws goes on) or more seeds per
   * configuration (the same seeds as its first ones, then the next). Its budget no longer applies.
   */
  extend(id: number, extension: SweepExtension): SweepSummary {
    const row = this.row(id);
    if (row.status === 'cancelled')
      throw new RunStateError(`Sweep ${id} was cancelled; it cannot be extended.`);
    const spec: SweepSpec = { ...row.spec, budget: undefined };
    if (extension.trials !== undefined) {
      if (spec.method !== 'random')
        throw new SweepError('Only a random sweep takes more trials; a grid takes more seeds.');
      spec.trials = (spec.trials ?? 0) + checkWhole('trials', extension.trials, 1, MAX_SWEEP_RUNS);
    }
    if (extension.seeds !== undefined)
      spec.seeds = (spec.seeds ?? 1) + checkWhole('seeds', extension.seeds, 1, MAX_SWEEP_RUNS);
    if (extension.trials === undefined && extension.seeds === undefined)
      throw new SweepError('Say how to extend the sweep: more trials, more seeds, or both.');
    const plan = planSweep(spec);
    const run = this.home.runs.get(this.home.sweeps.places(id)[0]?.runId ?? -1);
    if (!run || run.datasetId === null)
      throw new RunStateError(`Sweep ${id} has no run left to take its data set from.`);
    const dataset = this.datasets.get(run.datasetId);
    this.home.transaction(() => {
      const have = new Set(this.home.sweeps.places(id).map((p) => `${p.trial}/${p.replicate}`));
      this.runs.record(
        plan.runs
          .filter((r) => !have.has(`${r.trial}/${r.replicate}`))
          .map((r) => ({
            config: r.config,
            preset: r.preset,
            name: `${plan.spec.name} · ${r.label}`,
            datasetId: dataset.id,
            datasetFingerprint: dataset.fingerprint,
            sweep: { id, trial: r.trial, replicate: r.replicate },
          })),
      );
      this.home.sweeps.setSpec(id, plan.spec);
    });
    this.runs.look();
    return this.summary(id);
  }

  /** One sweep as the list shows it. */
  summary(id: number): SweepSummary {
    return summaryOf(this.row(id), this.home.sweeps.tallies().get(id));
  }

  private row(id: number): SweepRow {
    const row = this.home.sweeps.get(id);
    if (!row) throw noSuchSweep(id);
    return row;
  }

  private setStatus(id: number, to: SweepRow['status'], from: SweepRow['status'][]): void {
    this.home.transaction(() => {
      const row = this.row(id);
      if (!from.includes(row.status))
        throw new RunStateError(
          `Sweep ${id} is ${row.status}; only ${from.join(' or ')} sweeps can be made ${to}.`,
        );
      this.home.sweeps.setStatus(id, to);
    });
  }
}

/** A sweep's summary from its row and its runs' tally. */
function summaryOf(
  row: SweepRow,
  tally: SweepTally = { counts: {}, configurations: 0, seeds: 0, best: null },
): SweepSummary {
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, tally.counts[s] ?? 0])) as SweepCounts;
  counts.total = RUN_STATUSES.reduce((n, s) => n + counts[s], 0);
  const spec = row.spec;
  // A random sweep draws from its lists too; schema order, as the plan lists values.
  const keys = new Set([
    ...Object.keys(spec.grid ?? {}),
    ...(spec.method === 'random' ? Object.keys(spec.random ?? {}) : []),
  ]);
  const varied = TRAIN_FIELDS.map((f) => f.key).filter((k) => keys.has(k));
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    createdAt: row.createdAt,
    method: spec.method,
    varied,
    configurations: tally.configurations,
    seeds: tally.seeds,
    earlyStopping: spec.earlyStopping?.method ?? null,
    counts,
    done: !RUN_STATUSES.some((s: RunStatus) => isActive(s) && counts[s] > 0),
    best: tally.best,
  };
}
