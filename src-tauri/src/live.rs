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

/// Handle to the watcher thread.
pub struct Live {
    /// The stop flag of the watch that runs now; the thread swaps in a fresh one per (re)start.
    stop: Arc<Mutex<Arc<AtomicBool>>>,
    /// Bumped by every restart, so a restart that races with a swap is not lost.
    generation: Arc<AtomicU64>,
}

impl Live {
    /// Starts watching every project of the catalog at `catalog_path`, on a thread of its own.
    pub fn start(app: AppHandle, catalog_path: PathBuf) -> Live {
        let live = Live {
            stop: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            generation: Arc::new(AtomicU64::new(0)),
        };
        let (stop, generation) = (live.stop.clone(), live.generation.clone());
        let spawned = std::thread::Builder::new()
            .name("driftdeck-watch".into())
            .spawn(move || run(app.clone(), catalog_path, generation, stop));
        if let Err(err) = spawned {
            eprintln!("driftdeck-app: live updates are off: cannot start a thread: {err}");
        }
        live
    }

    /// A handle with no watcher behind it (the catalog could not be opened).
    pub fn disabled() -> Live {
        Live {
            stop: Arc::new(Mutex::new(Arc::new(AtomicBool::new(false)))),
            generation: Arc::new(AtomicU64::new(0)),
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
    catalog_path: PathBuf,
    generation: Arc<AtomicU64>,
    slot: Arc<Mutex<Arc<AtomicBool>>>,
) {
    let mut catalog = match Catalog::open(&catalog_path) {
        Ok(c) => c,
        Err(err) => {
            let _ = app.emit(
                CATALOG_WARNING,
                WarningEvent {
                    project_id: None,
                    message: format!("live updates are off: {err}"),
                },
            );
            return;
        }
    };
    loop {
        let seen = generation.load(Ordering::SeqCst);
        let stop = Arc::new(AtomicBool::new(false));
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = stop.clone();
        if generation.load(Ordering::SeqCst) != seen {
            continue; // a restart came in while we swapped flags
        }
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
        let watching = ActivityEvent {
            state: "watching",
            project_id: None,
            done: projects.len(),
            total: projects.len(),
        };
        let _ = app.emit(CATALOG_ACTIVITY, watching.clone());
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
                let _ = app.emit(
                    CATALOG_ACTIVITY,
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
                let _ = app.emit(CATALOG_ACTIVITY, watching.clone());
                if summary.units_read + summary.units_removed > 0 {
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
        } else if let Err(err) = watch::watch(&mut catalog, &projects, &stop, &mut on_change) {
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
