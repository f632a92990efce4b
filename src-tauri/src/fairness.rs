//! The Fairness view's commands: a file's columns with guesses, the check, a grouping's chart,
//! exports. Checks stay in memory by id (the last 8) for charts and exports.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::kept::Kept;

use driftdeck::fairness::check::{FairnessCheck, FairnessFailure, FairnessRequest, FileColumns};
use driftdeck::fairness::metrics::BootstrapOptions;
use driftdeck::report::fairness as render;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::dto::ErrorDto;
use crate::state::AppState;

/// The fairness checks of this session, by id.
pub type SharedChecks = Mutex<Kept<FairnessCheck>>;

impl From<FairnessFailure> for ErrorDto {
    fn from(err: FairnessFailure) -> ErrorDto {
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

#[derive(Debug, Deserialize)]
pub struct BootstrapDto {
    replicates: usize,
    seed: u64,
}

#[derive(Debug, Deserialize)]
pub struct FairnessRequestDto {
    path: String,
    label: String,
    prediction: String,
    sensitive: Vec<String>,
    positive_label: Option<String>,
    score_threshold: Option<f64>,
    min_group_size: Option<u64>,
    compare_with: Option<String>,
    bootstrap: Option<BootstrapDto>,
    max_difference: Option<f64>,
    min_ratio: Option<f64>,
}

#[derive(Serialize)]
pub struct FairnessCheckDto {
    id: u64,
    #[serde(flatten)]
    check: Arc<FairnessCheck>,
}

#[derive(Serialize)]
pub struct SvgDto {
    svg: String,
}

fn blocking_error(e: impl std::fmt::Display) -> ErrorDto {
    ErrorDto {
        code: "internal",
        message: format!("the fairness check stopped: {e}"),
    }
}

#[tauri::command]
pub async fn fairness_columns(path: String) -> Result<FileColumns, ErrorDto> {
    tauri::async_runtime::spawn_blocking(move || {
        driftdeck::fairness::fairness_columns(std::path::Path::new(&path)).map_err(ErrorDto::from)
    })
    .await
    .map_err(blocking_error)?
}

#[tauri::command]
pub async fn fairness_report(
    state: State<'_, AppState>,
    request: FairnessRequestDto,
) -> Result<FairnessCheckDto, ErrorDto> {
    let mut r = FairnessRequest::new(
        PathBuf::from(&request.path),
        request.label,
        request.prediction,
        request.sensitive,
    );
    r.positive_label = request.positive_label.filter(|p| !p.is_empty());
    r.score_threshold = request.score_threshold;
    if let Some(n) = request.min_group_size {
        r.min_group_size = n;
    }
    if let Some(d) = request.max_difference {
        r.max_difference = d;
    }
    if let Some(m) = request.min_ratio {
        r.min_ratio = m;
    }
    r.compare_with = request
        .compare_with
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    r.bootstrap = request.bootstrap.map(|b| BootstrapOptions {
        replicates: b.replicates.max(100),
        seed: b.seed,
        ..BootstrapOptions::default()
    });
    let check = tauri::async_runtime::spawn_blocking(move || driftdeck::fairness::run(&r))
        .await
        .map_err(blocking_error)??;
    let (id, check) = state.fairness_checks().insert(check);
    Ok(FairnessCheckDto { id, check })
}

#[tauri::command]
pub async fn fairness_chart(
    state: State<'_, AppState>,
    report_id: u64,
    grouping: usize,
    metric: String,
) -> Result<SvgDto, ErrorDto> {
    let check = state.fairness_checks().get(report_id, "fairness check")?;
    let g = check.groupings.get(grouping).ok_or_else(|| ErrorDto {
        code: "not_found",
        message: format!("report {report_id} has no grouping {grouping}"),
    })?;
    let svg = render::grouping_chart_svg(&check, g, &metric).ok_or_else(|| ErrorDto {
        code: "bad_input",
        message: format!(
            "unknown metric '{metric}': expected one of {}",
            render::CHART_METRICS.join(", ")
        ),
    })?;
    Ok(SvgDto { svg })
}

#[tauri::command]
pub async fn export_fairness_report(
    state: State<'_, AppState>,
    report_id: u64,
    format: String,
    path: String,
) -> Result<(), ErrorDto> {
    let check = state.fairness_checks().get(report_id, "fairness check")?;
    let body = match format.as_str() {
        "html" => render::html(&check),
        "json" => serde_json::to_string_pretty(&*check).map_err(blocking_error)? + "\n",
        other => {
            return Err(ErrorDto {
                code: "bad_input",
                message: format!("unknown report format '{other}': expected html or json"),
            });
        }
    };
    std::fs::write(&path, body).map_err(|e| ErrorDto {
        code: "bad_input",
        message: format!("cannot write {path}: {e}"),
    })
}

impl AppState {
    fn fairness_checks(&self) -> std::sync::MutexGuard<'_, Kept<FairnessCheck>> {
        crate::kept::lock(&self.fairness)
    }
}
