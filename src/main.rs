//! The `driftdeck` command: the engine for terminals and CI pipelines.
//!
//! Exit codes (stable, documented in the README):
//! - 0: success
//! - 1: a check failed (`--fail-on-drift` found drift, a gate failed)
//! - 2: bad usage or bad input (a missing folder, an unreadable or newer catalog); the message names it
//! - 3: a remote failure (the registry)

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
