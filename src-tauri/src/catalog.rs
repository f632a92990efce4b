//! The commands that read the catalog: app info, runs (filtered), a comparison of runs, a
//! metric's chart (an image, and the data of the interactive charts), saved views, datasets,
//! models with their lineage, problems. Each is one engine call whose
//! result crosses IPC as it is (the same JSON the CLI's `--json` prints).

use std::path::PathBuf;

use driftdeck::catalog::history::{ChartExport, ChartRequest};
use driftdeck::catalog::lists::{ModelList, RunComparison, RunList};
use driftdeck::catalog::query::{DatasetJson, ProblemRow};
use driftdeck::catalog::sweep::{Sweep, SweepRequest};
use driftdeck::catalog::views::{RunsExport, SavedView, ViewSpec};
use driftdeck::report;
use serde::Serialize;
use specta::Type;

use crate::binary::Binary;
use crate::events::CatalogActivity;
use crate::state::{Answer, App};

#[derive(Debug, Serialize, Type)]
pub struct AppInfo {
    pub version: &'static str,
    pub catalog_path: String,
    pub schema_version: i64,
    /// The bundled demo workspace, when it is installed.
    pub demo_path: Option<String>,
    /// What the live watcher last reported (it may report before the window listens).
    pub activity: Option<CatalogActivity>,
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: App<'_>) -> Answer<AppInfo> {
    let text = |p: Option<std::path::PathBuf>| p.map(|p| p.display().to_string());
    Ok(AppInfo {
        version: driftdeck::VERSION,
        catalog_path: text(state.catalog_path()).unwrap_or_default(),
        schema_version: state.with_catalog(|c| Ok(c.schema_version()?)).unwrap_or(0),
        demo_path: text(crate::projects::demo_path()),
        activity: state.watcher.last_activity(),
    })
}

/// Runs of one project (or all), filtered with an MLflow-style expression.
#[tauri::command]
#[specta::specta]
pub async fn list_runs(
    state: App<'_>,
    project_id: Option<i64>,
    filter: Option<String>,
) -> Answer<RunList> {
    state.with_catalog(|c| c.list_runs(project_id, filter.as_deref()))
}

/// Runs side by side, key by key, with each value's difference from the baseline run's (the
/// first when `None`); the UI filters to the rows that differ.
#[tauri::command]
#[specta::specta]
pub async fn compare_runs(
    state: App<'_>,
    ids: Vec<i64>,
    baseline: Option<i64>,
) -> Answer<RunComparison> {
    state.with_catalog(|c| Ok(c.compare_run_ids(&ids, baseline)?))
}

/// A chart's data: every point of one metric of some runs on an axis, smoothed (or their
/// groups' lines and bands), as one binary buffer (`ChartHeader`, then the arrays).
#[tauri::command]
#[specta::specta]
pub async fn chart_data(state: App<'_>, request: ChartRequest) -> Answer<Binary> {
    let bytes = state
        .on_connection(move |c| Ok(c.chart_data(&request)?))
        .await?;
    Ok(Binary::new(bytes))
}

/// Writes a chart to `path` as SVG or PNG (drawn by plotters, as on screen) or its data as CSV.
#[tauri::command]
#[specta::specta]
pub async fn export_chart(state: App<'_>, chart: ChartExport, path: PathBuf) -> Answer<()> {
    state
        .on_connection(move |c| report::write_file(&path, &c.export_chart(&chart)?))
        .await
}

/// Writes the runs table (filtered, sorted, with the chosen columns) to `path` as CSV or Parquet.
#[tauri::command]
#[specta::specta]
pub async fn export_runs(state: App<'_>, table: RunsExport, path: PathBuf) -> Answer<()> {
    state
        .on_connection(move |c| report::write_file(&path, &c.export_runs(&table)?))
        .await
}

/// A sweep: the runs' params and one metric as axes, with each param's importance.
#[tauri::command]
#[specta::specta]
pub async fn sweep(state: App<'_>, request: SweepRequest) -> Answer<Sweep> {
    state.on_connection(move |c| Ok(c.sweep(&request)?)).await
}

/// The saved views, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_views(state: App<'_>) -> Answer<Vec<SavedView>> {
    state.with_catalog(|c| Ok(c.views()?))
}

/// Saves (or replaces) a view once its spec checks out.
#[tauri::command]
#[specta::specta]
pub async fn save_view(state: App<'_>, name: String, spec: ViewSpec) -> Answer<SavedView> {
    let now = driftdeck::time::now_ms();
    state.with_catalog(|c| Ok(c.save_view(&name, &spec, now)?))
}

#[tauri::command]
#[specta::specta]
pub async fn delete_view(state: App<'_>, name: String) -> Answer<bool> {
    state.with_catalog(|c| Ok(c.delete_view(&name)?))
}

#[tauri::command]
#[specta::specta]
pub async fn list_datasets(state: App<'_>, project_id: Option<i64>) -> Answer<Vec<DatasetJson>> {
    state.with_catalog(|c| Ok(c.list_datasets(project_id)?))
}

/// Models with their lineage, and the registered models the projects' registries hold.
#[tauri::command]
#[specta::specta]
pub async fn list_models(state: App<'_>, project_id: Option<i64>) -> Answer<ModelList> {
    state.with_catalog(|c| Ok(c.list_models(project_id)?))
}

#[tauri::command]
#[specta::specta]
pub async fn list_problems(state: App<'_>, project_id: Option<i64>) -> Answer<Vec<ProblemRow>> {
    state.with_catalog(|c| Ok(c.list_problems(project_id)?))
}
