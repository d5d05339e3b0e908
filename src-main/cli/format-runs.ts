import { compareRuns, runMetrics, type RunComparison, type RunMetrics } from '../core/compare';
import { exactTime, fixed, humanDuration, pct, relativeTime, runSeconds, UNKNOWN } from '../shared/format';
import type { QueueRunner, QueueState } from '../shared/contract';
import type { SweepStatus } from '../shared/sweeps';
import type { Evaluation, RunDetail, RunSummary } from '../shared/training';

export { compareRuns, runMetrics };
export type { RunComparison, RunMetrics };

// Cells that read as quantities: numbers, percents ("64.8 %"), "3/20", "128x3", "3 min 12 s".
const QUANTITY = /^[-+]?\d[\d.]*(e[-+]?\d+)?( %|\/\d+|x\d+)?$|^(\d[\d.]* (h|min|s) ?)+$/i;

/** Lays out rows as a text table; quantities are right-aligned, and so is "–" in a column of them. */
export function alignedTable(header: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const isQty = (s: string) => QUANTITY.test(s);
  const qtyColumn = header.map((_, c) => cells.some((r) => isQty(r[c] ?? '')));
  const allQty = header.map(
    (_, c) => qtyColumn[c] && cells.every((r) => [UNKNOWN, ''].includes(r[c] ?? '') || isQty(r[c]!)),
  );
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[], right: (c: number) => boolean) =>
    r
      .map((cell, c) => (right(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [
    line(header, (c) => allQty[c]!),
    ...cells.map((r) => line(r, (c) => isQty(r[c]!) || (r[c] === UNKNOWN && qtyColumn[c]!))),
  ].join('\n');
}

const duration = (run: RunSummary, now: number) => humanDuration(runSeconds(run, now));

/** The runs as one table, in the order given. */
export function runsTable(runs: RunSummary[], now = Date.now()): string {
  return alignedTable(
    [
      'id',
      'name',
      'model',
      'features',
      'lr',
      'batch',
      'hidden x layers',
      'status',
      'epochs',
      'best val acc',
      'test acc',
      'duration',
      'backend',
      'created',
    ],
    runs.map((r) => [
      r.id,
      r.name,
      r.model,
      r.representation,
      r.lr,
      r.batch,
      `${r.hidden}x${r.layers}`,
      r.status,
      `${r.epochsDone}/${r.epochs}`,
      pct(r.bestValAccuracy),
      pct(r.testAccuracy),
      duration(r, now),
      r.backend ?? UNKNOWN,
      relativeTime(r.createdAt, now),
    ]),
  );
}

const when = (iso: string | null, now: number) =>
  iso ? `${exactTime(iso)} (${relativeTime(iso, now)})` : UNKNOWN;

// Column headings of a confusion matrix: short family names, full ones if shortening makes two alike.
function shortLabels(labels: string[]): string[] {
  const short = labels.map((l) => l.slice(0, 5));
  return new Set(short).size === short.length ? short : labels;
}

/** One evaluation: accuracy, loss, per-class metrics and the confusion matrix with family labels. */
export function describeEvaluation(e: Evaluation): string {
  const epoch = e.epoch === null ? '' : ` of epoch ${e.epoch}`;
  const lines = [
    `${e.split} split, ${e.weights} weights${epoch}: accuracy ${pct(e.accuracy)}, loss ${fixed(e.loss)}`,
    '',
    alignedTable(
      ['family', 'precision', 'recall', 'F1', 'support'],
      e.perClass.map((m) => [m.label, fixed(m.precision, 3), fixed(m.recall, 3), fixed(m.f1, 3), m.support]),
    ),
    '',
    'confusion (rows = true family, columns = predicted):',
    alignedTable(
      ['', ...shortLabels(e.labels)],
      e.confusion.map((row, i) => [e.labels[i] ?? String(i), ...row]),
    ),
  ];
  return lines.join('\n');
}

/** Everything a run recorded, as a user reads it in a terminal. */
export function describeRun(d: RunDetail, now = Date.now()): string {
  const lines = [`run ${d.id}: ${d.name}`, `status       ${d.status}`];
  if (d.error) lines.push(`error        ${d.error}`);
  if (d.notes) lines.push(`notes        ${d.notes.replace(/\n/g, '\n             ')}`);
  const elapsed = duration(d, now);
  lines.push(
    `tags         ${d.tags.length ? d.tags.join(', ') : UNKNOWN}`,
    `preset       ${d.preset ?? UNKNOWN}`,
    `created      ${when(d.createdAt, now)}`,
    `started      ${when(d.startedAt, now)}`,
    `finished     ${when(d.finishedAt, now)}${elapsed === UNKNOWN ? '' : `, took ${elapsed}`}`,
    `backend      ${d.backend ?? UNKNOWN}${d.backendVersion ? ` ${d.backendVersion}` : ''}`,
    `app version  ${d.appVersion}`,
    `seed         ${d.seed}`,
    `data set     ${d.datasetId ?? '(deleted)'}, fingerprint ${d.datasetFingerprint}`,
    '',
    'parameters:',
  );
  const keys = Object.keys(d.params).sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  for (const k of keys) lines.push(`  ${k.padEnd(width)} = ${String(d.params[k])}`);

  lines.push('', `epochs: ${d.epochsDone} of ${d.epochs} done (* = best: highest validation accuracy)`);
  if (d.history.length) {
    lines.push(
      alignedTable(
        ['', 'epoch', 'train loss', 'train acc', 'val loss', 'val acc', 'seconds', 'samples/s'],
        d.history.map((h) => [
          h.epoch === d.bestEpoch ? '*' : '',
          h.epoch,
          fixed(h.trainLoss),
          pct(h.trainAccuracy),
          fixed(h.valLoss),
          pct(h.valAccuracy),
          fixed(h.seconds, 1),
          fixed(h.samplesPerSecond, 0),
        ]),
      ),
    );
  }
  if (d.confusions.length) {
    lines.push(`(validation confusion matrices of ${d.confusions.length} epoch(s): see --json)`);
  }

  lines.push('', d.evaluations.length ? 'evaluations:' : 'evaluations: none yet');
  for (const e of d.evaluations) lines.push('', describeEvaluation(e));

  lines.push('', d.models.length ? 'saved models:' : 'saved models: none');
  if (d.models.length) {
    lines.push(
      alignedTable(
        ['kind', 'epoch', 'folder'],
        d.models.map((m) => [m.kind, m.epoch, m.dir]),
      ),
    );
  }
  return lines.join('\n');
}

/** A comparison as two tables: differing parameters, then metrics; runs are columns. */
export function describeComparison(c: RunComparison): string {
  const heads = c.metrics.map((m) => `#${m.id} ${m.name}`.slice(0, 24));
  const differing = Object.entries(c.differing);
  const lines = [
    differing.length
      ? `parameters that differ (${c.same} other${c.same === 1 ? ' is' : 's are'} the same):`
      : `all ${c.same} parameters are the same.`,
  ];
  if (differing.length) {
    lines.push(
      alignedTable(
        ['parameter', ...heads],
        differing.map(([k, vs]) => [k, ...vs.map((v) => String(v ?? UNKNOWN))]),
      ),
    );
  }
  const row = (label: string, f: (m: RunMetrics) => string | number | null) => [
    label,
    ...c.metrics.map((m) => f(m) ?? UNKNOWN),
  ];
  lines.push(
    '',
    'metrics:',
    alignedTable(
      ['', ...heads],
      [
        row('status', (m) => m.status),
        row('best epoch', (m) => m.bestEpoch),
        row('best val loss', (m) => fixed(m.bestValLoss)),
        row('best val acc', (m) => pct(m.bestValAccuracy)),
        row('last epoch', (m) => m.lastEpoch),
        row('last train loss', (m) => fixed(m.lastTrainLoss)),
        row('last train acc', (m) => pct(m.lastTrainAccuracy)),
        row('last val loss', (m) => fixed(m.lastValLoss)),
        row('last val acc', (m) => pct(m.lastValAccuracy)),
        row('test acc, best weights', (m) => pct(m.testAccuracyBest)),
        row('test acc, last weights', (m) => pct(m.testAccuracyLast)),
        row('epochs', (m) => `${m.epochsDone}/${m.epochs}`),
        row('duration', (m) => humanDuration(m.seconds)),
      ],
    ),
  );
  return lines.join('\n');
}

/** Who runs the queue, in words: "this process", "process 4321 on lab-pc since 14:02:11 (5 min ago)", "nobody". */
export function runnerText(runner: QueueRunner, now = Date.now()): string {
  if (runner.kind === 'here') return 'this process';
  if (runner.kind === 'nobody') return 'nobody';
  return `process ${runner.pid} on ${runner.host} since ${when(runner.since, now)}`;
}

/** What a user can do about who runs the queue: nothing when someone does, else how to start it. */
export function runnerHint(state: QueueState): string {
  const hint =
    state.runner.kind === 'nobody'
      ? 'Nobody runs the queue now: start `timbre queue run` (or `timbre serve`, or the app) to train it.'
      : `The queue is run by ${runnerText(state.runner)}.`;
  return state.paused ? `${hint} It is paused: \`timbre queue resume\` lets runs start.` : hint;
}

/**
 * The queue as `timbre queue list` shows it: its settings and who runs it, then one table of the
 * runs preparing or training (place "–") and those waiting (place 1, 2 ... in the order they start).
 * `runs` gives names and epochs; `sweeps` the status of the sweeps of waiting runs.
 */
export function describeQueue(
  state: QueueState,
  runs: Map<number, RunSummary>,
  sweeps: Map<number, SweepStatus>,
  now = Date.now(),
): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `run by       ${runnerText(state.runner, now)}`,
    `paused       ${state.paused ? 'yes: no run starts until `timbre queue resume`' : 'no'}`,
    `at once      ${plural(state.runsAtOnce, 'run')}`,
    `runs         ${state.training.length} preparing or training, ${state.queued.length} waiting`,
  ];
  if (state.runner.kind === 'nobody' && state.queued.length)
    lines.push('', 'Nobody runs the queue now: `timbre queue run`, `timbre serve` or the app trains it.');
  if (!state.training.length && !state.queued.length) return lines.join('\n');
  const row = (place: string | number, id: number, status: string): (string | number)[] => {
    const r = runs.get(id);
    const sweep = r?.sweepId ?? null;
    const paused = sweep !== null && sweeps.get(sweep) === 'paused';
    return [
      place,
      id,
      r?.name ?? UNKNOWN,
      status,
      r ? `${r.epochsDone}/${r.epochs}` : UNKNOWN,
      pct(r?.bestValAccuracy),
      sweep === null ? UNKNOWN : paused ? `${sweep} (paused)` : sweep,
    ];
  };
  lines.push(
    '',
    alignedTable(
      ['place', 'id', 'name', 'status', 'epochs', 'best val acc', 'sweep'],
      [
        ...state.training.map((t) => row(UNKNOWN, t.runId, t.status)),
        ...state.queued.map((id, i) => row(i + 1, id, 'queued')),
      ],
    ),
  );
  return lines.join('\n');
}
