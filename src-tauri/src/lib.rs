//! The Driftdeck desktop shell: a thin Tauri layer over the `driftdeck` engine.
//!
//! `run()` only wires things together: plugins, the native menu, the state made in `setup`, and
//! the commands and events of [`ipc`]. All logic lives in the engine; commands call one engine
//! function each and return its result (or its `{code, message}` error) as it is.

mod binary;
mod browser;
mod catalog;
mod drift;
mod events;
mod fairness;
pub mod ipc;
mod menu;
mod notification;
mod outbox;
mod projects;
mod registry;
mod report_store;
mod settings;
mod startup;
mod state;
mod watcher;
mod window;

use tauri::Manager;

pub fn run() {
    startup::mark_start();
    let ipc = ipc::builder();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(window::plugin())
        .menu(menu::build)
        .on_menu_event(|app, event| menu::on_event(app, event.id().as_ref()))
        .on_window_event(window::on_event)
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            app.manage(state::AppState::open_from_env(app.handle()));
            settings::apply_saved_theme(app.handle());
            Ok(())
        })
        .run(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("driftdeck-app: cannot start: {err}");
            std::process::exit(1);
        });
}
