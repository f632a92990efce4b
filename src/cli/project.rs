//! `driftdeck project add|list|remove`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use driftdeck::catalog::Project;
use driftdeck::catalog::lists::ProjectJson;
use driftdeck::time;

use super::{Failure, open_catalog, print_json};

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Add a project folder to the catalog (adding it again is harmless)
    Add {
        /// The project folder
        path: PathBuf,
        #[command(flatten)]
        output: Output,
    },
    /// List the project folders in the catalog
    List {
        #[command(flatten)]
        output: Output,
    },
    /// Keep a project live in the app (`on`, the default for new projects) or not (`off`: it
    /// stays listed as last indexed; `driftdeck index` still re-indexes it on demand)
    Watch {
        /// The project folder, as it was added
        path: PathBuf,
        /// on or off
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[command(flatten)]
        output: Output,
    },
    /// Remove a project folder from the catalog (nothing on disk is touched)
    Remove {
        /// The project folder, as it was added (it may no longer exist)
        path: PathBuf,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, Args)]
pub struct Output {
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: ProjectCommand, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match cmd {
        ProjectCommand::Add { path, output } => {
            let project = catalog.add_project(&path, time::now_ms())?;
            let line = format!("added project {}", project.name);
            print_project(&output, &project, &line)
        }
        ProjectCommand::List { output } => {
            let projects = catalog.projects()?;
            if output.json {
                let rows = catalog.list_projects()?;
                return print_json(&rows);
            }
            let mut out = std::io::stdout().lock();
            if projects.is_empty() {
                writeln!(
                    out,
                    "no projects yet: add one with `driftdeck project add PATH` (catalog: {})",
                    catalog.path().display()
                )?;
            }
            let width = projects.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for p in &projects {
                let missing = if p.exists_on_disk() {
                    ""
                } else {
                    "  (missing on disk)"
                };
                let unwatched = if p.watch { "" } else { "  (not watched)" };
                writeln!(
                    out,
                    "{:<width$}  {}{missing}{unwatched}",
                    p.name,
                    p.path.display()
                )?;
            }
            Ok(())
        }
        ProjectCommand::Watch {
            path,
            state,
            output,
        } => {
            let id = catalog.project_at(&path)?.id;
            let project = catalog.set_project_watch(id, state == "on")?;
            let line = if project.watch {
                format!("{}: the app keeps it live", project.name)
            } else {
                format!(
                    "{}: the app no longer watches it; it stays listed as last indexed",
                    project.name
                )
            };
            print_project(&output, &project, &line)
        }
        ProjectCommand::Remove { path, output } => {
            let project = catalog.remove_project_at(&path)?;
            let line = format!("removed project {}", project.name);
            print_project(&output, &project, &line)
        }
    }
}

/// One project as `--json`, or `line` and the project's folder as text.
fn print_project(output: &Output, project: &Project, line: &str) -> Result<(), Failure> {
    if output.json {
        return print_json(&ProjectJson::from(project));
    }
    writeln!(
        std::io::stdout().lock(),
        "{line} ({})",
        project.path.display()
    )?;
    Ok(())
}
