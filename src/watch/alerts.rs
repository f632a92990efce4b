//! Drift alerts beside the watcher: when a watched project's `driftdeck.toml` names a `[drift]`
//! reference and current dataset and one of them (or the policy) changes on disk, the pair is
//! compared by the policy's rule (the one the approval checklist judges by) and, when more than
//! `max_share` of the columns drifted, [`watch`](super::watch) reports a [`Change::Drifted`]
//! (`driftdeck watch` prints it; the app shows a desktop notification).
//!
//! The comparisons run on a thread of their own, so an index never waits for one. The files'
//! state (size, modification time) when watching starts is the baseline: only changes after it
//! alert. [`DriftAlerts`] outlives a watch, so restarting one (a project added) keeps the
//! baseline and does not alert twice for one change.
//!
//! [`Change::Drifted`]: super::Change::Drifted

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::SystemTime;

use serde::Serialize;

use crate::catalog::Project;
use crate::catalog::drift_cache::{DatasetComparison, compare_datasets};
use crate::policy::{POLICY_FILE, Policy};

/// The drifted columns an alert names, at most.
const NAMED_COLUMNS: usize = 10;

/// A watched dataset drifted against its reference past the policy's share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DriftAlert {
    pub project_id: i64,
    /// The project's display name.
    pub project: String,
    /// Absolute paths of the two files (from the project's driftdeck.toml `[drift]`).
    pub reference: String,
    pub current: String,
    pub drifted_columns: usize,
    pub columns: usize,
    pub share: f64,
    pub max_share: f64,
    /// Names of drifted columns (at most ten).
    pub drifted: Vec<String>,
}

impl DriftAlert {
    /// The alert in words: a title and a body, as a notification or a line of output shows it.
    pub fn text(&self) -> (String, String) {
        let title = format!("Drift in {}", self.project);
        let mut body = format!(
            "{} drifted from {}: {} of {} columns (more than {:.0}% allowed)",
            file_name(&self.current),
            file_name(&self.reference),
            self.drifted_columns,
            self.columns,
            self.max_share * 100.0
        );
        if !self.drifted.is_empty() {
            body.push_str(&format!(": {}", self.drifted.join(", ")));
            if self.drifted_columns > self.drifted.len() {
                body.push_str(", …");
            }
        }
        (title, body)
    }
}

fn file_name(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

enum Msg {
    /// Watching (re)started over these projects: remember their files as they are, unless
    /// already known.
    Baseline(Vec<Project>),
    /// A project was re-indexed: compare its drift files if they changed.
    Indexed(Project),
}

/// What the alert thread reports back: an alert, or why a comparison could not be made.
pub enum Outcome {
    Alert(DriftAlert),
    /// A file caught half-written, or a broken one (the next change checks again).
    Failed {
        project_id: i64,
        message: String,
    },
}

/// The alert thread and its channels. Dropping it stops the thread.
pub struct DriftAlerts {
    tx: Option<Sender<Msg>>,
    rx: Receiver<Outcome>,
}

impl DriftAlerts {
    /// Starts the thread; comparisons use the reference cache of the catalog at `cache` (when
    /// given). Without a thread (the system refused one) alerts are off and nothing else changes.
    pub fn start(cache: Option<PathBuf>) -> DriftAlerts {
        let (tx, rx_msgs) = mpsc::channel::<Msg>();
        let (tx_out, rx) = mpsc::channel::<Outcome>();
        let spawned = std::thread::Builder::new()
            .name("driftdeck-alerts".into())
            .spawn(move || {
                let mut seen: HashMap<PathBuf, Stamp> = HashMap::new();
                while let Ok(msg) = rx_msgs.recv() {
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
                            if let Some(outcome) = check(&project, &policy, cache.as_deref())
                                && tx_out.send(outcome).is_err()
                            {
                                return;
                            }
                        }
                    }
                }
            });
        DriftAlerts {
            tx: spawned.ok().map(|_| tx),
            rx,
        }
    }

    /// Whether alerts are on (the thread started).
    pub fn is_on(&self) -> bool {
        self.tx.is_some()
    }

    pub(super) fn baseline(&self, projects: &[Project]) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Baseline(projects.to_vec()));
        }
    }

    pub(super) fn indexed(&self, project: &Project) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Indexed(project.clone()));
        }
    }

    /// What the thread has found since the last call.
    pub(super) fn outcomes(&self) -> Vec<Outcome> {
        self.rx.try_iter().collect()
    }

    /// Waits up to `max` for the thread's next outcome (tests and short-lived watches).
    pub fn wait(&self, max: std::time::Duration) -> Option<Outcome> {
        self.rx.recv_timeout(max).ok()
    }
}

/// Size and modification time of the policy file and the two datasets it names.
type Stamp = Vec<Option<(u64, SystemTime)>>;

fn file_stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The project's policy and the stamp of its drift files; `None` when it has no readable policy
/// with a `[drift]` rule (nothing to watch; a broken policy is the checklist's to report).
fn watched(project: &Path) -> Option<(Policy, Stamp)> {
    let policy = Policy::load(project).ok()??;
    let (_, reference, current) = policy.drift_files()?;
    let stamp = vec![
        file_stamp(&project.join(POLICY_FILE)),
        file_stamp(&reference),
        file_stamp(&current),
    ];
    Some((policy, stamp))
}

fn check(project: &Project, policy: &Policy, cache: Option<&Path>) -> Option<Outcome> {
    let (rule, reference, current) = policy.drift_files()?;
    let options = rule.options();
    let compared = compare_datasets(
        &DatasetComparison {
            reference: &reference,
            current: &current,
            options: &options,
            timeline: None,
            cache,
        },
        &|_| {},
    );
    let report = match compared {
        Ok(c) => c.report,
        Err(e) => {
            return Some(Outcome::Failed {
                project_id: project.id,
                message: format!("drift alert for {}: {e}", project.name),
            });
        }
    };
    if !rule.is_broken_by(&report) {
        return None;
    }
    Some(Outcome::Alert(DriftAlert {
        project_id: project.id,
        project: project.name.clone(),
        reference: reference.display().to_string(),
        current: current.display().to_string(),
        drifted_columns: report.drifted_columns,
        columns: report.tested_columns,
        share: report.share_drifted,
        max_share: rule.max_share,
        drifted: report
            .columns
            .iter()
            .filter(|c| c.drifted)
            .take(NAMED_COLUMNS)
            .map(|c| c.column.clone())
            .collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_names_the_files_the_share_and_the_columns() {
        let mut alert = DriftAlert {
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
        let (title, body) = alert.text();
        assert_eq!(title, "Drift in churn");
        assert_eq!(
            body,
            "current.csv drifted from reference.csv: 3 of 9 columns (more than 25% allowed): \
             monthly_charges, tenure, …"
        );
        alert.drifted_columns = 2;
        assert!(alert.text().1.ends_with("tenure"));
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

    #[test]
    fn a_changed_current_file_past_the_share_alerts_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join(POLICY_FILE),
            "[drift]\nreference = \"ref.csv\"\ncurrent = \"cur.csv\"\nmax_share = 0.4\n",
        )
        .unwrap();
        let column = |offset: f64| -> String {
            let mut s = String::from("a,b\n");
            for i in 0..200 {
                s.push_str(&format!("{},{}\n", i as f64 + offset, i % 7));
            }
            s
        };
        std::fs::write(root.join("ref.csv"), column(0.0)).unwrap();
        std::fs::write(root.join("cur.csv"), column(0.0)).unwrap();
        let project = Project {
            id: 7,
            path: root.clone(),
            name: "p".into(),
            added_at_ms: 0,
            watch: true,
        };
        let alerts = DriftAlerts::start(None);
        alerts.baseline(std::slice::from_ref(&project));
        // Unchanged since the baseline: no comparison, no alert.
        alerts.indexed(&project);
        assert!(alerts.wait(std::time::Duration::from_millis(300)).is_none());
        // Column `a` moves far: one of two columns drifts, past 40%.
        std::fs::write(root.join("cur.csv"), column(500.0) + "1000,1\n").unwrap();
        alerts.indexed(&project);
        match alerts.wait(std::time::Duration::from_secs(30)) {
            Some(Outcome::Alert(a)) => {
                assert_eq!((a.project_id, a.drifted_columns, a.columns), (7, 1, 2));
                assert_eq!(a.drifted, ["a"]);
            }
            Some(Outcome::Failed { message, .. }) => panic!("{message}"),
            None => panic!("no alert"),
        }
        // The same files again: no second alert.
        alerts.indexed(&project);
        assert!(alerts.wait(std::time::Duration::from_millis(300)).is_none());
    }
}
