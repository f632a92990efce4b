//! The live catalog in the app: a background thread runs the engine's watcher over every project
//! and turns its domain [`Change`]s into UI events, in this one place.
//!
//! The watcher owns its own catalog connection (SQLite in WAL mode lets the commands read while
//! it writes). When projects are added or removed, [`Live::restart`] stops the current watch and
//! starts one over the new set; the watcher's first act is an index of every project, so a new
//! project is indexed at once.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use driftdeck::catalog::Catalog;
use driftdeck::scan::index::Phase;
use driftdeck::watch::{self, Change};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

use crate::alerts::Alerts;

/// UI event: something in the catalog changed; views showing `project_id` reload.
pub const CATALOG_CHANGED: &str = "catalog-changed";
/// UI event: a warning for the status bar (polling fallback, a folder gone, a failed re-index).
pub const CATALOG_WARNING: &str = "catalog-warning";
/// UI event: the watcher is (re)indexing, for the status bar.
pub const CATALOG_ACTIVITY: &str = "catalog-activity";

#[derive(Debug, Clone, Serialize)]
pub struct ChangedEvent {
    pub project_id: i64,
    pub units_read: usize,
    pub units_removed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct WarningEvent {
    pub project_id: Option<i64>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityEvent {
    /// `watching`, or `walking`, `hashing`, `reading` while an index runs.
    pub state: &'static str,
    pub project_id: Option<i64>,
    /// Projects watched (for `watching`), or units/files done and total (for an index).
    pub done: usize,
    pub total: usize,
}

/// How long the watcher's first index waits for the window's first rows.
const FIRST_PAINT_WAIT: Duration = Duration::from_secs(3);

/// Handle to the watcher thread.
pub struct Live {
    app: AppHandle,
    /// The stop flag of the watch that runs now; the thread swaps in a fresh one per (re)start.
    stop: Arc<Mutex<Arc<AtomicBool>>>,
    /// Bumped by every restart, so a restart that races with a swap is not lost.
    generation: Arc<AtomicU64>,
    /// The catalog to watch for; `None` until [`Live::set_catalog`] starts the thread.
    target: Arc<Mutex<Option<PathBuf>>>,
    /// Drift alerts for the projects' `driftdeck.toml` datasets.
    alerts: Alerts,
    /// The last activity sent, for a window that subscribes after it was sent.
    last: LastActivity,
}

/// The last `catalog-activity` event (the watcher may report before the UI listens).
pub type LastActivity = Arc<Mutex<Option<ActivityEvent>>>;

fn emit_activity(app: &AppHandle, last: &LastActivity, event: ActivityEvent) {
    *last.lock().unwrap_or_else(|p| p.into_inner()) = Some(event.clone());
    let _ = app.emit(CATALOG_ACTIVITY, event);
}

impl Live {
    /// A handle with no watcher yet: [`Live::set_catalog`] starts it.
    pub fn new(app: AppHandle) -> Live {
        Live {
            alerts: Alerts::start(app.clone()),
            app,
            stop: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            generation: Arc::new(AtomicU64::new(0)),
            target: Arc::new(Mutex::new(None)),
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// What the watcher last reported (`None` before it started).
    pub fn last_activity(&self) -> Option<ActivityEvent> {
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
        let (app, generation, stop, target, alerts, last) = (
            self.app.clone(),
            self.generation.clone(),
            self.stop.clone(),
            self.target.clone(),
            self.alerts.clone(),
            self.last.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("driftdeck-watch".into())
            .spawn(move || run(app, target, generation, stop, alerts, last));
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
    alerts: Alerts,
    last: LastActivity,
) {
    // The window's first rows first: the start-up index waits for them (at most a few seconds).
    crate::desktop::wait_for_first_paint(FIRST_PAINT_WAIT);
    let mut catalog: Option<Catalog> = None;
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
                    let _ = app.emit(
                        CATALOG_WARNING,
                        WarningEvent {
                            project_id: None,
                            message: format!("live updates are off: {err}"),
                        },
                    );
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
        let projects: Vec<_> = match catalog.projects() {
            Ok(p) => p.into_iter().filter(|p| p.watch).collect(),
            Err(err) => {
                let _ = app.emit(
                    CATALOG_WARNING,
                    WarningEvent {
                        project_id: None,
                        message: err.to_string(),
                    },
                );
                std::thread::sleep(Duration::from_secs(2));
                continue;
            }
        };
        // What the projects' drift alerts compare against: the files as they are now.
        alerts.baseline(&projects);
        let watching = ActivityEvent {
            state: "watching",
            project_id: None,
            done: projects.len(),
            total: projects.len(),
        };
        emit_activity(&app, &last, watching.clone());
        let mut on_change = |change: Change| match change {
            Change::Progress {
                project_id,
                progress,
            } => {
                let state = match progress.phase {
                    Phase::Walking => "walking",
                    Phase::Hashing => "hashing",
                    Phase::Reading => "reading",
                };
                emit_activity(
                    &app,
                    &last,
                    ActivityEvent {
                        state,
                        project_id: Some(project_id),
                        done: progress.done,
                        total: progress.total,
                    },
                );
            }
            Change::Indexed {
                project_id,
                summary,
            } => {
                emit_activity(&app, &last, watching.clone());
                if summary.units_read + summary.units_removed > 0 {
                    if let Some(project) = projects.iter().find(|p| p.id == project_id) {
                        alerts.indexed(project);
                    }
                    let _ = app.emit(
                        CATALOG_CHANGED,
                        ChangedEvent {
                            project_id,
                            units_read: summary.units_read,
                            units_removed: summary.units_removed,
                        },
                    );
                }
            }
            Change::ProjectGone { project_id, path } => {
                let _ = app.emit(
                    CATALOG_WARNING,
                    WarningEvent {
                        project_id: Some(project_id),
                        message: format!("{} is gone; its entries are kept", path.display()),
                    },
                );
            }
            Change::Warning {
                project_id,
                message,
            } => {
                let _ = app.emit(
                    CATALOG_WARNING,
                    WarningEvent {
                        project_id,
                        message,
                    },
                );
            }
        };
        let started = Instant::now();
        if projects.is_empty() {
            // Nothing to watch: wait for a restart.
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
        } else if let Err(err) = watch::watch(catalog, &projects, &stop, &mut on_change) {
            let _ = app.emit(
                CATALOG_WARNING,
                WarningEvent {
                    project_id: None,
                    message: format!("live updates stopped: {err}"),
                },
            );
            // Do not spin on a persistent error: wait for a restart or a few seconds.
            while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
