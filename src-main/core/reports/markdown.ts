import { fixed, pct, UNKNOWN } from '../../shared/format';
import { describeFeatures, describeModel, describeOptimizer } from './describe';
import type { ReportData, ReportEvaluation, ReportRun } from './types';

// A cell's text: pipes escaped, line breaks flattened, so a cell never breaks the table.
const cell = (v: string | number | boolean | null | undefined) =>
  v === null || v === undefined
    ? UNKNOWN
    : String(v)
        .replace(/\|/g, '\\|')
        .replace(/\s*\n\s*/g, ' ');

/** A GitHub-flavoured Markdown table; `right` marks right-aligned (numeric) columns. */
export function markdownTable(
  head: string[],
  rows: (string | number | null)[][],
  right: boolean[] = [],
): string {
  const line = (cells: (string | number | null)[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${head.map((_, i) => (right[i] ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

const runName = (r: ReportRun) => `#${r.detail.id} ${r.detail.name}`;

/**
 * The report as Markdown tables ready to paste into a paper or a README: the results table
 * (runs x model, features, main hyperparameters, best val acc, test acc), the parameters that
 * differ, and per run the per-family metrics and the confusion matrix of its test evaluation.
 */
export function reportMarkdown(data: ReportData): string {
  const out: string[] = [
    `# Training report: ${data.runs.length} run${data.runs.length === 1 ? '' : 's'}`,
    '',
  ];
  out.push(
    '## Results',
    '',
    markdownTable(
      ['run', 'model', 'features', 'optimizer', 'batch', 'epochs', 'best val acc', 'test acc'],
      data.runs.map((r) => [
        runName(r),
        describeModel(r.detail),
        describeFeatures(r.detail.config.features),
        describeOptimizer(r.detail),
        r.detail.config.batch,
        `${r.detail.epochsDone}/${r.detail.epochs}`,
        pct(r.metrics.bestValAccuracy),
        pct(r.metrics.testAccuracyBest),
      ]),
      [false, false, false, false, true, true, true, true],
    ),
    '',
    '_test acc: test split, weights of the epoch with the highest validation accuracy._',
    '',
  );
  const differing = Object.entries(data.comparison.differing);
  if (data.runs.length > 1) {
    out.push('## Parameters that differ', '');
    if (differing.length) {
      out.push(
        markdownTable(
          ['parameter', ...data.runs.map(runName)],
          differing.map(([k, vs]) => [k, ...vs.map((v) => (v === null ? UNKNOWN : String(v)))]),
        ),
        '',
        `${data.comparison.same} other parameter${data.comparison.same === 1 ? ' is' : 's are'} the same.`,
        '',
      );
    } else out.push(`All ${data.comparison.same} parameters are the same.`, '');
  }
  if (data.runs.length > 1) out.push(...f1Table(data));
  for (const r of data.runs) out.push(...runTables(r));
  out.push(`_Written by Timbre Workbench ${data.appVersion} on ${data.generatedAt}._`, '');
  return out.join('\n');
}

// F1 per family, runs side by side.
function f1Table(data: ReportData): string[] {
  const labels = [
    ...new Set(
      data.runs.flatMap((r) => r.focus?.perClass.filter((m) => m.support > 0).map((m) => m.label) ?? []),
    ),
  ];
  if (!labels.length) return [];
  const f1 = (r: ReportRun, label: string) => {
    const m = r.focus?.perClass.find((c) => c.label === label);
    return m && m.support > 0 ? fixed(m.f1, 3) : UNKNOWN;
  };
  return [
    '## F1 per family (test)',
    '',
    markdownTable(
      ['family', ...data.runs.map(runName)],
      labels.map((l) => [l, ...data.runs.map((r) => f1(r, l))]),
      [false, ...data.runs.map(() => true)],
    ),
    '',
  ];
}

function runTables(r: ReportRun): string[] {
  const out = [`## ${runName(r)}`, ''];
  const e = r.focus;
  if (!e) return [...out, `No evaluation recorded yet (the run is ${r.detail.status}).`, ''];
  const epoch = e.epoch === null ? '' : ` of epoch ${e.epoch}`;
  const visible = shown(e);
  out.push(
    `${e.split} split, ${e.weights} weights${epoch}: accuracy ${pct(e.accuracy)}, loss ${fixed(e.loss)}.`,
    '',
    markdownTable(
      ['family', 'precision', 'recall', 'F1', 'support'],
      e.perClass
        .filter((m) => visible.includes(m.label))
        .map((m) => [m.label, fixed(m.precision, 3), fixed(m.recall, 3), fixed(m.f1, 3), m.support]),
      [false, true, true, true, true],
    ),
    '',
    'Confusion matrix (rows: true family, columns: predicted):',
    '',
    confusionMarkdown(e),
    '',
  );
  return out;
}

// Families with a note or a prediction.
function shown(e: ReportEvaluation): string[] {
  return e.labels.filter(
    (_, i) => (e.confusion[i] ?? []).some((v) => v > 0) || e.confusion.some((row) => (row[i] ?? 0) > 0),
  );
}

/** A confusion matrix as a Markdown table, diagonal in bold, families without notes or predictions left out. */
export function confusionMarkdown(e: ReportEvaluation): string {
  const keep = e.labels.map((l, i) => [l, i] as const).filter(([l]) => shown(e).includes(l));
  return markdownTable(
    ['true \\ predicted', ...keep.map(([l]) => l), 'notes'],
    keep.map(([l, i]) => {
      const row = e.confusion[i] ?? [];
      return [
        l,
        ...keep.map(([, j]) => (i === j ? `**${row[j] ?? 0}**` : (row[j] ?? 0))),
        row.reduce((a, b) => a + b, 0),
      ];
    }),
    [false, ...keep.map(() => true), true],
  );
}
