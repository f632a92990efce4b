//! `driftdeck views`: the saved views of the runs (the app's sidebar lists the same ones).

use std::io::Write;
use std::path::Path;

use clap::Subcommand;

use super::table::Table;
use super::{Failure, open_catalog, print_json};
use driftdeck::time;

#[derive(Debug, Subcommand)]
pub enum ViewsCommand {
    /// List the saved views
    List {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Show a view's spec as JSON (what `runs --view NAME` applies)
    Show {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// Delete a view
    Delete {
        #[arg(value_name = "NAME")]
        name: String,
    },
}

pub fn run(command: Option<ViewsCommand>, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match command.unwrap_or(ViewsCommand::List { json: false }) {
        ViewsCommand::List { json } => {
            let views = catalog.views()?;
            if json {
                return print_json(&views);
            }
            let mut out = std::io::stdout().lock();
            if views.is_empty() {
                writeln!(
                    out,
                    "no saved views: save one with `driftdeck runs --filter ... --save-view NAME` or in the app"
                )?;
                return Ok(());
            }
            let mut table = Table::new(["NAME", "FILTER", "SORT", "GROUP BY", "UPDATED"]);
            for v in &views {
                table.row([
                    v.name.clone(),
                    v.spec.filter.clone().unwrap_or_default(),
                    v.spec.sort.clone().unwrap_or_default(),
                    v.spec.group_by.clone().unwrap_or_default(),
                    time::rfc3339_ms(v.updated_ms)[..16].replace('T', " "),
                ]);
            }
            table.write(&mut out)?;
            Ok(())
        }
        ViewsCommand::Show { name } => print_json(&catalog.view(&name)?),
        ViewsCommand::Delete { name } => {
            if !catalog.delete_view(&name)? {
                return Err(Failure::BadInput(anyhow::anyhow!(
                    "no saved view is named `{}`",
                    name.trim()
                )));
            }
            eprintln!("deleted view `{}`", name.trim());
            Ok(())
        }
    }
}
