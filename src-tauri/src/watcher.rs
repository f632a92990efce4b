//! The live catalog in the app: a background thread runs the engine's watcher over every project
//! and turns its domain [`Change`]s into UI events (and drift alerts into desktop
//! notifications), in this one place.
//!
//! The watcher owns its own catalog connection (SQLite in WAL mode lets the commands read while
//! it writes). When projects are added or removed, [`Watcher::restart`] stops the current watch and
//! starts one over the new set; the watcher's first act is an index of every project, so a new
//! project is indexed at once.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use driftdeck::catalog::Catalog;
use driftdeck::scan::index::Phase;
use driftdeck::watch::{self, Change, DriftAlerts};
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::{CatalogActivity, CatalogChanged, CatalogWarning, DatasetDrifted};

/// How long the watcher's first index waits for the window's first rows.
const FIRST_PAINT_WAIT: Duration = Duration::from_secs(3);

/// Handle to the watcher thread.
pub struct Watcher {
    app: AppHandle,
    /// The stop flag of the watch that runs now; the thread swaps in a fresh one per (re)start.
    stop: Arc<Mutex<Arc<AtomicBool>>>,
    /// Bumped by every restart, so a restart that races with a swap is not lost.
    generation: Arc<AtomicU64>,
    /// The catalog to watch for; `None` until [`Watcher::set_catalog`] starts the thread.
    target: Arc<Mutex<Option<PathBuf>>>,
    /// The last activity sent, for a window that subscribes after it was sent.
    last: LastActivity,
}

/// The last `catalog-activity` event (the watcher may report before the UI listens).
pub type LastActivity = Arc<Mutex<Option<CatalogActivity>>>;

fn emit_activity(app: &AppHandle, last: &LastActivity, event: CatalogActivity) {
    *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(event.clone());
    let _ = event.emit(app);
}

fn warn(app: &AppHandle, project_id: Option<i64>, message: String) {
    let _ = CatalogWarning {
        project_id,
        message,
    }
    .emit(app);
}

impl Watcher {
    /// A handle with no watcher yet: [`Watcher::set_catalog`] starts it.
    pub fn new(app: AppHandle) -> Watcher {
        Watcher {
            app,
            stop: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            generation: Arc::new(AtomicU64::new(0)),
            target: Arc::new(Mutex::new(None)),
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// What the watcher last reported (`None` before it started).
    pub fn last_activity(&self) -> Option<CatalogActivity> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Watches every project of the catalog at `catalog_path` (starting the thread on first
    /// use, else restarting the watch over the new catalog).
    pub fn set_catalog(&self, catalog_path: PathBuf) {
        let first = self
            .target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(catalog_path)
            .is_none();
        if !first {
            self.restart();
            return;
        }
        let (app, generation, stop, target, last) = (
            self.app.clone(),
            self.generation.clone(),
            self.stop.clone(),
            self.target.clone(),
            self.last.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("driftdeck-watch".into())
            .spawn(move || run(app, target, generation, stop, last));
        if let Err(err) = spawned {
            eprintln!("driftdeck-app: live updates are off: cannot start a thread: {err}");
        }
    }

    /// Makes the watcher pick up a changed set of projects.
    pub fn restart(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .store(true, Ordering::SeqCst);
    }
}

fn run(
    app: AppHandle,
    target: Arc<Mutex<Option<PathBuf>>>,
    generation: Arc<AtomicU64>,
    slot: Arc<Mutex<Arc<AtomicBool>>>,
    last: LastActivity,
) {
    // The window's first rows first: the start-up index waits for them (at most a few seconds).
    crate::startup::wait_for_first_paint(FIRST_PAINT_WAIT);
    let mut catalog: Option<Catalog> = None;
    // One set of drift alerts for the whole run: a restart keeps the baseline.
    let mut alerts: Option<(PathBuf, DriftAlerts)> = None;
    loop {
        let seen = generation.load(Ordering::SeqCst);
        let stop = Arc::new(AtomicBool::new(false));
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = stop.clone();
        if generation.load(Ordering::SeqCst) != seen {
            continue; // a restart came in while we swapped flags
        }
        let wanted = target.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(path) = wanted.filter(|p| catalog.as_ref().is_none_or(|c| c.path() != p)) {
            catalog = match Catalog::open(&path) {
                Ok(c) => Some(c),
                Err(err) => {
                    warn(&app, None, format!("live updates are off: {err}"));
                    None
                }
            };
        }
        let Some(catalog) = catalog.as_mut() else {
            // No catalog: wait for one (a restart).
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
            }
            continue;
        };
        // Alerts compare with this catalog's reference cache; another catalog starts afresh.
        if alerts.as_ref().is_none_or(|(p, _)| p != catalog.path()) {
            let path = catalog.path().to_path_buf();
            alerts = Some((path.clone(), DriftAlerts::start(Some(path))));
        }
        let projects: Vec<_> = match catalog.projects() {
            Ok(p) => p.into_iter().filter(|p| p.watch).collect(),
            Err(err) => {
                warn(&app, None, err.to_string());
                std::thread::sleep(Duration::from_secs(2));
                continue;
            }
        };
        let watching = CatalogActivity {
            state: "watching".into(),
            project_id: None,
            done: projects.len() as u32,
            total: projects.len() as u32,
        };
        emit_activity(&app, &last, watching.clone());
        let mut on_change = |change: Change| match change {
            Change::Progress {
                project_id,
                progress,
            } => emit_activity(
                &app,
                &last,
                CatalogActivity {
                    state: match progress.phase {
                        Phase::Walking => "walking",
                        Phase::Hashing => "hashing",
                        Phase::Reading => "reading",
                    }
                    .into(),
                    project_id: Some(project_id),
                    done: progress.done as u32,
                    total: progress.total as u32,
                },
            ),
            Change::Indexed {
                project_id,
                summary,
            } => {
                emit_activity(&app, &last, watching.clone());
                if summary.units_read + summary.units_removed > 0 {
                    let _ = CatalogChanged {
                        project_id,
                        units_read: summary.units_read as u32,
                        units_removed: summary.units_removed as u32,
                    }
                    .emit(&app);
                }
            }
            Change::ProjectGone { project_id, path } => warn(
                &app,
                Some(project_id),
                format!("{} is gone; its entries are kept", path.display()),
            ),
            Change::Warning {
                project_id,
                message,
            } => warn(&app, project_id, message),
            Change::Drifted(alert) => {
                crate::notification::show(&alert.text());
                let _ = DatasetDrifted(alert).emit(&app);
            }
        };
        let started = Instant::now();
        if projects.is_empty() {
            // Nothing to watch: wait for a restart.
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
        } else if let Err(err) = watch::watch(
            catalog,
            &projects,
            &stop,
            alerts.as_ref().map(|(_, a)| a),
            &mut on_change,
        ) {
            warn(&app, None, format!("live updates stopped: {err}"));
            // Do not spin on a persistent error: wait for a restart or a few seconds.
            while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
