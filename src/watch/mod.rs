//! Keeping the catalog live: file events in, incremental re-indexes out, domain [`Change`]s to
//! whoever listens (the CLI prints them, the desktop shell turns them into UI events).
//!
//! Events are debounced ([`DEBOUNCE`]): a training loop appends a metric line every few
//! milliseconds and editors save through a temporary file and a rename, so one burst becomes one
//! re-index. A re-index is the same incremental index as `driftdeck index`: a walk with one
//! `stat` per file, then only the units whose files changed are read, so the cost follows the
//! change, not the project.
//!
//! Where the OS refuses more inotify watches (a large tree on Linux, `fs.inotify.max_user_watches`)
//! the watcher falls back to polling every [`POLL_INTERVAL`] and says so with a
//! [`Change::Warning`]. A watched folder that disappears is reported ([`Change::ProjectGone`]),
//! its catalog entries are kept, and it is picked up again when it comes back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer_opt};

pub mod alerts;

use crate::catalog::{Catalog, CatalogError, Project};
use crate::scan::index::{self, IndexError, IndexSummary, Progress};
pub use alerts::{DriftAlert, DriftAlerts};

/// How long events are gathered before a re-index: long enough to fold a burst of writes (a
/// training step writes several metric files; an editor writes, renames and chmods), short
/// enough that a change shows within half a second.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// How often the polling fallback looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The least time between two progress reports of one index (a UI redraws on each).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How often folders that disappeared are looked for again.
const GONE_RECHECK: Duration = Duration::from_secs(2);

/// What happened, for the UI and the CLI.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A project was re-indexed; `summary` says how much was read.
    Indexed {
        project_id: i64,
        summary: IndexSummary,
    },
    /// The project folder is gone (deleted, unmounted); its catalog entries are kept.
    ProjectGone { project_id: i64, path: PathBuf },
    /// An index is under way (throttled to a few updates a second), for progress displays.
    Progress { project_id: i64, progress: Progress },
    /// A watched dataset drifted past its policy's share ([`alerts`]).
    Drifted(DriftAlert),
    /// Something the user should know (the polling fallback, a failed re-index).
    Warning {
        project_id: Option<i64>,
        message: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("cannot start watching files: {0}")]
    Notify(#[from] notify::Error),
}

impl crate::error::Classify for WatchError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            WatchError::Catalog(e) => e.code(),
            WatchError::Notify(_) => crate::error::ErrorCode::Internal,
        }
    }
}

/// Watches `projects` until `stop` is set, re-indexing into `catalog` and calling `on_change`.
/// The first thing it does is an index of every project, so a stale catalog catches up. With
/// `alerts`, a project whose drift files changed is compared after its index and a drift past
/// its policy is reported as [`Change::Drifted`].
pub fn watch(
    catalog: &mut Catalog,
    projects: &[Project],
    stop: &AtomicBool,
    alerts: Option<&DriftAlerts>,
    on_change: &mut dyn FnMut(Change),
) -> Result<(), WatchError> {
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    // `tx` stays alive here so that the channel never disconnects, even when only polling.
    let mut backend = Backend::start(tx.clone(), on_change)?;
    let ignored = ignored_paths(catalog.path());
    let mut gone: BTreeSet<i64> = BTreeSet::new();

    // What the drift alerts compare against: the files as they are now.
    if let Some(alerts) = alerts {
        alerts.baseline(projects);
    }
    for project in projects {
        if backend.watch(&project.path, on_change).is_err() {
            gone.insert(project.id);
        }
        reindex(catalog, project, stop, &mut gone, alerts, on_change);
    }

    let mut last_gone_check = Instant::now();
    let mut last_poll = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        for outcome in alerts.map(DriftAlerts::outcomes).unwrap_or_default() {
            on_change(match outcome {
                alerts::Outcome::Alert(alert) => Change::Drifted(alert),
                alerts::Outcome::Failed {
                    project_id,
                    message,
                } => Change::Warning {
                    project_id: Some(project_id),
                    message,
                },
            });
        }
        let mut dirty: BTreeSet<i64> = BTreeSet::new();
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(result) => {
                collect(result, projects, &ignored, &mut dirty, on_change);
                // Take whatever else is already queued, so one burst is one re-index.
                while let Ok(more) = rx.try_recv() {
                    collect(more, projects, &ignored, &mut dirty, on_change);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if last_poll.elapsed() >= POLL_INTERVAL {
            last_poll = Instant::now();
            dirty.extend(
                projects
                    .iter()
                    .filter(|p| backend.is_polled(&p.path))
                    .map(|p| p.id),
            );
        }
        if last_gone_check.elapsed() >= GONE_RECHECK {
            last_gone_check = Instant::now();
            for project in projects.iter().filter(|p| gone.contains(&p.id)) {
                if project.path.is_dir() {
                    // The old watch died with the folder: drop it and watch the new one.
                    backend.unwatch(&project.path);
                    if let Err(err) = backend.watch(&project.path, on_change) {
                        on_change(Change::Warning {
                            project_id: Some(project.id),
                            message: format!(
                                "cannot watch {} again: {err}",
                                project.path.display()
                            ),
                        });
                    }
                    dirty.insert(project.id);
                }
            }
        }
        for project in projects.iter().filter(|p| dirty.contains(&p.id)) {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            reindex(catalog, project, stop, &mut gone, alerts, on_change);
        }
    }
    Ok(())
}

fn reindex(
    catalog: &mut Catalog,
    project: &Project,
    stop: &AtomicBool,
    gone: &mut BTreeSet<i64>,
    alerts: Option<&DriftAlerts>,
    on_change: &mut dyn FnMut(Change),
) {
    if !project.path.is_dir() {
        if gone.insert(project.id) {
            on_change(Change::ProjectGone {
                project_id: project.id,
                path: project.path.clone(),
            });
        }
        return;
    }
    gone.remove(&project.id);
    let mut last: Option<(Instant, index::Phase)> = None;
    let mut progress = |p: Progress| {
        let due = last.is_none_or(|(t, phase)| {
            phase != p.phase || t.elapsed() >= PROGRESS_EVERY || p.done == p.total
        });
        if due {
            last = Some((Instant::now(), p.phase));
            on_change(Change::Progress {
                project_id: project.id,
                progress: p,
            });
        }
    };
    let result = index::index_project(catalog, project, stop, &mut progress, &crate::time::now_ms);
    match result {
        Ok(summary) => {
            if let Some(alerts) = alerts.filter(|_| summary.units_read + summary.units_removed > 0)
            {
                alerts.indexed(project);
            }
            on_change(Change::Indexed {
                project_id: project.id,
                summary,
            })
        }
        Err(IndexError::Cancelled { .. }) => {}
        Err(IndexError::Walk(_)) => {
            if gone.insert(project.id) {
                on_change(Change::ProjectGone {
                    project_id: project.id,
                    path: project.path.clone(),
                });
            }
        }
        Err(err) => on_change(Change::Warning {
            project_id: Some(project.id),
            message: format!("re-indexing {} failed: {err}", project.path.display()),
        }),
    }
}

/// Maps debounced events to the projects they touch.
fn collect(
    result: DebounceEventResult,
    projects: &[Project],
    ignored: &[PathBuf],
    dirty: &mut BTreeSet<i64>,
    on_change: &mut dyn FnMut(Change),
) {
    match result {
        Ok(events) => {
            for event in events {
                // Reads are not changes: the index itself opens every file it reads, and
                // counting those would re-index forever (and keep a core busy while idle).
                if is_read_only(&event.kind) {
                    continue;
                }
                for path in &event.paths {
                    if ignored.iter().any(|i| i == path) || in_hidden_folder(path, projects) {
                        continue;
                    }
                    for p in projects
                        .iter()
                        .filter(|p| path.starts_with(&p.path) || p.path.starts_with(path))
                    {
                        dirty.insert(p.id);
                    }
                }
            }
        }
        Err(errors) => {
            for err in errors {
                // Events may have been lost (a queue overflow): re-index everything, cheaply.
                on_change(Change::Warning {
                    project_id: None,
                    message: format!("file watching reported an error, re-indexing: {err}"),
                });
                dirty.extend(projects.iter().map(|p| p.id));
            }
        }
    }
}

/// Whether an event only says that something was opened or read.
fn is_read_only(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    matches!(kind, notify::EventKind::Access(access) if !matches!(access, AccessKind::Close(AccessMode::Write)))
}

/// Events inside `.git`, `.dvc` and other hidden folders never change what the index sees.
fn in_hidden_folder(path: &Path, projects: &[Project]) -> bool {
    let Some(project) = projects.iter().find(|p| path.starts_with(&p.path)) else {
        return false;
    };
    let Ok(rel) = path.strip_prefix(&project.path) else {
        return false;
    };
    let mut components: Vec<_> = rel.components().collect();
    components.pop(); // the file itself may be hidden (.gitignore matters)
    components
        .iter()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// The catalog's own files: writing them must not trigger a re-index of a project that holds it.
fn ignored_paths(catalog: &Path) -> Vec<PathBuf> {
    let base = std::fs::canonicalize(catalog).unwrap_or_else(|_| catalog.to_path_buf());
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| base.with_file_name(format!("{name}{suffix}")))
        .collect()
}

/// The native watcher, and the folders it cannot take (the OS ran out of inotify watches, or
/// `DRIFTDECK_WATCH_POLL` is set), which are polled instead.
///
/// Polling is an incremental index every [`POLL_INTERVAL`]: one `stat` per file, comparing size
/// and the nanosecond mtime, which is both cheaper and more exact than `notify`'s `PollWatcher`
/// (it compares whole-second mtimes, so two writes within a second look like one, or none).
struct Backend {
    native: Option<Debouncer<notify::RecommendedWatcher, RecommendedCache>>,
    polled: BTreeSet<PathBuf>,
    force_poll: bool,
}

impl Backend {
    fn start(
        tx: mpsc::Sender<DebounceEventResult>,
        on_change: &mut dyn FnMut(Change),
    ) -> Result<Backend, WatchError> {
        let mut backend = Backend {
            native: None,
            polled: BTreeSet::new(),
            force_poll: false,
        };
        if std::env::var_os("DRIFTDECK_WATCH_POLL").is_some() {
            on_change(Change::Warning {
                project_id: None,
                message: format!(
                    "DRIFTDECK_WATCH_POLL is set: polling for changes every {} ms",
                    POLL_INTERVAL.as_millis()
                ),
            });
            backend.force_poll = true;
            return Ok(backend);
        }
        match new_debouncer_opt::<_, notify::RecommendedWatcher, RecommendedCache>(
            DEBOUNCE,
            None,
            tx,
            RecommendedCache::new(),
            notify::Config::default(),
        ) {
            Ok(d) => backend.native = Some(d),
            Err(err) => {
                on_change(Change::Warning {
                    project_id: None,
                    message: format!(
                        "native file events are unavailable ({err}): polling every {} ms",
                        POLL_INTERVAL.as_millis()
                    ),
                });
                backend.force_poll = true;
            }
        }
        Ok(backend)
    }

    /// Watches `path` natively if possible, else polls it (with a warning for the user).
    fn watch(
        &mut self,
        path: &Path,
        on_change: &mut dyn FnMut(Change),
    ) -> Result<(), notify::Error> {
        if let (Some(native), false) = (&mut self.native, self.force_poll) {
            match native.watch(path, RecursiveMode::Recursive) {
                Err(err) if is_watch_limit(&err) => {
                    // Undo the partial watch before polling the same folder.
                    let _ = native.unwatch(path);
                    on_change(Change::Warning {
                        project_id: None,
                        message: format!(
                            "the system's limit of file watches is reached ({err}); {} is polled every {} ms instead. \
                             Raise fs.inotify.max_user_watches for instant updates.",
                            path.display(),
                            POLL_INTERVAL.as_millis()
                        ),
                    });
                }
                other => return other,
            }
        }
        self.polled.insert(path.to_path_buf());
        Ok(())
    }

    fn unwatch(&mut self, path: &Path) {
        if let Some(native) = &mut self.native {
            let _ = native.unwatch(path);
        }
        self.polled.remove(path);
    }

    fn is_polled(&self, path: &Path) -> bool {
        self.polled.contains(path)
    }
}

fn is_watch_limit(err: &notify::Error) -> bool {
    matches!(err.kind, notify::ErrorKind::MaxFilesWatch)
        || matches!(&err.kind, notify::ErrorKind::Io(e) if e.raw_os_error() == Some(28)) // ENOSPC
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};

    #[test]
    fn opening_and_reading_files_is_not_a_change() {
        assert!(is_read_only(&notify::EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(is_read_only(&notify::EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(!is_read_only(&notify::EventKind::Access(
            AccessKind::Close(AccessMode::Write)
        )));
        assert!(!is_read_only(&notify::EventKind::Modify(ModifyKind::Any)));
        assert!(!is_read_only(&notify::EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn an_idle_watch_does_not_reindex_after_its_own_reads() {
        let dir = tempfile::tempdir().unwrap();
        let project_dir = dir.path().join("p");
        std::fs::create_dir_all(project_dir.join("runs/r1")).unwrap();
        std::fs::write(project_dir.join("runs/r1/metrics.json"), r#"{"acc": 0.9}"#).unwrap();
        std::fs::write(project_dir.join("runs/r1/params.yaml"), "lr: 0.1\n").unwrap();
        std::fs::write(project_dir.join("data.csv"), "a,b\n1,2\n").unwrap();
        let mut catalog = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let project = catalog.add_project(&project_dir, 0).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let indexes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handle = {
            let (stop, indexes) = (stop.clone(), indexes.clone());
            std::thread::spawn(move || {
                watch(&mut catalog, &[project], &stop, None, &mut |c| {
                    if matches!(c, Change::Indexed { .. }) {
                        indexes.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .unwrap();
            })
        };
        // Wait for the start-up index, then give a feedback loop ample time to show itself.
        let start = Instant::now();
        while indexes.load(Ordering::SeqCst) == 0 && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(DEBOUNCE * 6);
        stop.store(true, Ordering::SeqCst);
        handle.join().unwrap();
        assert_eq!(
            indexes.load(Ordering::SeqCst),
            1,
            "the watch re-indexed without any change"
        );
    }
}
