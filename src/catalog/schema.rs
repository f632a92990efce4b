//! The catalog's schema as an ordered list of migrations.
//!
//! Migration `n` (1-based) takes a catalog from `user_version = n - 1` to `n`. Migrations are
//! append-only: a released one is never edited, a change is a new one. Each runs in its own
//! transaction together with its `user_version` bump.
//!
//! Conventions: times are Unix milliseconds (`*_ms`); file modification times are nanoseconds
//! (`mtime_ns`) because editors can save twice within a millisecond; paths of files inside a
//! project are stored relative to the project folder with `/` separators; a metric value of NULL
//! is NaN (SQLite stores NaN as NULL; ±infinity are stored as REAL); JSON columns hold objects
//! whose keys are sorted.

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
    // 1: projects and what the indexer fills.
    r#"
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,          -- absolute, canonical
    name        TEXT NOT NULL,
    added_at_ms INTEGER NOT NULL,
    watch       INTEGER NOT NULL DEFAULT 1,    -- 0: do not keep this project live
    indexed_at_ms INTEGER                      -- end of the last complete index, NULL if never
);

-- Every file the indexer has seen: (size, mtime) -> content hash, so unchanged files are
-- never read or hashed twice.
CREATE TABLE files (
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,                 -- relative to the project folder, '/'-separated
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    hash        TEXT NOT NULL,                 -- BLAKE3, hex
    PRIMARY KEY (project_id, path)
) WITHOUT ROWID;

-- A unit is what one reader reads as a whole (a file, or a folder such as an MLflow run).
-- Every record below belongs to exactly one unit; re-reading a unit replaces its records,
-- and deleting a unit deletes them (ON DELETE CASCADE). `fingerprint` hashes the unit's
-- member paths and content hashes: a unit is re-read only when it changes.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    reader      TEXT NOT NULL,
    key         TEXT NOT NULL,                 -- project-relative path of the unit
    fingerprint TEXT NOT NULL,
    indexed_at_ms INTEGER NOT NULL,
    UNIQUE (project_id, reader, key)
);

-- Records refer to each other by the tools' own ids (`external_id`), never by rowid, so that
-- units can be read in any order and re-read alone.
CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,                 -- mlflow, dvc, tensorboard, wandb, folder
    external_id TEXT NOT NULL,
    name        TEXT,
    lifecycle   TEXT,
    tags        TEXT NOT NULL DEFAULT '{}',    -- JSON object
    UNIQUE (project_id, source, external_id)
);

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    external_id   TEXT NOT NULL,               -- the tool's run id
    experiment_external_id TEXT,
    parent_external_id TEXT,
    path          TEXT,                        -- the run's folder or file, relative
    name          TEXT,
    status        TEXT,                        -- RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
    lifecycle     TEXT,                        -- active, deleted
    user          TEXT,
    start_ms      INTEGER,
    end_ms        INTEGER,
    UNIQUE (project_id, source, external_id)
);
CREATE INDEX runs_unit ON runs(unit_id);

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

-- Full metric histories, deduplicated on (step, timestamp).
CREATE TABLE metric_points (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   INTEGER NOT NULL,
    ts_ms  INTEGER NOT NULL,
    value  REAL,                               -- NULL is NaN
    PRIMARY KEY (run_id, key, step, ts_ms)
) WITHOUT ROWID;

-- The value at the largest step (ties: latest timestamp) of each metric, kept by the writer.
CREATE TABLE metric_finals (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    step   INTEGER NOT NULL,
    ts_ms  INTEGER NOT NULL,
    value  REAL,                               -- NULL is NaN
    points INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE datasets (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,                 -- csv, tsv, parquet, arrow, ndjson
    rows        INTEGER,
    bytes       INTEGER NOT NULL,
    hash        TEXT,
    UNIQUE (project_id, path)
);

CREATE TABLE dataset_columns (
    dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    dtype       TEXT NOT NULL,
    kind        TEXT NOT NULL,                 -- numerical, categorical, boolean, datetime, text
    nulls       INTEGER NOT NULL,
    profile     TEXT NOT NULL,                 -- JSON: min/max/mean/std/quantiles or top categories
    PRIMARY KEY (dataset_id, position)
) WITHOUT ROWID;

CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,                 -- the model file or folder, relative
    format      TEXT NOT NULL,                 -- onnx, pickle, joblib, torch, safetensors, keras, hdf5, skops, mlflow
    name        TEXT,
    external_id TEXT,                          -- e.g. the MLflow logged model id
    run_source  TEXT,
    run_external_id TEXT,
    bytes       INTEGER NOT NULL,
    hash        TEXT,
    details     TEXT NOT NULL DEFAULT '{}',    -- JSON: flavors, signature, opset, tensors, ...
    UNIQUE (project_id, format, path)
);

CREATE TABLE registered_models (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    tags        TEXT NOT NULL DEFAULT '{}',
    aliases     TEXT NOT NULL DEFAULT '{}',    -- JSON: alias -> version
    UNIQUE (project_id, source, name)
);

CREATE TABLE model_versions (
    registered_model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
    version     TEXT NOT NULL,
    run_external_id TEXT,
    model_external_id TEXT,
    source_uri  TEXT,
    status      TEXT,
    tags        TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (registered_model_id, version)
) WITHOUT ROWID;

-- run -> dataset it used, run -> model it produced, dataset -> dataset it was derived from.
-- Ends are written as the readers know them (kind + key) and resolved at query time.
CREATE TABLE lineage (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    from_kind   TEXT NOT NULL,                 -- run, dataset, model
    from_key    TEXT NOT NULL,                 -- run: "source:external_id"; dataset/model: path
    to_kind     TEXT NOT NULL,
    to_key      TEXT NOT NULL,
    relation    TEXT NOT NULL                  -- used, produced, derived
);
CREATE INDEX lineage_from ON lineage(project_id, from_kind, from_key);
CREATE INDEX lineage_to ON lineage(project_id, to_kind, to_key);

-- What a reader could not read: shown to the user, never a reason to stop a scan.
CREATE TABLE problems (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER REFERENCES units(id) ON DELETE CASCADE,
    project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    reader      TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX problems_project ON problems(project_id);
"#,
    // 2: reference profiles for drift, by content hash (see catalog::drift_cache).
    r#"
CREATE TABLE drift_files (
    path        TEXT PRIMARY KEY,              -- absolute, canonical
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    hash        TEXT NOT NULL,                 -- BLAKE3 of the bytes, hex
    format      TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    schema_json TEXT NOT NULL                  -- [[name, dtype, class], ...] in file order
);
CREATE TABLE drift_samples (
    hash        TEXT NOT NULL,
    column_name TEXT NOT NULL,
    read_as     TEXT NOT NULL,                 -- numbers | categories
    version     INTEGER NOT NULL,              -- the sample encoding's version
    missing     INTEGER NOT NULL,
    unparsable  INTEGER NOT NULL,
    payload     BLOB,                          -- categories: JSON [[v, n], ...]; NULL for numbers
    file        TEXT,                          -- numbers: sorted f64 LE in this file of the cache folder
    bytes       INTEGER NOT NULL,
    used_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (hash, column_name, read_as, version)
);
CREATE INDEX drift_samples_used ON drift_samples (used_at_ms);
"#,
    // 3: the registry side (see catalog::registry): connections (never their secrets), the
    // append-only audit log, the publish outbox and what was pulled from registries.
    r#"
CREATE TABLE registries (
    url         TEXT PRIMARY KEY,              -- normalised: scheme://host[:port][/path], no trailing slash
    auth        TEXT NOT NULL,                 -- none | basic | bearer
    username    TEXT,
    ca_file     TEXT,                          -- extra root certificate (PEM), absolute path
    is_default  INTEGER NOT NULL DEFAULT 0,
    added_ms    INTEGER NOT NULL
);
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,                 -- approve | reject | publish | publish-failed | alias | promote | rollback | login | logout
    subject     TEXT NOT NULL,                 -- a model's absolute path, or registry#name
    content_hash TEXT,
    note        TEXT,
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_subject ON audit_log (subject);
CREATE INDEX audit_log_hash ON audit_log (content_hash);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE publish_jobs (
    id          INTEGER PRIMARY KEY,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    model_id    INTEGER,                       -- catalog model id when it had one (ids can change on re-index)
    model_path  TEXT NOT NULL,                 -- absolute
    content_hash TEXT NOT NULL,                -- what was approved; checked again before upload
    registry    TEXT NOT NULL,
    name        TEXT NOT NULL,
    alias       TEXT,
    state       TEXT NOT NULL,                 -- queued | running | waiting | done | failed | cancelled
    step        TEXT NOT NULL DEFAULT 'queued',
    bytes_done  INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    next_attempt_ms INTEGER,
    lease_until_ms INTEGER,                    -- a running job whose lease expired was interrupted
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    error_kind  TEXT,                          -- remote | input: why a failed job failed (exit 3 or 2)
    request     TEXT NOT NULL DEFAULT '{}',    -- JSON: what to publish (files, tags, card, evidence)
    remote      TEXT NOT NULL DEFAULT '{}',    -- JSON: what exists on the server so far (ids, uploaded files)
    version     TEXT,
    version_url TEXT
);
CREATE INDEX publish_jobs_state ON publish_jobs (state, next_attempt_ms);
CREATE TABLE remote_models (
    registry    TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    tags        TEXT NOT NULL DEFAULT '{}',
    aliases     TEXT NOT NULL DEFAULT '{}',    -- alias -> version
    versions    TEXT NOT NULL DEFAULT '[]',    -- JSON array of versions
    pulled_ms   INTEGER NOT NULL,
    PRIMARY KEY (registry, name)
) WITHOUT ROWID;
"#,
    // 4: saved views of the runs (see catalog::views): the spec is JSON, read leniently.
    r#"
CREATE TABLE views (
    name        TEXT PRIMARY KEY,
    spec        TEXT NOT NULL,                 -- a ViewSpec as JSON
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);
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
        assert_eq!(tables, 23);
    }
}
