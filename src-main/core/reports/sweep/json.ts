import type { SweepReportData } from './types';

/**
 * A sweep report as JSON: the sweep (summary and spec), the search space in words and as data,
 * the base configuration, every run with its settings and results, every configuration with the
 * mean and sd of its accuracies, and the best configuration.
 */
export function sweepJson(data: SweepReportData): string {
  const { best, ...rest } = data;
  const doc = {
    format: 'timbre-sweep-report',
    version: 1,
    ...rest,
    best: best && {
      by: best.by,
      configuration: best.configuration,
      runId: best.run.id,
      settings: best.run.params,
    },
  };
  // One line, as the runs report: `jq .` pretty-prints it.
  return `${JSON.stringify(doc)}\n`;
}
