//! The IPC surface, declared once: every command and event the UI may use, from which
//! tauri-specta both builds the invoke handler and writes the TypeScript of every command, event
//! and type into `ui/src/lib/ipc.ts` (the UI's `backend.ts` is the one module that imports it).
//!
//! A test fails when that file is stale, and when the command lists of `build.rs` (which
//! generates the permissions) and `capabilities/main.json` (which grants them) disagree with the
//! one here. `make ipc` (`DRIFTDECK_UPDATE_IPC=1 cargo test -p driftdeck-app ipc`) rewrites it.

use specta_typescript::Typescript;
use tauri_specta::{Builder, ErrorHandlingMode, collect_commands, collect_events};

use crate::events::{
    CATALOG_REPLACED, CatalogActivity, CatalogChanged, CatalogWarning, DatasetDrifted, Menu,
    PublishProgress,
};
use crate::{browser, catalog, drift, fairness, projects, registry, settings, startup};

/// The generated bindings, relative to this crate.
pub const BINDINGS: &str = "../ui/src/lib/ipc.ts";

/// The commands, events and types of the app.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            catalog::app_info,
            projects::list_projects,
            projects::add_project,
            projects::remove_project,
            projects::set_project_watch,
            projects::add_demo_project,
            catalog::list_runs,
            catalog::compare_runs,
            catalog::chart_data,
            catalog::export_chart,
            catalog::export_runs,
            catalog::sweep,
            catalog::list_views,
            catalog::save_view,
            catalog::delete_view,
            catalog::list_datasets,
            catalog::list_models,
            catalog::list_problems,
            drift::compare_datasets,
            drift::drift_methods,
            drift::drift_column_chart,
            drift::export_drift_report,
            fairness::fairness_columns,
            fairness::fairness_report,
            fairness::fairness_chart,
            fairness::export_fairness_report,
            registry::model_approval,
            registry::decide_model,
            registry::publish_model,
            registry::publish_jobs,
            registry::cancel_publish,
            registry::registry_connections,
            registry::registry_login,
            registry::registry_logout,
            registry::registry_pull,
            registry::remote_models,
            registry::move_alias,
            registry::audit_log,
            settings::settings,
            settings::set_theme,
            settings::set_catalog_location,
            browser::open_link,
            startup::startup_ready,
        ])
        .events(collect_events![
            CatalogChanged,
            CatalogActivity,
            CatalogWarning,
            PublishProgress,
            Menu,
            DatasetDrifted
        ])
        // The UI's one error type: every command rejects with `{code, message}`.
        .typ::<driftdeck::error::Error>()
        // What `chart_data`'s binary buffer starts with.
        .typ::<driftdeck::catalog::history::ChartHeader>()
        .constant("CATALOG_REPLACED", CATALOG_REPLACED)
        // The charts' run colours (colour-blind safe), the same in exported images.
        .constant("RUN_PALETTE", driftdeck::series::RUN_PALETTE)
        // The ids the native menu sends (the UI's `MenuId`).
        .constant("MENU_IDS", crate::menu::ui_ids())
        // The closed set of error codes, for the UI's error titles and tests.
        .constant("ERROR_CODES", driftdeck::error::ErrorCode::ALL)
        // Commands throw their `{code, message}` (backend.ts turns it into an AppError).
        .error_handling(ErrorHandlingMode::Throw)
        // Ids, counts and byte sizes stay far below 2^53.
        .dangerously_cast_bigints_to_number()
        // `f64` as `number`: serde_json writes a non-finite float as `null`, so every field that
        // can hold one is an `Option` or a `JsonNumber` (which spells it out) in the engine.
        .semantic_types(
            specta_typescript::semantic::Configuration::empty().enable_lossless_floats(),
        )
        // One TypeScript type per Rust type (the UI fills in what a request leaves out), rather
        // than a serialise and a deserialise variant of each.
        .disable_serde_phases()
}

/// The TypeScript exporter, with the file's header.
pub fn typescript() -> Typescript {
    Typescript::default().header(
        "// Generated from the Rust types by tauri-specta (src-tauri/src/ipc.rs): do not edit.\n\
         // Regenerate with `make ipc`.\n",
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    /// The most lines a command may take: it adapts IPC to one engine call, nothing more.
    const MAX_COMMAND_LINES: usize = 15;

    fn crate_file(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    /// The command names the generated bindings invoke: `__TAURI_INVOKE<T>("name", ...)`.
    fn invoked(bindings: &str) -> BTreeSet<String> {
        bindings
            .match_indices("__TAURI_INVOKE<")
            .filter_map(|(i, _)| {
                let rest = &bindings[i..];
                let start = rest.find("(\"")? + 2;
                let end = start + rest[start..].find('"')?;
                Some(rest[start..end].to_string())
            })
            .collect()
    }

    #[test]
    fn the_generated_typescript_is_current() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("ipc.ts");
        builder().export(typescript(), &fresh).unwrap();
        let fresh = std::fs::read_to_string(&fresh).unwrap();
        let committed_path = crate_file(BINDINGS);
        if std::env::var_os("DRIFTDECK_UPDATE_IPC").is_some() {
            std::fs::write(&committed_path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `make ipc` and commit it",
            committed_path.display()
        );
        assert!(
            invoked(&fresh).len() > 30,
            "the bindings invoke the commands"
        );
    }

    #[test]
    fn build_rs_capabilities_and_the_builder_list_the_same_commands() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ipc.ts");
        builder().export(typescript(), &path).unwrap();
        let commands = invoked(&std::fs::read_to_string(&path).unwrap());

        let build_rs = std::fs::read_to_string(crate_file("build.rs")).unwrap();
        let list = &build_rs[build_rs.find("const COMMANDS").unwrap()..];
        let list = &list[..list.find("];").unwrap()];
        let in_build: BTreeSet<String> = list
            .split('"')
            .skip(1)
            .step_by(2)
            .map(String::from)
            .collect();
        assert_eq!(in_build, commands, "build.rs COMMANDS vs ipc::builder()");

        let caps: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(crate_file("capabilities/main.json")).unwrap(),
        )
        .unwrap();
        let granted: BTreeSet<String> = caps["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(
            granted, commands,
            "capabilities/main.json vs ipc::builder()"
        );
    }

    /// Lines of each `#[tauri::command]` function, from its `fn` line to its closing brace.
    fn command_lengths(source: &str) -> Vec<(String, usize)> {
        let lines: Vec<&str> = source.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "#[tauri::command]" {
                continue;
            }
            let Some(start) = (i..lines.len()).find(|&j| lines[j].contains("fn ")) else {
                continue;
            };
            let end = (start..lines.len())
                .find(|&j| lines[j] == "}")
                .unwrap_or(start);
            let name = lines[start].split("fn ").nth(1).unwrap_or("");
            let name = name.split(['(', '<']).next().unwrap_or("").to_string();
            out.push((name, end - start + 1));
        }
        out
    }

    #[test]
    fn every_command_is_a_thin_adapter() {
        let mut too_long = Vec::new();
        let mut seen = 0;
        for entry in std::fs::read_dir(crate_file("src")).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for (name, lines) in command_lengths(&source) {
                seen += 1;
                if lines > MAX_COMMAND_LINES {
                    too_long.push(format!("{name} ({lines} lines, {})", path.display()));
                }
            }
        }
        assert!(seen > 30, "found {seen} commands: the reader is broken");
        assert!(
            too_long.is_empty(),
            "commands over {MAX_COMMAND_LINES} lines (move the logic into the engine): {too_long:?}"
        );
        let sample = "#[tauri::command]\npub async fn f(\n    a: u8,\n) -> u8 {\n    a\n}\n";
        assert_eq!(command_lengths(sample), vec![("f".to_string(), 5)]);
    }
}
