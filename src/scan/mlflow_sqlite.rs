//! The MLflow SQL store in an SQLite file (`mlflow.db`): experiments, runs with their full metric
//! histories, dataset and model lineage, and the Model Registry, read as one consistent snapshot
//! while MLflow may be writing to it.
//!
//! One unit per database file (with its `-wal`, whose changes are the database's changes). A file
//! called `mlflow.db` that cannot be read is a problem; other `.db`/`.sqlite`/`.sqlite3` files are
//! read only if they turn out to be SQLite files with MLflow's tables, and skipped silently
//! otherwise.
//!
//! # Reading while MLflow writes, and leaving the folder as it was
//!
//! The file is opened read-only (`SQLITE_OPEN_READ_ONLY`, `?mode=ro`) with a busy timeout, and
//! every table is read inside one read transaction, so the records are one committed state of
//! the store, never half a commit. A read-only connection never writes the database, so it never
//! creates a rollback journal. Copying the file first was rejected: a byte copy taken while
//! MLflow commits can be torn, and a consistent copy needs the same read lock anyway.
//!
//! The one trap is WAL mode (MLflow uses the default rollback journal, but users and other tools
//! switch it): SQLite then needs the `-wal` and `-shm` files even to read, and a read-only
//! connection *creates* them when they are missing, and leaves them behind. So:
//! - rollback-journal databases (header bytes 18-19 = 1) and WAL databases whose `-wal` and
//!   `-shm` exist (a writer has it open, and they hold its latest commits) are opened `mode=ro`:
//!   the files used are the ones already there;
//! - a WAL database without them has no connection anywhere, and its whole content is in the
//!   main file: it is opened `immutable=1`, which reads that file alone, with no lock and no
//!   side file. Should a writer open it at that very moment, it writes to a new `-wal` and
//!   changes the main file only when it checkpoints; if that checkpoint overlapped our read, the
//!   file's hash changes, so the unit is read again on the next index.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use super::mlflow_file::{
    DELETED_VERSION_STAGE, anchors, exists, holds_mlmodel, join, location_in_source,
    logged_model_id, resolve_stale,
};
use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{
    Entity, Experiment, Lineage, MetricPoint, ModelVersion, Problem, RegisteredModel, Run, source,
};

/// The name MLflow's docs and `mlflow server` use for the database.
const DB_NAME: &str = "mlflow.db";

/// Other names an SQLite file goes by; such files are units too, read if they hold MLflow tables.
const DB_EXTENSIONS: &[&str] = &[".db", ".sqlite", ".sqlite3"];

/// The write-ahead log beside a WAL-mode database.
const WAL_SUFFIX: &str = "-wal";
/// The WAL index beside a WAL-mode database.
const SHM_SUFFIX: &str = "-shm";

/// How long a read waits for MLflow's write lock: MLflow commits in milliseconds, so this only
/// runs out behind something stuck, which is then reported as a problem.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The size of the SQLite header; bytes 18 and 19 are 2 in WAL mode and 1 otherwise.
const HEADER_LEN: usize = 100;

/// The folder `mlflow server --serve-artifacts` stores artifacts in by default, beside its
/// database: `mlflow-artifacts:/<p>` is `mlartifacts/<p>`.
const PROXIED_ARTIFACTS_DIR: &str = "mlartifacts";

/// MLflow stores ±infinity as ±f64::MAX (SQL has no infinity); NaN as 0 with `is_nan` set.
const MLFLOW_INFINITY: f64 = f64::MAX;

pub struct MlflowSqliteStore;

impl Reader for MlflowSqliteStore {
    fn name(&self) -> &'static str {
        "mlflow-sqlite"
    }

    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String> {
        let path = file.path.as_str();
        if is_database_name(path) {
            return Some(path.to_string());
        }
        let db = path.strip_suffix(WAL_SUFFIX)?;
        (is_database_name(db) && project.contains(db)).then(|| db.to_string())
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        if !unit.files.iter().any(|f| f.path == unit.key) {
            return Records::default(); // only a `-wal` is left of it
        }
        let named = split_parent(unit.key).1 == DB_NAME;
        match read_store(unit) {
            Ok(records) => records,
            Err(StoreError::NotSqlite | StoreError::NotMlflow) if !named => Records::default(),
            Err(err) => Records::problem(unit.key, err.to_string()),
        }
    }
}

fn is_database_name(path: &str) -> bool {
    let name = split_parent(path).1;
    name == DB_NAME
        || DB_EXTENSIONS
            .iter()
            .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// Why a database could not be read at all.
#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not an SQLite database: expected the header `SQLite format 3`")]
    NotSqlite,
    #[error("an SQLite database without MLflow's tables: expected `experiments` and `runs`")]
    NotMlflow,
    #[error("cannot open the database read-only: {0}")]
    Open(#[source] rusqlite::Error),
    #[error(
        "cannot read table `{table}` (a damaged database, or a schema this reader does not know): {source}"
    )]
    Table {
        table: &'static str,
        #[source]
        source: rusqlite::Error,
    },
}

// ---------------------------------------------------------------------------------------------
// Opening

/// Opens `path` read-only without creating any file beside it (see the module docs).
fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    std::fs::File::open(path)?
        .take(HEADER_LEN as u64)
        .read_to_end(&mut header)?;
    if header.is_empty() {
        return Err(StoreError::NotMlflow); // SQLite's empty database: no tables yet
    }
    if header.len() < HEADER_LEN || &header[..SQLITE_MAGIC.len()] != SQLITE_MAGIC {
        return Err(StoreError::NotSqlite);
    }
    let wal_mode = header[18] == 2 || header[19] == 2;
    let side = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        Path::new(&p).exists()
    };
    let mode = if wal_mode && !(side(WAL_SUFFIX) && side(SHM_SUFFIX)) {
        "immutable=1"
    } else {
        "mode=ro"
    };
    let uri = format!("{}?{mode}", file_uri(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags).map_err(StoreError::Open)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(StoreError::Open)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(StoreError::Open)?;
    Ok(conn)
}

/// A `file:` URI for SQLite, with `?`, `#`, `%`, spaces and non-ASCII bytes percent-encoded
/// (byte for byte, so that a path that is not UTF-8 still names the same file).
fn file_uri(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut uri = String::from("file:");
    if bytes.get(1) == Some(&b':') {
        uri.push('/'); // a Windows drive: file:/C:/...
    }
    for &b in bytes {
        match b {
            b'\\' => uri.push('/'),
            b if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) => uri.push(b as char),
            b => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

// ---------------------------------------------------------------------------------------------
// Reading

fn read_store(unit: &UnitInput<'_>) -> Result<Records, StoreError> {
    let conn = open_read_only(&unit.abs(unit.key))?;
    // One read transaction: every table from the same commit.
    let tx = conn.unchecked_transaction().map_err(StoreError::Open)?;
    let tables = table_names(&tx).map_err(|source| StoreError::Table {
        table: "sqlite_master",
        source,
    })?;
    if !tables.contains("experiments") || !tables.contains("runs") {
        return Err(StoreError::NotMlflow);
    }
    let mut store = Store {
        conn: &tx,
        tables,
        key: unit.key,
        db_dir: split_parent(unit.key).0,
        project: unit.project,
        out: Records::default(),
    };
    store.experiments()?;
    let mut runs = store.runs()?;
    store.lineage(&runs);
    store.registry();
    store.out.runs.append(&mut runs);
    Ok(store.out)
}

struct Store<'a> {
    conn: &'a Connection,
    tables: HashSet<String>,
    /// The database file, relative to the project.
    key: &'a str,
    db_dir: &'a str,
    project: &'a FileSet,
    out: Records,
}

impl Store<'_> {
    fn experiments(&mut self) -> Result<(), StoreError> {
        let mut experiments = Vec::new();
        let mut index = HashMap::new();
        self.each_row(
            "experiments",
            &["experiment_id", "name", "lifecycle_stage"],
            |row| {
                let Some(id) = text(row, 0) else { return };
                index.insert(id.clone(), experiments.len());
                experiments.push(Experiment {
                    source: source::MLFLOW,
                    external_id: id,
                    name: text(row, 1),
                    lifecycle: text(row, 2),
                    tags: Vec::new(),
                });
            },
        )?;
        self.optional(
            "experiment_tags",
            &["experiment_id", "key", "value"],
            |row| {
                if let (Some(&i), Some(key)) =
                    (text(row, 0).and_then(|id| index.get(&id)), text(row, 1))
                {
                    experiments[i]
                        .tags
                        .push((key, text(row, 2).unwrap_or_default()));
                }
            },
        );
        self.out.experiments = experiments;
        Ok(())
    }

    fn runs(&mut self) -> Result<Vec<Run>, StoreError> {
        let mut runs = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let columns = [
            "run_uuid",
            "name",
            "user_id",
            "status",
            "start_time",
            "end_time",
            "lifecycle_stage",
            "experiment_id",
        ];
        let path = self.key.to_string();
        self.each_row("runs", &columns, |row| {
            let Some(id) = text(row, 0) else { return };
            let mut run = Run::new(source::MLFLOW, id.clone());
            run.path = Some(path.clone());
            run.name = text(row, 1).filter(|n| !n.is_empty());
            run.user = text(row, 2).filter(|u| !u.is_empty());
            run.status = text(row, 3);
            run.start_ms = int(row, 4);
            run.end_ms = int(row, 5);
            run.lifecycle = text(row, 6);
            run.experiment_id = text(row, 7);
            index.insert(id, runs.len());
            runs.push(run);
        })?;
        // Rows are matched to runs by id without allocating it: the metrics table can hold
        // millions of rows.
        let find = |row: &Row<'_>| -> Option<usize> {
            match row.get_ref(0).ok()? {
                ValueRef::Text(id) => index.get(std::str::from_utf8(id).ok()?).copied(),
                _ => None,
            }
        };
        self.optional("params", &["run_uuid", "key", "value"], |row| {
            if let (Some(i), Some(key)) = (find(row), text(row, 1)) {
                runs[i].params.push((key, text(row, 2).unwrap_or_default()));
            }
        });
        self.optional("tags", &["run_uuid", "key", "value"], |row| {
            if let (Some(i), Some(key)) = (find(row), text(row, 1)) {
                runs[i].tags.push((key, text(row, 2).unwrap_or_default()));
            }
        });
        self.optional(
            "metrics",
            &["run_uuid", "key", "value", "timestamp", "step", "is_nan"],
            |row| {
                if let (Some(i), Some(key)) = (find(row), text(row, 1)) {
                    runs[i].metrics.push(MetricPoint {
                        key,
                        step: int(row, 4).unwrap_or(0),
                        ts_ms: int(row, 3).unwrap_or(0),
                        value: metric_value(real(row, 2), int(row, 5).unwrap_or(0) != 0),
                    });
                }
            },
        );
        for run in &mut runs {
            let tag = |key: &str| {
                run.tags
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            let (name, parent, user) = (
                tag("mlflow.runName"),
                tag("mlflow.parentRunId"),
                tag("mlflow.user"),
            );
            run.name = run.name.take().or(name);
            run.parent_id = parent.filter(|p| !p.is_empty());
            run.user = user.or(run.user.take());
        }
        Ok(runs)
    }

    /// Run -> dataset edges from `inputs` + `datasets`, and run -> model edges from
    /// `logged_models` and the `inputs` rows that link a run's output to a model.
    fn lineage(&mut self, runs: &[Run]) {
        let known: HashSet<&str> = runs.iter().map(|r| r.external_id.as_str()).collect();
        let mut sources = HashMap::new();
        self.optional("datasets", &["dataset_uuid", "dataset_source"], |row| {
            if let (Some(id), Some(source)) = (text(row, 0), text(row, 1)) {
                sources.insert(id, source);
            }
        });
        let mut model_dirs = HashMap::new();
        let mut produced = BTreeSet::new();
        let (db_dir, project) = (self.db_dir, self.project);
        self.optional(
            "logged_models",
            &["model_id", "artifact_location", "source_run_id"],
            |row| {
                let Some(id) = text(row, 0) else { return };
                let Some(dir) = text(row, 1).and_then(|loc| model_dir(&loc, db_dir, project))
                else {
                    return;
                };
                if let Some(run) = text(row, 2).filter(|r| !r.is_empty()) {
                    produced.insert((run, dir.clone()));
                }
                model_dirs.insert(id, dir);
            },
        );
        let mut used = BTreeSet::new();
        let mut bad_sources = BTreeSet::new();
        let dataset_anchors = anchors(db_dir);
        self.optional(
            "inputs",
            &[
                "source_type",
                "source_id",
                "destination_type",
                "destination_id",
            ],
            |row| {
                let (Some(src_type), Some(src), Some(dst_type), Some(dst)) =
                    (text(row, 0), text(row, 1), text(row, 2), text(row, 3))
                else {
                    return;
                };
                match (src_type.as_str(), dst_type.as_str()) {
                    ("DATASET", "RUN") => {
                        let Some(raw) = sources.get(&src) else { return };
                        match location_in_source(raw) {
                            Ok(Some(uri)) => {
                                if let Some(path) =
                                    resolve_stale(&uri, &dataset_anchors, |p| exists(project, p))
                                {
                                    used.insert((dst, path));
                                }
                            }
                            Ok(None) => {}
                            Err(message) => {
                                bad_sources.insert(format!("dataset {src}: {message}"));
                            }
                        }
                    }
                    ("RUN_OUTPUT", "MODEL_OUTPUT") => {
                        if let Some(dir) = model_dirs.get(&dst) {
                            produced.insert((src, dir.clone()));
                        }
                    }
                    _ => {}
                }
            },
        );
        for message in bad_sources {
            self.problem(message);
        }
        let run = |id: String| Entity::Run {
            source: source::MLFLOW,
            id,
        };
        for (id, path) in used
            .into_iter()
            .filter(|(id, _)| known.contains(id.as_str()))
        {
            self.out.lineage.push(Lineage {
                from: run(id),
                to: Entity::Dataset { path },
                relation: "used",
            });
        }
        for (id, path) in produced
            .into_iter()
            .filter(|(id, _)| known.contains(id.as_str()))
        {
            self.out.lineage.push(Lineage {
                from: run(id),
                to: Entity::Model { path },
                relation: "produced",
            });
        }
    }

    fn registry(&mut self) {
        let mut models: BTreeMap<String, RegisteredModel> = BTreeMap::new();
        self.optional("registered_models", &["name", "description"], |row| {
            let Some(name) = text(row, 0) else { return };
            models.insert(
                name.clone(),
                RegisteredModel {
                    source: source::MLFLOW,
                    name,
                    description: text(row, 1).filter(|d| !d.is_empty()),
                    tags: Vec::new(),
                    aliases: Vec::new(),
                    versions: Vec::new(),
                },
            );
        });
        self.optional("registered_model_tags", &["name", "key", "value"], |row| {
            let (Some(name), Some(key)) = (text(row, 0), text(row, 1)) else {
                return;
            };
            if let Some(m) = models.get_mut(&name) {
                m.tags.push((key, text(row, 2).unwrap_or_default()));
            }
        });
        self.optional(
            "registered_model_aliases",
            &["name", "alias", "version"],
            |row| {
                let (Some(name), Some(alias), Some(version)) =
                    (text(row, 0), text(row, 1), text(row, 2))
                else {
                    return;
                };
                if let Some(m) = models.get_mut(&name) {
                    m.aliases.push((alias, version));
                }
            },
        );
        // Deleted versions stay in the table with a stage of their own.
        let mut versions: BTreeMap<(String, i64), ModelVersion> = BTreeMap::new();
        let columns = [
            "name",
            "version",
            "run_id",
            "source",
            "status",
            "current_stage",
            "model_id",
        ];
        self.optional("model_versions", &columns, |row| {
            let (Some(name), Some(number)) = (text(row, 0), int(row, 1)) else {
                return;
            };
            if text(row, 5).as_deref() == Some(DELETED_VERSION_STAGE) {
                return;
            }
            let source_uri = text(row, 3);
            let model_id = text(row, 6).or_else(|| source_uri.as_deref().and_then(logged_model_id));
            versions.insert(
                (name, number),
                ModelVersion {
                    version: number.to_string(),
                    run_id: text(row, 2).filter(|r| !r.is_empty()),
                    model_id,
                    source_uri,
                    status: text(row, 4),
                    tags: Vec::new(),
                },
            );
        });
        self.optional(
            "model_version_tags",
            &["name", "version", "key", "value"],
            |row| {
                if let (Some(name), Some(number), Some(key)) =
                    (text(row, 0), int(row, 1), text(row, 2))
                    && let Some(v) = versions.get_mut(&(name, number))
                {
                    v.tags.push((key, text(row, 3).unwrap_or_default()));
                }
            },
        );
        for ((name, _), version) in versions {
            if let Some(m) = models.get_mut(&name) {
                m.versions.push(version);
            }
        }
        for m in models.values_mut() {
            m.aliases.sort();
        }
        self.out.registered_models = models.into_values().collect();
    }

    /// Calls `f` for every row of `table`, with NULL for columns this schema version lacks.
    fn each_row(
        &self,
        table: &'static str,
        columns: &[&str],
        f: impl FnMut(&Row<'_>),
    ) -> Result<(), StoreError> {
        select_rows(self.conn, table, columns, f)
            .map_err(|source| StoreError::Table { table, source })
    }

    /// Like [`Store::each_row`] for a table older MLflow versions lack: a missing table is
    /// skipped, a damaged one becomes a problem and the rest is read.
    fn optional(&mut self, table: &'static str, columns: &[&str], f: impl FnMut(&Row<'_>)) {
        if !self.tables.contains(table) {
            return;
        }
        if let Err(err) = self.each_row(table, columns, f) {
            self.problem(err.to_string());
        }
    }

    fn problem(&mut self, message: String) {
        self.out.problems.push(Problem {
            path: self.key.to_string(),
            message,
        });
    }
}

fn select_rows(
    conn: &Connection,
    table: &str,
    columns: &[&str],
    mut f: impl FnMut(&Row<'_>),
) -> rusqlite::Result<()> {
    let present: HashSet<String> = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let list: Vec<String> = columns
        .iter()
        .map(|c| {
            if present.contains(*c) {
                format!("\"{c}\"")
            } else {
                "NULL".to_string()
            }
        })
        .collect();
    let mut stmt = conn.prepare(&format!("SELECT {} FROM \"{table}\"", list.join(", ")))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(row);
    }
    Ok(())
}

fn table_names(conn: &Connection) -> rusqlite::Result<HashSet<String>> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// A metric as logged: NaN where MLflow set `is_nan`, ±infinity where it stored ±f64::MAX.
fn metric_value(stored: Option<f64>, is_nan: bool) -> f64 {
    match stored {
        _ if is_nan => f64::NAN,
        Some(v) if v == MLFLOW_INFINITY => f64::INFINITY,
        Some(v) if v == -MLFLOW_INFINITY => f64::NEG_INFINITY,
        Some(v) => v,
        None => f64::NAN,
    }
}

/// The project folder of a logged model's artifacts: `mlflow-artifacts:/<p>` is
/// `mlartifacts/<p>` beside the database (where `mlflow server` keeps them by default), even
/// when the artifacts are not in the project; a `file:` location is resolved like any stale
/// path, and must hold an `MLmodel`.
fn model_dir(location: &str, db_dir: &str, project: &FileSet) -> Option<String> {
    let anchors = anchors(db_dir);
    match proxied_artifact_path(location) {
        Some(rel) => {
            let local = join(db_dir, &rel);
            if holds_mlmodel(project, &local) {
                return Some(local);
            }
            Some(resolve_stale(&rel, &anchors, |p| holds_mlmodel(project, p)).unwrap_or(local))
        }
        None => resolve_stale(location, &anchors, |p| holds_mlmodel(project, p)),
    }
}

/// `mlartifacts/<p>` for `mlflow-artifacts:/<p>` or `mlflow-artifacts://<host>/<p>`.
fn proxied_artifact_path(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("mlflow-artifacts:")?;
    let rest = match rest.strip_prefix("//") {
        Some(authority) => &authority[authority.find('/')?..],
        None => rest,
    };
    let rest = rest.trim_start_matches('/');
    Some(join(PROXIED_ARTIFACTS_DIR, rest.trim_end_matches('/')))
}

// Cells, read whatever type SQLite stored them as (MLflow's schema changed over the years).

fn text(row: &Row<'_>, i: usize) -> Option<String> {
    match row.get_ref(i).ok()? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn int(row: &Row<'_>, i: usize) -> Option<i64> {
    match row.get_ref(i).ok()? {
        ValueRef::Integer(n) => Some(n),
        ValueRef::Real(x) if x.is_finite() => Some(x as i64),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn real(row: &Row<'_>, i: usize) -> Option<f64> {
    match row.get_ref(i).ok()? {
        ValueRef::Real(x) => Some(x),
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::scan::mlflow_file::manifest::{ExpectedStore, check_store, load};
    use crate::scan::testing::{fixtures, read_all, read_merged};

    const PROJECT: &str = "mlflow-sqlite-project";

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A scratch project holding a copy of the fixture's `mlflow.db`.
    fn scratch_copy() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_NAME);
        std::fs::copy(fixtures().join(PROJECT).join(DB_NAME), &db).unwrap();
        (dir, db)
    }

    fn param(records: &Records, run: &str, key: &str) -> Option<String> {
        let run = records.runs.iter().find(|r| r.external_id == run)?;
        run.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    #[test]
    fn the_fixture_sqlite_store_matches_its_manifest() {
        let manifest = load(&fixtures().join("MANIFEST.json"));
        let project = &manifest["projects"][PROJECT];
        let root = fixtures().join(PROJECT);
        let before = listing(&root);
        let units = read_all(&MlflowSqliteStore, &root);
        assert_eq!(units.len(), 1, "one unit per database");
        assert_eq!(units[0].0, project["db_file"].as_str().unwrap());
        check_store(&units[0].1, &ExpectedStore::from_fixture(project));
        assert_eq!(listing(&root), before, "reading created or removed files");
    }

    #[test]
    fn a_writer_holding_its_lock_is_neither_blocked_nor_half_read_and_no_file_is_created() {
        let (dir, db) = scratch_copy();
        let run = {
            let records = read_merged(&MlflowSqliteStore, dir.path());
            records.runs[0].external_id.clone()
        };
        let writer = Connection::open(&db).unwrap();
        writer.execute_batch("BEGIN IMMEDIATE").unwrap();
        writer
            .execute(
                "INSERT INTO params (key, value, run_uuid) VALUES ('uncommitted', 'x', ?1)",
                [&run],
            )
            .unwrap();
        let before = listing(dir.path());
        let records = read_merged(&MlflowSqliteStore, dir.path());
        assert_eq!(
            listing(dir.path()),
            before,
            "reading created or removed files"
        );
        assert!(records.problems.is_empty(), "{:#?}", records.problems);
        assert_eq!(
            param(&records, &run, "uncommitted"),
            None,
            "an uncommitted write was read"
        );
        writer.execute_batch("COMMIT").unwrap();
        let records = read_merged(&MlflowSqliteStore, dir.path());
        assert_eq!(param(&records, &run, "uncommitted").as_deref(), Some("x"));
    }

    #[test]
    fn a_wal_database_is_read_with_its_log_and_no_wal_or_shm_is_ever_left_behind() {
        let (dir, db) = scratch_copy();
        let run = read_merged(&MlflowSqliteStore, dir.path()).runs[0]
            .external_id
            .clone();
        let writer = Connection::open(&db).unwrap();
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        writer
            .execute(
                "INSERT INTO params (key, value, run_uuid) VALUES ('in_the_log', 'y', ?1)",
                [&run],
            )
            .unwrap();
        // The writer is open: the commit is in mlflow.db-wal only.
        let before = listing(dir.path());
        assert!(before.iter().any(|n| n.ends_with(WAL_SUFFIX)), "{before:?}");
        let records = read_merged(&MlflowSqliteStore, dir.path());
        assert_eq!(listing(dir.path()), before);
        assert_eq!(param(&records, &run, "in_the_log").as_deref(), Some("y"));

        // Closed: SQLite checkpoints and removes the log; reading must not bring it back.
        drop(writer);
        let before = listing(dir.path());
        assert_eq!(before, [DB_NAME]);
        let records = read_merged(&MlflowSqliteStore, dir.path());
        assert_eq!(
            listing(dir.path()),
            before,
            "a read-only open created -wal/-shm"
        );
        assert!(records.problems.is_empty(), "{:#?}", records.problems);
        assert_eq!(param(&records, &run, "in_the_log").as_deref(), Some("y"));
    }

    #[test]
    fn a_damaged_mlflow_db_is_a_problem_and_other_files_are_not_mlflow_stores() {
        let dir = tempfile::tempdir().unwrap();
        let whole = std::fs::read(fixtures().join(PROJECT).join(DB_NAME)).unwrap();
        std::fs::create_dir_all(dir.path().join("cut")).unwrap();
        std::fs::write(
            dir.path().join("cut").join(DB_NAME),
            &whole[..whole.len() / 3],
        )
        .unwrap();
        std::fs::write(
            dir.path().join(DB_NAME),
            b"not a database at all, just text",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.db"), b"not a database either").unwrap();
        let other = Connection::open(dir.path().join("optuna.sqlite3")).unwrap();
        other
            .execute_batch("CREATE TABLE trials (id INTEGER)")
            .unwrap();
        drop(other);
        let units = read_all(&MlflowSqliteStore, dir.path());
        let by_key: BTreeMap<&str, &Records> = units.iter().map(|(k, r)| (k.as_str(), r)).collect();
        assert_eq!(
            by_key.keys().copied().collect::<Vec<_>>(),
            ["cut/mlflow.db", "mlflow.db", "notes.db", "optuna.sqlite3"]
        );
        assert!(
            by_key["mlflow.db"].problems[0]
                .message
                .contains("not an SQLite database"),
            "{:?}",
            by_key["mlflow.db"]
        );
        let cut = &by_key["cut/mlflow.db"].problems;
        assert!(
            !cut.is_empty() && cut.iter().all(|p| p.path == "cut/mlflow.db"),
            "{cut:#?}"
        );
        assert!(by_key["notes.db"].is_empty());
        assert!(by_key["optuna.sqlite3"].is_empty());
    }

    #[test]
    fn an_older_schema_without_registry_lineage_or_newer_columns_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join(DB_NAME)).unwrap();
        conn.execute_batch(
            "CREATE TABLE experiments (experiment_id INTEGER, name TEXT);
             CREATE TABLE runs (run_uuid TEXT, status TEXT, start_time INTEGER, experiment_id INTEGER);
             CREATE TABLE metrics (key TEXT, value FLOAT, timestamp INTEGER, run_uuid TEXT);
             CREATE TABLE tags (key TEXT, value TEXT, run_uuid TEXT);
             INSERT INTO experiments VALUES (0, 'Default');
             INSERT INTO runs VALUES ('r1', 'FINISHED', 5, 0);
             INSERT INTO tags VALUES ('mlflow.runName', 'first', 'r1');
             INSERT INTO metrics VALUES ('loss', 0.5, 6, 'r1'), ('loss', 1.7976931348623157e308, 7, 'r1');",
        )
        .unwrap();
        drop(conn);
        let records = read_merged(&MlflowSqliteStore, dir.path());
        assert!(records.problems.is_empty(), "{:#?}", records.problems);
        let [run] = records.runs.as_slice() else {
            panic!("{:#?}", records.runs)
        };
        assert_eq!(run.name.as_deref(), Some("first"));
        assert_eq!(run.status.as_deref(), Some("FINISHED"));
        assert_eq!(run.experiment_id.as_deref(), Some("0"));
        let values: Vec<f64> = run.metrics.iter().map(|p| p.value).collect();
        assert_eq!(values, [0.5, f64::INFINITY]);
        assert!(
            run.metrics.iter().all(|p| p.step == 0),
            "a missing step column is step 0"
        );
    }

    #[test]
    fn unit_of_takes_databases_and_their_write_ahead_log() {
        let project = FileSet::new(
            [
                "a/mlflow.db",
                "a/mlflow.db-wal",
                "a/mlflow.db-shm",
                "b/x.sqlite",
                "c/orphan.db-wal",
                "d/.db",
                "e/data.csv",
            ]
            .into_iter()
            .map(|p| WalkedFile {
                path: p.into(),
                size: 1,
                mtime_ns: 0,
            }),
        );
        let keys: Vec<Option<String>> = project
            .iter()
            .map(|f| MlflowSqliteStore.unit_of(f, &project))
            .collect();
        // In path order: the database, its -shm (no part of it), its -wal, ...
        let want = [
            Some("a/mlflow.db"),
            None,
            Some("a/mlflow.db"),
            Some("b/x.sqlite"),
            None,
            None,
            None,
        ];
        assert_eq!(keys, want.map(|k| k.map(String::from)));
    }

    #[test]
    fn artifact_locations_map_to_project_folders() {
        assert_eq!(
            proxied_artifact_path("mlflow-artifacts:/1/models/m-1/artifacts").as_deref(),
            Some("mlartifacts/1/models/m-1/artifacts")
        );
        assert_eq!(
            proxied_artifact_path("mlflow-artifacts://host:5000/1/x/").as_deref(),
            Some("mlartifacts/1/x")
        );
        assert_eq!(proxied_artifact_path("s3://b/1/x"), None);
        assert_eq!(
            file_uri(Path::new("/tmp/a b?#%/mlflow.db")),
            "file:/tmp/a%20b%3F%23%25/mlflow.db"
        );
        assert_eq!(
            file_uri(Path::new("/tmp/été/mlflow.db")),
            "file:/tmp/%C3%A9t%C3%A9/mlflow.db"
        );
        assert!(metric_value(Some(0.0), true).is_nan());
        assert_eq!(metric_value(Some(-f64::MAX), false), f64::NEG_INFINITY);
    }
}
