//! The state the shell keeps between commands: the open catalog, or why it could not be opened.
//! The catalog can be switched while the app runs (Settings → Catalog location).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use driftdeck::catalog::{self, Catalog, LocationSource};

use crate::dto::ErrorDto;

/// The catalog in use: where it is, where that came from, and the open connection (or why not).
#[derive(Clone)]
struct Opened {
    path: Option<PathBuf>,
    source: LocationSource,
    catalog: Result<Arc<Mutex<Catalog>>, ErrorDto>,
}

pub struct AppState {
    opened: RwLock<Opened>,
    /// Drift reports of this session, by id, for charts and exports.
    pub reports: crate::drift::SharedReports,
    /// Fairness checks of this session, by id, for charts and exports.
    pub fairness: crate::fairness::SharedChecks,
}

fn open(path: &Path) -> Result<Arc<Mutex<Catalog>>, ErrorDto> {
    Catalog::open(path)
        .map(|c| Arc::new(Mutex::new(c)))
        .map_err(|e| ErrorDto::from(&e))
}

impl AppState {
    /// Opens the catalog at `$DRIFTDECK_DB`, the settings file's location, or the default one.
    /// An error here (a catalog from a newer Driftdeck, a broken settings file) is reported by
    /// every command that needs the catalog, so the window still opens and can say what is wrong.
    pub fn open_from_env() -> AppState {
        let opened = match catalog::locate(None) {
            Ok((path, source)) => {
                let catalog = open(&path);
                if let Err(err) = &catalog {
                    eprintln!("driftdeck-app: {}", err.message);
                }
                Opened {
                    path: Some(path),
                    source,
                    catalog,
                }
            }
            Err(err) => {
                eprintln!("driftdeck-app: {err}");
                Opened {
                    path: None,
                    source: LocationSource::Default,
                    catalog: Err(ErrorDto::from(&err)),
                }
            }
        };
        AppState {
            opened: RwLock::new(opened),
            reports: Default::default(),
            fairness: Default::default(),
        }
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
    pub fn open_catalog_path(&self) -> Result<PathBuf, ErrorDto> {
        let opened = self.opened();
        opened.catalog?;
        opened.path.ok_or_else(|| ErrorDto {
            code: "catalog",
            message: "no catalog is open".into(),
        })
    }

    /// Opens the catalog at `path` and uses it from now on; on error the current one stays.
    pub fn switch_to(&self, path: PathBuf, source: LocationSource) -> Result<(), ErrorDto> {
        let catalog = open(&path)?;
        *self
            .opened
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Opened {
            path: Some(path),
            source,
            catalog: Ok(catalog),
        };
        Ok(())
    }

    /// Runs `f` with the catalog locked.
    pub fn with_catalog<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, ErrorDto>,
    ) -> Result<T, ErrorDto> {
        let mutex = self.opened().catalog?;
        // A panic while holding the lock cannot leave the catalog half-written (SQLite
        // transactions roll back), so a poisoned lock is safe to take over.
        let mut catalog = mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut catalog)
    }
}
