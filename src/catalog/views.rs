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
