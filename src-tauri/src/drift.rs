//! The Compare view's commands: compare two files (progress over a channel, the reference cache
//! of the open catalog), list the methods, draw a column's chart, export a report. Reports stay
//! in memory by id for the charts and exports that follow.

use std::path::PathBuf;

use driftdeck::catalog::drift_cache::compare_request;
use driftdeck::drift::method::{MethodInfo, catalogue};
use driftdeck::drift::options::CompareRequest;
use driftdeck::drift::{DriftReport, Progress};
use driftdeck::report::{self, drift as render};
use tauri::ipc::Channel;

use crate::report_store::Kept;
use crate::state::{Answer, App, blocking};

/// Compares two files; progress goes to `on_progress`. The work runs on a blocking thread, with
/// the reference cache on a catalog connection of its own.
#[tauri::command]
#[specta::specta]
pub async fn compare_datasets(
    state: App<'_>,
    request: CompareRequest,
    on_progress: Channel<Progress>,
) -> Answer<Kept<DriftReport>> {
    let cache = state.catalog_path();
    let progress = move |p| drop(on_progress.send(p));
    let compared =
        blocking(move || Ok(compare_request(&request, cache.as_deref(), &progress)?)).await?;
    compared
        .warnings
        .iter()
        .for_each(|w| eprintln!("driftdeck-app: {w}"));
    Ok(state.drift_reports.keep(compared.report))
}

#[tauri::command]
#[specta::specta]
pub async fn drift_methods() -> Answer<Vec<MethodInfo>> {
    Ok(catalogue())
}

/// One column's distributions drawn as SVG: overlaid histograms or grouped category bars.
#[tauri::command]
#[specta::specta]
pub async fn drift_column_chart(state: App<'_>, report_id: u32, column: String) -> Answer<String> {
    render::column_chart_of(&*state.drift_reports.get(report_id)?, &column)
}

/// Writes a report as `html` or `json` to `path` (chosen by the user in a save dialog).
#[tauri::command]
#[specta::specta]
pub async fn export_drift_report(
    state: App<'_>,
    report_id: u32,
    format: String,
    path: PathBuf,
) -> Answer<()> {
    let report = state.drift_reports.get(report_id)?;
    report::export(&*report, render::html, format.parse()?, &path)
}
