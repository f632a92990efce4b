//! Desktop commands: settings (theme, catalog location, watching per project), the demo
//! workspace, links in the system browser, and the start-up mark the benchmark reads.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use driftdeck::catalog::{self, LocationSource};
use driftdeck::settings::{self, Settings, Theme};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::dto::{ErrorDto, ProjectDto};
use crate::live::{CATALOG_CHANGED, ChangedEvent, Live};
use crate::registry::Worker;
use crate::state::AppState;

/// Names a file the app writes when its first rows are on screen (the start-up benchmark).
pub const STARTUP_FILE_ENV: &str = "DRIFTDECK_STARTUP_FILE";
/// Names the demo workspace folder (else it is looked for beside the binary).
pub const DEMO_ENV: &str = "DRIFTDECK_DEMO";

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Set once the UI's first rows are painted (see [`startup_ready`]).
static FIRST_PAINT: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// Waits until the UI's first rows are painted, at most `max`. The watcher's start-up index walks
/// and hashes every project on both cores; started after the first paint it no longer competes
/// with the window for them (it is incremental, so a late start loses nothing).
pub fn wait_for_first_paint(max: Duration) {
    let (lock, painted) = &FIRST_PAINT;
    let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
    let _ = painted.wait_timeout_while(guard, max, |done| !*done);
}

/// Marks the start of the process (called first thing in `run`).
pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

#[derive(Debug, Serialize)]
pub struct SettingsDto {
    pub catalog_path: String,
    pub catalog_default: String,
    /// `env` (DRIFTDECK_DB: cannot be changed in the app), `settings` or `default`.
    pub catalog_source: &'static str,
    pub theme: Theme,
    pub settings_path: String,
}

fn settings_error(e: settings::SettingsError) -> ErrorDto {
    let code = match e {
        settings::SettingsError::Invalid { .. } | settings::SettingsError::NoConfigDir => {
            "bad_input"
        }
        _ => "internal",
    };
    ErrorDto {
        code,
        message: e.to_string(),
    }
}

fn settings_file() -> Result<PathBuf, ErrorDto> {
    settings::path().map_err(settings_error)
}

fn load() -> Result<(PathBuf, Settings), ErrorDto> {
    let path = settings_file()?;
    let settings = Settings::load(&path).map_err(settings_error)?;
    Ok((path, settings))
}

fn dto(state: &AppState, theme: Theme, settings_path: &Path) -> SettingsDto {
    SettingsDto {
        catalog_path: state
            .catalog_path()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        catalog_default: catalog::default_location()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        catalog_source: match state.catalog_source() {
            LocationSource::Explicit | LocationSource::Env => "env",
            LocationSource::Settings => "settings",
            LocationSource::Default => "default",
        },
        theme,
        settings_path: settings_path.display().to_string(),
    }
}

/// The native window's theme for a setting (`None`: follow the system).
fn window_theme(theme: Theme) -> Option<tauri::Theme> {
    match theme {
        Theme::System => None,
        Theme::Light => Some(tauri::Theme::Light),
        Theme::Dark => Some(tauri::Theme::Dark),
    }
}

/// Applies the saved theme to the windows at start (a broken settings file is reported by the
/// Settings view; the window then follows the system).
pub fn apply_saved_theme(app: &AppHandle) {
    if let Ok((_, settings)) = load() {
        for window in app.webview_windows().values() {
            let _ = window.set_theme(window_theme(settings.theme));
        }
    }
}

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsDto, ErrorDto> {
    let (path, settings) = load()?;
    Ok(dto(&state, settings.theme, &path))
}

#[tauri::command]
pub async fn set_theme(
    app: AppHandle,
    state: State<'_, AppState>,
    theme: Theme,
) -> Result<SettingsDto, ErrorDto> {
    let (path, mut settings) = load()?;
    settings.theme = theme;
    settings.save(&path).map_err(settings_error)?;
    for window in app.webview_windows().values() {
        let _ = window.set_theme(window_theme(theme));
    }
    Ok(dto(&state, theme, &path))
}

/// The catalog file a chosen location means: a folder gets `catalog.sqlite` in it; a path that
/// names a `.sqlite`/`.db` file is used as it is.
fn catalog_file(chosen: &Path) -> PathBuf {
    let is_file = chosen
        .extension()
        .is_some_and(|e| e == "sqlite" || e == "db" || e == "sqlite3");
    if is_file && !chosen.is_dir() {
        chosen.to_path_buf()
    } else {
        chosen.join("catalog.sqlite")
    }
}

/// Moves the app (and the CLI, through the settings file) to the catalog in `path` (a folder;
/// `None`: the default location). With `copy`, a location without a catalog gets a copy of the
/// current one first; an existing catalog there is opened as it is, never overwritten.
#[tauri::command]
pub async fn set_catalog_location(
    app: AppHandle,
    state: State<'_, AppState>,
    live: State<'_, Live>,
    worker: State<'_, Worker>,
    path: Option<PathBuf>,
    copy: bool,
) -> Result<SettingsDto, ErrorDto> {
    if matches!(
        state.catalog_source(),
        LocationSource::Env | LocationSource::Explicit
    ) {
        return Err(ErrorDto {
            code: "bad_input",
            message: format!(
                "the catalog is set by the {} environment variable; unset it to choose the location in Settings",
                catalog::DB_ENV
            ),
        });
    }
    let (settings_path, mut settings) = load()?;
    let target = match &path {
        Some(chosen) if !chosen.is_absolute() => {
            return Err(ErrorDto {
                code: "bad_input",
                message: format!(
                    "{} is not an absolute path: choose a folder",
                    chosen.display()
                ),
            });
        }
        Some(chosen) => catalog_file(chosen),
        None => catalog::default_location()
            .ok_or_else(|| ErrorDto::from(catalog::CatalogError::NoDataDir))?,
    };
    let previous = state.catalog_path();
    if previous.as_deref() != Some(target.as_path()) {
        if copy && !target.exists() {
            state.with_catalog(|c| Ok(c.copy_to(&target)?))?;
        }
        let source = if path.is_some() {
            LocationSource::Settings
        } else {
            LocationSource::Default
        };
        state.switch_to(target.clone(), source)?;
        settings.catalog = path.is_some().then(|| target.clone());
        if let Err(e) = settings.save(&settings_path) {
            // Not saved: go back, so the app and the CLI keep agreeing on the catalog.
            if let Some(previous) = previous {
                let _ = state.switch_to(previous, LocationSource::Settings);
            }
            return Err(settings_error(e));
        }
        live.set_catalog(target.clone());
        worker.set_catalog(target);
        let _ = app.emit(
            CATALOG_CHANGED,
            ChangedEvent {
                project_id: -1,
                units_read: 0,
                units_removed: 0,
            },
        );
    }
    Ok(dto(&state, settings.theme, &settings_path))
}

#[tauri::command]
pub async fn set_project_watch(
    state: State<'_, AppState>,
    live: State<'_, Live>,
    id: i64,
    watch: bool,
) -> Result<ProjectDto, ErrorDto> {
    let project = state.with_catalog(|c| Ok(ProjectDto::from(&c.set_project_watch(id, watch)?)))?;
    live.restart();
    Ok(project)
}

/// The demo workspace: `$DRIFTDECK_DEMO`, else `share/driftdeck/demo` beside the installed
/// binary (`/usr/bin` → `/usr/share/driftdeck/demo`), else `assets/demo` of a source checkout
/// (`target/<profile>/driftdeck-app`).
pub fn demo_path() -> Option<PathBuf> {
    let looks_like_demo = |p: &Path| p.join("driftdeck.toml").is_file() && p.join("data").is_dir();
    if let Some(dir) = std::env::var_os(DEMO_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir)).filter(|p| looks_like_demo(p));
    }
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?;
    [
        bin.join("../share/driftdeck/demo"),
        bin.join("../../assets/demo"),
    ]
    .into_iter()
    .filter_map(|p| p.canonicalize().ok())
    .find(|p| looks_like_demo(p))
}

#[tauri::command]
pub async fn add_demo_project(
    state: State<'_, AppState>,
    live: State<'_, Live>,
) -> Result<ProjectDto, ErrorDto> {
    let demo = demo_path().ok_or_else(|| ErrorDto {
        code: "not_found",
        message: format!(
            "the demo workspace is not installed (looked beside the app, and in ${DEMO_ENV})"
        ),
    })?;
    let project = state.with_catalog(|c| {
        Ok(ProjectDto::from(
            &c.add_project(&demo, driftdeck::time::now_ms())?,
        ))
    })?;
    live.restart();
    Ok(project)
}

/// Opens an http(s) URL in the system browser; the webview itself never navigates away.
pub fn open_in_browser(url: &str) -> Result<(), ErrorDto> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ErrorDto {
            code: "bad_input",
            message: format!("{url} is not a web link (http or https)"),
        });
    }
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    std::process::Command::new(program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| ErrorDto {
            code: "internal",
            message: format!("cannot open a browser ({program} {url}): {e}"),
        })
}

#[tauri::command]
pub async fn open_link(url: String) -> Result<(), ErrorDto> {
    open_in_browser(&url)
}

/// The UI's first rows are on screen. With `$DRIFTDECK_STARTUP_FILE` set, writes the wall
/// clock (Unix ms) and the time since the process started, for `make bench-app`.
#[tauri::command]
pub async fn startup_ready() -> Result<(), ErrorDto> {
    static DONE: OnceLock<()> = OnceLock::new();
    if DONE.set(()).is_err() {
        return Ok(());
    }
    {
        let (lock, painted) = &FIRST_PAINT;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        painted.notify_all();
    }
    let Some(file) = std::env::var_os(STARTUP_FILE_ENV) else {
        return Ok(());
    };
    let since_main = STARTED.get().map(|s| s.elapsed().as_millis()).unwrap_or(0);
    let line = serde_json::json!({
        "unix_ms": driftdeck::time::now_ms(),
        "since_main_ms": since_main,
    });
    std::fs::write(&file, format!("{line}\n")).map_err(|e| ErrorDto {
        code: "internal",
        message: format!("cannot write {}: {e}", PathBuf::from(&file).display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_gets_catalog_sqlite_and_a_database_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(catalog_file(dir.path()), dir.path().join("catalog.sqlite"));
        let file = dir.path().join("team.sqlite");
        assert_eq!(catalog_file(&file), file);
        let folder_named_db = dir.path().join("x.db");
        std::fs::create_dir(&folder_named_db).unwrap();
        assert_eq!(
            catalog_file(&folder_named_db),
            folder_named_db.join("catalog.sqlite")
        );
    }

    #[test]
    fn only_web_links_are_opened() {
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "/usr/bin/xterm",
            "",
        ] {
            let err = open_in_browser(url).unwrap_err();
            assert_eq!(err.code, "bad_input", "{url}");
        }
    }
}
