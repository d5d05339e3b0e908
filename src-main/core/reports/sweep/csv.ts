import { CSV_TABLES, csvTablePaths, csvText } from '../csv';
import type { RenderedFile } from '../types';
import type { SweepReportData } from './types';

/**
 * A sweep report as two CSV tables named after `out`: FILE-runs.csv (one row per run: its place,
 * status, results, why it ended early and every setting) and FILE-configurations.csv (one row per
 * configuration: its varied values, runs, and mean and sd of the accuracies over them).
 */
export function sweepCsv(data: SweepReportData, out: string): RenderedFile[] {
  const keys = [...new Set(data.runs.flatMap((r) => Object.keys(r.params)))].sort();
  const runs = csvText(
    [
      'run_id',
      'name',
      'label',
      'configuration',
      'replicate',
      'seed',
      'status',
      'epochs_done',
      'epochs',
      'best_epoch',
      'best_val_accuracy',
      'test_accuracy',
      'reason',
      ...keys,
    ],
    data.runs.map((r) => [
      r.id,
      r.name,
      r.label,
      r.trial + 1,
      r.replicate,
      r.seed,
      r.status,
      r.epochsDone,
      r.epochs,
      r.bestEpoch,
      r.bestValAccuracy,
      r.testAccuracy,
      r.reason,
      ...keys.map((k) => r.params[k]),
    ]),
  );
  const varied = data.space.map((e) => e.key);
  const best = data.best?.configuration.trial;
  const configurations = csvText(
    [
      'configuration',
      'label',
      ...varied,
      'runs',
      'run_ids',
      'val_n',
      'val_accuracy_mean',
      'val_accuracy_sd',
      'test_n',
      'test_accuracy_mean',
      'test_accuracy_sd',
      'best',
    ],
    data.configurations.map((c) => [
      c.trial + 1,
      c.label,
      ...varied.map((k) => c.values[k]),
      c.runIds.length,
      c.runIds.join(';'),
      c.valAccuracy.n,
      c.valAccuracy.mean,
      c.valAccuracy.sd,
      c.testAccuracy.n,
      c.testAccuracy.mean,
      c.testAccuracy.sd,
      c.trial === best ? 1 : 0,
    ]),
  );
  const paths = csvTablePaths(out, CSV_TABLES.sweep);
  return [
    { path: paths.runs, content: runs },
    { path: paths.configurations, content: configurations },
  ];
}
