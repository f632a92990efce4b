//! Tauri commands: thin adapters from IPC to the engine. Each one locks the catalog, calls one
//! engine function, and converts the result to a DTO. They are `async` so that Tauri runs them
//! off the main thread and a slow disk never freezes the window.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use driftdeck::catalog::filter::Filter;
use driftdeck::catalog::query::{compare_runs, filter_runs};
use driftdeck::report::chart::{self, ChartOptions, Series};
use tauri::State;

use crate::dto::{
    AppInfoDto, ChartDto, CompareDto, CompareRowDto, DatasetDto, ErrorDto, ModelDto, ModelsDto,
    ProblemDto, ProjectDto, RegisteredModelDto, RunDto, RunsDto,
};
use crate::live::Live;
use crate::state::AppState;

/// The handler for every command. Keep in step with `COMMANDS` in build.rs.
pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_info,
        list_projects,
        add_project,
        remove_project,
        list_runs,
        compare_runs_cmd,
        metric_chart,
        list_datasets,
        list_models,
        list_problems,
        crate::drift::compare_datasets,
        crate::drift::drift_methods,
        crate::drift::drift_column_chart,
        crate::drift::export_drift_report,
        crate::fairness::fairness_columns,
        crate::fairness::fairness_report,
        crate::fairness::fairness_chart,
        crate::fairness::export_fairness_report,
        crate::registry::model_approval,
        crate::registry::decide_model,
        crate::registry::publish_model,
        crate::registry::publish_jobs,
        crate::registry::cancel_publish,
        crate::registry::registry_connections,
        crate::registry::registry_login,
        crate::registry::registry_logout,
        crate::registry::registry_pull,
        crate::registry::remote_models,
        crate::registry::move_alias,
        crate::registry::audit_log,
        crate::desktop::settings,
        crate::desktop::set_theme,
        crate::desktop::set_catalog_location,
        crate::desktop::set_project_watch,
        crate::desktop::add_demo_project,
        crate::desktop::open_link,
        crate::desktop::startup_ready
    ]
}

#[tauri::command]
async fn app_info(
    state: State<'_, AppState>,
    live: State<'_, Live>,
) -> Result<AppInfoDto, ErrorDto> {
    let schema_version = state
        .with_catalog(|c| c.schema_version().map_err(ErrorDto::from))
        .unwrap_or(0);
    Ok(AppInfoDto {
        version: driftdeck::VERSION,
        catalog_path: state
            .catalog_path()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        schema_version,
        demo_path: crate::desktop::demo_path().map(|p| p.display().to_string()),
        activity: live.last_activity(),
    })
}

#[tauri::command]
async fn list_projects(state: State<'_, AppState>) -> Result<Vec<ProjectDto>, ErrorDto> {
    state.with_catalog(|c| Ok(c.projects()?.iter().map(ProjectDto::from).collect()))
}

/// Adds a project; the live watcher restarts and indexes it at once.
#[tauri::command]
async fn add_project(
    state: State<'_, AppState>,
    live: State<'_, Live>,
    path: PathBuf,
) -> Result<ProjectDto, ErrorDto> {
    let project = state.with_catalog(|c| {
        let project = c.add_project(&path, driftdeck::time::now_ms())?;
        Ok(ProjectDto::from(&project))
    })?;
    live.restart();
    Ok(project)
}

#[tauri::command]
async fn remove_project(
    state: State<'_, AppState>,
    live: State<'_, Live>,
    id: i64,
) -> Result<(), ErrorDto> {
    state.with_catalog(|c| {
        c.remove_project(id)?;
        Ok(())
    })?;
    live.restart();
    Ok(())
}

/// Runs (of one project, or all), filtered with an MLflow-style expression.
#[tauri::command]
async fn list_runs(
    state: State<'_, AppState>,
    project_id: Option<i64>,
    filter: Option<String>,
) -> Result<RunsDto, ErrorDto> {
    let filter = filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(Filter::parse)
        .transpose()?;
    let all = state.with_catalog(|c| Ok(c.runs(project_id)?))?;
    let total = all.len();
    let mut metric_keys = BTreeSet::new();
    let mut param_keys = BTreeSet::new();
    let mut tag_keys = BTreeSet::new();
    for r in &all {
        metric_keys.extend(r.metrics.keys().cloned());
        param_keys.extend(r.params.keys().cloned());
        tag_keys.extend(r.tags.keys().cloned());
    }
    let runs = filter_runs(all, filter.as_ref());
    Ok(RunsDto {
        runs: runs.iter().map(RunDto::from).collect(),
        metric_keys: metric_keys.into_iter().collect(),
        param_keys: param_keys.into_iter().collect(),
        tag_keys: tag_keys.into_iter().collect(),
        total,
    })
}

/// Runs side by side, key by key (the UI filters to the rows that differ).
#[tauri::command(rename = "compare_runs")]
async fn compare_runs_cmd(
    state: State<'_, AppState>,
    ids: Vec<i64>,
) -> Result<CompareDto, ErrorDto> {
    let runs = state.with_catalog(|c| {
        ids.iter()
            .map(|id| c.run(*id).map_err(ErrorDto::from))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(CompareDto {
        rows: compare_runs(&runs)
            .iter()
            .map(CompareRowDto::from)
            .collect(),
        runs: runs.iter().map(RunDto::from).collect(),
    })
}

/// One metric's full history for several runs, drawn as an SVG line chart.
#[tauri::command]
async fn metric_chart(
    state: State<'_, AppState>,
    run_ids: Vec<i64>,
    key: String,
    width: Option<u32>,
    height: Option<u32>,
    dark: Option<bool>,
) -> Result<ChartDto, ErrorDto> {
    let series = state.with_catalog(|c| {
        let mut series = Vec::with_capacity(run_ids.len());
        for id in &run_ids {
            let run = c.run(*id)?;
            let points = c.metric_history(*id, &key)?;
            series.push(Series {
                label: run.name.unwrap_or(run.external_id),
                points: points.iter().map(|p| (p.step as f64, p.value)).collect(),
            });
        }
        Ok(series)
    })?;
    let options = ChartOptions {
        title: key,
        width: width.unwrap_or(640).clamp(200, 4000),
        height: height.unwrap_or(320).clamp(120, 3000),
        dark: dark.unwrap_or(false),
        ..ChartOptions::default()
    };
    Ok(ChartDto {
        svg: chart::line_chart_svg(&series, &options),
        colors: (0..series.len()).map(chart::series_color).collect(),
        points: series.iter().map(|s| s.points.len()).sum(),
    })
}

#[tauri::command]
async fn list_datasets(
    state: State<'_, AppState>,
    project_id: Option<i64>,
) -> Result<Vec<DatasetDto>, ErrorDto> {
    state.with_catalog(|c| {
        Ok(c.datasets(project_id)?
            .iter()
            .map(DatasetDto::from)
            .collect())
    })
}

/// Models with their lineage, and the registered models the projects' registries hold.
#[tauri::command]
async fn list_models(
    state: State<'_, AppState>,
    project_id: Option<i64>,
) -> Result<ModelsDto, ErrorDto> {
    state.with_catalog(|c| {
        let models = c.models(project_id)?;
        let runs = c.runs(project_id)?;
        let by_id: BTreeMap<i64, &driftdeck::catalog::query::RunRow> =
            runs.iter().map(|r| (r.id, r)).collect();
        let mut lineage = BTreeMap::new();
        let projects: BTreeSet<i64> = runs
            .iter()
            .map(|r| r.project_id)
            .chain(project_id)
            .collect();
        for p in c
            .projects()?
            .iter()
            .filter(|p| project_id.is_none() || projects.contains(&p.id))
        {
            for (path, l) in c.model_lineage(p.id)? {
                lineage.insert((p.name.clone(), path), l);
            }
        }
        Ok(ModelsDto {
            models: models
                .iter()
                .map(|m| {
                    ModelDto::new(m, lineage.get(&(m.project.clone(), m.path.clone())), &by_id)
                })
                .collect(),
            registered: c
                .registered_models(project_id)?
                .iter()
                .map(RegisteredModelDto::from)
                .collect(),
        })
    })
}

#[tauri::command]
async fn list_problems(
    state: State<'_, AppState>,
    project_id: Option<i64>,
) -> Result<Vec<ProblemDto>, ErrorDto> {
    state.with_catalog(|c| {
        Ok(c.problems(project_id)?
            .iter()
            .map(ProblemDto::from)
            .collect())
    })
}
