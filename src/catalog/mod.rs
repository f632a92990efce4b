//! The catalog: one SQLite file that holds everything Driftdeck knows about a team's projects.
//!
//! This module is the only place that writes the database. It opens the file in WAL mode with
//! foreign keys on, and brings the schema up to date with versioned migrations whose number lives
//! in SQLite's `user_version` (see [`schema`]). A catalog written by a newer Driftdeck is refused
//! before anything is written to it, so an older binary can never corrupt a newer file.
//!
//! Where the file lives: an explicit path (`--db FILE`), else `DRIFTDECK_DB`, else
//! `catalog.sqlite` in the user's data directory (see [`location`]).

pub mod drift_cache;
pub mod filter;
pub mod history;
pub mod lists;
mod location;
mod projects;
pub mod query;
pub mod registry;
pub mod schema;
pub mod sweep;
mod units;
pub mod views;

pub use location::{
    LocationSource, Relocated, catalog_file, default_location, locate, location, relocate,
};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Classify, ErrorCode};

pub use projects::Project;
pub use units::{FileState, UnitState, UnitWrite};

/// The environment variable that names the catalog file when no `--db` is given.
pub const DB_ENV: &str = "DRIFTDECK_DB";

/// How long a writer waits for another process's lock before giving up: the CLI and the app may
/// share one catalog, and an index batch holds the write lock for well under this.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the catalog could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot open catalog {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the catalog's folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a Driftdeck catalog (not an SQLite database)")]
    NotADatabase { path: PathBuf },
    #[error(
        "catalog {path} has schema version {found}, but this Driftdeck ({version}) knows versions up to {supported}: \
         it was written by a newer Driftdeck; upgrade Driftdeck or use another catalog with --db (the file was left untouched)",
        version = crate::VERSION
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("cannot migrate catalog {path} to schema version {version}: {source}")]
    Migrate {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("no user data directory is known on this system; pass --db FILE or set {DB_ENV}")]
    NoDataDir,
    #[error("project folder {path} does not exist")]
    NoSuchFolder { path: PathBuf },
    #[error("{path} is not a folder: a project is a folder")]
    NotAFolder { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} is not in the catalog")]
    NoSuchProject { what: String },
    #[error("view: {message}")]
    BadView { message: String },
    #[error("baseline `{baseline}` is not one of the runs compared")]
    NotCompared { baseline: String },
    #[error(transparent)]
    Filter(#[from] filter::FilterError),
    #[error("run {run} has no metric `{key}` (it has: {known})")]
    NoSuchMetric {
        run: String,
        key: String,
        known: String,
    },
    #[error("catalog query failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    #[error(
        "the catalog is set by the {DB_ENV} environment variable (or --db); unset it to choose the location"
    )]
    LocationFixed,
    #[error("{path} is not an absolute path: choose a folder")]
    NotAbsolute { path: PathBuf },
    #[error("cannot write the catalog's cache file {path}: {source}")]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Classify for CatalogError {
    fn code(&self) -> ErrorCode {
        match self {
            CatalogError::NoSuchProject { .. } | CatalogError::NoSuchMetric { .. } => {
                ErrorCode::NotFound
            }
            // The catalog itself cannot be used: the app says so instead of showing data.
            CatalogError::NewerSchema { .. }
            | CatalogError::NotADatabase { .. }
            | CatalogError::Open { .. }
            | CatalogError::CreateDir { .. }
            | CatalogError::NoDataDir => ErrorCode::Catalog,
            CatalogError::Filter(e) => e.code(),
            CatalogError::NoSuchFolder { .. }
            | CatalogError::BadView { .. }
            | CatalogError::NotCompared { .. }
            | CatalogError::LocationFixed
            | CatalogError::NotAbsolute { .. }
            | CatalogError::NotAFolder { .. }
            | CatalogError::Unreadable { .. } => ErrorCode::BadInput,
            CatalogError::Settings(e) => e.code(),
            CatalogError::Migrate { .. } | CatalogError::Sql(_) | CatalogError::Cache { .. } => {
                ErrorCode::Internal
            }
        }
    }
}

/// An open catalog.
#[derive(Debug)]
pub struct Catalog {
    conn: Connection,
    path: PathBuf,
}

impl Catalog {
    /// Opens (creating if needed) the catalog at `path` and migrates it to [`schema::VERSION`].
    ///
    /// A file whose schema version is newer than this build knows is refused before anything is
    /// written, as is a file that is not an SQLite database.
    pub fn open(path: &Path) -> Result<Catalog, CatalogError> {
        if path.exists() {
            check_version_read_only(path)?;
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CatalogError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| CatalogError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        configure_with_retry(&conn).map_err(|source| classify_open_error(path, source))?;
        let mut catalog = Catalog {
            conn,
            path: path.to_path_buf(),
        };
        catalog.migrate()?;
        Ok(catalog)
    }

    /// The file this catalog lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `<catalog>.cache/` beside the catalog file: what Driftdeck keeps besides the database
    /// (drift samples, approval evidence, outbox copies). Never inside a project.
    pub fn cache_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".cache");
        self.path.with_file_name(name)
    }

    /// Writes a consistent copy of this catalog to `dest` (SQLite's `VACUUM INTO`: one
    /// transaction, so a copy taken while the watcher writes is still whole). `dest` must not
    /// exist; its folder is created. The cache folder is not copied: it is rebuilt as needed.
    pub fn copy_to(&self, dest: &Path) -> Result<(), CatalogError> {
        if dest.exists() {
            return Err(CatalogError::Unreadable {
                path: dest.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file is already there; it was left as it is",
                ),
            });
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CatalogError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let target = dest.to_str().ok_or_else(|| CatalogError::Unreadable {
            path: dest.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path is not valid UTF-8",
            ),
        })?;
        self.conn
            .execute("VACUUM INTO ?1", [target])
            .map_err(|source| CatalogError::Open {
                path: dest.to_path_buf(),
                source,
            })?;
        Ok(())
    }

    /// The schema version of the open file (equal to [`schema::VERSION`] after [`Catalog::open`]).
    pub fn schema_version(&self) -> Result<i64, CatalogError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), CatalogError> {
        let path = self.path.clone();
        let current = self.schema_version()?;
        if current > schema::VERSION {
            // Another process upgraded the file between our check and our open.
            return Err(CatalogError::NewerSchema {
                path,
                found: current,
                supported: schema::VERSION,
            });
        }
        for (version, sql) in schema::pending(current) {
            let migrate_err = |source| CatalogError::Migrate {
                path: path.clone(),
                version,
                source,
            };
            // One IMMEDIATE transaction per migration: it takes the write lock before reading the
            // version, so two processes opening a new catalog at once (the app and the CLI) do not
            // both migrate; and a crash leaves the file at the previous version.
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(migrate_err)?;
            let now: i64 = tx
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .map_err(migrate_err)?;
            if now >= version {
                continue; // another process got there first
            }
            tx.execute_batch(sql).map_err(migrate_err)?;
            tx.pragma_update(None, "user_version", version)
                .map_err(migrate_err)?;
            tx.commit().map_err(migrate_err)?;
        }
        Ok(())
    }
}

/// Reads `user_version` straight from the database header (bytes 60..64), without opening an
/// SQLite connection: even a read-only connection to a WAL database creates `-wal`/`-shm` files,
/// and a catalog we must refuse is left exactly as it was. An uncheckpointed upgrade that lives
/// only in the WAL is caught again by [`Catalog::migrate`] after the real open.
fn check_version_read_only(path: &Path) -> Result<(), CatalogError> {
    use std::io::Read;
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .map_err(|source| CatalogError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if header.is_empty() {
        return Ok(()); // an empty file is a new database to SQLite
    }
    if header.len() < 100 || &header[..16] != MAGIC {
        return Err(CatalogError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    let found = i64::from(i32::from_be_bytes([
        header[60], header[61], header[62], header[63],
    ]));
    if found > schema::VERSION {
        return Err(CatalogError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: schema::VERSION,
        });
    }
    Ok(())
}

/// Switching to WAL needs a moment of exclusive access, and SQLite answers BUSY at once (without
/// its busy handler) while another connection is opening the same new file: retry for as long
/// as the busy timeout allows.
fn configure_with_retry(conn: &Connection) -> rusqlite::Result<()> {
    let start = std::time::Instant::now();
    loop {
        match configure(conn) {
            Err(err)
                if err.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL: the app reads while an index writes; NORMAL sync is durable across app crashes in WAL.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn classify_open_error(path: &Path, source: rusqlite::Error) -> CatalogError {
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => CatalogError::NotADatabase {
            path: path.to_path_buf(),
        },
        _ => CatalogError::Open {
            path: path.to_path_buf(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_catalog_is_at_the_current_version_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/dir/catalog.sqlite");
        let catalog = Catalog::open(&path).unwrap();
        assert_eq!(catalog.schema_version().unwrap(), schema::VERSION);
        let mode: String = catalog
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = catalog
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_copy_is_a_whole_catalog_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        let project = catalog.add_project(dir.path(), 42).unwrap();
        let dest = dir.path().join("moved/here/catalog.sqlite");
        catalog.copy_to(&dest).unwrap();
        let copy = Catalog::open(&dest).unwrap();
        assert_eq!(copy.projects().unwrap(), vec![project]);
        assert_eq!(copy.schema_version().unwrap(), schema::VERSION);
        // A second copy onto the first is refused, and the first is left as it was.
        let before = std::fs::read(&dest).unwrap();
        let err = catalog.copy_to(&dest).unwrap_err().to_string();
        assert!(err.contains("already there"), "{err}");
        assert_eq!(std::fs::read(&dest).unwrap(), before);
    }

    #[test]
    fn concurrent_opens_of_a_new_catalog_migrate_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    Catalog::open(&path).map(|c| c.schema_version().unwrap())
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), schema::VERSION);
        }
    }

    #[test]
    fn reopening_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.sqlite");
        drop(Catalog::open(&path).unwrap());
        let catalog = Catalog::open(&path).unwrap();
        assert_eq!(catalog.schema_version().unwrap(), schema::VERSION);
    }

    #[test]
    fn newer_schema_is_refused_and_the_file_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("future.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 999;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Catalog::open(&path).unwrap_err();
        assert!(
            matches!(err, CatalogError::NewerSchema { found: 999, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("newer Driftdeck"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("future.sqlite-wal").exists());
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "these are not the tables you are looking for\n".repeat(20),
        )
        .unwrap();
        let err = Catalog::open(&path).unwrap_err();
        assert!(matches!(err, CatalogError::NotADatabase { .. }), "{err:?}");
        assert!(err.to_string().contains("notes.txt"), "{err}");
    }

    #[test]
    fn location_prefers_the_explicit_path() {
        let explicit = Path::new("/tmp/explicit.sqlite");
        assert_eq!(location(Some(explicit)).unwrap(), explicit);
    }
}
