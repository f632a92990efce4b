//! `driftdeck alias promote|rollback|set`: deployment aliases, with the names of the model's
//! `driftdeck.toml`.

use std::path::Path;

use clap::{Args, Subcommand};
use driftdeck::registry::aliases::{self, AliasMove, AliasRequest};
use driftdeck::registry::{connection, publish, remote};

use super::registry::store;
use super::{Failure, open_catalog, print_json};

#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Move the champion alias to the challenger's version (and remove the challenger alias)
    Promote(AliasArgs),
    /// Move the champion alias back to the version it pointed at before
    Rollback(AliasArgs),
    /// Point an alias at a version
    Set {
        name: String,
        alias: String,
        #[arg(value_name = "VERSION")]
        model_version: String,
        #[arg(long)]
        registry: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AliasArgs {
    /// The registered model name
    name: String,
    #[arg(long)]
    registry: Option<String>,
    /// The champion alias's name (default: driftdeck.toml's, else champion)
    #[arg(long)]
    champion: Option<String>,
    /// The challenger alias's name (default: driftdeck.toml's, else challenger)
    #[arg(long)]
    challenger: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run_alias(cmd: AliasCommand, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let store = store()?;
    let cwd = std::env::current_dir().ok();
    let (args, action) = match cmd {
        AliasCommand::Set {
            name,
            alias,
            model_version: version,
            registry,
        } => {
            publish::check_alias(&alias)?;
            let conn = connection::resolve(&catalog, registry.as_deref())?;
            let client = conn.client(&store)?;
            let names = driftdeck::registry::alias_names::names_for(
                &catalog,
                cwd.as_deref(),
                &conn.url,
                &name,
            )?;
            let previous = aliases::point(
                &client,
                &mut catalog,
                &conn.url,
                &name,
                &alias,
                &version,
                &names.champion,
                "set",
                None,
            )?;
            remote::pull_one(&mut catalog, &client, &name)?;
            println!(
                "{name}: {alias} → version {version}{}",
                previous.map(|p| format!(" (was {p})")).unwrap_or_default()
            );
            return Ok(());
        }
        AliasCommand::Promote(args) => (args, AliasMove::Promote),
        AliasCommand::Rollback(args) => (args, AliasMove::Rollback),
    };
    let moved = aliases::move_alias(
        &mut catalog,
        &store,
        &args.name,
        action,
        &AliasRequest {
            registry: args.registry.as_deref(),
            hint: cwd.as_deref(),
            champion: args.champion,
            challenger: args.challenger,
        },
    )?;
    if args.json {
        return print_json(&moved);
    }
    let champion = &moved.alias_names.champion;
    println!(
        "{}: {champion} → version {}",
        moved.name,
        moved.aliases[champion].as_str().unwrap_or("none")
    );
    Ok(())
}
