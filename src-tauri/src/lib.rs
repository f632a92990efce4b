//! The Driftdeck desktop shell: a thin Tauri layer over the `driftdeck` engine.
//!
//! `run()` only wires things together: plugins, the state made in `setup`, and the commands in
//! [`commands`]. All logic lives in the engine; commands convert engine values to DTOs ([`dto`])
//! and engine errors to `{code, message}`.

mod commands;
mod dto;
mod state;

use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            app.manage(state::AppState::open_from_env());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("driftdeck-app: cannot start: {err}");
            std::process::exit(1);
        });
}
