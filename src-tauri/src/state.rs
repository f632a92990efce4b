//! What the shell keeps between commands: the open catalog (or why it could not be opened),
//! which Settings can switch while the app runs, the watcher and the outbox worker that follow
//! it, and the reports of this session.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use driftdeck::catalog::{self, Catalog, LocationSource, Relocated};
use driftdeck::drift::DriftReport;
use driftdeck::error::{Error, ErrorCode};
use driftdeck::fairness::FairnessCheck;

use tauri::AppHandle;

use crate::outbox::Worker;
use crate::report_store::ReportStore;
use crate::watcher::Watcher;

/// The catalog in use: where it is, where that came from, and the open connection (or why not).
#[derive(Clone)]
struct Opened {
    path: Option<PathBuf>,
    source: LocationSource,
    catalog: Result<Arc<Mutex<Catalog>>, Error>,
}

/// What a command takes to reach the app's state.
pub type App<'a> = tauri::State<'a, AppState>;

/// What a command answers: its value, or an error the window shows by its code.
pub type Answer<T> = Result<T, Error>;

pub struct AppState {
    opened: RwLock<Opened>,
    /// Keeps the watched projects' entries in the open catalog current.
    pub watcher: Watcher,
    /// Sends the open catalog's queued publish jobs.
    pub worker: Worker,
    /// Drift reports of this session, by id, for charts and exports.
    pub drift_reports: ReportStore<DriftReport>,
    /// Fairness checks of this session, by id, for charts and exports.
    pub fairness_checks: ReportStore<FairnessCheck>,
}

fn open(path: &Path) -> Result<Arc<Mutex<Catalog>>, Error> {
    Ok(Arc::new(Mutex::new(Catalog::open(path)?)))
}

impl AppState {
    /// Opens the catalog at `$DRIFTDECK_DB`, the settings file's location, or the default one.
    /// An error here (a catalog from a newer Driftdeck, a broken settings file) is reported by
    /// every command that needs the catalog, so the window still opens and can say what is wrong.
    pub fn open_from_env(app: &AppHandle) -> AppState {
        let opened = match catalog::locate(None) {
            Ok((path, source)) => Opened {
                catalog: open(&path),
                path: Some(path),
                source,
            },
            Err(err) => Opened {
                path: None,
                source: LocationSource::Default,
                catalog: Err(err.into()),
            },
        };
        if let Err(err) = &opened.catalog {
            eprintln!("driftdeck-app: {err}");
        }
        let state = AppState {
            opened: RwLock::new(opened),
            watcher: Watcher::new(app.clone()),
            worker: Worker::new(app.clone()),
            drift_reports: ReportStore::new("comparison"),
            fairness_checks: ReportStore::new("fairness check"),
        };
        // Without a catalog there is nothing to watch or send; commands report the error.
        if let Ok(path) = state.open_catalog_path() {
            state.follow(path);
        }
        state
    }

    /// Points the watcher and the outbox worker at the catalog at `path`.
    fn follow(&self, path: PathBuf) {
        self.watcher.set_catalog(path.clone());
        self.worker.set_catalog(path);
    }

    fn opened(&self) -> Opened {
        self.opened
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Where the catalog is (or would be); shown in the status bar.
    pub fn catalog_path(&self) -> Option<PathBuf> {
        self.opened().path
    }

    /// Where the catalog's location came from.
    pub fn catalog_source(&self) -> LocationSource {
        self.opened().source
    }

    /// The open catalog's path, or the error that keeps it closed.
    pub fn open_catalog_path(&self) -> Result<PathBuf, Error> {
        let opened = self.opened();
        opened.catalog?;
        opened
            .path
            .ok_or_else(|| Error::new(ErrorCode::Catalog, "no catalog is open"))
    }

    /// A connection of its own to the open catalog, for work on a blocking thread that must not
    /// hold the one the other commands share.
    pub fn connection(&self) -> Result<Catalog, Error> {
        Ok(Catalog::open(&self.open_catalog_path()?)?)
    }

    /// Runs `f` on a blocking thread with a catalog connection of its own ([`Self::connection`]):
    /// for checks and registry calls, which take seconds.
    pub async fn on_connection<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let mut catalog = self.connection()?;
        blocking(move || f(&mut catalog)).await
    }

    /// Moves to the catalog at `chosen` (see `catalog::relocate`) and uses it from now on, the
    /// watcher and the worker too;
    /// returns its path, or `None` when it is the one in use. A catalog that could not be opened
    /// cannot be copied, but the app can still move off it.
    pub fn relocate(&self, chosen: Option<&Path>, copy: bool) -> Result<Option<PathBuf>, Error> {
        let source = self.catalog_source();
        let moved =
            match self.with_catalog(|c| Ok(catalog::relocate(Some(c), source, chosen, copy)?)) {
                Err(e) if e.code == ErrorCode::Catalog => {
                    catalog::relocate(None, source, chosen, false)?
                }
                other => other?,
            };
        Ok(moved.map(|moved| {
            let path = moved.path.clone();
            self.switch_to(moved);
            self.follow(path.clone());
            path
        }))
    }

    /// Uses the catalog a relocation opened from now on.
    fn switch_to(&self, relocated: Relocated) {
        *self
            .opened
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Opened {
            path: Some(relocated.path),
            source: relocated.source,
            catalog: Ok(Arc::new(Mutex::new(relocated.catalog))),
        };
    }

    /// Runs `f` with the catalog locked.
    pub fn with_catalog<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mutex = self.opened().catalog?;
        // A panic while holding the lock cannot leave the catalog half-written (SQLite
        // transactions roll back), so a poisoned lock is safe to take over.
        let mut catalog = mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut catalog)
    }
}

/// Runs `f` on a blocking thread (a comparison, a registry call), so the window never waits.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| Error::new(ErrorCode::Internal, format!("the work stopped: {e}")))?
}
