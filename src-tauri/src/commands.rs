//! Tauri commands: thin adapters from IPC to the engine. Each one locks the catalog, calls one
//! engine function, and converts the result to a DTO. They are `async` so that Tauri runs them
//! off the main thread and a slow disk never freezes the window.

use std::path::PathBuf;

use tauri::State;

use crate::dto::{AppInfoDto, ErrorDto, ProjectDto};
use crate::state::AppState;

/// The handler for every command. Keep in step with `COMMANDS` in build.rs.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![app_info, list_projects, add_project, remove_project]
}

#[tauri::command]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfoDto, ErrorDto> {
    let schema_version = state
        .with_catalog(|c| c.schema_version().map_err(ErrorDto::from))
        .unwrap_or(0);
    Ok(AppInfoDto {
        version: driftdeck::VERSION,
        catalog_path: state
            .catalog_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        schema_version,
    })
}

#[tauri::command]
async fn list_projects(state: State<'_, AppState>) -> Result<Vec<ProjectDto>, ErrorDto> {
    state.with_catalog(|c| Ok(c.projects()?.iter().map(ProjectDto::from).collect()))
}

#[tauri::command]
async fn add_project(state: State<'_, AppState>, path: PathBuf) -> Result<ProjectDto, ErrorDto> {
    state.with_catalog(|c| {
        let project = c.add_project(&path, driftdeck::time::now_ms())?;
        Ok(ProjectDto::from(&project))
    })
}

#[tauri::command]
async fn remove_project(state: State<'_, AppState>, id: i64) -> Result<(), ErrorDto> {
    state.with_catalog(|c| {
        c.remove_project(id)?;
        Ok(())
    })
}
