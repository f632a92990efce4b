//! The project commands: list, add, remove, watch or not, and the bundled demo workspace. Adding
//! or removing a project, or turning its watching on or off, restarts the watcher over the new
//! set (its first act is an index, so a new project fills in at once).

use std::path::{Path, PathBuf};

use driftdeck::catalog::lists::ProjectJson;
use driftdeck::error::{Error, ErrorCode};

use crate::state::{Answer, App};

/// Names the demo workspace folder (else it is looked for beside the binary).
pub const DEMO_ENV: &str = "DRIFTDECK_DEMO";

#[tauri::command]
#[specta::specta]
pub async fn list_projects(state: App<'_>) -> Answer<Vec<ProjectJson>> {
    state.with_catalog(|c| Ok(c.list_projects()?))
}

#[tauri::command]
#[specta::specta]
pub async fn add_project(state: App<'_>, path: PathBuf) -> Answer<ProjectJson> {
    let now = driftdeck::time::now_ms();
    let project = state.with_catalog(|c| Ok(ProjectJson::from(&c.add_project(&path, now)?)))?;
    state.watcher.restart();
    Ok(project)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_project(state: App<'_>, id: i64) -> Answer<()> {
    state.with_catalog(|c| Ok(c.remove_project(id).map(|_| ())?))?;
    state.watcher.restart();
    Ok(())
}

/// Keeps a project live (or stops watching it; it stays listed as last indexed).
#[tauri::command]
#[specta::specta]
pub async fn set_project_watch(state: App<'_>, id: i64, watch: bool) -> Answer<ProjectJson> {
    let project =
        state.with_catalog(|c| Ok(ProjectJson::from(&c.set_project_watch(id, watch)?)))?;
    state.watcher.restart();
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

/// Adds the bundled demo workspace as a project.
#[tauri::command]
#[specta::specta]
pub async fn add_demo_project(state: App<'_>) -> Answer<ProjectJson> {
    let demo = demo_path().ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!(
                "the demo workspace is not installed (looked beside the app, and in ${DEMO_ENV})"
            ),
        )
    })?;
    add_project(state, demo).await
}
