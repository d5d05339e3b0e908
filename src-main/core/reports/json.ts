import type { ReportData } from './types';

/**
 * The report as JSON: for each run everything it recorded (its RunDetail) with every evaluation's
 * per-note predictions, the validation predictions of each epoch, and its best/last metrics.
 */
export function reportJson(data: ReportData): string {
  const doc = {
    format: 'timbre-report',
    version: 1,
    generatedAt: data.generatedAt,
    appVersion: data.appVersion,
    comparison: { differing: data.comparison.differing, same: data.comparison.same },
    runs: data.runs.map((r) => ({
      ...r.detail,
      metrics: r.metrics,
      // Evaluations carry their predictions: probabilities in the order of the evaluation's labels.
      evaluations: r.evaluations,
      validationPredictions: r.validationPredictions,
    })),
  };
  // One line: a run with a few thousand predictions stays a few hundred KB; `jq .` pretty-prints it.
  return `${JSON.stringify(doc)}\n`;
}
