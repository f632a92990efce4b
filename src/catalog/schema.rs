//! The catalog's schema as an ordered list of migrations.
//!
//! Migration `n` (1-based) takes a catalog from `user_version = n - 1` to `n`. Migrations are
//! append-only: a released one is never edited, a change is a new one. Each runs in its own
//! transaction together with its `user_version` bump.
//!
//! Conventions: times are Unix milliseconds (`*_ms`); file modification times are nanoseconds
//! (`mtime_ns`) because editors can save twice within a millisecond; paths of files inside a
//! project are stored relative to the project folder with `/` separators; a metric value of NULL
//! is NaN (SQLite stores NaN as NULL; ±infinity are stored as REAL).

/// The schema version this build writes and understands.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// The migrations still to run on a catalog at `current`, each with the version it produces.
pub fn pending(current: i64) -> impl Iterator<Item = (i64, &'static str)> {
    MIGRATIONS
        .iter()
        .enumerate()
        .map(|(i, sql)| (i as i64 + 1, *sql))
        .filter(move |(version, _)| *version > current)
}

const MIGRATIONS: &[&str] = &[
    // 1: projects and the tables the indexer fills.
    r#"
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,          -- absolute, canonical
    name        TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL,
    watch       INTEGER NOT NULL DEFAULT 1     -- 0: do not keep this project live
);

-- Every file the indexer has looked at: the key for incremental re-indexing.
CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,                 -- relative to the project folder
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    hash        TEXT,                          -- BLAKE3, hex; NULL until hashed
    reader      TEXT,                          -- the reader that recognised it, NULL if none did
    indexed_at_ms INTEGER NOT NULL,
    UNIQUE (project_id, path)
);

CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,                 -- mlflow, dvc, tensorboard, wandb, folder
    external_id TEXT NOT NULL,
    name        TEXT,
    lifecycle   TEXT,
    UNIQUE (project_id, source, external_id)
);

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    experiment_id INTEGER REFERENCES experiments(id) ON DELETE SET NULL,
    parent_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    external_id   TEXT NOT NULL,               -- the tool's run id
    path          TEXT,                        -- the run's folder or file, relative
    name          TEXT,
    status        TEXT,                        -- RUNNING, FINISHED, FAILED, KILLED, ...
    lifecycle     TEXT,                        -- active, deleted
    user          TEXT,
    start_ms      INTEGER,
    end_ms        INTEGER,
    UNIQUE (project_id, source, external_id)
);
CREATE INDEX runs_experiment ON runs(experiment_id);

CREATE TABLE params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tags (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE metric_points (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   INTEGER NOT NULL,
    ts_ms  INTEGER NOT NULL,
    value  REAL,                               -- NULL is NaN
    PRIMARY KEY (run_id, key, step, ts_ms)
) WITHOUT ROWID;

CREATE TABLE datasets (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    file_id     INTEGER REFERENCES files(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,                 -- csv, tsv, parquet, arrow, ndjson
    rows        INTEGER,
    columns     INTEGER,
    hash        TEXT,
    UNIQUE (project_id, path)
);

CREATE TABLE dataset_columns (
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    dtype       TEXT NOT NULL,
    kind        TEXT,                          -- numerical, categorical, boolean, datetime, text
    nulls       INTEGER,
    profile     TEXT,                          -- JSON: min/max/mean/std/quantiles or top categories
    PRIMARY KEY (dataset_id, position)
) WITHOUT ROWID;

CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    file_id     INTEGER REFERENCES files(id) ON DELETE CASCADE,
    run_id      INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    path        TEXT NOT NULL,
    name        TEXT,
    format      TEXT NOT NULL,                 -- onnx, pickle, joblib, torch, safetensors, keras, skops, mlflow
    flavors     TEXT,                          -- JSON list, for MLflow models
    size        INTEGER,
    hash        TEXT,
    UNIQUE (project_id, path)
);

-- run -> dataset it used, run -> model it produced (and any other edge a reader can prove).
CREATE TABLE lineage (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    from_kind   TEXT NOT NULL CHECK (from_kind IN ('run', 'dataset', 'model')),
    from_id     INTEGER NOT NULL,
    to_kind     TEXT NOT NULL CHECK (to_kind IN ('run', 'dataset', 'model')),
    to_id       INTEGER NOT NULL,
    relation    TEXT NOT NULL,                 -- used, produced
    UNIQUE (from_kind, from_id, to_kind, to_id, relation)
);

-- A file a reader could not read: shown to the user, never a reason to stop a scan.
CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    reader      TEXT NOT NULL,
    message     TEXT NOT NULL,
    found_at_ms INTEGER NOT NULL
);
CREATE INDEX problems_project ON problems(project_id);
"#,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_runs_only_newer_migrations_in_order() {
        let all: Vec<i64> = pending(0).map(|(v, _)| v).collect();
        assert_eq!(all, (1..=VERSION).collect::<Vec<_>>());
        assert_eq!(pending(VERSION).count(), 0);
    }

    #[test]
    fn every_migration_applies_on_an_empty_database() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for (_, sql) in pending(0) {
            conn.execute_batch(sql).unwrap();
        }
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 12);
    }
}
