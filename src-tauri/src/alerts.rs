//! Drift alerts: when a watched project's `driftdeck.toml` names a `[drift]` reference and
//! current dataset and one of them changes on disk, the pair is compared (the same rule the
//! approval checklist uses) and, if the data drifted past the policy's `max_share`, a desktop
//! notification is shown and the UI gets a `dataset-drifted` event.
//!
//! A thread of its own does the comparisons, so indexing never waits for one. The files' state
//! (size, modification time) when watching starts is the baseline: only changes after that alert.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::time::SystemTime;

use driftdeck::catalog::Project;
use driftdeck::registry::policy::{POLICY_FILE, Policy};
use serde::Serialize;
use tauri::{AppHandle, Emitter};

/// UI event: a watched dataset drifted against its reference.
pub const DATASET_DRIFTED: &str = "dataset-drifted";

/// The drifted columns a notification names, at most.
const NAMED_COLUMNS: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct DriftedEvent {
    pub project_id: i64,
    pub project: String,
    pub reference: String,
    pub current: String,
    pub drifted_columns: usize,
    pub columns: usize,
    pub share: f64,
    pub max_share: f64,
    pub drifted: Vec<String>,
}

enum Msg {
    /// Watching (re)started over these projects: remember their files as they are.
    Baseline(Vec<Project>),
    /// A project was re-indexed: compare its drift files if they changed.
    Indexed(Project),
}

/// Handle to the alerts thread (cheap to clone).
#[derive(Clone)]
pub struct Alerts {
    tx: Option<Sender<Msg>>,
}

impl Alerts {
    pub fn start(app: AppHandle) -> Alerts {
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("driftdeck-alerts".into())
            .spawn(move || {
                let mut seen: HashMap<PathBuf, Stamp> = HashMap::new();
                while let Ok(msg) = rx.recv() {
                    match msg {
                        Msg::Baseline(projects) => {
                            for project in projects {
                                if let Some((_, stamp)) = watched(&project.path) {
                                    seen.entry(project.path).or_insert(stamp);
                                }
                            }
                        }
                        Msg::Indexed(project) => {
                            let Some((policy, stamp)) = watched(&project.path) else {
                                continue;
                            };
                            if seen.get(&project.path) == Some(&stamp) {
                                continue;
                            }
                            seen.insert(project.path.clone(), stamp);
                            check(&app, &project, &policy);
                        }
                    }
                }
            });
        match spawned {
            Ok(_) => Alerts { tx: Some(tx) },
            Err(e) => {
                eprintln!("driftdeck-app: drift alerts are off: cannot start a thread: {e}");
                Alerts { tx: None }
            }
        }
    }

    pub fn baseline(&self, projects: &[Project]) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Baseline(projects.to_vec()));
        }
    }

    pub fn indexed(&self, project: &Project) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Indexed(project.clone()));
        }
    }
}

/// Size and modification time of the policy file and the two datasets it names.
type Stamp = Vec<Option<(u64, SystemTime)>>;

fn file_stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The project's policy and the stamp of its drift files; `None` when it has no policy with a
/// `[drift]` rule (nothing to watch). A policy that cannot be read is reported on stderr.
fn watched(project: &Path) -> Option<(Policy, Stamp)> {
    let policy = Policy::load(project)
        .map_err(|e| eprintln!("driftdeck-app: drift alerts for {}: {e}", project.display()))
        .ok()??;
    let (_, reference, current) = policy.drift_files()?;
    let stamp = vec![
        file_stamp(&project.join(POLICY_FILE)),
        file_stamp(&reference),
        file_stamp(&current),
    ];
    Some((policy, stamp))
}

fn check(app: &AppHandle, project: &Project, policy: &Policy) {
    let Some((rule, reference, current)) = policy.drift_files() else {
        return;
    };
    let report =
        match driftdeck::drift::compare::compare(&reference, &current, &rule.options(), &|_| {}) {
            Ok(report) => report,
            Err(e) => {
                // A file caught half-written, or a broken one: the next change checks again.
                eprintln!("driftdeck-app: drift alert for {}: {e}", project.name);
                return;
            }
        };
    if !rule.is_broken_by(&report) {
        return;
    }
    let drifted: Vec<String> = report
        .columns
        .iter()
        .filter(|c| c.drifted)
        .take(NAMED_COLUMNS)
        .map(|c| c.column.clone())
        .collect();
    let event = DriftedEvent {
        project_id: project.id,
        project: project.name.clone(),
        reference: reference.display().to_string(),
        current: current.display().to_string(),
        drifted_columns: report.drifted_columns,
        columns: report.tested_columns,
        share: report.share_drifted,
        max_share: rule.max_share,
        drifted,
    };
    notify(&event);
    let _ = app.emit(DATASET_DRIFTED, event);
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// The notification's title and body.
pub fn notification_text(event: &DriftedEvent) -> (String, String) {
    let title = format!("Drift in {}", event.project);
    let mut body = format!(
        "{} drifted from {}: {} of {} columns (more than {:.0}% allowed)",
        file_name(&event.current),
        file_name(&event.reference),
        event.drifted_columns,
        event.columns,
        event.max_share * 100.0
    );
    if !event.drifted.is_empty() {
        body.push_str(&format!(": {}", event.drifted.join(", ")));
        if event.drifted_columns > event.drifted.len() {
            body.push_str(", …");
        }
    }
    (title, body)
}

/// Shows a desktop notification (freedesktop notifications over D-Bus on Linux). Without a
/// notification service (no desktop session) this only logs: the in-app alert still shows.
fn notify(event: &DriftedEvent) {
    let (title, body) = notification_text(event);
    let shown = notify_rust::Notification::new()
        .appname("Driftdeck")
        .summary(&title)
        .body(&body)
        .icon("driftdeck")
        .show();
    if let Err(e) = shown {
        eprintln!("driftdeck-app: no desktop notification ({e}): {title}: {body}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notification_names_the_files_the_share_and_the_columns() {
        let mut event = DriftedEvent {
            project_id: 1,
            project: "churn".into(),
            reference: "/p/data/reference.csv".into(),
            current: "/p/data/current.csv".into(),
            drifted_columns: 3,
            columns: 9,
            share: 0.33,
            max_share: 0.25,
            drifted: vec!["monthly_charges".into(), "tenure".into()],
        };
        let (title, body) = notification_text(&event);
        assert_eq!(title, "Drift in churn");
        assert_eq!(
            body,
            "current.csv drifted from reference.csv: 3 of 9 columns (more than 25% allowed): \
             monthly_charges, tenure, …"
        );
        event.drifted_columns = 2;
        assert!(notification_text(&event).1.ends_with("tenure"));
    }

    #[test]
    fn only_projects_with_a_drift_rule_are_stamped() {
        let dir = tempfile::tempdir().unwrap();
        let stamp_of = |p: &Path| watched(p).map(|(_, stamp)| stamp);
        assert_eq!(stamp_of(dir.path()), None);
        std::fs::write(dir.path().join(POLICY_FILE), "[metrics.rmse]\nmax = 1\n").unwrap();
        assert_eq!(stamp_of(dir.path()), None);
        std::fs::write(
            dir.path().join(POLICY_FILE),
            "[drift]\nreference = \"a.csv\"\ncurrent = \"b.csv\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.csv"), "x\n1\n").unwrap();
        let before = stamp_of(dir.path()).unwrap();
        assert_eq!(before.len(), 3);
        assert!(before[1].is_some() && before[2].is_none());
        std::fs::write(dir.path().join("b.csv"), "x\n2\n").unwrap();
        assert_ne!(stamp_of(dir.path()).unwrap(), before);
    }
}
