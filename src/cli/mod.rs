//! Argument parsing and output for the `driftdeck` binary. Each subcommand is a thin layer over
//! the engine: parse, call, print text or `--json`, map errors to exit codes.

mod alias;
mod approval;
mod drift;
mod fairness;
mod index;
mod lists;
mod location;
mod project;
mod publish;
mod registry;
mod table;
mod views;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use driftdeck::catalog::{self, Catalog};
use driftdeck::error::{Classify, ErrorCode};

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
    /// Where the catalog is, and moving it (shared with the app's Settings)
    #[command(subcommand)]
    Catalog(location::CatalogCommand),
    /// Scan project folders once into the catalog
    Index(index::IndexArgs),
    /// Keep the catalog live while files change (until interrupted)
    Watch(index::WatchArgs),
    /// List runs (MLflow-style --filter, --sort, saved --view), compare runs, or print a run's
    /// metric histories
    Runs(lists::RunsArgs),
    /// Saved views of the runs: list, show, delete
    Views {
        #[command(subcommand)]
        command: Option<views::ViewsCommand>,
    },
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
    Checks(approval::ChecksArgs),
    /// Approve a model's current content, with a note (audit-logged)
    Approve(approval::DecideArgs),
    /// Reject a model's current content, with a note (audit-logged)
    Reject(approval::DecideArgs),
    /// Publish an approved model to an MLflow Model Registry (through the outbox)
    Publish(publish::PublishArgs),
    /// Publish jobs: list, send now, cancel
    Outbox {
        #[command(subcommand)]
        command: Option<publish::OutboxCommand>,
    },
    /// Deployment aliases: promote the challenger, roll back the champion, set an alias
    #[command(subcommand)]
    Alias(alias::AliasCommand),
    /// The audit log: approvals, publications, alias moves, logins
    Audit(approval::AuditArgs),
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

impl Failure {
    /// An engine error, by its code: the one place the CLI reads one (exit 3 for a remote
    /// failure, 2 for the rest; internal errors are said to be Driftdeck's).
    fn by_code(code: ErrorCode, err: anyhow::Error) -> Failure {
        match code {
            ErrorCode::Remote => Failure::Remote(err),
            ErrorCode::Internal => Failure::Internal(err),
            ErrorCode::BadInput
            | ErrorCode::BadFilter
            | ErrorCode::NotFound
            | ErrorCode::Catalog => Failure::BadInput(err),
        }
    }

    fn classified<E: Classify + std::error::Error + Send + Sync + 'static>(err: E) -> Failure {
        Failure::by_code(err.code(), err.into())
    }
}

impl From<driftdeck::error::Error> for Failure {
    fn from(err: driftdeck::error::Error) -> Failure {
        Failure::by_code(err.code, err.into())
    }
}

/// Every engine error type converts by its code (a blanket impl would overlap with the
/// `std::io::Error` one below, which the engine could classify one day).
macro_rules! classified {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for Failure {
            fn from(err: $t) -> Failure {
                Failure::classified(err)
            }
        })*
    };
}

classified!(
    driftdeck::catalog::CatalogError,
    driftdeck::catalog::filter::FilterError,
    driftdeck::drift::DriftError,
    driftdeck::fairness::FairnessFailure,
    driftdeck::policy::PolicyError,
    driftdeck::registry::RegistryError,
    driftdeck::scan::index::IndexError,
    driftdeck::settings::SettingsError,
    driftdeck::watch::WatchError,
);

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
        Command::Catalog(cmd) => location::run(cmd, cli.db.as_deref()),
        Command::Index(args) => index::run_index(args, cli.db.as_deref()),
        Command::Watch(args) => index::run_watch(args, cli.db.as_deref()),
        Command::Runs(args) => lists::run_runs(args, cli.db.as_deref()),
        Command::Views { command } => views::run(command, cli.db.as_deref()),
        Command::Datasets(args) => lists::run_datasets(args, cli.db.as_deref()),
        Command::Models(args) => lists::run_models(args, cli.db.as_deref()),
        Command::Problems(args) => lists::run_problems(args, cli.db.as_deref()),
        Command::Drift(args) => drift::run(args, cli.db.as_deref()),
        Command::Fairness(args) => fairness::run(args),
        Command::Registry(cmd) => registry::run_registry(cmd, cli.db.as_deref()),
        Command::Checks(args) => approval::run_checks(args, cli.db.as_deref()),
        Command::Approve(args) => approval::run_decide(
            args,
            driftdeck::registry::approval::Decision::Approve,
            cli.db.as_deref(),
        ),
        Command::Reject(args) => approval::run_decide(
            args,
            driftdeck::registry::approval::Decision::Reject,
            cli.db.as_deref(),
        ),
        Command::Publish(args) => publish::run_publish(args, cli.db.as_deref()),
        Command::Outbox { command } => publish::run_outbox(command, cli.db.as_deref()),
        Command::Alias(cmd) => alias::run_alias(cmd, cli.db.as_deref()),
        Command::Audit(args) => approval::run_audit(args, cli.db.as_deref()),
    }
}

/// Opens the catalog named by `--db`, `DRIFTDECK_DB` or the default location.
fn open_catalog(db: Option<&std::path::Path>) -> Result<Catalog, Failure> {
    let path = catalog::location(db)?;
    Ok(Catalog::open(&path)?)
}

/// Writes a report to `-o FILE`, or to stdout without one.
fn write_report(output: Option<&std::path::Path>, body: &str) -> Result<(), Failure> {
    match output {
        Some(path) => std::fs::write(path, body).map_err(|e| {
            Failure::BadInput(anyhow::anyhow!(
                "cannot write the report to {}: {e}",
                path.display()
            ))
        }),
        None => Ok(std::io::stdout().lock().write_all(body.as_bytes())?),
    }
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
