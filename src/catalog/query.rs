//! Reading the catalog: runs with their final metrics, params and tags; datasets with column
//! profiles; models with lineage; problems; counts. Plain structs out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use super::filter::{Field, Filter, Key, RunView, field};
use super::{Catalog, CatalogError};

/// A run as listed: identity, attributes, params, tags and the final value of every metric. It
/// serialises as the run of `driftdeck runs --json` and of the app (fields are added, never
/// renamed); times are given as RFC 3339 text and as Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunRow {
    /// The catalog's id (what `runs compare` and the app's charts take).
    pub id: i64,
    pub project_id: i64,
    pub project: String,
    /// The reader that found it: `mlflow`, `dvc`, `tensorboard`, `wandb`, `run_folder`, ...
    pub source: String,
    /// The run's own id in its tool.
    pub run_id: String,
    pub experiment_id: Option<String>,
    /// The experiment's name where the catalog knows it, else its id.
    pub experiment: Option<String>,
    pub parent_run_id: Option<String>,
    /// Project-relative folder of the run, where it has one.
    pub path: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    /// MLflow's lifecycle stage: `active` or `deleted`.
    pub lifecycle: Option<String>,
    pub user: Option<String>,
    /// RFC 3339, UTC.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Unix milliseconds.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub params: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    /// Final values (at the largest step, ties by latest timestamp); NaN where logged as NaN.
    #[serde(serialize_with = "crate::json::number_map")]
    #[cfg_attr(feature = "specta", specta(type = BTreeMap<String, crate::json::JsonNumber>))]
    pub metrics: BTreeMap<String, f64>,
}

impl RunRow {
    /// The run as filters see it.
    pub fn view(&self) -> RunView<'_> {
        RunView {
            run_id: &self.run_id,
            name: self.name.as_deref(),
            status: self.status.as_deref(),
            lifecycle: self.lifecycle.as_deref(),
            user: self.user.as_deref(),
            source: &self.source,
            experiment: self.experiment.as_deref(),
            project: &self.project,
            start_ms: self.start_ms,
            end_ms: self.end_ms,
            metrics: Some(&self.metrics),
            params: Some(&self.params),
            tags: Some(&self.tags),
        }
    }
}

/// One point of a metric history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricPointRow {
    pub step: i64,
    pub ts_ms: i64,
    pub value: f64,
}

/// A column of a dataset with its profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnJson {
    pub name: String,
    /// Polars' dtype: `f64`, `i64`, `str`, `bool`, `datetime[μs, UTC]`, ...
    pub dtype: String,
    /// numerical | categorical | boolean | datetime | text
    pub kind: String,
    pub nulls: i64,
    /// Statistics whose shape depends on `kind` (see `data::profile`).
    pub profile: Value,
}

/// A dataset: where it is, its size, its schema with column profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetJson {
    pub id: i64,
    pub project: String,
    /// Project-relative.
    pub path: String,
    pub absolute_path: String,
    pub format: String,
    pub rows: Option<i64>,
    /// How many columns.
    pub columns: usize,
    pub bytes: i64,
    pub hash: Option<String>,
    pub schema: Vec<ColumnJson>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    pub id: i64,
    pub project: String,
    pub project_path: PathBuf,
    pub path: String,
    pub format: String,
    pub name: Option<String>,
    pub external_id: Option<String>,
    pub run_source: Option<String>,
    pub run_external_id: Option<String>,
    pub bytes: i64,
    pub hash: Option<String>,
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegisteredModelRow {
    pub project: String,
    pub source: String,
    pub name: String,
    pub description: Option<String>,
    pub tags: Value,
    pub aliases: Value,
    pub versions: Vec<ModelVersionRow>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelVersionRow {
    pub version: String,
    #[serde(rename = "run_id")]
    pub run_external_id: Option<String>,
    #[serde(rename = "model_id")]
    pub model_external_id: Option<String>,
    #[serde(rename = "source")]
    pub source_uri: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProblemRow {
    pub project: String,
    pub path: String,
    pub reader: String,
    pub message: String,
}

/// An edge of the lineage graph with both ends as written by the readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineageRow {
    pub from_kind: String,
    pub from_key: String,
    pub to_kind: String,
    pub to_key: String,
    pub relation: String,
}

/// How much a project holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub experiments: i64,
    pub runs: i64,
    pub metric_points: i64,
    pub datasets: i64,
    pub models: i64,
    pub registered_models: i64,
    pub problems: i64,
}

impl Catalog {
    /// Runs, optionally of one project, ordered by project, experiment and start time.
    pub fn runs(&self, project_id: Option<i64>) -> Result<Vec<RunRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.project_id, p.name, r.source, r.external_id, r.experiment_external_id,
                    COALESCE(e.name, r.experiment_external_id), r.parent_external_id, r.path, r.name,
                    r.status, r.lifecycle, r.user, r.start_ms, r.end_ms
             FROM runs r JOIN projects p ON p.id = r.project_id
             LEFT JOIN experiments e ON e.project_id = r.project_id AND e.source = r.source
                                     AND e.external_id = r.experiment_external_id
             WHERE ?1 IS NULL OR r.project_id = ?1
             ORDER BY p.name, 7, r.start_ms, r.id",
        )?;
        let mut runs: Vec<RunRow> = stmt
            .query_map([project_id], |r| {
                let (start_ms, end_ms): (Option<i64>, Option<i64>) = (r.get(13)?, r.get(14)?);
                Ok(RunRow {
                    id: r.get(0)?,
                    project_id: r.get(1)?,
                    project: r.get(2)?,
                    source: r.get(3)?,
                    run_id: r.get(4)?,
                    experiment_id: r.get(5)?,
                    experiment: r.get(6)?,
                    parent_run_id: r.get(7)?,
                    path: r.get(8)?,
                    name: r.get(9)?,
                    status: r.get(10)?,
                    lifecycle: r.get(11)?,
                    user: r.get(12)?,
                    start_time: start_ms.map(crate::time::rfc3339_ms),
                    end_time: end_ms.map(crate::time::rfc3339_ms),
                    start_ms,
                    end_ms,
                    params: BTreeMap::new(),
                    tags: BTreeMap::new(),
                    metrics: BTreeMap::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let index: std::collections::HashMap<i64, usize> =
            runs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let scope = "JOIN runs r ON r.id = x.run_id WHERE ?1 IS NULL OR r.project_id = ?1";
        for (table, which) in [("params", 0), ("tags", 1)] {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT x.run_id, x.key, x.value FROM {table} x {scope}"
            ))?;
            let rows = stmt.query_map([project_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (run_id, k, v) = row?;
                if let Some(&i) = index.get(&run_id) {
                    let map = if which == 0 {
                        &mut runs[i].params
                    } else {
                        &mut runs[i].tags
                    };
                    map.insert(k, v);
                }
            }
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT x.run_id, x.key, x.value FROM metric_finals x {scope}"
        ))?;
        let rows = stmt.query_map([project_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
            ))
        })?;
        for row in rows {
            let (run_id, k, v) = row?;
            if let Some(&i) = index.get(&run_id) {
                runs[i].metrics.insert(k, v.unwrap_or(f64::NAN));
            }
        }
        Ok(runs)
    }

    /// The run with this catalog id.
    pub fn run(&self, id: i64) -> Result<RunRow, CatalogError> {
        let project_id: Option<i64> = self
            .conn
            .query_row("SELECT project_id FROM runs WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let project_id = project_id.ok_or_else(|| CatalogError::NoSuchProject {
            what: format!("run {id}"),
        })?;
        self.runs(Some(project_id))?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| CatalogError::NoSuchProject {
                what: format!("run {id}"),
            })
    }

    /// The one run named `name` (W&B's and MLflow's run names are what people type).
    fn run_named(&self, name: &str) -> Result<i64, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM runs WHERE name = ?1 LIMIT 2")?;
        let ids: Vec<i64> = stmt
            .query_map([name], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [id] => Ok(*id),
            [] => Err(CatalogError::NoSuchProject {
                what: format!("run {name}"),
            }),
            _ => Err(CatalogError::NoSuchProject {
                what: format!(
                    "a unique run named `{name}` (several runs have that name: use its id)"
                ),
            }),
        }
    }

    /// Finds a run by catalog id, by the tool's run id or a unique prefix of it, or by its name
    /// when only one run has it.
    pub fn find_run(&self, reference: &str) -> Result<RunRow, CatalogError> {
        let reference = reference.trim();
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM runs WHERE external_id = ?1
                 UNION ALL SELECT id FROM runs WHERE CAST(id AS TEXT) = ?1
                 LIMIT 1",
                [reference],
                |r| r.get(0),
            )
            .optional()?;
        let id = match id {
            Some(id) => id,
            None => {
                let mut stmt = self.conn.prepare(
                    "SELECT id FROM runs WHERE external_id LIKE ?1 || '%' ESCAPE '\\' LIMIT 2",
                )?;
                let escaped = reference
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let ids: Vec<i64> = stmt
                    .query_map([escaped], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                match ids.as_slice() {
                    [id] => *id,
                    [] => self.run_named(reference)?,
                    _ => {
                        return Err(CatalogError::NoSuchProject {
                            what: format!(
                                "a unique run for `{reference}` (several run ids start with it)"
                            ),
                        });
                    }
                }
            }
        };
        let project_id: i64 =
            self.conn
                .query_row("SELECT project_id FROM runs WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
        self.runs(Some(project_id))?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| CatalogError::NoSuchProject {
                what: format!("run {reference}"),
            })
    }

    /// The full history of one metric of a run, by step then timestamp.
    pub fn metric_history(
        &self,
        run_id: i64,
        key: &str,
    ) -> Result<Vec<MetricPointRow>, CatalogError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT step, ts_ms, value FROM metric_points WHERE run_id = ?1 AND key = ?2 ORDER BY step, ts_ms",
        )?;
        let rows = stmt.query_map(params![run_id, key], |r| {
            Ok(MetricPointRow {
                step: r.get(0)?,
                ts_ms: r.get(1)?,
                value: r.get::<_, Option<f64>>(2)?.unwrap_or(f64::NAN),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Datasets with their columns, optionally of one project.
    pub fn datasets(&self, project_id: Option<i64>) -> Result<Vec<DatasetJson>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, p.name, p.path, d.path, d.format, d.rows, d.bytes, d.hash
             FROM datasets d JOIN projects p ON p.id = d.project_id
             WHERE ?1 IS NULL OR d.project_id = ?1 ORDER BY p.name, d.path",
        )?;
        let mut datasets: Vec<DatasetJson> = stmt
            .query_map([project_id], |r| {
                let (root, path): (String, String) = (r.get(2)?, r.get(3)?);
                Ok(DatasetJson {
                    id: r.get(0)?,
                    project: r.get(1)?,
                    absolute_path: Path::new(&root).join(&path).display().to_string(),
                    path,
                    format: r.get(4)?,
                    rows: r.get(5)?,
                    columns: 0,
                    bytes: r.get(6)?,
                    hash: r.get(7)?,
                    schema: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut cols = self.conn.prepare_cached(
            "SELECT name, dtype, kind, nulls, profile FROM dataset_columns WHERE dataset_id = ?1 ORDER BY position",
        )?;
        for d in &mut datasets {
            d.schema = cols
                .query_map([d.id], |r| {
                    Ok(ColumnJson {
                        name: r.get(0)?,
                        dtype: r.get(1)?,
                        kind: r.get(2)?,
                        nulls: r.get(3)?,
                        profile: serde_json::from_str(&r.get::<_, String>(4)?)
                            .unwrap_or(Value::Null),
                    })
                })?
                .collect::<Result<_, _>>()?;
            d.columns = d.schema.len();
        }
        Ok(datasets)
    }

    /// Model files and folders, optionally of one project.
    pub fn models(&self, project_id: Option<i64>) -> Result<Vec<ModelRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT m.id, p.name, p.path, m.path, m.format, m.name, m.external_id, m.run_source,
                    m.run_external_id, m.bytes, m.hash, m.details
             FROM models m JOIN projects p ON p.id = m.project_id
             WHERE ?1 IS NULL OR m.project_id = ?1 ORDER BY p.name, m.path, m.format",
        )?;
        let rows = stmt.query_map([project_id], |r| {
            Ok(ModelRow {
                id: r.get(0)?,
                project: r.get(1)?,
                project_path: PathBuf::from(r.get::<_, String>(2)?),
                path: r.get(3)?,
                format: r.get(4)?,
                name: r.get(5)?,
                external_id: r.get(6)?,
                run_source: r.get(7)?,
                run_external_id: r.get(8)?,
                bytes: r.get(9)?,
                hash: r.get(10)?,
                details: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or(Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Registered models (from MLflow registries found in the projects) with their versions.
    pub fn registered_models(
        &self,
        project_id: Option<i64>,
    ) -> Result<Vec<RegisteredModelRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT rm.id, p.name, rm.source, rm.name, rm.description, rm.tags, rm.aliases
             FROM registered_models rm JOIN projects p ON p.id = rm.project_id
             WHERE ?1 IS NULL OR rm.project_id = ?1 ORDER BY p.name, rm.name",
        )?;
        let heads: Vec<(i64, RegisteredModelRow)> = stmt
            .query_map([project_id], |r| {
                Ok((
                    r.get(0)?,
                    RegisteredModelRow {
                        project: r.get(1)?,
                        source: r.get(2)?,
                        name: r.get(3)?,
                        description: r.get(4)?,
                        tags: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or(Value::Null),
                        aliases: serde_json::from_str(&r.get::<_, String>(6)?)
                            .unwrap_or(Value::Null),
                        versions: Vec::new(),
                    },
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut versions = self.conn.prepare_cached(
            "SELECT version, run_external_id, model_external_id, source_uri, status FROM model_versions
             WHERE registered_model_id = ?1 ORDER BY CAST(version AS INTEGER), version",
        )?;
        let mut out = Vec::with_capacity(heads.len());
        for (id, mut rm) in heads {
            rm.versions = versions
                .query_map([id], |r| {
                    Ok(ModelVersionRow {
                        version: r.get(0)?,
                        run_external_id: r.get(1)?,
                        model_external_id: r.get(2)?,
                        source_uri: r.get(3)?,
                        status: r.get(4)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            out.push(rm);
        }
        Ok(out)
    }

    /// Problems found by the last index, optionally of one project.
    pub fn problems(&self, project_id: Option<i64>) -> Result<Vec<ProblemRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.name, x.path, x.reader, x.message FROM problems x JOIN projects p ON p.id = x.project_id
             WHERE ?1 IS NULL OR x.project_id = ?1 ORDER BY p.name, x.path, x.reader",
        )?;
        let rows = stmt.query_map([project_id], |r| {
            Ok(ProblemRow {
                project: r.get(0)?,
                path: r.get(1)?,
                reader: r.get(2)?,
                message: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every lineage edge of a project.
    pub fn lineage(&self, project_id: i64) -> Result<Vec<LineageRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT from_kind, from_key, to_kind, to_key, relation FROM lineage WHERE project_id = ?1
             ORDER BY 1, 2, 3, 4",
        )?;
        let rows = stmt.query_map([project_id], |r| {
            Ok(LineageRow {
                from_kind: r.get(0)?,
                from_key: r.get(1)?,
                to_kind: r.get(2)?,
                to_key: r.get(3)?,
                relation: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What a project holds.
    pub fn counts(&self, project_id: i64) -> Result<Counts, CatalogError> {
        let count = |sql: &str| -> Result<i64, CatalogError> {
            Ok(self.conn.query_row(sql, [project_id], |r| r.get(0))?)
        };
        Ok(Counts {
            experiments: count("SELECT count(*) FROM experiments WHERE project_id = ?1")?,
            runs: count("SELECT count(*) FROM runs WHERE project_id = ?1")?,
            metric_points: count(
                "SELECT count(*) FROM metric_points m JOIN runs r ON r.id = m.run_id WHERE r.project_id = ?1",
            )?,
            datasets: count("SELECT count(*) FROM datasets WHERE project_id = ?1")?,
            models: count("SELECT count(*) FROM models WHERE project_id = ?1")?,
            registered_models: count(
                "SELECT count(*) FROM registered_models WHERE project_id = ?1",
            )?,
            problems: count("SELECT count(*) FROM problems WHERE project_id = ?1")?,
        })
    }
}

/// Keeps the runs that match `filter` (all when `None`).
pub fn filter_runs(runs: Vec<RunRow>, filter: Option<&Filter>) -> Vec<RunRow> {
    match filter {
        None => runs,
        Some(f) => runs.into_iter().filter(|r| f.matches(&r.view())).collect(),
    }
}

/// Sorts runs by `key`; runs without the key (or with NaN) go last in both directions.
pub fn sort_runs(runs: &mut [RunRow], key: &Key, descending: bool) {
    use std::cmp::Ordering;
    fn rank(f: Option<Field<'_>>) -> Option<Result<f64, String>> {
        match f {
            Some(Field::Number(n)) if n.is_nan() => None,
            Some(Field::Number(n)) => Some(Ok(n)),
            Some(Field::Text(t)) => Some(t.trim().parse::<f64>().map_err(|_| t.to_string())),
            None => None,
        }
    }
    runs.sort_by(|a, b| {
        let (x, y) = (rank(field(key, &a.view())), rank(field(key, &b.view())));
        let ordering = match (&x, &y) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => return Ordering::Greater,
            (Some(_), None) => return Ordering::Less,
            (Some(Ok(p)), Some(Ok(q))) => p.total_cmp(q),
            (Some(Ok(_)), Some(Err(_))) => Ordering::Less,
            (Some(Err(_)), Some(Ok(_))) => Ordering::Greater,
            (Some(Err(p)), Some(Err(q))) => p.cmp(q),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

/// One row of a run comparison: a key and each run's value.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CompareRow {
    /// `attribute`, `param`, `metric` or `tag`.
    pub section: &'static str,
    /// As filters write it: `status`, `params.lr`, `metrics.val/auc`, `tags.stage`. A param
    /// holding a JSON object is expanded into one row per leaf: `params.optimizer.lr`.
    pub key: String,
    /// Each run's value as text (metrics as full-precision numbers), `None` where it has none.
    pub values: Vec<Option<String>>,
    pub differs: bool,
    /// Each run's difference from the baseline run's value: where both are finite numbers, and
    /// not for the baseline itself.
    pub deltas: Vec<Option<Delta>>,
}

/// A value's difference from the baseline's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Delta {
    /// value − baseline.
    pub delta: f64,
    /// (value − baseline) / |baseline| × 100; `None` when the baseline is 0.
    pub percent: Option<f64>,
}

/// The difference of `value` from `baseline`, when both read as finite numbers.
pub fn delta(value: &str, baseline: &str) -> Option<Delta> {
    let v: f64 = value.trim().parse().ok()?;
    let b: f64 = baseline.trim().parse().ok()?;
    let d = v - b;
    (v.is_finite() && b.is_finite() && d.is_finite()).then(|| Delta {
        delta: d,
        percent: (b != 0.0)
            .then(|| d / b.abs() * 100.0)
            .filter(|p| p.is_finite()),
    })
}

/// How deep a param's JSON is expanded; deeper objects stay one value.
const MAX_PARAM_DEPTH: usize = 8;

/// A param as comparison rows: itself, or, when it holds a JSON object (as tools log a config
/// dict; Python's `str(dict)` spelling too), one `(dotted key, value)` per leaf. Arrays and
/// scalars are leaves, written as JSON (strings without quotes).
pub fn expand_param(key: &str, value: &str) -> Vec<(String, String)> {
    let text = value.trim();
    if !text.starts_with('{') {
        return vec![(key.to_string(), value.to_string())];
    }
    let parsed = serde_json::from_str::<Value>(text).ok().or_else(|| {
        // Python's repr of a dict: single quotes, True/False/None.
        let json = text
            .replace('\'', "\"")
            .replace("True", "true")
            .replace("False", "false")
            .replace("None", "null");
        serde_json::from_str::<Value>(&json).ok()
    });
    let Some(Value::Object(map)) = parsed else {
        return vec![(key.to_string(), value.to_string())];
    };
    fn leaves(prefix: &str, v: &Value, depth: usize, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) if depth < MAX_PARAM_DEPTH && !map.is_empty() => {
                for (k, v) in map {
                    leaves(&format!("{prefix}.{k}"), v, depth + 1, out);
                }
            }
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    leaves(key, &Value::Object(map), 0, &mut out);
    out
}

/// Compares runs key by key: attributes, then params (JSON objects expanded), metrics and
/// tags, each sorted by key, with each value's difference from the run at `baseline`.
pub fn compare_runs(runs: &[RunRow], baseline: usize) -> Vec<CompareRow> {
    use std::collections::BTreeSet;
    let mut rows = Vec::new();
    let mut push = |section: &'static str, key: String, values: Vec<Option<String>>| {
        let differs = values.windows(2).any(|w| w[0] != w[1]);
        let base = values.get(baseline).cloned().flatten();
        let deltas = values
            .iter()
            .enumerate()
            .map(|(i, v)| match (v, &base) {
                (Some(v), Some(b)) if i != baseline && section != "attribute" => delta(v, b),
                _ => None,
            })
            .collect();
        rows.push(CompareRow {
            section,
            key,
            values,
            differs,
            deltas,
        });
    };
    type Getter = fn(&RunRow) -> Option<String>;
    let attributes: [(&str, Getter); 8] = [
        ("project", |r| Some(r.project.clone())),
        ("experiment", |r| r.experiment.clone()),
        ("name", |r| r.name.clone()),
        ("status", |r| r.status.clone()),
        ("lifecycle", |r| r.lifecycle.clone()),
        ("user", |r| r.user.clone()),
        ("source", |r| Some(r.source.clone())),
        ("parent_run_id", |r| r.parent_run_id.clone()),
    ];
    for (name, get) in attributes {
        push(
            "attribute",
            name.to_string(),
            runs.iter().map(get).collect(),
        );
    }
    let keys = |f: &dyn Fn(&RunRow) -> Vec<String>| -> BTreeSet<String> {
        runs.iter().flat_map(f).collect()
    };
    let params: Vec<BTreeMap<String, String>> = runs
        .iter()
        .map(|r| {
            r.params
                .iter()
                .flat_map(|(k, v)| expand_param(k, v))
                .collect()
        })
        .collect();
    for k in params
        .iter()
        .flat_map(|p| p.keys())
        .collect::<BTreeSet<_>>()
    {
        push(
            "param",
            format!("params.{k}"),
            params.iter().map(|p| p.get(k).cloned()).collect(),
        );
    }
    for k in keys(&|r| r.metrics.keys().cloned().collect()) {
        push(
            "metric",
            format!("metrics.{k}"),
            runs.iter()
                .map(|r| r.metrics.get(&k).map(|v| v.to_string()))
                .collect(),
        );
    }
    for k in keys(&|r| r.tags.keys().cloned().collect()) {
        push(
            "tag",
            format!("tags.{k}"),
            runs.iter().map(|r| r.tags.get(&k).cloned()).collect(),
        );
    }
    rows
}

/// Where a model came from: the runs that produced it and the datasets those runs used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelLineage {
    /// Catalog ids of the producing runs.
    pub runs: Vec<i64>,
    /// Project-relative paths of the datasets those runs used.
    pub datasets: Vec<String>,
}

impl Catalog {
    /// The lineage of every model of a project, by model path.
    pub fn model_lineage(
        &self,
        project_id: i64,
    ) -> Result<BTreeMap<String, ModelLineage>, CatalogError> {
        let edges = self.lineage(project_id)?;
        let run_ids: std::collections::HashMap<String, i64> = {
            let mut stmt = self.conn.prepare(
                "SELECT source || ':' || external_id, id FROM runs WHERE project_id = ?1",
            )?;
            let rows = stmt.query_map([project_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out: BTreeMap<String, ModelLineage> = BTreeMap::new();
        let mut producers: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for e in edges
            .iter()
            .filter(|e| e.to_kind == "model" && e.from_kind == "run")
        {
            producers
                .entry(e.to_key.clone())
                .or_default()
                .insert(e.from_key.clone());
        }
        // MLmodel files name their run too, even where no reader wrote an edge.
        for m in self.models(Some(project_id))? {
            if let (Some(source), Some(run)) = (&m.run_source, &m.run_external_id) {
                producers
                    .entry(m.path.clone())
                    .or_default()
                    .insert(format!("{source}:{run}"));
            }
        }
        for (model, runs) in producers {
            let mut lineage = ModelLineage::default();
            for run in &runs {
                if let Some(id) = run_ids.get(run) {
                    lineage.runs.push(*id);
                }
                for e in edges.iter().filter(|e| {
                    e.from_kind == "run" && &e.from_key == run && e.to_kind == "dataset"
                }) {
                    if !lineage.datasets.contains(&e.to_key) {
                        lineage.datasets.push(e.to_key.clone());
                    }
                }
            }
            out.insert(model, lineage);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: i64, params: &[(&str, &str)], metrics: &[(&str, f64)]) -> RunRow {
        RunRow {
            id,
            run_id: format!("r{id}"),
            project: "p".into(),
            source: "test".into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            ..RunRow::default()
        }
    }

    fn row<'a>(rows: &'a [CompareRow], key: &str) -> &'a CompareRow {
        rows.iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no row {key}"))
    }

    #[test]
    fn each_value_differs_from_the_baseline_by_delta_and_percent() {
        let runs = [
            run(1, &[("lr", "0.1")], &[("auc", 0.8), ("loss", 0.0)]),
            run(2, &[("lr", "0.2")], &[("auc", 0.84), ("loss", 0.5)]),
            run(3, &[("lr", "adam")], &[("auc", f64::NAN)]),
        ];
        let rows = compare_runs(&runs, 1);
        let auc = row(&rows, "metrics.auc");
        let d = auc.deltas[0].unwrap();
        assert!((d.delta - (0.8 - 0.84)).abs() < 1e-15);
        assert!((d.percent.unwrap() - (0.8 - 0.84) / 0.84 * 100.0).abs() < 1e-12);
        assert_eq!(auc.deltas[1], None, "not for the baseline itself");
        assert_eq!(auc.deltas[2], None, "NaN has no difference");
        let loss = row(&rows, "metrics.loss");
        assert_eq!(
            compare_runs(&runs, 0)
                .iter()
                .find(|r| r.key == "metrics.loss")
                .unwrap()
                .deltas[1],
            Some(Delta {
                delta: 0.5,
                percent: None
            }),
            "no percentage of a zero baseline"
        );
        assert_eq!(loss.deltas[2], None, "no value, no difference");
        let lr = row(&rows, "params.lr");
        assert_eq!(lr.deltas[0].unwrap().delta, 0.1 - 0.2);
        assert_eq!(lr.deltas[2], None, "text has no difference");
        assert!(row(&rows, "name").deltas.iter().all(Option::is_none));
    }

    #[test]
    fn params_holding_json_objects_are_expanded_into_their_leaves() {
        let runs = [
            run(
                1,
                &[(
                    "optimizer",
                    r#"{"name": "adam", "lr": 0.001, "betas": [0.9, 0.99], "sched": {"kind": "cos"}}"#,
                )],
                &[],
            ),
            run(
                2,
                &[(
                    "optimizer",
                    "{'name': 'adam', 'lr': 0.01, 'nesterov': True}",
                )],
                &[],
            ),
            run(3, &[("optimizer", "{not json")], &[]),
        ];
        let rows = compare_runs(&runs, 0);
        let name = row(&rows, "params.optimizer.name");
        assert_eq!(
            name.values,
            [Some("adam".into()), Some("adam".into()), None]
        );
        assert!(name.differs, "the third run has no such leaf");
        let lr = row(&rows, "params.optimizer.lr");
        assert_eq!(lr.values[1].as_deref(), Some("0.01"));
        assert!((lr.deltas[1].unwrap().percent.unwrap() - 900.0).abs() < 1e-9);
        assert_eq!(
            row(&rows, "params.optimizer.betas").values[0].as_deref(),
            Some("[0.9,0.99]")
        );
        assert_eq!(
            row(&rows, "params.optimizer.sched.kind").values[0].as_deref(),
            Some("cos")
        );
        assert_eq!(
            row(&rows, "params.optimizer.nesterov").values[1].as_deref(),
            Some("true")
        );
        assert_eq!(
            row(&rows, "params.optimizer").values[2].as_deref(),
            Some("{not json"),
            "what does not parse stays one value"
        );
        // Nesting deeper than the limit stays one value.
        let deep = format!("{}1{}", "{\"a\": ".repeat(20), "}".repeat(20));
        let leaves = expand_param("deep", &deep);
        assert_eq!(leaves.len(), 1);
        assert_eq!(leaves[0].0.matches('.').count(), MAX_PARAM_DEPTH);
    }
}
