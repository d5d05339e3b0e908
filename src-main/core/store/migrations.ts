/**
 * The schema, one small migration per version. Never edit a released migration:
 * add the next one. `PRAGMA user_version` holds how many have been applied.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: registered data sets and their notes.
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    root TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    splits TEXT NOT NULL
  ) STRICT;
  CREATE TABLE dataset_notes (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train', 'valid', 'test')),
    note_str TEXT NOT NULL,
    family INTEGER NOT NULL CHECK (family BETWEEN 0 AND 10),
    source INTEGER NOT NULL CHECK (source BETWEEN 0 AND 2),
    instrument_str TEXT NOT NULL,
    pitch INTEGER NOT NULL,
    velocity INTEGER NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (dataset_id, split, note_str)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE dataset_skipped (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    file TEXT NOT NULL,
    reason TEXT NOT NULL
  ) STRICT;
  CREATE INDEX dataset_skipped_dataset ON dataset_skipped(dataset_id);
  `,
  // 2: training runs and everything they record.
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted')),
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    backend TEXT,
    backend_version TEXT,
    app_version TEXT NOT NULL,
    seed INTEGER NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    dataset_fingerprint TEXT NOT NULL,
    feature_config TEXT NOT NULL,
    config TEXT NOT NULL,
    preset TEXT,
    best_epoch INTEGER,
    best_val_accuracy REAL,
    test_accuracy REAL,
    epochs_done INTEGER NOT NULL DEFAULT 0,
    owner_pid INTEGER
  ) STRICT;
  CREATE INDEX runs_status ON runs(status);
  CREATE TABLE run_params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    train_loss REAL NOT NULL,
    train_accuracy REAL NOT NULL,
    val_loss REAL,
    val_accuracy REAL,
    seconds REAL NOT NULL,
    samples_per_s REAL NOT NULL,
    confusion TEXT,
    PRIMARY KEY (run_id, epoch)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE epoch_predictions (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    predicted BLOB NOT NULL,
    PRIMARY KEY (run_id, epoch)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    model_dir TEXT NOT NULL,
    weights TEXT NOT NULL CHECK (weights IN ('best', 'last', 'external')),
    epoch INTEGER,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    dataset_fingerprint TEXT NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'valid', 'test')),
    loss REAL NOT NULL,
    accuracy REAL NOT NULL,
    per_class TEXT NOT NULL,
    confusion TEXT NOT NULL,
    labels TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX evaluations_run ON evaluations(run_id);
  CREATE TABLE predictions (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
    note_str TEXT NOT NULL,
    true_family INTEGER NOT NULL,
    predicted_family INTEGER NOT NULL,
    probabilities BLOB NOT NULL,
    PRIMARY KEY (evaluation_id, note_str)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE models (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('best', 'last', 'checkpoint')),
    epoch INTEGER NOT NULL,
    dir TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (run_id, kind)
  ) STRICT, WITHOUT ROWID;
  `,
  // 3: one evaluation per run, split and weights (best or last). A run killed during its final
  // evaluations and resumed recorded them twice: the newest of each is kept. External evaluations
  // (`timbre test`, any number of data sets) are each kept.
  `
  CREATE TEMP TABLE evaluations_stale AS
    SELECT id FROM evaluations e
    WHERE run_id IS NOT NULL AND weights IN ('best', 'last')
      AND id < (SELECT max(id) FROM evaluations n
                WHERE n.run_id = e.run_id AND n.split = e.split AND n.weights = e.weights);
  DELETE FROM predictions WHERE evaluation_id IN (SELECT id FROM evaluations_stale);
  DELETE FROM evaluations WHERE id IN (SELECT id FROM evaluations_stale);
  DROP TABLE evaluations_stale;
  UPDATE runs SET test_accuracy = (
    SELECT accuracy FROM evaluations e WHERE e.run_id = runs.id AND e.weights = 'best' AND e.split = 'test')
  WHERE EXISTS (SELECT 1 FROM evaluations e WHERE e.run_id = runs.id AND e.weights = 'best' AND e.split = 'test');
  CREATE UNIQUE INDEX evaluations_one_per_weights ON evaluations(run_id, split, weights)
    WHERE weights IN ('best', 'last');
  `,
  // 4: a queue that lasts (issue 12), not yet used by the runner. The order is a table of its own
  // rather than a column on runs: a run leaves the queue by losing one row (dropped with the run by
  // the cascade), `SELECT * FROM runs` and the runs' statements stay as they are, and a move
  // rewrites only queue rows. Membership and status are separate: the queue's next run is the
  // first whose status is still 'queued'. Runs already queued are not added: they belong to the
  // in-memory queue of the process that created them. Times of the lease are epoch milliseconds
  // (compared in SQL with the taker's clock). The paused flag and the lease are one row each.
  `
  CREATE TABLE queue (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX queue_position ON queue(position);
  CREATE TABLE queue_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    paused INTEGER NOT NULL CHECK (paused IN (0, 1))
  ) STRICT;
  INSERT INTO queue_state (id, paused) VALUES (1, 0);
  CREATE TABLE queue_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 5: the queue runs from SQLite (issue 12). Sweeps, and each run's sweep with its configuration
  // (trial) and seed (replicate); two statuses: 'preparing' (computing features) and 'stopped'
  // (early, by the sweep's rule). A CHECK cannot be altered in SQLite: \`runs\` is rebuilt with the
  // same columns (migrate() turns foreign keys off around it, so dropping the old table cascades
  // nothing, and checks them before committing). Queue rows gain a cancel request that the process
  // running the queue carries out; the queue's state row, how many runs train at once.
  `
  CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'cancelled')),
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE runs_v5 (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('queued', 'preparing', 'running', 'finished', 'failed', 'cancelled', 'stopped', 'interrupted')),
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    backend TEXT,
    backend_version TEXT,
    app_version TEXT NOT NULL,
    seed INTEGER NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    dataset_fingerprint TEXT NOT NULL,
    feature_config TEXT NOT NULL,
    config TEXT NOT NULL,
    preset TEXT,
    best_epoch INTEGER,
    best_val_accuracy REAL,
    test_accuracy REAL,
    epochs_done INTEGER NOT NULL DEFAULT 0,
    owner_pid INTEGER,
    sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL,
    sweep_trial INTEGER,
    sweep_replicate INTEGER
  ) STRICT;
  INSERT INTO runs_v5 (id, name, notes, tags, status, error, created_at, started_at, finished_at, backend, backend_version, app_version, seed, dataset_id, dataset_fingerprint, feature_config, config, preset, best_epoch, best_val_accuracy, test_accuracy, epochs_done, owner_pid) SELECT id, name, notes, tags, status, error, created_at, started_at, finished_at, backend, backend_version, app_version, seed, dataset_id, dataset_fingerprint, feature_config, config, preset, best_epoch, best_val_accuracy, test_accuracy, epochs_done, owner_pid FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v5 RENAME TO runs;
  CREATE INDEX runs_status ON runs(status);
  CREATE INDEX runs_sweep ON runs(sweep_id) WHERE sweep_id IS NOT NULL;
  ALTER TABLE queue ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
  ALTER TABLE queue_state ADD COLUMN runs_at_once INTEGER NOT NULL DEFAULT 1 CHECK (runs_at_once BETWEEN 1 AND 64);
  `,
  // 6: the runs table's saved views (issue 13): name, filter, sort, columns and grouping, as the
  // renderer's JSON (checked by the API), one row per name.
  `
  CREATE TABLE saved_views (
    name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
    view TEXT NOT NULL CHECK (json_valid(view)),
    updated_at TEXT NOT NULL
  ) STRICT;
  `,
  // 7: cluster mode (issue 16): which worker took a run up at which epoch, with the backend it
  // trained on; the epochs from one row's up to the next row's are that worker's.
  `
  CREATE TABLE run_workers (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    from_epoch INTEGER NOT NULL CHECK (from_epoch >= 1),
    worker TEXT NOT NULL CHECK (length(worker) BETWEEN 1 AND 200),
    host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 200),
    backend TEXT,
    taken_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX run_workers_run ON run_workers(run_id);
  `,
  // 8: the training aids (issue 14): every earlier run trained without them, and says so in its
  // configuration and parameters, so that it groups with a new run of the same settings.
  `
  UPDATE runs SET config = json_insert(config, '$.schedule', 'constant', '$.warmup', 0, '$.clip', 0, '$.labelSmoothing', 0);
  INSERT OR IGNORE INTO run_params (run_id, key, value)
    SELECT id, p.key, p.value FROM runs,
      (SELECT 'schedule' AS key, '"constant"' AS value UNION ALL SELECT 'warmup', '0'
       UNION ALL SELECT 'clip', '0' UNION ALL SELECT 'labelSmoothing', '0') AS p;
  `,
  // 9: how a data set's notes were split (issue 14: by instrument, or a SoundFont held out), in
  // words, as its render recorded it; unknown (null) for data sets registered before.
  `
  ALTER TABLE datasets ADD COLUMN split_rule TEXT CHECK (split_rule IS NULL OR length(split_rule) <= 300);
  `,
  // 10: augmentation and class balance (issue 14): every earlier run trained without them, and says
  // so in its configuration and parameters, so that it groups with a new run of the same settings.
  `
  UPDATE runs SET config = json_insert(config, '$.shift', 0, '$.gain', 0, '$.timeMasks', 0, '$.timeMaskWidth', 10,
    '$.freqMasks', 0, '$.freqMaskWidth', 8, '$.mixup', 0, '$.balance', 'none');
  INSERT OR IGNORE INTO run_params (run_id, key, value)
    SELECT id, p.key, p.value FROM runs,
      (SELECT 'shift' AS key, '0' AS value UNION ALL SELECT 'gain', '0' UNION ALL SELECT 'timeMasks', '0'
       UNION ALL SELECT 'timeMaskWidth', '10' UNION ALL SELECT 'freqMasks', '0'
       UNION ALL SELECT 'freqMaskWidth', '8' UNION ALL SELECT 'mixup', '0'
       UNION ALL SELECT 'balance', '"none"') AS p;
  `,
  // 11: evaluation over several clips of a note (issue 14): earlier runs evaluated one.
  `
  UPDATE runs SET config = json_insert(config, '$.evalClips', 1);
  INSERT OR IGNORE INTO run_params (run_id, key, value) SELECT id, 'evalClips', '1' FROM runs;
  `,
  // 12: data-parallel training (issue 15): earlier runs trained on one thread.
  `
  UPDATE runs SET config = json_insert(config, '$.workers', 1);
  INSERT OR IGNORE INTO run_params (run_id, key, value) SELECT id, 'workers', '1' FROM runs;
  `,
  // 13: random pitch shift (issue 14): earlier runs shifted none.
  `
  UPDATE runs SET config = json_insert(config, '$.pitch', 0);
  INSERT OR IGNORE INTO run_params (run_id, key, value) SELECT id, 'pitch', '0' FROM runs;
  `,
  // 14: weight averaging over the last epochs (issue 14): earlier runs averaged none.
  `
  UPDATE runs SET config = json_insert(config, '$.averageLast', 1);
  INSERT OR IGNORE INTO run_params (run_id, key, value) SELECT id, 'averageLast', '1' FROM runs;
  `,
];
