//! The Fairness view's commands: a file's columns with guesses, the check, a grouping's chart,
//! exports. Checks stay in memory by id (the last few) for charts and exports.

use std::path::PathBuf;

use driftdeck::fairness::{FairnessCheck, FairnessForm, FileColumns};
use driftdeck::report::{self, fairness as render};

use crate::report_store::Kept;
use crate::state::{Answer, App, blocking};

/// A predictions file's columns, with the engine's guesses of label, prediction and sensitive
/// columns.
#[tauri::command]
#[specta::specta]
pub async fn fairness_columns(path: String) -> Answer<FileColumns> {
    blocking(move || {
        Ok(driftdeck::fairness::fairness_columns(
            std::path::Path::new(&path),
        )?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn fairness_report(state: App<'_>, request: FairnessForm) -> Answer<Kept<FairnessCheck>> {
    let request = request.into_request();
    let check = blocking(move || Ok(driftdeck::fairness::run(&request)?)).await?;
    Ok(state.fairness_checks.keep(check))
}

/// One grouping's bars of `metric` per group, with the overall line and the parity band.
#[tauri::command]
#[specta::specta]
pub async fn fairness_chart(
    state: App<'_>,
    report_id: u32,
    grouping: u32,
    metric: String,
) -> Answer<String> {
    let check = state.fairness_checks.get(report_id)?;
    render::grouping_chart_of(&check, grouping as usize, &metric)
}

#[tauri::command]
#[specta::specta]
pub async fn export_fairness_report(
    state: App<'_>,
    report_id: u32,
    format: String,
    path: PathBuf,
) -> Answer<()> {
    let check = state.fairness_checks.get(report_id)?;
    report::export(&*check, render::html, format.parse()?, &path)
}
