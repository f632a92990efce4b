//! `driftdeck index` and `driftdeck watch`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use driftdeck::catalog::{Catalog, Project, query::Counts};
use driftdeck::scan::index::{self, IndexSummary, Phase, Progress};
use driftdeck::time;
use driftdeck::watch::{self, Change};
use serde_json::json;

use super::{Failure, open_catalog, print_json};

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Project folders to index (added to the catalog if they are not there yet)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Project folders to keep live (added to the catalog if they are not there yet)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

pub fn run_index(args: IndexArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let projects = add_all(&mut catalog, &args.paths)?;
    let mut results = Vec::new();
    let tty = std::io::stderr().is_terminal() && !args.json;
    for project in &projects {
        let started = Instant::now();
        let mut bar = ProgressLine::new(&project.name, tty);
        let summary = index::index_project(
            &mut catalog,
            project,
            &AtomicBool::new(false),
            &mut |p| bar.show(p),
            &time::now_ms,
        )?;
        bar.clear();
        let counts = catalog.counts(project.id)?;
        results.push((
            project.clone(),
            summary,
            counts,
            started.elapsed().as_secs_f64(),
        ));
    }
    if args.json {
        let rows: Vec<_> = results
            .iter()
            .map(|(p, s, c, secs)| {
                json!({
                    "project": {"id": p.id, "name": p.name, "path": p.path.display().to_string()},
                    "files": s.files, "files_hashed": s.files_hashed, "units": s.units,
                    "units_read": s.units_read, "units_removed": s.units_removed,
                    "counts": counts_json(c), "seconds": secs,
                })
            })
            .collect();
        return print_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    for (p, s, c, secs) in &results {
        writeln!(out, "{}: {}", p.name, describe(s, c, *secs))?;
        if c.problems > 0 {
            writeln!(
                out,
                "  {} problem(s): `driftdeck problems` lists them",
                c.problems
            )?;
        }
    }
    Ok(())
}

pub fn run_watch(args: WatchArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let projects = add_all(&mut catalog, &args.paths)?;
    let names: std::collections::HashMap<i64, String> =
        projects.iter().map(|p| (p.id, p.name.clone())).collect();
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "watching {} project(s); changes are indexed as they happen (Ctrl-C stops; stopping at any moment is safe)",
        projects.len()
    );
    let stop = AtomicBool::new(false);
    let mut on_change = |change: Change| {
        let now = time::rfc3339_ms(time::now_ms());
        let line = match &change {
            Change::Indexed {
                project_id,
                summary,
            } if summary.units_read + summary.units_removed > 0 => format!(
                "{now} {}: re-indexed ({} unit(s) read, {} removed, {} file(s))",
                names.get(project_id).map_or("?", String::as_str),
                summary.units_read,
                summary.units_removed,
                summary.files
            ),
            Change::Indexed { .. } | Change::Progress { .. } => return,
            Change::ProjectGone { path, .. } => {
                format!(
                    "{now} warning: {} is gone; its catalog entries are kept until it comes back",
                    path.display()
                )
            }
            Change::Warning { message, .. } => format!("{now} warning: {message}"),
            Change::Drifted(alert) => {
                let (title, body) = alert.text();
                format!("{now} drift alert: {title}: {body}")
            }
        };
        let mut lock = out.lock();
        let _ = writeln!(lock, "{line}");
        let _ = lock.flush();
    };
    // Drift alerts for the projects whose driftdeck.toml names a [drift] pair, with the
    // catalog's reference cache.
    let alerts = watch::DriftAlerts::start(Some(catalog.path().to_path_buf()));
    watch::watch(
        &mut catalog,
        &projects,
        &stop,
        Some(&alerts),
        &mut on_change,
    )
    .map_err(Failure::from)
}

fn add_all(catalog: &mut Catalog, paths: &[PathBuf]) -> Result<Vec<Project>, Failure> {
    paths
        .iter()
        .map(|p| {
            catalog
                .add_project(p, time::now_ms())
                .map_err(Failure::from)
        })
        .collect()
}

fn describe(s: &IndexSummary, c: &Counts, secs: f64) -> String {
    format!(
        "{} runs, {} experiments, {} metric points, {} datasets, {} models, {} registered models, {} problems \
         ({} files, {} units read, {:.2} s)",
        c.runs,
        c.experiments,
        c.metric_points,
        c.datasets,
        c.models,
        c.registered_models,
        c.problems,
        s.files,
        s.units_read,
        secs
    )
}

pub fn counts_json(c: &Counts) -> serde_json::Value {
    json!({
        "experiments": c.experiments, "runs": c.runs, "metric_points": c.metric_points,
        "datasets": c.datasets, "models": c.models, "registered_models": c.registered_models,
        "problems": c.problems,
    })
}

/// A one-line progress display on stderr, redrawn in place; silent when stderr is not a terminal.
struct ProgressLine<'a> {
    name: &'a str,
    enabled: bool,
    last: Option<Instant>,
}

impl<'a> ProgressLine<'a> {
    fn new(name: &'a str, enabled: bool) -> ProgressLine<'a> {
        ProgressLine {
            name,
            enabled,
            last: None,
        }
    }

    fn show(&mut self, p: Progress) {
        if !self.enabled {
            return;
        }
        // Redraw at most 20 times a second: terminals are slow.
        if self.last.is_some_and(|t| t.elapsed().as_millis() < 50) && p.done != p.total {
            return;
        }
        self.last = Some(Instant::now());
        let what = match p.phase {
            Phase::Walking => "walking".to_string(),
            Phase::Hashing => format!("hashing {}/{} changed files", p.done, p.total),
            Phase::Reading => format!("reading {}/{} changed units", p.done, p.total),
        };
        let bar = match (p.done * 24).checked_div(p.total) {
            Some(filled) => {
                let filled = filled.min(24);
                format!("[{}{}] ", "#".repeat(filled), "-".repeat(24 - filled))
            }
            None => String::new(),
        };
        eprint!("\r\x1b[2K{}: {bar}{what}", self.name);
    }

    fn clear(&mut self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}
