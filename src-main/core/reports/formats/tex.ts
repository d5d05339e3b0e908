import { fixed, humanDuration, pct } from '../../../shared/format';
import { describeFeatures, describeModel, describeOptimizer } from '../describe';
import { groupTex } from '../groups/tex';
import { sweepTex } from '../sweep/tex';
import { escapeTex, texTable, type Cell } from '../tex-parts';
import { defineReportFormat, type ReportData, type ReportEvaluation, type ReportRun } from '../types';

export { escapeTex } from '../tex-parts';

const runName = (r: ReportRun) => `#${r.detail.id} ${r.detail.name}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// Families with a note or a prediction (the Markdown report shows the same ones).
function shownIndexes(e: ReportEvaluation): number[] {
  return e.labels
    .map((_, i) => i)
    .filter((i) => (e.confusion[i] ?? []).some((v) => v > 0) || e.confusion.some((row) => (row[i] ?? 0) > 0));
}

function settingsTable(data: ReportData): string[] {
  const tags = data.runs.some((r) => r.detail.tags.length > 0);
  return texTable({
    caption: 'Runs: model, features and training settings',
    label: 'tab:timbre-runs',
    columns: `lllllrr${tags ? 'l' : ''}`,
    head: ['Run', 'Model', 'Features', 'Optimizer', 'Backend', 'Batch', 'Seed', ...(tags ? ['Tags'] : [])],
    rows: data.runs.map((r) => [
      runName(r),
      describeModel(r.detail),
      describeFeatures(r.detail.config.features),
      describeOptimizer(r.detail),
      r.detail.backend,
      r.detail.config.batch,
      r.detail.config.seed,
      ...(tags ? [r.detail.tags.join(', ')] : []),
    ]),
  });
}

// Parameters that differ between the runs, as `timbre runs compare` lists them.
function differingTable(data: ReportData): string[] {
  const differing = Object.entries(data.comparison.differing);
  if (data.runs.length < 2 || !differing.length) return [];
  const same = data.comparison.same;
  return texTable({
    caption: `Parameters that differ between the runs (${plural(same, 'other parameter')} ${same === 1 ? 'is' : 'are'} the same)`,
    label: 'tab:timbre-parameters',
    columns: `l${'l'.repeat(data.runs.length)}`,
    head: ['Parameter', ...data.runs.map(runName)],
    rows: differing.map(([k, vs]) => [k, ...vs.map((v) => (v === null ? null : String(v)))]),
  });
}

function metricsTable(data: ReportData): string[] {
  return texTable({
    caption:
      'Accuracy by the best weights (epoch of highest validation accuracy) and the last; test on the test split',
    label: 'tab:timbre-metrics',
    columns: 'lrrrrrrr',
    head: [
      'Run',
      'Epochs',
      'Best epoch',
      'Val acc best',
      'Val acc last',
      'Test acc best',
      'Test acc last',
      'Time',
    ],
    rows: data.runs.map((r) => {
      const m = r.metrics;
      return [
        runName(r),
        `${m.epochsDone}/${m.epochs}`,
        m.bestEpoch,
        pct(m.bestValAccuracy),
        pct(m.lastValAccuracy),
        pct(m.testAccuracyBest),
        pct(m.testAccuracyLast),
        humanDuration(m.seconds),
      ];
    }),
  });
}

// What an evaluation is, for captions: "test split, best weights of epoch 2; accuracy 45.0 %".
function evaluationText(e: ReportEvaluation): string {
  const epoch = e.epoch === null ? '' : ` of epoch ${e.epoch}`;
  return `${e.split} split, ${e.weights} weights${epoch}; accuracy ${pct(e.accuracy)}, loss ${fixed(e.loss)}`;
}

function runTables(r: ReportRun): string[] {
  const e = r.focus;
  if (!e)
    return [`% ${escapeTex(`Run ${runName(r)}: no evaluation recorded yet (${r.detail.status}).`)}`, ''];
  const shown = shownIndexes(e);
  const perClass = texTable({
    caption: `Per-family precision, recall and F1 of run ${runName(r)} (${evaluationText(e)})`,
    label: `tab:timbre-run-${r.detail.id}-families`,
    columns: 'lrrrr',
    head: ['Family', 'Precision', 'Recall', 'F1', 'Support'],
    rows: e.perClass
      .filter((m) => shown.includes(e.labels.indexOf(m.label)))
      .map((m) => [m.label, fixed(m.precision, 3), fixed(m.recall, 3), fixed(m.f1, 3), m.support]),
  });
  const confusion = texTable({
    caption: `Confusion matrix of run ${runName(r)} (${evaluationText(e)}): rows true family, columns predicted`,
    label: `tab:timbre-run-${r.detail.id}-confusion`,
    columns: `l${'r'.repeat(shown.length + 1)}`,
    head: ['True / predicted', ...shown.map((i) => e.labels[i]!), 'Notes'],
    rows: shown.map((i) => {
      const row = e.confusion[i] ?? [];
      return [
        e.labels[i]!,
        ...shown.map((j): Cell => (i === j ? { bold: row[j] ?? 0 } : (row[j] ?? 0))),
        row.reduce((a, b) => a + b, 0),
      ];
    }),
    small: true,
  });
  return [...perClass, ...confusion];
}

/**
 * The report as LaTeX tables to paste into a paper: the runs' settings, the parameters that differ,
 * best/last accuracies, and per run the per-family precision/recall/F1 and the confusion matrix of
 * its test evaluation. Needs only booktabs; every name, tag and note is escaped.
 */
export function reportTex(data: ReportData): string {
  const out = [
    `% Timbre Workbench report: ${plural(data.runs.length, 'run')}, written by Timbre Workbench ${escapeTex(data.appVersion)} on ${escapeTex(data.generatedAt)}.`,
    '% Tables to paste into a paper. In the preamble: \\usepackage{booktabs}',
    '% A wide table fits a column inside \\resizebox{\\linewidth}{!}{...} (\\usepackage{graphicx}).',
    ...data.runs
      .filter((r) => r.detail.notes.trim())
      .map((r) => `% ${escapeTex(`Notes of run ${runName(r)}: ${r.detail.notes}`)}`),
    '',
    ...settingsTable(data),
    ...differingTable(data),
    ...metricsTable(data),
    ...data.runs.flatMap(runTables),
  ];
  return out.join('\n');
}

/** LaTeX booktabs tables ready to paste into a paper. */
export const texFormat = defineReportFormat({
  id: 'tex',
  label: 'LaTeX tables',
  extensions: ['.tex'],
  mime: 'application/x-tex',
  description:
    'LaTeX booktabs tables to paste into a paper: settings, parameters that differ, best/last ' +
    'accuracies, per-family precision/recall/F1 and confusion matrices (needs \\usepackage{booktabs})',
  render: (data, { out }) => [{ path: out, content: reportTex(data) }],
  sweep: (data, { out }) => [{ path: out, content: sweepTex(data) }],
  groups: (data, { out }) => [{ path: out, content: groupTex(data) }],
});
