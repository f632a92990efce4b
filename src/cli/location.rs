//! `driftdeck catalog where|move`: where the catalog is, and moving it (the app's Settings does
//! the same through the same engine function, `catalog::relocate`).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use driftdeck::catalog::{self, Catalog, LocationSource};
use serde::Serialize;

use super::{Failure, print_json};

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Print where the catalog is and what decided it (--db, DRIFTDECK_DB, the settings file, or
    /// the default)
    Where {
        #[arg(long)]
        json: bool,
    },
    /// Use the catalog in FOLDER from now on (the CLI and the app), recorded in the settings file;
    /// without FOLDER, go back to the default location
    Move {
        /// An absolute folder (the catalog is FOLDER/catalog.sqlite) or a .sqlite file
        folder: Option<PathBuf>,
        /// Copy the current catalog there first when no catalog is there yet (an existing one is
        /// used as it is, never overwritten)
        #[arg(long)]
        copy: bool,
        #[arg(long)]
        json: bool,
    },
}

/// Where the catalog is, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Location {
    path: String,
    /// `explicit` (--db), `env` (DRIFTDECK_DB), `settings` or `default`.
    source: &'static str,
}

fn print(location: &Location, json: bool, verb: &str) -> Result<(), Failure> {
    if json {
        return print_json(location);
    }
    writeln!(
        std::io::stdout().lock(),
        "{verb} {} ({})",
        location.path,
        location.source
    )?;
    Ok(())
}

pub fn run(cmd: CatalogCommand, db: Option<&Path>) -> Result<(), Failure> {
    let (path, source) = catalog::locate(db)?;
    match cmd {
        CatalogCommand::Where { json } => print(
            &Location {
                path: path.display().to_string(),
                source: source.as_str(),
            },
            json,
            "catalog:",
        ),
        CatalogCommand::Move { folder, copy, json } => {
            // The current catalog is only needed to copy it; a missing one is not created.
            let current = if copy && path.exists() {
                Some(Catalog::open(&path)?)
            } else {
                None
            };
            let moved = catalog::relocate(current.as_ref(), source, folder.as_deref(), copy)?;
            let (path, source) = match &moved {
                Some(m) => (m.path.clone(), m.source),
                None => (path, LocationSource::Settings),
            };
            let verb = if moved.is_some() {
                "catalog now:"
            } else {
                "catalog already at"
            };
            print(
                &Location {
                    path: path.display().to_string(),
                    source: source.as_str(),
                },
                json,
                verb,
            )
        }
    }
}
