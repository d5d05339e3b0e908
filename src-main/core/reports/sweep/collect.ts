import type { SweepDetail, SweepDistribution, SweepSpec, SweepValue } from '../../../shared/sweeps';
import { fieldOf } from '../../../shared/train-checks';
import type { FieldKey } from '../../../shared/train-schema';
import type { RunDetail, TrainConfig } from '../../../shared/training';
import { flattenConfig } from '../../store/run-rows';
import { ashaRungs } from '../../sweeps/asha';
import { configLabel, valueText } from '../../sweeps/expand';
import { checkEarlyStopping, sweepOptions } from '../../sweeps/spec';
import type { ReportSource } from '../collect';
import type {
  SpaceEntry,
  Spread,
  SweepBest,
  SweepConfiguration,
  SweepReportData,
  SweepReportRun,
} from './types';
import packageJson from '../../../../package.json';

/** What a sweep report reads: the Workbench fits it. */
export interface SweepReportSource extends Pick<ReportSource, 'getRun'> {
  /** The sweep with its runs; throws a NotFoundError naming the sweep when there is none. */
  getSweep(id: number): SweepDetail | Promise<SweepDetail>;
}

/** Gathers what a sweep report shows: the sweep, its search space, runs, configurations and best. */
export async function collectSweepReport(
  source: SweepReportSource,
  sweepId: number,
  now = Date.now(),
): Promise<SweepReportData> {
  const { runs: places, ...sweep } = await source.getSweep(sweepId);
  const runs: SweepReportRun[] = [];
  for (const p of places) runs.push(reportRun(await source.getRun(p.run.id), p));
  const configurations = configurationsOf(runs);
  const maxEpochs = Math.max(0, ...runs.map((r) => r.epochs));
  return {
    generatedAt: new Date(now).toISOString(),
    appVersion: packageJson.version,
    sweep,
    space: searchSpace(sweep.spec),
    base: {
      preset: sweep.spec.base.preset ?? 'seed-lstm',
      // Keyed as runs record their settings (`model.layers`), so both tables read alike.
      overrides: flattenConfig((sweep.spec.base.overrides ?? {}) as TrainConfig),
    },
    earlyStopping: earlyStoppingText(sweep.spec, maxEpochs),
    runs,
    configurations,
    best: bestOf(sweep.spec.seeds ?? 1, configurations, runs),
  };
}

function reportRun(d: RunDetail, place: SweepDetail['runs'][number]): SweepReportRun {
  return {
    id: d.id,
    name: d.name,
    label: place.label,
    trial: place.trial,
    replicate: place.replicate,
    seed: d.seed,
    status: d.status,
    epochsDone: d.epochsDone,
    epochs: d.epochs,
    bestEpoch: d.bestEpoch,
    bestValAccuracy: d.bestValAccuracy,
    testAccuracy: d.testAccuracy,
    reason: d.status === 'stopped' || d.status === 'failed' ? d.error : null,
    values: place.values,
    params: d.params,
  };
}

/** Mean and sample standard deviation (n - 1) of the values there are. */
export function spread(values: (number | null)[]): Spread {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = xs.length;
  if (!n) return { n, mean: null, sd: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd };
}

/** The configurations in the order of the sweep's runs, each with the spread over its seeds. */
function configurationsOf(runs: SweepReportRun[]): SweepConfiguration[] {
  const byTrial = new Map<number, SweepReportRun[]>();
  for (const r of runs) byTrial.set(r.trial, [...(byTrial.get(r.trial) ?? []), r]);
  return [...byTrial].map(([trial, rs]) => ({
    trial,
    label: configLabel(rs[0]!.values),
    values: rs[0]!.values,
    runIds: rs.map((r) => r.id),
    valAccuracy: spread(rs.map((r) => r.bestValAccuracy)),
    testAccuracy: spread(rs.map((r) => r.testAccuracy)),
  }));
}

/**
 * The best configuration: with several seeds, the highest mean best validation accuracy over its
 * runs that have one (ties: the earlier configuration); with one seed, the configuration of the
 * run with the highest best validation accuracy (ties: the earlier run). Null before any result.
 */
function bestOf(
  seeds: number,
  configurations: SweepConfiguration[],
  runs: SweepReportRun[],
): SweepBest | null {
  const bestRun = (rs: SweepReportRun[]) =>
    rs.reduce<SweepReportRun | null>(
      (best, r) =>
        r.bestValAccuracy !== null && (best === null || r.bestValAccuracy > best.bestValAccuracy!) ? r : best,
      null,
    );
  if (seeds > 1) {
    const configuration = configurations.reduce<SweepConfiguration | null>(
      (best, c) =>
        c.valAccuracy.mean !== null && (best === null || c.valAccuracy.mean > best.valAccuracy.mean!)
          ? c
          : best,
      null,
    );
    if (!configuration) return null;
    return { by: 'mean', configuration, run: bestRun(runs.filter((r) => r.trial === configuration.trial))! };
  }
  const run = bestRun(runs);
  if (!run) return null;
  return { by: 'run', configuration: configurations.find((c) => c.trial === run.trial)!, run };
}

const list = (values: SweepValue[]) => values.map(valueText).join(', ');

function distributionText(d: SweepDistribution): string {
  if (d.kind === 'choice') return `one of ${list(d.values)}`;
  const range = `from ${valueText(d.min)} to ${valueText(d.max)}`;
  return d.kind === 'int'
    ? `whole number ${range}`
    : `${d.kind === 'loguniform' ? 'log-uniform' : 'uniform'} ${range}`;
}

/** Each varied setting with its values (grid) or how it is drawn (random), in the spec's order. */
export function searchSpace(spec: SweepSpec): SpaceEntry[] {
  const label = (key: FieldKey) => fieldOf(sweepOptions(), key).label;
  if (spec.method === 'grid') {
    return Object.entries(spec.grid ?? {}).map(([key, values]) => ({
      key: key as FieldKey,
      label: label(key as FieldKey),
      kind: 'grid',
      values,
      text: list(values),
    }));
  }
  return Object.entries(spec.random ?? {}).map(([key, d]) => ({
    key: key as FieldKey,
    label: label(key as FieldKey),
    kind: d.kind,
    ...(d.kind === 'choice' ? { values: d.values } : { min: d.min, max: d.max }),
    text: distributionText(d),
  }));
}

/** The early-stopping rule in words, with its defaults filled; null without one. */
export function earlyStoppingText(spec: SweepSpec, maxEpochs: number): string | null {
  if (!spec.earlyStopping) return null;
  const s = checkEarlyStopping(spec.earlyStopping);
  if (s.method === 'median') {
    return (
      `median stopping: from epoch ${s.minEpochs}, a run below the median of the others stops ` +
      `(once ${s.minRuns} other run${s.minRuns === 1 ? ' has' : 's have'} reached the epoch)`
    );
  }
  const rungs = ashaRungs(s, maxEpochs);
  if (!rungs.length) return 'ASHA: no rung comes before the last epoch, so no run is stopped';
  return (
    `ASHA: at epoch${rungs.length === 1 ? '' : 's'} ${rungs.join(', ')} the top 1/${s.eta} continue ` +
    `(once ${s.minRuns} run${s.minRuns === 1 ? ' has' : 's have'} reached the epoch)`
  );
}
