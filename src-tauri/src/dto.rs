//! What crosses the IPC boundary: DTOs converted from engine values, and errors as `{code, message}`.
//! The UI branches on `code`, never on `message`.

use std::collections::BTreeMap;

use driftdeck::catalog::filter::FilterError;
use driftdeck::catalog::query::{
    CompareRow, DatasetRow, ModelLineage, ModelRow, ProblemRow, RegisteredModelRow, RunRow,
};
use driftdeck::catalog::{CatalogError, ErrorKind, Project};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct ErrorDto {
    /// One of `bad_input`, `bad_filter`, `not_found`, `catalog`, `internal`.
    pub code: &'static str,
    pub message: String,
}

impl From<&CatalogError> for ErrorDto {
    fn from(err: &CatalogError) -> ErrorDto {
        let code = match err {
            CatalogError::NewerSchema { .. }
            | CatalogError::NotADatabase { .. }
            | CatalogError::Open { .. }
            | CatalogError::CreateDir { .. }
            | CatalogError::NoDataDir => "catalog",
            _ => match err.kind() {
                ErrorKind::BadInput => "bad_input",
                ErrorKind::NotFound => "not_found",
                ErrorKind::Internal => "internal",
            },
        };
        ErrorDto {
            code,
            message: err.to_string(),
        }
    }
}

impl From<CatalogError> for ErrorDto {
    fn from(err: CatalogError) -> ErrorDto {
        ErrorDto::from(&err)
    }
}

#[derive(Debug, Serialize)]
pub struct ProjectDto {
    pub id: i64,
    pub path: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub added_at: String,
    pub exists: bool,
    /// Whether the app keeps it live.
    pub watch: bool,
}

impl From<&Project> for ProjectDto {
    fn from(p: &Project) -> ProjectDto {
        ProjectDto {
            id: p.id,
            path: p.path.display().to_string(),
            name: p.name.clone(),
            added_at: driftdeck::time::rfc3339_ms(p.added_at_ms),
            exists: p.exists_on_disk(),
            watch: p.watch,
        }
    }
}

impl From<FilterError> for ErrorDto {
    fn from(err: FilterError) -> ErrorDto {
        ErrorDto {
            code: "bad_filter",
            message: err.to_string(),
        }
    }
}

/// A metric value for JSON: a number, or "NaN" / "Infinity" / "-Infinity".
pub fn metric_value(v: f64) -> Value {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        serde_json::json!(v)
    }
}

#[derive(Debug, Serialize)]
pub struct RunDto {
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    pub source: String,
    pub run_id: String,
    pub experiment: Option<String>,
    pub parent_run_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub lifecycle: Option<String>,
    pub user: Option<String>,
    /// Unix milliseconds.
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub params: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub metrics: BTreeMap<String, Value>,
}

impl From<&RunRow> for RunDto {
    fn from(r: &RunRow) -> RunDto {
        RunDto {
            id: r.id,
            project_id: r.project_id,
            project: r.project.clone(),
            source: r.source.clone(),
            run_id: r.external_id.clone(),
            experiment: r.experiment.clone(),
            parent_run_id: r.parent_id.clone(),
            name: r.name.clone(),
            status: r.status.clone(),
            lifecycle: r.lifecycle.clone(),
            user: r.user.clone(),
            start_time: r.start_ms,
            end_time: r.end_ms,
            params: r.params.clone(),
            tags: r.tags.clone(),
            metrics: r
                .metrics
                .iter()
                .map(|(k, v)| (k.clone(), metric_value(*v)))
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RunsDto {
    pub runs: Vec<RunDto>,
    /// Every metric, param and tag key among the runs, sorted: the column chooser's choices.
    pub metric_keys: Vec<String>,
    pub param_keys: Vec<String>,
    pub tag_keys: Vec<String>,
    /// How many runs there are before the filter.
    pub total: usize,
}

#[derive(Debug, Serialize)]
pub struct CompareRowDto {
    pub section: &'static str,
    pub key: String,
    pub values: Vec<Option<String>>,
    pub differs: bool,
}

impl From<&CompareRow> for CompareRowDto {
    fn from(r: &CompareRow) -> CompareRowDto {
        CompareRowDto {
            section: r.section,
            key: r.key.clone(),
            values: r.values.clone(),
            differs: r.differs,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CompareDto {
    pub runs: Vec<RunDto>,
    pub rows: Vec<CompareRowDto>,
}

#[derive(Debug, Serialize)]
pub struct ChartDto {
    /// A self-contained SVG document drawn by plotters.
    pub svg: String,
    /// The colour of each run's line, in the order of the request.
    pub colors: Vec<String>,
    /// Points drawn in all (every point of every history: nothing is downsampled).
    pub points: usize,
}

#[derive(Debug, Serialize)]
pub struct ColumnDto {
    pub name: String,
    pub dtype: String,
    pub kind: String,
    pub nulls: i64,
    pub profile: Value,
}

#[derive(Debug, Serialize)]
pub struct DatasetDto {
    pub id: i64,
    pub project: String,
    pub path: String,
    pub absolute_path: String,
    pub format: String,
    pub rows: Option<i64>,
    pub bytes: i64,
    pub hash: Option<String>,
    pub columns: Vec<ColumnDto>,
}

impl From<&DatasetRow> for DatasetDto {
    fn from(d: &DatasetRow) -> DatasetDto {
        DatasetDto {
            id: d.id,
            project: d.project.clone(),
            path: d.path.clone(),
            absolute_path: d.project_path.join(&d.path).display().to_string(),
            format: d.format.clone(),
            rows: d.rows,
            bytes: d.bytes,
            hash: d.hash.clone(),
            columns: d
                .columns
                .iter()
                .map(|c| ColumnDto {
                    name: c.name.clone(),
                    dtype: c.dtype.clone(),
                    kind: c.kind.clone(),
                    nulls: c.nulls,
                    profile: c.profile.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LineageRunDto {
    pub id: i64,
    pub name: Option<String>,
    pub run_id: String,
}

#[derive(Debug, Serialize)]
pub struct ModelDto {
    pub id: i64,
    pub project: String,
    pub path: String,
    pub absolute_path: String,
    pub format: String,
    pub name: Option<String>,
    pub model_id: Option<String>,
    pub bytes: i64,
    pub hash: Option<String>,
    pub details: Value,
    /// The runs that produced it.
    pub runs: Vec<LineageRunDto>,
    /// The datasets those runs used (project-relative paths).
    pub datasets: Vec<String>,
}

impl ModelDto {
    pub fn new(
        m: &ModelRow,
        lineage: Option<&ModelLineage>,
        runs: &BTreeMap<i64, &RunRow>,
    ) -> ModelDto {
        ModelDto {
            id: m.id,
            project: m.project.clone(),
            path: m.path.clone(),
            absolute_path: m.project_path.join(&m.path).display().to_string(),
            format: m.format.clone(),
            name: m.name.clone(),
            model_id: m.external_id.clone(),
            bytes: m.bytes,
            hash: m.hash.clone(),
            details: m.details.clone(),
            runs: lineage
                .map(|l| {
                    l.runs
                        .iter()
                        .filter_map(|id| runs.get(id))
                        .map(|r| LineageRunDto {
                            id: r.id,
                            name: r.name.clone(),
                            run_id: r.external_id.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            datasets: lineage.map(|l| l.datasets.clone()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ModelVersionDto {
    pub version: String,
    pub run_id: Option<String>,
    pub model_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RegisteredModelDto {
    pub project: String,
    pub name: String,
    pub description: Option<String>,
    pub aliases: Value,
    pub tags: Value,
    pub versions: Vec<ModelVersionDto>,
}

impl From<&RegisteredModelRow> for RegisteredModelDto {
    fn from(r: &RegisteredModelRow) -> RegisteredModelDto {
        RegisteredModelDto {
            project: r.project.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            aliases: r.aliases.clone(),
            tags: r.tags.clone(),
            versions: r
                .versions
                .iter()
                .map(|v| ModelVersionDto {
                    version: v.version.clone(),
                    run_id: v.run_external_id.clone(),
                    model_id: v.model_external_id.clone(),
                    status: v.status.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ModelsDto {
    pub models: Vec<ModelDto>,
    pub registered: Vec<RegisteredModelDto>,
}

#[derive(Debug, Serialize)]
pub struct ProblemDto {
    pub project: String,
    pub path: String,
    pub reader: String,
    pub message: String,
}

impl From<&ProblemRow> for ProblemDto {
    fn from(p: &ProblemRow) -> ProblemDto {
        ProblemDto {
            project: p.project.clone(),
            path: p.path.clone(),
            reader: p.reader.clone(),
            message: p.message.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AppInfoDto {
    pub version: &'static str,
    pub catalog_path: String,
    pub schema_version: i64,
    /// The bundled demo workspace, when it is installed.
    pub demo_path: Option<String>,
    /// What the live watcher last reported (it may report before the window listens).
    pub activity: Option<crate::live::ActivityEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn errors_map_to_stable_codes() {
        let cases = [
            (
                CatalogError::NoSuchFolder {
                    path: PathBuf::from("/x"),
                },
                "bad_input",
            ),
            (
                CatalogError::NoSuchProject {
                    what: "project 7".into(),
                },
                "not_found",
            ),
            (
                CatalogError::NewerSchema {
                    path: PathBuf::from("/c.sqlite"),
                    found: 9,
                    supported: 1,
                },
                "catalog",
            ),
        ];
        for (err, code) in cases {
            let dto = ErrorDto::from(&err);
            assert_eq!(dto.code, code, "{err}");
            assert_eq!(dto.message, err.to_string());
        }
    }

    #[test]
    fn error_serialises_as_code_and_message() {
        let dto = ErrorDto {
            code: "bad_input",
            message: "project folder /x does not exist".into(),
        };
        assert_eq!(
            serde_json::to_value(&dto).unwrap(),
            serde_json::json!({"code": "bad_input", "message": "project folder /x does not exist"})
        );
    }
}
