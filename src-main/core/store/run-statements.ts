import type { RunStatus } from '../../shared/training';
import type { PackedRuns } from '../../shared/run-list';
import type { Db } from './database';
import { packedRunsSelect, SUMMARY_SELECT, type RunRow } from './run-rows';

/** The statements RunRepo runs on the `runs` and `run_params` tables, prepared once for a connection. */
export function runStatements(db: Db) {
  return {
    insert: db.prepare(
      `INSERT INTO runs (id, name, status, created_at, app_version, seed, dataset_id, dataset_fingerprint, feature_config, config, preset, owner_pid, sweep_id, sweep_trial, sweep_replicate, backend)
       VALUES (max(?, (SELECT IFNULL(MAX(id), 0) + 1 FROM runs)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // All of a run's parameters in one statement (a sweep creates hundreds of runs at once): the
    // object maps each key to its value's JSON text.
    insertParams: db.prepare<[number, string]>(
      'INSERT INTO run_params (run_id, key, value) SELECT ?, key, value FROM json_each(?)',
    ),
    start: db.prepare(
      `UPDATE runs SET status = 'running', error = NULL, started_at = COALESCE(started_at, ?), backend = ?,
       backend_version = ?, owner_pid = ? WHERE id = ?`,
    ),
    end: db.prepare('UPDATE runs SET status = ?, error = ?, finished_at = ?, owner_pid = NULL WHERE id = ?'),
    // An ended run leaves the lasting queue with its end, in the same transaction.
    leaveQueue: db.prepare('DELETE FROM queue WHERE run_id = ?'),
    claim: db.prepare(
      `UPDATE runs SET status = ?, finished_at = NULL, error = NULL, owner_pid = ?
       WHERE id = ? AND status = ?`,
    ),
    lockState: db.prepare<[number], { status: RunStatus; owner_pid: number | null; epochs_done: number }>(
      'SELECT status, owner_pid, epochs_done FROM runs WHERE id = ?',
    ),
    // Runs of the lasting queue are left out: the process that runs the queue puts them back.
    active: db.prepare<[], { id: number; owner_pid: number | null }>(
      `SELECT id, owner_pid FROM runs WHERE status IN ('queued', 'preparing', 'running')
       AND id NOT IN (SELECT run_id FROM queue) ORDER BY id`,
    ),
    interrupt: db.prepare("UPDATE runs SET status = 'interrupted', owner_pid = NULL WHERE id = ?"),
    setBackend: db.prepare<[string, number]>('UPDATE runs SET backend = ? WHERE id = ?'),
    update: db.prepare('UPDATE runs SET name = ?, notes = ?, tags = ? WHERE id = ?'),
    list: db.prepare<[], PackedRuns>(packedRunsSelect()),
    listFirst: db.prepare<[{ first: number }], PackedRuns>(packedRunsSelect('', true)),
    summary: db.prepare<[number], string>(`${SUMMARY_SELECT} WHERE id = ?`).pluck(true),
    ofSweep: db.prepare<[{ sweep: number }], PackedRuns>(packedRunsSelect('WHERE sweep_id = @sweep')),
    ofSweepFirst: db.prepare<[{ sweep: number; first: number }], PackedRuns>(
      packedRunsSelect('WHERE sweep_id = @sweep', true),
    ),
    row: db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id = ?'),
    params: db.prepare<[number], { key: string; value: string }>(
      'SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key',
    ),
    remove: db.prepare('DELETE FROM runs WHERE id = ?'),
    removeIdle: db.prepare(
      "DELETE FROM runs WHERE id = ? AND status NOT IN ('queued', 'preparing', 'running')",
    ),
    lastBackend: db.prepare<[], { backend: string }>(
      'SELECT backend FROM runs WHERE backend IS NOT NULL ORDER BY started_at DESC LIMIT 1',
    ),
  };
}
