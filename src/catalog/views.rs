//! Saved views of the runs: which runs (project, filter), in which order, with which columns,
//! grouped by what, and how their charts are drawn. Kept in the catalog by name, listed in the
//! app's sidebar and applied by `driftdeck runs --view NAME`.
//!
//! A view is checked when it is saved (its filter parses, its sort and group keys are keys, its
//! axis and smoothing are ones the charts know), so a saved view always opens.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::filter::{Filter, Key};
use super::query::{RunRow, filter_runs, sort_runs};
use super::{Catalog, CatalogError};
use crate::series::{Band, Center, Smoothing, XAxis};

/// What a view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ViewSpec {
    /// Only this project (its catalog id).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub project: Option<i64>,
    /// An MLflow-style filter.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub filter: Option<String>,
    /// A key (`metrics.rmse`, `params.lr`, `start_time`), then `:asc` or `:desc`.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub sort: Option<String>,
    /// The table's extra columns, as keys (`metrics.rmse`, `params.lr`, `tags.team`).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub columns: Vec<String>,
    /// Group the runs by this key (`params.optimizer`, `experiment`, `project`).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub group_by: Option<String>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub charts: ChartSettings,
}

/// How a view's charts are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ChartSettings {
    /// The metric keys charted, in order.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub metrics: Vec<String>,
    /// The x axis (see `series::XAxis`): `step`, `relative_step`, `time`, `relative`, `epoch`,
    /// `metric:KEY`.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub x: String,
    /// `none`, `ema:W`, `twema:W`, `mean:N`, `gauss:S`.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub smoothing: String,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub log_y: bool,
    /// Scale the y axis to the 5th-95th percentile of the values.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub ignore_outliers: bool,
    /// A group's line: `mean`, `median`, `min`, `max`.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub center: String,
    /// A group's band: `none`, `std`, `sem`, `minmax`, `ci95`.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub band: String,
}

impl Default for ChartSettings {
    fn default() -> ChartSettings {
        ChartSettings {
            metrics: Vec::new(),
            x: XAxis::Step.to_string(),
            smoothing: Smoothing::None.to_string(),
            log_y: false,
            ignore_outliers: false,
            center: Center::default().to_string(),
            band: Band::default().to_string(),
        }
    }
}

/// A view under its name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedView {
    pub name: String,
    pub spec: ViewSpec,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// Which runs, in which order: what `driftdeck runs` and the Runs view ask.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunQuery {
    pub project: Option<i64>,
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<usize>,
}

/// A sort: a key, then optionally `:asc` or `:desc` (ascending by default).
pub fn parse_sort(text: &str) -> Result<(Key, bool), CatalogError> {
    let text = text.trim();
    let (key, descending) = match text.rsplit_once(':') {
        Some((k, dir)) if dir.eq_ignore_ascii_case("desc") => (k, true),
        Some((k, dir)) if dir.eq_ignore_ascii_case("asc") => (k, false),
        _ => (text, false),
    };
    Key::parse(key).map(|k| (k, descending)).ok_or_else(|| CatalogError::BadView {
        message: format!(
            "sort: unknown key `{key}` (use metrics.<key>, params.<key>, tags.<key>, name, status, start_time, ...)"
        ),
    })
}

fn parse_filter(text: Option<&str>) -> Result<Option<Filter>, CatalogError> {
    Ok(text
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(Filter::parse)
        .transpose()?)
}

impl ViewSpec {
    /// Every part a view is checked for; the error names the part.
    pub fn check(&self) -> Result<(), CatalogError> {
        let bad = |message: String| CatalogError::BadView { message };
        parse_filter(self.filter.as_deref())?;
        if let Some(sort) = &self.sort {
            parse_sort(sort)?;
        }
        for key in self.columns.iter().chain(&self.group_by) {
            if Key::parse(key).is_none() {
                return Err(bad(format!(
                    "`{key}` is not a key (use metrics.<key>, params.<key>, tags.<key>, experiment, project, ...)"
                )));
            }
        }
        let c = &self.charts;
        XAxis::parse(&c.x).map_err(|e| bad(e.to_string()))?;
        Smoothing::parse(&c.smoothing).map_err(|e| bad(e.to_string()))?;
        Center::parse(&c.center).ok_or_else(|| {
            bad(format!(
                "`{}` is not a group line: expected mean, median, min or max",
                c.center
            ))
        })?;
        Band::parse(&c.band).ok_or_else(|| {
            bad(format!(
                "`{}` is not a group band: expected none, std, sem, minmax or ci95",
                c.band
            ))
        })?;
        Ok(())
    }

    /// The runs this view shows.
    pub fn query(&self) -> RunQuery {
        RunQuery {
            project: self.project,
            filter: self.filter.clone(),
            sort: self.sort.clone(),
            limit: None,
        }
    }
}

/// The runs table as a file: which runs, in which order, with which columns, as what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct RunsExport {
    #[cfg_attr(feature = "specta", specta(optional))]
    pub project: Option<i64>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub filter: Option<String>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub sort: Option<String>,
    /// The key columns after the fixed ones (`metrics.rmse`, `params.lr`); every metric and
    /// param the runs have when empty.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub columns: Vec<String>,
    /// `csv` or `parquet`.
    pub format: String,
}

impl RunsExport {
    /// The table format a file name asks for by its extension (`.csv`, `.parquet`, `.pq`).
    pub fn format_of(path: &std::path::Path) -> Option<&'static str> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some("csv"),
            "parquet" | "pq" => Some("parquet"),
            _ => None,
        }
    }
}

/// The runs table's fixed columns in an export, before the key columns.
const EXPORT_COLUMNS: [&str; 9] = [
    "id",
    "project",
    "experiment",
    "name",
    "run_id",
    "source",
    "status",
    "start_time",
    "end_time",
];

/// A run's fixed column `i` of [`EXPORT_COLUMNS`] as text.
fn fixed_cell(r: &RunRow, i: usize) -> Option<String> {
    match i {
        0 => Some(r.id.to_string()),
        1 => Some(r.project.clone()),
        2 => r.experiment.clone(),
        3 => r.name.clone(),
        4 => Some(r.run_id.clone()),
        5 => Some(r.source.clone()),
        6 => r.status.clone(),
        7 => r.start_time.clone(),
        _ => r.end_time.clone(),
    }
}

/// The key columns of an export: those asked for, else every metric then every param the runs
/// have.
fn export_keys(runs: &[RunRow], columns: &[String]) -> Result<Vec<Key>, CatalogError> {
    if !columns.is_empty() {
        return columns
            .iter()
            .map(|c| {
                Key::parse(c).ok_or_else(|| CatalogError::BadView {
                    message: format!(
                        "`{c}` is not a column key (use metrics.<key>, params.<key>, tags.<key>)"
                    ),
                })
            })
            .collect();
    }
    let mut metrics = std::collections::BTreeSet::new();
    let mut params = std::collections::BTreeSet::new();
    for r in runs {
        metrics.extend(r.metrics.keys().cloned());
        params.extend(r.params.keys().cloned());
    }
    Ok(metrics
        .into_iter()
        .map(Key::Metric)
        .chain(params.into_iter().map(Key::Param))
        .collect())
}

fn view_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, i64, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

impl Catalog {
    /// The runs `query` asks for: filtered, sorted, cut to its limit.
    pub fn query_runs(&self, query: &RunQuery) -> Result<Vec<RunRow>, CatalogError> {
        let filter = parse_filter(query.filter.as_deref())?;
        let sort = query.sort.as_deref().map(parse_sort).transpose()?;
        let mut runs = filter_runs(self.runs(query.project)?, filter.as_ref());
        if let Some((key, descending)) = &sort {
            sort_runs(&mut runs, key, *descending);
        }
        if let Some(n) = query.limit {
            runs.truncate(n);
        }
        Ok(runs)
    }

    /// The runs `query` asks for as a file: `csv` or `parquet`, with the fixed columns (id,
    /// project, experiment, name, run id, source, status, start and end time) and then a column
    /// per key in `columns` (every metric and param when empty). Metrics are numbers (NaN and
    /// the infinities as such), params and tags text.
    pub fn export_runs(&self, export: &RunsExport) -> Result<Vec<u8>, CatalogError> {
        use super::filter::{Field, field};
        let runs = self.query_runs(&RunQuery {
            project: export.project,
            filter: export.filter.clone(),
            sort: export.sort.clone(),
            limit: None,
        })?;
        let keys = export_keys(&runs, &export.columns)?;
        let names: Vec<String> = EXPORT_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(keys.iter().map(|k| k.to_string()))
            .collect();
        let text = |r: &RunRow, k: &Key| match field(k, &r.view()) {
            Some(Field::Text(t)) => Some(t.to_string()),
            Some(Field::Number(n)) => Some(n.to_string()),
            None => None,
        };
        match export.format.trim().to_ascii_lowercase().as_str() {
            "csv" => {
                let mut out = names
                    .iter()
                    .map(|n| super::history::csv_field(n))
                    .collect::<Vec<_>>()
                    .join(",");
                out.push('\n');
                for r in &runs {
                    let cells: Vec<String> = (0..EXPORT_COLUMNS.len())
                        .map(|i| fixed_cell(r, i))
                        .chain(keys.iter().map(|k| text(r, k)))
                        .map(|c| super::history::csv_field(&c.unwrap_or_default()))
                        .collect();
                    out.push_str(&cells.join(","));
                    out.push('\n');
                }
                Ok(out.into_bytes())
            }
            "parquet" => {
                use polars::prelude::*;
                let mut cols: Vec<Column> = Vec::with_capacity(names.len());
                cols.push(Column::new(
                    "id".into(),
                    runs.iter().map(|r| r.id).collect::<Vec<i64>>(),
                ));
                for (i, name) in EXPORT_COLUMNS.iter().enumerate().skip(1) {
                    let v: Vec<Option<String>> = runs.iter().map(|r| fixed_cell(r, i)).collect();
                    cols.push(Column::new((*name).into(), v));
                }
                for (k, name) in keys.iter().zip(&names[EXPORT_COLUMNS.len()..]) {
                    cols.push(match k {
                        Key::Metric(m) => Column::new(
                            name.as_str().into(),
                            runs.iter()
                                .map(|r| r.metrics.get(m).copied())
                                .collect::<Vec<Option<f64>>>(),
                        ),
                        _ => Column::new(
                            name.as_str().into(),
                            runs.iter()
                                .map(|r| text(r, k))
                                .collect::<Vec<Option<String>>>(),
                        ),
                    });
                }
                let mut df =
                    DataFrame::new(runs.len(), cols).map_err(|e| CatalogError::BadView {
                        message: format!("cannot build the runs table: {e}"),
                    })?;
                let mut out = Vec::new();
                ParquetWriter::new(&mut out).finish(&mut df).map_err(|e| {
                    CatalogError::BadView {
                        message: format!("cannot write the runs as Parquet: {e}"),
                    }
                })?;
                Ok(out)
            }
            other => Err(CatalogError::BadView {
                message: format!("`{other}` is not a table format: expected csv or parquet"),
            }),
        }
    }

    /// Saves (or replaces) the view `name`, once its spec checks out.
    pub fn save_view(
        &mut self,
        name: &str,
        spec: &ViewSpec,
        now_ms: i64,
    ) -> Result<SavedView, CatalogError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CatalogError::BadView {
                message: "a view needs a name".to_string(),
            });
        }
        spec.check()?;
        let json = serde_json::to_string(spec).expect("a view spec serialises");
        self.conn.execute(
            "INSERT INTO views (name, spec, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_ms = excluded.updated_ms",
            params![name, json, now_ms],
        )?;
        self.view(name)
    }

    /// Every saved view, by name.
    pub fn views(&self) -> Result<Vec<SavedView>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT name, spec, created_ms, updated_ms FROM views ORDER BY name COLLATE NOCASE",
        )?;
        let rows = stmt.query_map([], view_from_row)?;
        rows.map(|r| saved(r?)).collect()
    }

    /// The view `name`.
    pub fn view(&self, name: &str) -> Result<SavedView, CatalogError> {
        let row = self
            .conn
            .query_row(
                "SELECT name, spec, created_ms, updated_ms FROM views WHERE name = ?1",
                [name.trim()],
                view_from_row,
            )
            .optional()?;
        match row {
            Some(row) => saved(row),
            None => {
                let known: Vec<String> = self.views()?.into_iter().map(|v| v.name).collect();
                Err(CatalogError::NoSuchProject {
                    what: format!(
                        "view `{}` (saved views: {})",
                        name.trim(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                })
            }
        }
    }

    /// Deletes the view `name`; false when there was none.
    pub fn delete_view(&mut self, name: &str) -> Result<bool, CatalogError> {
        Ok(self
            .conn
            .execute("DELETE FROM views WHERE name = ?1", [name.trim()])?
            > 0)
    }
}

/// A stored view; a spec this version cannot read (written by hand, or by a newer Driftdeck
/// with other fields) keeps what it can: unknown fields are ignored, missing ones default.
fn saved(
    (name, spec, created_ms, updated_ms): (String, String, i64, i64),
) -> Result<SavedView, CatalogError> {
    let spec = serde_json::from_str(&spec).map_err(|e| CatalogError::BadView {
        message: format!("the saved view `{name}` cannot be read ({e}); save it again"),
    })?;
    Ok(SavedView {
        name,
        spec,
        created_ms,
        updated_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Classify, ErrorCode};

    fn catalog() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        (dir, c)
    }

    #[test]
    fn a_view_is_saved_listed_replaced_and_deleted() {
        let (_dir, mut c) = catalog();
        let spec = ViewSpec {
            filter: Some("metrics.rmse < 1".into()),
            sort: Some("metrics.rmse:desc".into()),
            columns: vec!["params.lr".into(), "metrics.rmse".into()],
            group_by: Some("params.optimizer".into()),
            charts: ChartSettings {
                metrics: vec!["loss".into()],
                smoothing: "ema:0.6".into(),
                band: "minmax".into(),
                ..ChartSettings::default()
            },
            ..ViewSpec::default()
        };
        let saved = c.save_view(" best ", &spec, 1_000).unwrap();
        assert_eq!(saved.name, "best");
        assert_eq!(saved.spec, spec);
        let again = c.save_view("best", &ViewSpec::default(), 2_000).unwrap();
        assert_eq!((again.created_ms, again.updated_ms), (1_000, 2_000));
        c.save_view("Another", &spec, 3_000).unwrap();
        let names: Vec<String> = c.views().unwrap().into_iter().map(|v| v.name).collect();
        assert_eq!(names, ["Another", "best"]);
        assert!(c.delete_view("best").unwrap());
        assert!(!c.delete_view("best").unwrap());
        let err = c.view("best").unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        assert!(err.to_string().contains("Another"), "{err}");
    }

    #[test]
    fn a_view_that_would_not_open_is_refused_with_the_part_named() {
        let (_dir, mut c) = catalog();
        let cases: [(ViewSpec, &str, ErrorCode); 5] = [
            (
                ViewSpec {
                    filter: Some("metrics.rmse <".into()),
                    ..Default::default()
                },
                "filter",
                ErrorCode::BadFilter,
            ),
            (
                ViewSpec {
                    sort: Some("speed:desc".into()),
                    ..Default::default()
                },
                "`speed`",
                ErrorCode::BadInput,
            ),
            (
                ViewSpec {
                    group_by: Some("metrics.".into()),
                    ..Default::default()
                },
                "`metrics.`",
                ErrorCode::BadInput,
            ),
            (
                ViewSpec {
                    charts: ChartSettings {
                        smoothing: "ema:3".into(),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "`ema:3`",
                ErrorCode::BadInput,
            ),
            (
                ViewSpec {
                    charts: ChartSettings {
                        band: "iqr".into(),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "`iqr`",
                ErrorCode::BadInput,
            ),
        ];
        for (spec, named, code) in cases {
            let err = c.save_view("v", &spec, 0).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(err.to_string().contains(named), "{err} should name {named}");
        }
        assert!(c.save_view("  ", &ViewSpec::default(), 0).is_err());
        assert!(c.views().unwrap().is_empty(), "nothing was saved");
    }

    #[test]
    fn a_spec_from_elsewhere_keeps_what_it_can() {
        let spec: ViewSpec = serde_json::from_str(
            r#"{"filter": "status = 'FINISHED'", "future_field": 1, "charts": {"x": "time"}}"#,
        )
        .unwrap();
        assert_eq!(spec.filter.as_deref(), Some("status = 'FINISHED'"));
        assert_eq!(spec.charts.x, "time");
        assert_eq!(spec.charts.smoothing, "none");
        assert!(spec.check().is_ok());
    }

    #[test]
    fn runs_export_as_csv_and_parquet_with_the_chosen_columns() {
        use crate::catalog::UnitWrite;
        use crate::record::{MetricPoint, Records, Run};
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let project = c.add_project(dir.path(), 0).unwrap();
        let mut units = Vec::new();
        for (id, rmse, model) in [("a", 0.5, "tree, deep"), ("b", f64::NAN, "linear")] {
            let mut run = Run::new("test", id);
            run.name = Some(format!("run {id}"));
            run.params = vec![("model".into(), model.into())];
            run.metrics = vec![MetricPoint {
                key: "rmse".into(),
                step: 0,
                ts_ms: 0,
                value: rmse,
            }];
            units.push(UnitWrite {
                reader: "test",
                key: id.into(),
                fingerprint: id.into(),
                records: Records {
                    runs: vec![run],
                    ..Records::default()
                },
            });
        }
        c.write_units(project.id, &units, &std::collections::HashMap::new(), 0)
            .unwrap();
        let export = |columns: &[&str], format: &str| {
            c.export_runs(&RunsExport {
                sort: Some("name".into()),
                columns: columns.iter().map(|c| c.to_string()).collect(),
                format: format.into(),
                ..RunsExport::default()
            })
        };
        let csv = String::from_utf8(export(&[], "csv").unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "id,project,experiment,name,run_id,source,status,start_time,end_time,metrics.rmse,params.model"
        );
        assert!(lines[1].ends_with(",0.5,\"tree, deep\""), "{}", lines[1]);
        assert!(lines[2].ends_with(",NaN,linear"), "{}", lines[2]);
        let only = String::from_utf8(export(&["params.model"], "csv").unwrap()).unwrap();
        assert!(
            only.lines()
                .next()
                .unwrap()
                .ends_with("end_time,params.model")
        );

        let parquet = export(&[], "parquet").unwrap();
        assert_eq!(&parquet[..4], b"PAR1");
        let df = polars::prelude::ParquetReader::new(std::io::Cursor::new(parquet))
            .finish()
            .unwrap();
        use polars::prelude::SerReader;
        assert_eq!(df.height(), 2);
        assert_eq!(
            df.column("metrics.rmse").unwrap().f64().unwrap().get(0),
            Some(0.5)
        );
        assert!(
            export(&[], "xlsx")
                .unwrap_err()
                .to_string()
                .contains("`xlsx`")
        );
        assert!(export(&["speed"], "csv").is_err());
        assert_eq!(
            RunsExport::format_of(std::path::Path::new("a/Runs.PQ")),
            Some("parquet")
        );
        assert_eq!(
            RunsExport::format_of(std::path::Path::new("runs.txt")),
            None
        );
    }

    #[test]
    fn sorts_parse_with_a_direction() {
        assert_eq!(
            parse_sort("metrics.rmse").unwrap(),
            (Key::Metric("rmse".into()), false)
        );
        assert_eq!(
            parse_sort("params.lr:DESC").unwrap(),
            (Key::Param("lr".into()), true)
        );
        assert!(parse_sort("nope:asc").is_err());
    }
}
