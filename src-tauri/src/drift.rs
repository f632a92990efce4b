//! The Compare view's commands: compare two files (progress over a channel), list the methods,
//! draw a column's chart, export a report. Reports stay in memory by id for the charts and
//! exports that follow; the last few are kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::kept::Kept;

use driftdeck::catalog::Catalog;
use driftdeck::drift::compare::{Keep, ReferenceSamples, compare_with_cache};
use driftdeck::drift::report::DriftReport;
use driftdeck::drift::{DriftError, DriftOptions, Method};
use driftdeck::report::drift as render;
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Channel;

use crate::dto::ErrorDto;
use crate::state::AppState;

/// The drift reports of this session, by id.
pub type SharedReports = Mutex<Kept<DriftReport>>;

#[derive(Debug, Deserialize)]
pub struct DriftRequest {
    reference: String,
    current: String,
    columns: Option<Vec<String>>,
    method: Option<String>,
    threshold: Option<f64>,
    drift_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftProgressDto {
    phase: &'static str,
    done: usize,
    total: usize,
    message: String,
}

#[derive(Serialize)]
pub struct DriftReportDto {
    id: u64,
    #[serde(flatten)]
    report: Arc<DriftReport>,
}

#[derive(Serialize)]
pub struct DriftMethodDto {
    name: &'static str,
    label: &'static str,
    kinds: Vec<&'static str>,
    has_p_value: bool,
    default_threshold: f64,
}

#[derive(Serialize)]
pub struct SvgDto {
    svg: String,
}

impl From<DriftError> for ErrorDto {
    fn from(err: DriftError) -> ErrorDto {
        ErrorDto {
            code: if err.is_bad_input() {
                "bad_input"
            } else {
                "internal"
            },
            message: err.to_string(),
        }
    }
}

fn bad_input(message: String) -> ErrorDto {
    ErrorDto {
        code: "bad_input",
        message,
    }
}

fn options(request: &DriftRequest) -> Result<DriftOptions, ErrorDto> {
    let method = match request.method.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => Some(m.parse::<Method>().map_err(|e| bad_input(e.to_string()))?),
        None => None,
    };
    Ok(DriftOptions {
        columns: request.columns.clone().filter(|c| !c.is_empty()),
        method,
        column_methods: BTreeMap::new(),
        threshold: request.threshold,
        drift_share: request.drift_share.unwrap_or(0.5),
        ..DriftOptions::default()
    })
}

/// Compares two files; progress goes to `on_progress`. The work runs on a blocking thread.
#[tauri::command]
pub async fn compare_datasets(
    state: State<'_, AppState>,
    request: DriftRequest,
    on_progress: Channel<DriftProgressDto>,
) -> Result<DriftReportDto, ErrorDto> {
    let options = options(&request)?;
    let (reference, current) = (
        PathBuf::from(&request.reference),
        PathBuf::from(&request.current),
    );
    let db = state.catalog_path();
    let report = tauri::async_runtime::spawn_blocking(move || {
        // The reference cache on a connection of its own, so the comparison never holds the
        // catalog the other commands use; without a catalog it simply runs uncached.
        let mut cache = db.and_then(|p| Catalog::open(&p).ok());
        let source = cache.as_ref().map(|c| c as &dyn ReferenceSamples);
        let send = |p: driftdeck::drift::Progress| {
            let _ = on_progress.send(DriftProgressDto {
                phase: p.phase,
                done: p.done,
                total: p.total,
                message: p.message,
            });
        };
        let comparison = compare_with_cache(
            &reference,
            &current,
            &options,
            source,
            Keep::FromFile,
            &send,
        )?;
        if let Some(catalog) = cache.as_mut()
            && !comparison.report.reference.cached
            && !comparison.samples.is_empty()
            && let Err(e) =
                catalog.store_drift_reference(&comparison.reference, &comparison.samples)
        {
            eprintln!("driftdeck-app: the reference profile was not cached: {e}");
        }
        Ok::<_, DriftError>(comparison.report)
    })
    .await
    .map_err(|e| ErrorDto {
        code: "internal",
        message: format!("the comparison stopped: {e}"),
    })??;
    let (id, report) = state.reports().insert(report);
    Ok(DriftReportDto { id, report })
}

#[tauri::command]
pub async fn drift_methods() -> Result<Vec<DriftMethodDto>, ErrorDto> {
    Ok(Method::ALL
        .into_iter()
        .map(|m| DriftMethodDto {
            name: m.name(),
            label: m.label(),
            kinds: m.kinds().into_iter().map(|k| k.as_str()).collect(),
            has_p_value: m.has_p_value(),
            default_threshold: m.default_threshold(),
        })
        .collect())
}

#[tauri::command]
pub async fn drift_column_chart(
    state: State<'_, AppState>,
    report_id: u64,
    column: String,
) -> Result<SvgDto, ErrorDto> {
    let report = state.reports().get(report_id, "comparison")?;
    let col = report.column(&column).ok_or_else(|| ErrorDto {
        code: "not_found",
        message: format!("column '{column}' is not in report {report_id}"),
    })?;
    let svg = render::column_chart_svg(col).ok_or_else(|| ErrorDto {
        code: "not_found",
        message: format!("column '{column}' was not tested, so there is no chart"),
    })?;
    Ok(SvgDto { svg })
}

/// Writes a report as `html` or `json` to `path` (chosen by the user in a save dialog).
#[tauri::command]
pub async fn export_drift_report(
    state: State<'_, AppState>,
    report_id: u64,
    format: String,
    path: String,
) -> Result<(), ErrorDto> {
    let report = state.reports().get(report_id, "comparison")?;
    let body = match format.as_str() {
        "html" => render::html(&report),
        "json" => report.to_json() + "\n",
        other => {
            return Err(bad_input(format!(
                "unknown report format '{other}': expected html or json"
            )));
        }
    };
    std::fs::write(&path, body).map_err(|e| bad_input(format!("cannot write {path}: {e}")))
}

impl AppState {
    fn reports(&self) -> std::sync::MutexGuard<'_, Kept<DriftReport>> {
        crate::kept::lock(&self.reports)
    }
}
