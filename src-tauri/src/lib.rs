//! The Driftdeck desktop shell: a thin Tauri layer over the `driftdeck` engine.
//!
//! `run()` only wires things together: plugins, the native menu, the state made in `setup`, and
//! the commands in [`commands`]. All logic lives in the engine; commands convert engine values
//! to DTOs ([`dto`]) and engine errors to `{code, message}`.

mod alerts;
mod commands;
mod desktop;
mod drift;
mod dto;
mod fairness;
mod kept;
mod live;
mod menu;
mod registry;
mod state;
mod window;

use tauri::Manager;

pub fn run() {
    desktop::mark_start();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(window::plugin())
        .menu(menu::build)
        .on_menu_event(|app, event| menu::on_event(app, event.id().as_ref()))
        .on_window_event(window::on_event)
        .setup(|app| {
            let state = state::AppState::open_from_env();
            let live = live::Live::new(app.handle().clone());
            let worker = registry::Worker::new(app.handle().clone());
            // Without a catalog there is nothing to watch or send; commands report the error.
            if let Ok(path) = state.open_catalog_path() {
                live.set_catalog(path.clone());
                worker.set_catalog(path);
            }
            app.manage(live);
            app.manage(worker);
            app.manage(state);
            desktop::apply_saved_theme(app.handle());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("driftdeck-app: cannot start: {err}");
            std::process::exit(1);
        });
}
