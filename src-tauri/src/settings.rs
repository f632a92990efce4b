//! The Settings view's commands: the theme (which also sets the native window theme) and the
//! catalog's location (moved by the engine's `catalog::relocate`, which the CLI's
//! `driftdeck catalog move` uses too; the shell then swaps its catalog and restarts the watcher
//! and the outbox worker on it).

use std::path::PathBuf;

use driftdeck::catalog::{self, LocationSource};
use driftdeck::settings::{self, Theme};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::events::{CATALOG_REPLACED, CatalogChanged};
use crate::state::{Answer, App, AppState};

/// Where the catalog's location comes from, as the Settings view tells it.
#[derive(Debug, Clone, Copy, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum CatalogSource {
    /// `DRIFTDECK_DB` (or `--db`): it cannot be changed in the app.
    Env,
    /// The settings file.
    Settings,
    /// The user's data folder.
    Default,
}

/// The Settings view's state.
#[derive(Debug, Serialize, Type)]
pub struct SettingsView {
    /// The catalog in use (absolute).
    pub catalog_path: String,
    /// Where the default catalog is.
    pub catalog_default: String,
    pub catalog_source: CatalogSource,
    pub theme: Theme,
    /// The settings file (e.g. ~/.config/driftdeck/settings.toml).
    pub settings_path: String,
}

impl SettingsView {
    fn new(state: &AppState, theme: Theme, settings_path: PathBuf) -> SettingsView {
        let text = |p: Option<PathBuf>| p.map(|p| p.display().to_string()).unwrap_or_default();
        SettingsView {
            catalog_path: text(state.catalog_path()),
            catalog_default: text(catalog::default_location()),
            catalog_source: match state.catalog_source() {
                LocationSource::Explicit | LocationSource::Env => CatalogSource::Env,
                LocationSource::Settings => CatalogSource::Settings,
                LocationSource::Default => CatalogSource::Default,
            },
            theme,
            settings_path: settings_path.display().to_string(),
        }
    }
}

/// Sets the native windows' theme (`System`: follow the OS).
pub fn apply_theme(app: &AppHandle, theme: Theme) {
    let native = match theme {
        Theme::System => None,
        Theme::Light => Some(tauri::Theme::Light),
        Theme::Dark => Some(tauri::Theme::Dark),
    };
    for window in app.webview_windows().values() {
        let _ = window.set_theme(native);
    }
}

/// Applies the saved theme at start (a broken settings file is reported by the Settings view;
/// the window then follows the system).
pub fn apply_saved_theme(app: &AppHandle) {
    if let Ok((_, saved)) = settings::current() {
        apply_theme(app, saved.theme);
    }
}

#[tauri::command]
#[specta::specta]
pub async fn settings(state: App<'_>) -> Answer<SettingsView> {
    let (path, saved) = settings::current()?;
    Ok(SettingsView::new(&state, saved.theme, path))
}

#[tauri::command]
#[specta::specta]
pub async fn set_theme(app: AppHandle, state: App<'_>, theme: Theme) -> Answer<SettingsView> {
    let (path, saved) = settings::update(|s| s.theme = theme)?;
    apply_theme(&app, theme);
    Ok(SettingsView::new(&state, saved.theme, path))
}

/// Moves the app (and the CLI, through the settings file) to the catalog in `path` (a folder;
/// `None`: the default location); with `copy`, a location without a catalog gets a copy first.
#[tauri::command]
#[specta::specta]
pub async fn set_catalog_location(
    app: AppHandle,
    state: App<'_>,
    path: Option<PathBuf>,
    copy: bool,
) -> Answer<SettingsView> {
    if state.relocate(path.as_deref(), copy)?.is_some() {
        catalog_moved(&app);
    }
    settings(state).await
}

/// Has every view reload: another catalog is in use.
fn catalog_moved(app: &AppHandle) {
    let replaced = CatalogChanged {
        project_id: CATALOG_REPLACED,
        units_read: 0,
        units_removed: 0,
    };
    let _ = replaced.emit(app);
}
