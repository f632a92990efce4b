//! `driftdeck publish` and `outbox`: publishing an approved model through the outbox, with
//! progress on stderr, and the outbox's jobs.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use driftdeck::catalog::registry::JobRow;
use driftdeck::registry::publish::{self, PublishOptions};
use serde_json::json;

use super::registry::store;
use super::table::Table;
use super::{Failure, open_catalog, print_json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A progress line on a terminal, one line per step otherwise
    Auto,
    /// One JSON object per update on stderr
    Json,
    None,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    /// The registered model name (default: its registered or catalog name, else the file name)
    #[arg(long)]
    name: Option<String>,
    /// Point this alias at the new version (e.g. champion, challenger)
    #[arg(long)]
    alias: Option<String>,
    /// The registry URL (default: driftdeck.toml's, else the default connection)
    #[arg(long)]
    registry: Option<String>,
    /// Do not push the source run's params, metrics and tags
    #[arg(long)]
    no_source_run: bool,
    /// Attempts before the job fails for good (retries back off from 1 s to 60 s)
    #[arg(long, default_value_t = publish::DEFAULT_MAX_ATTEMPTS)]
    max_attempts: i64,
    /// Queue the job and return; `driftdeck outbox run` (or the app) sends it
    #[arg(long)]
    no_wait: bool,
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressMode,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List publish jobs (the default)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send every queued job now, retrying with backoff until each is done or failed
    Run {
        #[arg(long, value_enum, default_value = "auto")]
        progress: ProgressMode,
    },
    /// Cancel a job (a running one stops at its next chunk)
    Cancel { id: i64 },
}

/// Prints job progress on stderr.
struct Reporter {
    mode: ProgressMode,
    tty: bool,
    last: String,
}

impl Reporter {
    fn new(mode: ProgressMode) -> Reporter {
        Reporter {
            mode,
            tty: std::io::stderr().is_terminal(),
            last: String::new(),
        }
    }

    fn report(&mut self, job: &JobRow) {
        let mut err = std::io::stderr().lock();
        match self.mode {
            ProgressMode::None => {}
            ProgressMode::Json => {
                let _ = writeln!(
                    err,
                    "{}",
                    json!({"job": job.id, "state": job.state, "step": job.step,
                           "bytes_done": job.bytes_done, "bytes_total": job.bytes_total,
                           "attempts": job.attempts, "error": job.error, "version": job.version})
                );
            }
            ProgressMode::Auto => {
                let pct = if job.bytes_total > 0 {
                    100.0 * job.bytes_done as f64 / job.bytes_total as f64
                } else {
                    0.0
                };
                let line = match job.state.as_str() {
                    "waiting" => format!(
                        "job {}: {}",
                        job.id,
                        job.error.as_deref().unwrap_or("waiting to retry")
                    ),
                    "running" => format!("job {}: {} ({pct:.0}%)", job.id, job.step),
                    _ => String::new(),
                };
                if self.tty {
                    let _ = write!(err, "\r\x1b[2K{line}");
                    if job.is_finished() {
                        let _ = write!(err, "\r\x1b[2K");
                    }
                } else {
                    let key = format!("{}|{}|{}", job.state, job.step, job.attempts);
                    if key != self.last && !line.is_empty() {
                        let _ = writeln!(err, "{line}");
                        self.last = key;
                    }
                }
            }
        }
        let _ = err.flush();
    }
}

/// The exit for a job that ended without a version.
fn job_failure(job: &JobRow) -> Failure {
    let message = format!(
        "publish job {} {}: {}",
        job.id,
        job.state,
        job.error.as_deref().unwrap_or("no reason recorded")
    );
    match job.error_kind.as_deref() {
        Some("remote") => Failure::Remote(anyhow!(message)),
        _ => Failure::BadInput(anyhow!(message)),
    }
}

pub fn run_publish(args: PublishArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let options = PublishOptions {
        name: args.name.clone(),
        alias: args.alias.clone(),
        registry: args.registry.clone(),
        push_source_run: !args.no_source_run,
        max_attempts: Some(args.max_attempts),
    };
    let job = publish::queue(
        &mut catalog,
        &args.model,
        &options,
        driftdeck::time::now_ms(),
    )?;
    if args.no_wait {
        if args.json {
            return print_json(&job);
        }
        println!(
            "Queued publish job {} ({} to {})",
            job.id, job.name, job.registry
        );
        return Ok(());
    }
    let store = store()?;
    let mut reporter = Reporter::new(args.progress);
    publish::drain(&mut catalog, &store, Some(job.id), true, &mut |j| {
        reporter.report(j)
    })?;
    let job = catalog.job(job.id)?;
    if args.json {
        print_json(&job)?;
    }
    if job.state != "done" {
        return Err(job_failure(&job));
    }
    if !args.json {
        println!(
            "Published {} version {}{} to {}: {}",
            job.name,
            job.version.as_deref().unwrap_or("?"),
            job.alias
                .as_deref()
                .map(|a| format!(" (alias {a})"))
                .unwrap_or_default(),
            job.registry,
            job.version_url.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

pub fn run_outbox(cmd: Option<OutboxCommand>, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match cmd.unwrap_or(OutboxCommand::List { json: false }) {
        OutboxCommand::List { json } => {
            let jobs = catalog.jobs()?;
            if json {
                return print_json(&json!({ "jobs": jobs }));
            }
            if jobs.is_empty() {
                println!("The outbox is empty");
                return Ok(());
            }
            let mut table = Table::new([
                "ID", "STATE", "MODEL", "REGISTRY", "VERSION", "PROGRESS", "ERROR",
            ]);
            for j in &jobs {
                table.row([
                    j.id.to_string(),
                    j.state.clone(),
                    j.name.clone(),
                    j.registry.clone(),
                    j.version.clone().unwrap_or_default(),
                    if j.bytes_total > 0 {
                        format!("{:.0}%", 100.0 * j.bytes_done as f64 / j.bytes_total as f64)
                    } else {
                        String::new()
                    },
                    j.error.clone().unwrap_or_default(),
                ]);
            }
            table.write(&mut std::io::stdout().lock())?;
            Ok(())
        }
        OutboxCommand::Run { progress } => {
            let store = store()?;
            let mut reporter = Reporter::new(progress);
            let touched = publish::drain(&mut catalog, &store, None, true, &mut |j| {
                reporter.report(j)
            })?;
            let mut failed = None;
            for j in &touched {
                match j.state.as_str() {
                    "done" => println!(
                        "job {}: {} version {} ({})",
                        j.id,
                        j.name,
                        j.version.as_deref().unwrap_or("?"),
                        j.version_url.as_deref().unwrap_or("")
                    ),
                    _ => {
                        println!(
                            "job {}: {}: {}",
                            j.id,
                            j.state,
                            j.error.as_deref().unwrap_or("")
                        );
                        if j.state == "failed" {
                            failed = Some(j.clone());
                        }
                    }
                }
            }
            if touched.is_empty() {
                println!("Nothing to send");
            }
            match failed {
                Some(j) => Err(job_failure(&j)),
                None => Ok(()),
            }
        }
        OutboxCommand::Cancel { id } => {
            let job = catalog.cancel_job(id, driftdeck::time::now_ms())?;
            println!(
                "job {}: {}",
                job.id,
                if job.state == "running" {
                    "cancelling (stops at the next chunk)"
                } else {
                    job.state.as_str()
                }
            );
            Ok(())
        }
    }
}
