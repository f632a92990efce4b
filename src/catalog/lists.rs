//! The catalog's lists as users see them: the JSON `driftdeck runs|datasets|models|problems
//! --json` prints and the app's views show, built by one function each so that both edges show
//! the same thing.
//!
//! These shapes are part of the CLI's stable contract: fields are added, never renamed. Times are
//! given twice, as RFC 3339 text (`start_time`) and as Unix milliseconds (`start_ms`), because
//! people read the one and programs sort by the other.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::filter::Filter;
use super::query::{
    CompareRow, DatasetJson, ModelLineage, ModelRow, ProblemRow, RegisteredModelRow, RunRow,
    compare_runs, filter_runs,
};
use super::{Catalog, CatalogError, Project};

/// A project folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProjectJson {
    pub id: i64,
    pub name: String,
    pub path: String,
    /// RFC 3339, UTC.
    pub added_at: String,
    /// Whether the app keeps it live.
    pub watch: bool,
    /// False when the folder is gone from disk (its entries are kept).
    pub exists: bool,
}

impl From<&Project> for ProjectJson {
    fn from(p: &Project) -> ProjectJson {
        ProjectJson {
            id: p.id,
            name: p.name.clone(),
            path: p.path.display().to_string(),
            added_at: crate::time::rfc3339_ms(p.added_at_ms),
            watch: p.watch,
            exists: p.exists_on_disk(),
        }
    }
}

/// The runs that pass a filter, with the keys of every run before it (the column chooser's
/// choices).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunList {
    pub runs: Vec<RunRow>,
    /// Every metric, param and tag key among the runs before the filter, sorted.
    pub metric_keys: Vec<String>,
    pub param_keys: Vec<String>,
    pub tag_keys: Vec<String>,
    /// How many runs there are before the filter.
    pub total: usize,
}

/// Runs side by side, key by key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunComparison {
    pub runs: Vec<RunRow>,
    pub rows: Vec<CompareRow>,
    /// The index in `runs` of the run the others' deltas are against.
    pub baseline: u32,
}

/// The run a model's reader named as its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SourceRunJson {
    pub source: Option<String>,
    pub run_id: String,
}

/// A run in a model's lineage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineageRunJson {
    /// Catalog id.
    pub id: i64,
    pub name: Option<String>,
    pub run_id: String,
}

/// A model file or folder, with the runs that produced it and the datasets they used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelJson {
    pub id: i64,
    pub project: String,
    pub path: String,
    pub absolute_path: String,
    pub format: String,
    pub name: Option<String>,
    /// The tool's own id (an MLflow logged model's `m-…`).
    pub model_id: Option<String>,
    pub run: Option<SourceRunJson>,
    pub bytes: i64,
    pub hash: Option<String>,
    /// What the format's reader found (JSON of any shape).
    pub details: Value,
    /// The runs that produced it (lineage).
    pub runs: Vec<LineageRunJson>,
    /// Project-relative paths of the datasets those runs used.
    pub datasets: Vec<String>,
}

/// Models with their lineage, and the registered models the projects' registries hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelList {
    pub models: Vec<ModelJson>,
    pub registered_models: Vec<RegisteredModelRow>,
}

/// `runs` side by side, against the run `baseline` names (a catalog id, a tool run id or a
/// unique prefix; the first run when `None`).
fn comparison(runs: &[RunRow], baseline: Option<&str>) -> Result<RunComparison, CatalogError> {
    let index = match baseline.map(str::trim) {
        None | Some("") => 0,
        Some(b) => runs
            .iter()
            .position(|r| r.id.to_string() == b || r.run_id == b || r.name.as_deref() == Some(b))
            .or_else(|| {
                let mut prefixed = runs
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.run_id.starts_with(b));
                match (prefixed.next(), prefixed.next()) {
                    (Some((i, _)), None) => Some(i),
                    _ => None,
                }
            })
            .ok_or_else(|| CatalogError::NotCompared {
                baseline: b.to_string(),
            })?,
    };
    Ok(RunComparison {
        rows: compare_runs(runs, index),
        runs: runs.to_vec(),
        baseline: index as u32,
    })
}

impl Catalog {
    /// The projects, as listed.
    pub fn list_projects(&self) -> Result<Vec<ProjectJson>, CatalogError> {
        Ok(self.projects()?.iter().map(ProjectJson::from).collect())
    }

    /// Runs of one project (or all) that pass `filter`, an MLflow-style expression (blank: every
    /// run); a filter that does not parse is a `bad_filter` error.
    pub fn list_runs(
        &self,
        project_id: Option<i64>,
        filter: Option<&str>,
    ) -> Result<RunList, crate::error::Error> {
        let filter = filter
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(Filter::parse)
            .transpose()?;
        let all = self.runs(project_id)?;
        let total = all.len();
        let (mut metric_keys, mut param_keys, mut tag_keys) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for r in &all {
            metric_keys.extend(r.metrics.keys().cloned());
            param_keys.extend(r.params.keys().cloned());
            tag_keys.extend(r.tags.keys().cloned());
        }
        Ok(RunList {
            runs: filter_runs(all, filter.as_ref()),
            metric_keys: metric_keys.into_iter().collect(),
            param_keys: param_keys.into_iter().collect(),
            tag_keys: tag_keys.into_iter().collect(),
            total,
        })
    }

    /// The runs named by `references` (catalog ids or the tools' own run ids) side by side.
    pub fn compare_runs(
        &self,
        references: &[String],
        baseline: Option<&str>,
    ) -> Result<RunComparison, CatalogError> {
        let runs: Vec<RunRow> = references
            .iter()
            .map(|r| self.find_run(r))
            .collect::<Result<_, _>>()?;
        comparison(&runs, baseline)
    }

    /// The runs with these catalog ids side by side.
    pub fn compare_run_ids(
        &self,
        ids: &[i64],
        baseline: Option<i64>,
    ) -> Result<RunComparison, CatalogError> {
        let runs: Vec<RunRow> = ids
            .iter()
            .map(|id| self.run(*id))
            .collect::<Result<_, _>>()?;
        comparison(&runs, baseline.map(|b| b.to_string()).as_deref())
    }

    pub fn list_datasets(&self, project_id: Option<i64>) -> Result<Vec<DatasetJson>, CatalogError> {
        self.datasets(project_id)
    }

    pub fn list_problems(&self, project_id: Option<i64>) -> Result<Vec<ProblemRow>, CatalogError> {
        self.problems(project_id)
    }

    /// Models with their lineage (the runs that produced them, the datasets those used), and the
    /// registered models of the projects' registries.
    pub fn list_models(&self, project_id: Option<i64>) -> Result<ModelList, CatalogError> {
        let models = self.models(project_id)?;
        let runs = self.runs(project_id)?;
        let by_id: BTreeMap<i64, &RunRow> = runs.iter().map(|r| (r.id, r)).collect();
        let mut lineage: BTreeMap<(String, String), ModelLineage> = BTreeMap::new();
        for p in self
            .projects()?
            .iter()
            .filter(|p| project_id.is_none_or(|id| id == p.id))
        {
            for (path, l) in self.model_lineage(p.id)? {
                lineage.insert((p.name.clone(), path), l);
            }
        }
        let model_json = |m: &ModelRow| {
            let l = lineage.get(&(m.project.clone(), m.path.clone()));
            ModelJson {
                id: m.id,
                project: m.project.clone(),
                path: m.path.clone(),
                absolute_path: m.project_path.join(&m.path).display().to_string(),
                format: m.format.clone(),
                name: m.name.clone(),
                model_id: m.external_id.clone(),
                run: m.run_external_id.as_ref().map(|id| SourceRunJson {
                    source: m.run_source.clone(),
                    run_id: id.clone(),
                }),
                bytes: m.bytes,
                hash: m.hash.clone(),
                details: m.details.clone(),
                runs: l
                    .map(|l| {
                        l.runs
                            .iter()
                            .filter_map(|id| by_id.get(id))
                            .map(|r| LineageRunJson {
                                id: r.id,
                                name: r.name.clone(),
                                run_id: r.run_id.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                datasets: l.map(|l| l.datasets.clone()).unwrap_or_default(),
            }
        };
        Ok(ModelList {
            models: models.iter().map(model_json).collect(),
            registered_models: self.registered_models(project_id)?,
        })
    }
}
