import { METRIC_COLUMNS, metricColumn, type PackedColumns } from '../../shared/run-views';
import { NOT_SETTINGS } from '../../shared/groups';
import type { Db } from './database';

// The runs table's extra columns (issue 13) for every run, or a sweep's, each part one statement
// over the whole table (never one query per run), written by SQLite as one JSON text. `?2` is the
// sweep or null (`@sweep`); the settings asked for come as one JSON array (`@keys`).
const OF_SWEEP = (runId: string) =>
  `(@sweep IS NULL OR ${runId} IN (SELECT id FROM runs WHERE sweep_id = @sweep))`;

// A configuration's key: every setting but the seed and labels, in key order, null values left out
// (as groupKey of shared/groups.ts tells configurations apart).
const NOT_CONFIG = ['seed', ...NOT_SETTINGS].map((k) => `'${k}'`).join(', ');

const END_METRICS = new Set(
  (['lastValAccuracy', 'lastValLoss', 'lastTrainLoss', 'bestValLoss'] as const).map(metricColumn),
);
const TEST_METRICS = new Set((['testAccuracyLast', 'testLoss'] as const).map(metricColumn));
const NOT_PARAMS = new Set<string>([...METRIC_COLUMNS.map(metricColumn), 'tags', 'notes', 'configuration']);

/** The statements of the runs table's extra columns, prepared once for a connection. */
export class RunColumnRepo {
  private readonly sql;

  constructor(db: Db) {
    const one = (sql: string) => db.prepare<[{ sweep: number | null }], string | null>(sql).pluck(true);
    this.sql = {
      params: db
        .prepare<[{ keys: string; sweep: number | null }], string | null>(
          `SELECT json_group_object(key, json(arr)) FROM (
           SELECT key, json_group_array(json_array(run_id, json(value))) AS arr FROM run_params
           WHERE key IN (SELECT value FROM json_each(@keys)) AND ${OF_SWEEP('run_id')} GROUP BY key)`,
        )
        .pluck(true),
      // The last epoch's row of each run (SQLite takes the bare columns from the row of MAX), and
      // the validation loss of its best epoch.
      ends: one(
        `SELECT json_group_array(json_array(e.run_id, e.val_accuracy, e.val_loss, e.train_loss,
           (SELECT b.val_loss FROM epochs b WHERE b.run_id = e.run_id AND b.epoch = r.best_epoch)))
         FROM (SELECT run_id, MAX(epoch) AS epoch, val_accuracy, val_loss, train_loss FROM epochs
               WHERE ${OF_SWEEP('run_id')} GROUP BY run_id) e
         JOIN runs r ON r.id = e.run_id`,
      ),
      // One evaluation per run, split and weights (a unique index keeps it so).
      tests: one(
        `SELECT json_group_array(json_array(run_id, weights = 'best', accuracy, loss)) FROM evaluations
         WHERE split = 'test' AND weights IN ('best', 'last') AND ${OF_SWEEP('run_id')}`,
      ),
      notes: one(
        `SELECT json_group_array(json_array(id, substr(notes, 1, 500))) FROM runs
         WHERE notes <> '' AND ${OF_SWEEP('id')}`,
      ),
      // Runs numbered by their configuration (1, 2, ... in the keys' order), and the keys: ids are
      // what 10,000 runs send, a key (hundreds of characters) only once per configuration.
      configs: one(
        `WITH c AS MATERIALIZED (
           SELECT run_id, dense_rank() OVER (ORDER BY k) AS g, k FROM (
             SELECT run_id, group_concat(key || '=' || value, ' ' ORDER BY key) AS k FROM run_params
             WHERE key NOT IN (${NOT_CONFIG}) AND value <> 'null' AND ${OF_SWEEP('run_id')}
             GROUP BY run_id))
         SELECT json_object(
           'runs', json((SELECT json_group_array(json_array(run_id, g)) FROM c)),
           'keys', json((SELECT json_group_array(k) FROM (SELECT DISTINCT g, k FROM c ORDER BY g))))`,
      ),
    };
  }

  /** The columns' values for every run (or a sweep's), packed; unpackColumns of shared/run-views.ts reads them. */
  packed(keys: readonly string[], sweep: number | null = null): PackedColumns {
    const parts: string[] = [];
    const params = keys.filter((k) => !NOT_PARAMS.has(k));
    if (params.length)
      parts.push(`"params":${this.sql.params.get({ keys: JSON.stringify(params), sweep }) ?? '{}'}`);
    const part = (name: 'ends' | 'tests' | 'notes' | 'configs', wanted: boolean) => {
      if (wanted)
        parts.push(`"${name}":${this.sql[name].get({ sweep }) ?? (name === 'configs' ? '{}' : '[]')}`);
    };
    part(
      'ends',
      keys.some((k) => END_METRICS.has(k)),
    );
    part(
      'tests',
      keys.some((k) => TEST_METRICS.has(k)),
    );
    part('notes', keys.includes('notes'));
    part('configs', keys.includes('configuration'));
    return { json: `{${parts.join(',')}}` };
  }
}
