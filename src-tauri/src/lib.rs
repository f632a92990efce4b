//! The Driftdeck desktop shell: a thin Tauri layer over the `driftdeck` engine.
//!
//! `run()` only wires things together: plugins, the state made in `setup`, and the commands in
//! [`commands`]. All logic lives in the engine; commands convert engine values to DTOs ([`dto`])
//! and engine errors to `{code, message}`.

mod commands;
mod drift;
mod dto;
mod fairness;
mod kept;
mod live;
mod registry;
mod state;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let state = state::AppState::open_from_env();
            if let (Some(path), Ok(_)) = (&state.catalog_path, &state.catalog) {
                app.manage(live::Live::start(app.handle().clone(), path.clone()));
                app.manage(registry::Worker::start(app.handle().clone(), path.clone()));
            } else {
                // No catalog, no live updates; commands report the catalog error.
                app.manage(live::Live::disabled());
                app.manage(registry::Worker::disabled());
            }
            app.manage(state);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("driftdeck-app: cannot start: {err}");
            std::process::exit(1);
        });
}
