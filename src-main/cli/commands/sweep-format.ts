// Sweeps as a user reads them in a terminal: the list, one sweep in full, its counts by status.
import { exactTime, pct, relativeTime, UNKNOWN } from '../../shared/format';
import type {
  EarlyStopping,
  SweepDetail,
  SweepDistribution,
  SweepSummary,
  SweepValue,
} from '../../shared/sweeps';
import { flatten } from '../../shared/train-checks';
import { RUN_STATUSES } from '../../shared/training';
import { alignedTable } from '../format-runs';
import { OPTIONS } from './sweep-spec';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "8 runs: 3 finished, 1 running, 4 queued" (the statuses it has, in a run's life order). */
export function countsText(s: SweepSummary): string {
  const parts = RUN_STATUSES.filter((st) => s.counts[st] > 0).map((st) => `${s.counts[st]} ${st}`);
  return `${plural(s.counts.total, 'run')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Its status as the list shows it: "done" once no run of an active or paused sweep waits or trains. */
export function statusText(s: SweepSummary): string {
  return s.done && s.status !== 'cancelled' && s.counts.total > 0 ? 'done' : s.status;
}

/** Every sweep as one table, in the order given. */
export function sweepsTable(sweeps: SweepSummary[], now = Date.now()): string {
  return alignedTable(
    [
      'id',
      'name',
      'status',
      'method',
      'varies',
      'runs',
      'finished',
      'training',
      'queued',
      'stopped',
      'failed',
      'best val acc',
      'best run',
      'created',
    ],
    sweeps.map((s) => [
      s.id,
      s.name,
      statusText(s),
      s.method,
      s.varied.join(', ') || UNKNOWN,
      s.counts.total,
      s.counts.finished,
      s.counts.preparing + s.counts.running,
      s.counts.queued,
      s.counts.stopped,
      s.counts.failed,
      pct(s.best?.valAccuracy),
      s.best?.runId ?? UNKNOWN,
      relativeTime(s.createdAt, now),
    ]),
  );
}

const value = (v: SweepValue) => String(v);

// "0.001, 0.0003"; "log-uniform from 0.0001 to 0.01"; "one of adam, sgd".
function distributionText(d: SweepDistribution, random: boolean): string {
  switch (d.kind) {
    case 'choice':
      return random ? `one of ${d.values.map(value).join(', ')}` : d.values.map(value).join(', ');
    case 'uniform':
      return `uniform from ${d.min} to ${d.max}`;
    case 'loguniform':
      return `log-uniform from ${d.min} to ${d.max}`;
    case 'int':
      return `a whole number from ${d.min} to ${d.max}`;
  }
}

/** "ASHA: rungs at epochs 1, 3, 9, keeps the top 1/3" / "median stopping from epoch 3" (the rule as given). */
export function earlyStoppingText(e: EarlyStopping | undefined): string {
  if (!e) return 'none';
  if (e.method === 'median') {
    const from = e.minEpochs === undefined ? '' : `, from epoch ${e.minEpochs}`;
    const runs = e.minRuns === undefined ? '' : `, once ${e.minRuns} other runs got there`;
    return `median stopping${from}${runs}`;
  }
  const rungs = e.rungs
    ? `rungs at epochs ${e.rungs.join(', ')}`
    : e.minEpochs === undefined
      ? 'rungs from epoch 1'
      : `rungs from epoch ${e.minEpochs}`;
  const eta = e.eta === undefined ? 'keeps the top third' : `keeps the top 1/${e.eta}`;
  const runs = e.minRuns === undefined ? '' : `, once ${e.minRuns} runs reached a rung`;
  return `ASHA: ${rungs}, ${eta}${runs}`;
}

/** The base configuration's overrides as "epochs=2 batch=8" in the schema's order; "none" without any. */
function overridesText(overrides: Parameters<typeof flatten>[0] | undefined): string {
  const flat = flatten(overrides ?? {});
  const set = OPTIONS.fields.filter((f) => flat[f.key] !== undefined);
  return set.length ? set.map((f) => `${f.key}=${String(flat[f.key])}`).join(' ') : 'none';
}

/** A sweep in full: what it varies and how, its counts, its best run and a table of its runs. */
export function describeSweep(d: SweepDetail, now = Date.now()): string {
  const spec = d.spec;
  const random = spec.method === 'random';
  const axes = { ...spec.grid, ...spec.random } as Record<string, SweepValue[] | SweepDistribution>;
  const shape = random
    ? `random, ${plural(spec.trials ?? 0, 'trial')} drawn from seed ${spec.seed}`
    : 'grid (every combination)';
  const lines = [
    `sweep ${d.id}: ${d.name}`,
    `status          ${statusText(d)}${statusText(d) === d.status ? '' : ` (${d.status})`}`,
    `created         ${exactTime(d.createdAt)} (${relativeTime(d.createdAt, now)})`,
    `method          ${shape}; ${plural(d.configurations, 'configuration')} x ${plural(d.seeds, 'seed')}`,
    `base            preset ${spec.base.preset ?? 'seed-lstm'}; ${overridesText(spec.base.overrides)}`,
    `early stopping  ${earlyStoppingText(spec.earlyStopping)}`,
    `runs            ${countsText(d)}`,
    d.best
      ? `best            run ${d.best.runId} "${d.best.name}": val acc ${pct(d.best.valAccuracy)}, test acc ${pct(d.best.testAccuracy)}`
      : `best            ${UNKNOWN} (no run has a validation accuracy yet)`,
    '',
    'varies:',
  ];
  for (const { key } of OPTIONS.fields.filter((f) => axes[f.key] !== undefined)) {
    const axis = axes[key]!;
    const dist = Array.isArray(axis) ? ({ kind: 'choice', values: axis } as const) : axis;
    lines.push(`  ${key}: ${distributionText(dist, random)}`);
  }
  if (!Object.keys(axes).length) lines.push('  nothing (every run has the base configuration)');
  lines.push('', d.runs.length ? '(* = best run)' : 'runs: none');
  if (d.runs.length)
    lines.push(
      alignedTable(
        ['', 'id', 'label', 'status', 'epochs', 'best val acc', 'test acc'],
        d.runs.map(({ run, label }) => [
          run.id === d.best?.runId ? '*' : '',
          run.id,
          label || run.name,
          run.status,
          `${run.epochsDone}/${run.epochs}`,
          pct(run.bestValAccuracy),
          pct(run.testAccuracy),
        ]),
      ),
    );
  return lines.join('\n');
}
