//! Argument parsing and output for the `driftdeck` binary. Each subcommand is a thin layer over
//! the engine: parse, call, print text or `--json`, map errors to exit codes.

mod drift;
mod fairness;
mod index;
mod lists;
mod project;
mod registry;
mod table;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use driftdeck::catalog::{self, Catalog, CatalogError, ErrorKind};

/// Driftdeck: the runs, datasets and models of your ML projects in one catalog; drift and
/// fairness checks; one-click publishing to an MLflow Model Registry.
#[derive(Debug, Parser)]
#[command(name = "driftdeck", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// The catalog file (default: catalog.sqlite in your data directory, e.g. ~/.local/share/driftdeck)
    #[arg(long, global = true, env = catalog::DB_ENV, value_name = "FILE")]
    db: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add, list or remove project folders
    #[command(subcommand)]
    Project(project::ProjectCommand),
    /// Scan project folders once into the catalog
    Index(index::IndexArgs),
    /// Keep the catalog live while files change (until interrupted)
    Watch(index::WatchArgs),
    /// List runs (MLflow-style --filter, --sort), or compare runs
    Runs(lists::RunsArgs),
    /// List datasets with their schema and profile
    Datasets(lists::ListArgs),
    /// List model files and folders, and registered models
    Models(lists::ListArgs),
    /// List files the readers could not read, and why
    Problems(lists::ListArgs),
    /// Compare two tabular files for data drift (per-column tests and a dataset verdict)
    Drift(drift::DriftArgs),
    /// Fairness of predictions across sensitive groups and their intersection (Fairlearn's metrics)
    Fairness(fairness::FairnessArgs),
    /// Registry connections (login, logout, status), pulling and downloading registry models
    #[command(subcommand)]
    Registry(registry::RegistryCommand),
    /// A model's checklist from the project's driftdeck.toml, and its approval status
    Checks(registry::ChecksArgs),
    /// Approve a model's current content, with a note (audit-logged)
    Approve(registry::DecideArgs),
    /// Reject a model's current content, with a note (audit-logged)
    Reject(registry::DecideArgs),
    /// Publish an approved model to an MLflow Model Registry (through the outbox)
    Publish(registry::PublishArgs),
    /// Publish jobs: list, send now, cancel
    Outbox {
        #[command(subcommand)]
        command: Option<registry::OutboxCommand>,
    },
    /// Deployment aliases: promote the challenger, roll back the champion, set an alias
    #[command(subcommand)]
    Alias(registry::AliasCommand),
    /// The audit log: approvals, publications, alias moves, logins
    Audit(registry::AuditArgs),
}

/// How a command ended, mapped to the documented exit codes.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or bad input: exit 2.
    BadInput(anyhow::Error),
    /// Anything else that went wrong locally: also exit 2, reported as an error of Driftdeck's.
    Internal(anyhow::Error),
    /// The check ran and failed (`--fail-on-drift` and drift found): exit 1.
    Check(String),
    /// The registry refused or could not be reached: exit 3.
    Remote(anyhow::Error),
}

impl From<CatalogError> for Failure {
    fn from(err: CatalogError) -> Failure {
        match err.kind() {
            ErrorKind::BadInput | ErrorKind::NotFound => Failure::BadInput(err.into()),
            ErrorKind::Internal => Failure::Internal(err.into()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Failure {
        Failure::Internal(anyhow::Error::new(err).context("cannot write output"))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let (code, err) = match failure {
                Failure::BadInput(err) => (2, err),
                Failure::Internal(err) => (2, err.context("internal error")),
                Failure::Remote(err) => (3, err),
                Failure::Check(message) => {
                    eprintln!("driftdeck: {message}");
                    return ExitCode::from(1);
                }
            };
            eprintln!("driftdeck: error: {err:#}");
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Project(cmd) => project::run(cmd, cli.db.as_deref()),
        Command::Index(args) => index::run_index(args, cli.db.as_deref()),
        Command::Watch(args) => index::run_watch(args, cli.db.as_deref()),
        Command::Runs(args) => lists::run_runs(args, cli.db.as_deref()),
        Command::Datasets(args) => lists::run_datasets(args, cli.db.as_deref()),
        Command::Models(args) => lists::run_models(args, cli.db.as_deref()),
        Command::Problems(args) => lists::run_problems(args, cli.db.as_deref()),
        Command::Drift(args) => drift::run(args, cli.db.as_deref()),
        Command::Fairness(args) => fairness::run(args),
        Command::Registry(cmd) => registry::run_registry(cmd, cli.db.as_deref()),
        Command::Checks(args) => registry::run_checks(args, cli.db.as_deref()),
        Command::Approve(args) => registry::run_decide(
            args,
            driftdeck::registry::approval::Decision::Approve,
            cli.db.as_deref(),
        ),
        Command::Reject(args) => registry::run_decide(
            args,
            driftdeck::registry::approval::Decision::Reject,
            cli.db.as_deref(),
        ),
        Command::Publish(args) => registry::run_publish(args, cli.db.as_deref()),
        Command::Outbox { command } => registry::run_outbox(command, cli.db.as_deref()),
        Command::Alias(cmd) => registry::run_alias(cmd, cli.db.as_deref()),
        Command::Audit(args) => registry::run_audit(args, cli.db.as_deref()),
    }
}

/// Opens the catalog named by `--db`, `DRIFTDECK_DB` or the default location.
fn open_catalog(db: Option<&std::path::Path>) -> Result<Catalog, Failure> {
    let path = catalog::location(db)?;
    Ok(Catalog::open(&path)?)
}

/// Writes `value` as pretty JSON and a newline to stdout.
fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)
        .map_err(|e| Failure::Internal(anyhow::Error::new(e).context("cannot write JSON")))?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
