import { csvPaths, reportCsv } from '../csv';
import { defineReportFormat } from '../types';

/** Three CSV tables: runs, epochs and predictions, named after the output file (see csvPaths). */
export const csvFormat = defineReportFormat({
  id: 'csv',
  label: 'CSV (3 files)',
  extensions: ['.csv'],
  mime: 'text/csv',
  description: 'three files: FILE-runs.csv, FILE-epochs.csv, FILE-predictions.csv (FILE without .csv)',
  render: (data, { out }) => {
    const tables = reportCsv(data);
    const paths = csvPaths(out);
    return (['runs', 'epochs', 'predictions'] as const).map((k) => ({ path: paths[k], content: tables[k] }));
  },
});
