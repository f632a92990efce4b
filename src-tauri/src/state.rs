//! The state the shell keeps between commands: the open catalog, or why it could not be opened.

use std::path::PathBuf;
use std::sync::Mutex;

use driftdeck::catalog::{self, Catalog};

use crate::dto::ErrorDto;

pub struct AppState {
    /// Where the catalog is (or would be); shown in the status bar.
    pub catalog_path: Option<PathBuf>,
    /// The open catalog. An error here (a catalog from a newer Driftdeck, say) is reported by
    /// every command that needs the catalog, so the window still opens and can say what is wrong.
    pub catalog: Result<Mutex<Catalog>, ErrorDto>,
    /// Drift reports of this session, by id, for charts and exports.
    pub reports: crate::drift::SharedReports,
    /// Fairness checks of this session, by id, for charts and exports.
    pub fairness: crate::fairness::SharedChecks,
}

impl AppState {
    /// Opens the catalog at `$DRIFTDECK_DB` or the default location.
    pub fn open_from_env() -> AppState {
        match catalog::location(None) {
            Ok(path) => {
                let catalog = Catalog::open(&path)
                    .map(Mutex::new)
                    .map_err(|e| ErrorDto::from(&e));
                if let Err(err) = &catalog {
                    eprintln!("driftdeck-app: {}", err.message);
                }
                AppState {
                    catalog_path: Some(path),
                    catalog,
                    reports: Default::default(),
                    fairness: Default::default(),
                }
            }
            Err(err) => AppState {
                catalog_path: None,
                catalog: Err(ErrorDto::from(&err)),
                reports: Default::default(),
                fairness: Default::default(),
            },
        }
    }

    /// Runs `f` with the catalog locked.
    pub fn with_catalog<T>(
        &self,
        f: impl FnOnce(&mut Catalog) -> Result<T, ErrorDto>,
    ) -> Result<T, ErrorDto> {
        let mutex = self.catalog.as_ref().map_err(Clone::clone)?;
        // A panic while holding the lock cannot leave the catalog half-written (SQLite
        // transactions roll back), so a poisoned lock is safe to take over.
        let mut catalog = mutex
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut catalog)
    }
}
