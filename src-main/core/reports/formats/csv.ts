import { CSV_TABLES, csvPaths, reportCsv } from '../csv';
import { groupCsv } from '../groups/csv';
import { sweepCsv } from '../sweep/csv';
import { defineReportFormat } from '../types';

/**
 * Three CSV tables: runs, epochs and predictions, named after the output file (see csvPaths); a
 * sweep's report is two: runs and configurations.
 */
export const csvFormat = defineReportFormat({
  id: 'csv',
  label: 'CSV (3 files)',
  extensions: ['.csv'],
  mime: 'text/csv',
  description:
    'three files: FILE-runs.csv, FILE-epochs.csv, FILE-predictions.csv (FILE without .csv); ' +
    'of a sweep, two: FILE-runs.csv, FILE-configurations.csv; of groups, four: FILE-runs.csv, ' +
    'FILE-groups.csv, FILE-pairs.csv, FILE-hard-notes.csv',
  render: (data, { out }) => {
    const tables = reportCsv(data);
    const paths = csvPaths(out);
    return CSV_TABLES.report.map((k) => ({ path: paths[k], content: tables[k] }));
  },
  sweep: (data, { out }) => sweepCsv(data, out),
  groups: (data, { out }) => groupCsv(data, out),
});
