import type { GroupReportData } from './types';

/**
 * A report of groups as JSON: the request, the whole GroupComparison (groups with every metric
 * summarized, pairs, points, importance), the validation-accuracy curves and the hard notes. No audio.
 */
export function groupJson(data: GroupReportData): string {
  const doc = {
    format: 'timbre-group-report',
    version: 1,
    generatedAt: data.generatedAt,
    appVersion: data.appVersion,
    request: data.request,
    comparison: data.comparison,
    curves: data.curves,
    hardNotes: data.hardNotes,
  };
  // One line, as the other reports: `jq .` pretty-prints it.
  return `${JSON.stringify(doc)}\n`;
}
