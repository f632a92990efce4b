//! A fairness check of one predictions file: read, map, count, judge, compare.
//!
//! The label and a class prediction are mapped to "is the positive label" (default: `1`, or
//! `true`, when the column has those values; otherwise `--positive-label` is required). A float
//! prediction column with values other than 0 and 1 is a score: positive when `score >=
//! threshold` (default 0.5). Sensitive values are read as strings; a missing value is a group
//! of its own, `(missing)`. Between-groups disparities are judged against two thresholds:
//! a difference above `max_difference` (default 0.1) or a ratio below `min_ratio` (default 0.8,
//! the four-fifths rule) is a violation.

use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;
use serde::Serialize;

use crate::data::{DataError, TabularFormat, scan};

use super::metrics::{
    self, BootstrapOptions, ClassificationInput, Disparity, EncodedColumn, FairnessError,
    FairnessOptions, GroupMetrics, Interval, Method, Metric, Predictions,
};

/// The label used for a missing sensitive value.
pub const MISSING_GROUP: &str = "(missing)";
/// Default largest acceptable between-groups difference.
pub const DEFAULT_MAX_DIFFERENCE: f64 = 0.1;

/// What to check.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessRequest {
    pub path: PathBuf,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    /// `None`: `1` or `true` when the label has it.
    pub positive_label: Option<String>,
    /// Forces a score prediction with this threshold; `None`: a float column with values other
    /// than 0 and 1 is a score with threshold 0.5.
    pub score_threshold: Option<f64>,
    pub min_group_size: u64,
    pub bootstrap: Option<BootstrapOptions>,
    pub max_difference: f64,
    pub min_ratio: f64,
    /// An earlier file with the same columns, for "what moved".
    pub compare_with: Option<PathBuf>,
}

impl FairnessRequest {
    pub fn new(path: PathBuf, label: String, prediction: String, sensitive: Vec<String>) -> Self {
        FairnessRequest {
            path,
            label,
            prediction,
            sensitive,
            positive_label: None,
            score_threshold: None,
            min_group_size: metrics::DEFAULT_MIN_GROUP_SIZE,
            bootstrap: None,
            max_difference: DEFAULT_MAX_DIFFERENCE,
            min_ratio: metrics::FOUR_FIFTHS,
            compare_with: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FairnessFailure {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("column '{column}' is not in {path}: its columns are {available}")]
    UnknownColumn {
        column: String,
        path: PathBuf,
        available: String,
    },
    #[error(
        "the {role} column '{column}' has {count} missing values in {path}: expected a value on every row"
    )]
    Missing {
        role: &'static str,
        column: String,
        count: usize,
        path: PathBuf,
    },
    #[error("{0}")]
    Metrics(#[from] FairnessError),
    #[error("{0}")]
    BadOption(String),
}

impl FairnessFailure {
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, FairnessFailure::Data(e) if matches!(e.kind, crate::data::DataErrorKind::Crashed { .. }))
    }
}

// ------------------------------------------------------------------------------------------
// The report (JSON contract)

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessCheck {
    pub format_version: u32,
    pub data: DataInfo,
    pub label: String,
    pub prediction: String,
    pub positive_label: String,
    /// Set when predictions are scores.
    pub score_threshold: Option<f64>,
    pub sensitive: Vec<String>,
    pub min_group_size: u64,
    pub max_difference: f64,
    pub min_ratio: f64,
    pub overall: GroupDto,
    /// Each sensitive column, then the intersection of all (when there are several).
    pub groupings: Vec<GroupingDto>,
    /// Between-groups disparities beyond their threshold, over all groupings.
    pub violations: usize,
    pub passed: bool,
    pub elapsed_ms: u64,
    pub comparison: Option<ComparisonDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataInfo {
    pub path: String,
    pub format: String,
    pub rows: u64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDto {
    pub label: String,
    pub values: Vec<String>,
    pub count: u64,
    pub below_min_size: bool,
    pub selection_rate: Option<f64>,
    pub true_positive_rate: Option<f64>,
    pub false_positive_rate: Option<f64>,
    pub true_negative_rate: Option<f64>,
    pub false_negative_rate: Option<f64>,
    pub accuracy: Option<f64>,
    pub precision: Option<f64>,
    pub undefined: Vec<UndefinedDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndefinedDto {
    pub metric: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupingDto {
    pub columns: Vec<String>,
    pub groups: Vec<GroupDto>,
    pub disparities: Vec<DisparityDto>,
    pub disparate_impact: DisparateImpactDto,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalDto {
    pub low: f64,
    pub high: f64,
    pub confidence: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisparityDto {
    /// Fairlearn's name.
    pub name: String,
    /// `between_groups` or `to_overall`.
    pub method: String,
    pub value: Option<f64>,
    pub interval: Option<IntervalDto>,
    /// `difference` (violated above the threshold) or `ratio` (violated below it).
    pub kind: String,
    pub threshold: f64,
    /// Judged for `between_groups` only; `None` also when the value is undefined.
    pub violated: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisparateImpactDto {
    pub ratio: Option<f64>,
    pub four_fifths_violation: Option<bool>,
    pub lowest_group: Option<String>,
    pub highest_group: Option<String>,
    pub interval: Option<IntervalDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonDto {
    pub path: String,
    pub rows: u64,
    /// The largest moves first.
    pub changes: Vec<ChangeDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeDto {
    /// The grouping's columns joined with " × ".
    pub grouping: String,
    pub group: String,
    /// A metric name, or a disparity's name for the grouping's disparities (group `*`).
    pub metric: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: Option<f64>,
}

fn interval(i: &Option<Interval>) -> Option<IntervalDto> {
    i.map(|i| IntervalDto {
        low: i.low,
        high: i.high,
        confidence: i.confidence,
    })
}

fn group_dto(g: &GroupMetrics) -> GroupDto {
    GroupDto {
        label: if g.values.is_empty() {
            "overall".to_string()
        } else {
            g.label()
        },
        values: g.values.clone(),
        count: g.count,
        below_min_size: g.below_min_size,
        selection_rate: g.selection_rate,
        true_positive_rate: g.true_positive_rate,
        false_positive_rate: g.false_positive_rate,
        true_negative_rate: g.true_negative_rate,
        false_negative_rate: g.false_negative_rate,
        accuracy: g.accuracy,
        precision: g.precision,
        undefined: g
            .undefined
            .iter()
            .map(|u| UndefinedDto {
                metric: u.metric.name().to_string(),
                reason: u.reason.to_string(),
            })
            .collect(),
    }
}

fn is_ratio(d: Disparity) -> bool {
    matches!(
        d,
        Disparity::DemographicParityRatio
            | Disparity::EqualizedOddsRatio
            | Disparity::EqualOpportunityRatio
    )
}

fn grouping_dto(g: &metrics::GroupingReport, max_difference: f64, min_ratio: f64) -> GroupingDto {
    let disparities = g
        .disparities
        .iter()
        .map(|d| {
            let ratio = is_ratio(d.disparity);
            let threshold = if ratio { min_ratio } else { max_difference };
            let violated = (d.method == Method::BetweenGroups)
                .then_some(d.value)
                .flatten()
                .map(|v| if ratio { v < threshold } else { v > threshold });
            DisparityDto {
                name: d.disparity.name().to_string(),
                method: d.method.name().to_string(),
                value: d.value,
                interval: interval(&d.interval),
                kind: if ratio { "ratio" } else { "difference" }.to_string(),
                threshold,
                violated,
            }
        })
        .collect();
    let label = |i: Option<usize>| i.and_then(|i| g.groups.get(i)).map(|g| g.label());
    GroupingDto {
        columns: g.columns.clone(),
        groups: g.groups.iter().map(group_dto).collect(),
        disparities,
        disparate_impact: DisparateImpactDto {
            ratio: g.disparate_impact.ratio,
            four_fifths_violation: g.disparate_impact.four_fifths_violation,
            lowest_group: label(g.disparate_impact.lowest_group),
            highest_group: label(g.disparate_impact.highest_group),
            interval: interval(&g.disparate_impact.interval),
        },
    }
}

// ------------------------------------------------------------------------------------------
// Reading

/// A column of the file, for choosing the label, prediction and sensitive columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub dtype: String,
    pub kind: String,
    pub distinct: Option<u64>,
    /// Up to 20 distinct values, as strings (sorted), when the column has that few.
    pub values: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    pub label: Option<String>,
    pub prediction: Option<String>,
    pub positive_label: Option<String>,
    /// Whether the guessed prediction is a score.
    pub score: bool,
    pub sensitive: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileColumns {
    pub path: String,
    pub rows: u64,
    pub columns: Vec<ColumnInfo>,
    pub guess: Guess,
}

const MAX_LISTED_VALUES: usize = 20;

/// The columns of a predictions file with their few values, and good guesses for each role.
pub fn columns(path: &Path) -> Result<FileColumns, FairnessFailure> {
    let profile = crate::data::profile(path)?;
    let mut infos = Vec::new();
    for c in &profile.columns {
        let (distinct, values) = match &c.stats {
            crate::data::ColumnStats::Category(s) => {
                let values: Vec<String> = s.top.iter().map(|(v, _)| v.clone()).collect();
                let complete = s.other == 0 && values.len() <= MAX_LISTED_VALUES;
                (Some(s.cardinality), complete.then(|| sorted(values)))
            }
            crate::data::ColumnStats::Numeric(s) => (Some(s.distinct_approx), None),
            _ => (None, None),
        };
        infos.push(ColumnInfo {
            name: c.name.clone(),
            dtype: c.dtype.clone(),
            kind: c.kind.as_str().to_string(),
            distinct,
            values,
        });
    }
    // Few-valued integer columns: list their values too (labels are often 0/1 integers).
    let few_numeric: Vec<String> = infos
        .iter()
        .filter(|c| {
            c.kind == "numerical" && c.distinct.is_some_and(|d| d <= MAX_LISTED_VALUES as u64)
        })
        .map(|c| c.name.clone())
        .collect();
    if !few_numeric.is_empty() {
        let (format, lf) = scan(path)?;
        let exprs: Vec<Expr> = few_numeric
            .iter()
            .map(|n| {
                Expr::Column(n.as_str().into())
                    .cast(DataType::String)
                    .unique()
                    .implode(false)
                    .alias(n.as_str())
            })
            .collect();
        let df = crate::data::guard(path, format, || lf.select(exprs).collect())?;
        for info in infos.iter_mut().filter(|c| few_numeric.contains(&c.name)) {
            let values = crate::data::guard(path, format, || {
                let list = df.column(&info.name)?.list()?.get_as_series(0);
                Ok(list
                    .map(|s| {
                        s.str()
                            .map(|ca| ca.iter().flatten().map(str::to_string).collect::<Vec<_>>())
                            .unwrap_or_default()
                    })
                    .unwrap_or_default())
            })?;
            if values.len() <= MAX_LISTED_VALUES {
                info.values = Some(sorted(values));
            }
        }
    }
    let guess = guess(&infos);
    Ok(FileColumns {
        path: path.display().to_string(),
        rows: profile.rows,
        columns: infos,
        guess,
    })
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn binary(c: &ColumnInfo) -> bool {
    c.values
        .as_ref()
        .is_some_and(|v| v.len() <= 2 && !v.is_empty())
}

fn guess(columns: &[ColumnInfo]) -> Guess {
    // The first name of the list that a column has (the list is in order of preference).
    let named = |names: &[&str]| {
        names.iter().find_map(|n| {
            columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(n))
                .map(|c| c.name.clone())
        })
    };
    let label = named(&[
        "label", "y", "target", "y_true", "truth", "actual", "outcome", "class",
    ])
    .or_else(|| columns.iter().find(|c| binary(c)).map(|c| c.name.clone()));
    let prediction = named(&[
        "prediction",
        "pred",
        "y_pred",
        "predicted",
        "score",
        "proba",
        "probability",
    ])
    .or_else(|| {
        columns
            .iter()
            .find(|c| binary(c) && Some(&c.name) != label.as_ref())
            .map(|c| c.name.clone())
    });
    let prediction_info = prediction
        .as_ref()
        .and_then(|p| columns.iter().find(|c| &c.name == p));
    let score = prediction_info.is_some_and(|c| c.kind == "numerical" && !binary(c));
    let positive_label = label
        .as_ref()
        .and_then(|l| columns.iter().find(|c| &c.name == l))
        .and_then(|c| c.values.clone())
        .and_then(|v| {
            ["1", "true", "yes", "1.0"]
                .iter()
                .find(|p| v.iter().any(|x| x.eq_ignore_ascii_case(p)))
                .map(|p| {
                    v.iter()
                        .find(|x| x.eq_ignore_ascii_case(p))
                        .cloned()
                        .unwrap_or_default()
                })
        });
    const SENSITIVE: &[&str] = &[
        "sex",
        "gender",
        "race",
        "ethnicity",
        "age_group",
        "age_band",
        "agegroup",
        "nationality",
        "religion",
        "disability",
        "marital_status",
        "country",
        "region",
    ];
    let mut sensitive: Vec<String> = columns
        .iter()
        .filter(|c| SENSITIVE.contains(&c.name.to_ascii_lowercase().as_str()))
        .map(|c| c.name.clone())
        .collect();
    sensitive.retain(|s| Some(s) != label.as_ref() && Some(s) != prediction.as_ref());
    Guess {
        label,
        prediction,
        positive_label,
        score,
        sensitive,
    }
}

fn check_column(schema: &Schema, path: &Path, name: &str) -> Result<DataType, FairnessFailure> {
    schema
        .get(name)
        .cloned()
        .ok_or_else(|| FairnessFailure::UnknownColumn {
            column: name.to_string(),
            path: path.to_path_buf(),
            available: schema
                .iter_names()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Values of a column as strings ("1", "true", "a"), for the binary mapping: the drift
/// check's category rule.
fn strings(column: &Column) -> PolarsResult<StringChunked> {
    crate::drift::sample::category_strings(column)
}

/// Maps a column to "is positive"; `positive` is checked against its values. Integer columns
/// are compared as integers (no string per row), others by their string values.
fn to_binary(
    role: &'static str,
    name: &str,
    column: &Column,
    positive: &str,
    allow_absent: bool,
    path: &Path,
) -> Result<Vec<bool>, FairnessFailure> {
    if column.null_count() > 0 {
        return Err(FairnessFailure::Missing {
            role,
            column: name.to_string(),
            count: column.null_count(),
            path: path.to_path_buf(),
        });
    }
    let polars = |e: PolarsError| FairnessFailure::BadOption(format!("column '{name}': {e}"));
    if column.dtype().is_integer()
        && let Ok(p) = positive.trim().parse::<i64>()
    {
        let ints = column.cast(&DataType::Int64).map_err(polars)?;
        let values: Vec<i64> = ints.i64().map_err(polars)?.iter().flatten().collect();
        let mapped = if allow_absent {
            metrics::binarize_predictions(name, &values, &p)
        } else {
            metrics::binarize_labels(name, &values, &p)
        };
        return Ok(mapped?);
    }
    let ca = strings(column).map_err(polars)?;
    let values: Vec<&str> = ca.iter().map(|v| v.unwrap_or_default()).collect();
    let mapped = if allow_absent {
        metrics::binarize_predictions(name, &values, &positive)
    } else {
        metrics::binarize_labels(name, &values, &positive)
    };
    Ok(mapped?)
}

/// Codes a sensitive column: strings as they are, integers in numeric order (as Fairlearn
/// sorts them), anything else by its string form; a missing value is [`MISSING_GROUP`].
fn encode(name: &str, column: &Column) -> PolarsResult<EncodedColumn> {
    if column.dtype().is_integer() && column.null_count() == 0 {
        let ints = column.cast(&DataType::Int64)?;
        let ca = ints.i64()?;
        let unique = ints.unique()?;
        let mut distinct: Vec<i64> = unique.i64()?.iter().flatten().collect();
        distinct.sort_unstable();
        if distinct.len() <= metrics::MAX_INTERSECTIONS {
            let codes = ca
                .iter()
                .map(|v| distinct.binary_search(&v.unwrap_or_default()).unwrap_or(0) as u32)
                .collect();
            return Ok(EncodedColumn {
                name: name.to_string(),
                codes,
                values: distinct.iter().map(i64::to_string).collect(),
            });
        }
    }
    let ca = if column.dtype().is_string() {
        column.str()?.clone()
    } else {
        strings(column)?
    };
    let values: Vec<&str> = ca.iter().map(|v| v.unwrap_or(MISSING_GROUP)).collect();
    Ok(EncodedColumn::from_values(name, &values))
}

fn default_positive(name: &str, column: &Column) -> Result<String, FairnessFailure> {
    let polars = |e: PolarsError| FairnessFailure::BadOption(format!("column '{name}': {e}"));
    // The distinct values (a label has two), then the usual positive spellings.
    let unique = column.unique().map_err(polars)?;
    let ca = strings(&unique).map_err(polars)?;
    let mut seen: Vec<&str> = Vec::new();
    for v in ca.iter().flatten() {
        if !seen.contains(&v) {
            seen.push(v);
            if seen.len() > 2 {
                break;
            }
        }
    }
    ["1", "true", "True", "yes"]
        .iter()
        .find(|p| seen.contains(p))
        .map(|p| p.to_string())
        .ok_or_else(|| {
            FairnessFailure::BadOption(format!(
                "cannot tell the positive label of '{name}' (values: {}): give it with --positive-label",
                seen.join(", ")
            ))
        })
}

/// What one file gives: the metrics report and the facts about the file.
struct Measured {
    report: metrics::FairnessReport,
    data: DataInfo,
    positive: String,
    threshold: Option<f64>,
}

fn measure(request: &FairnessRequest, path: &Path) -> Result<Measured, FairnessFailure> {
    // The file's hash (for the report) is computed alongside the check: on a large file it
    // costs as much as the counting.
    std::thread::scope(|scope| {
        let hash = scope.spawn(|| crate::drift::compare::hash_file(path));
        let measured = measure_rows(request, path);
        let hash = hash.join().unwrap_or_else(|_| {
            Err(DataError::new(
                path,
                crate::data::DataErrorKind::Crashed {
                    format: TabularFormat::from_path(path).unwrap_or(TabularFormat::Csv),
                    detail: "hashing stopped".into(),
                },
            ))
        });
        let mut measured = measured?;
        measured.data.hash = hash?;
        Ok(measured)
    })
}

fn measure_rows(request: &FairnessRequest, path: &Path) -> Result<Measured, FairnessFailure> {
    if request.sensitive.is_empty() {
        return Err(FairnessFailure::Metrics(FairnessError::NoSensitiveColumn));
    }
    let (format, lf) = scan(path)?;
    let schema = crate::data::guard(path, format, || lf.clone().collect_schema())?;
    check_column(&schema, path, &request.label)?;
    let prediction_type = check_column(&schema, path, &request.prediction)?;
    for s in &request.sensitive {
        check_column(&schema, path, s)?;
    }
    let mut names: Vec<&str> = vec![&request.label, &request.prediction];
    for s in &request.sensitive {
        if !names.contains(&s.as_str()) {
            names.push(s);
        }
    }
    let exprs: Vec<Expr> = names.iter().map(|n| Expr::Column((*n).into())).collect();
    let df = crate::data::guard(path, format, || lf.select(exprs).collect())?;
    let polars = |e: PolarsError| {
        FairnessFailure::Data(DataError::new(
            path,
            crate::data::DataErrorKind::Malformed {
                format,
                detail: e.to_string(),
            },
        ))
    };
    let label_column = df.column(&request.label).map_err(polars)?;
    let positive = match &request.positive_label {
        Some(p) => p.clone(),
        None => default_positive(&request.label, label_column)?,
    };
    let labels = to_binary(
        "label",
        &request.label,
        label_column,
        &positive,
        false,
        path,
    )?;

    // A float prediction with values other than 0/1, or an explicit threshold: a score.
    let pcol = df.column(&request.prediction).map_err(polars)?;
    let is_score = request.score_threshold.is_some()
        || (prediction_type.is_float() && {
            let f = pcol.cast(&DataType::Float64).map_err(polars)?;
            f.f64()
                .map_err(polars)?
                .iter()
                .flatten()
                .any(|v| v != 0.0 && v != 1.0)
        });
    let mut scores: Vec<f64> = Vec::new();
    let mut predicted: Vec<bool> = Vec::new();
    let threshold = if is_score {
        let t = request.score_threshold.unwrap_or(0.5);
        let f = pcol.cast(&DataType::Float64).map_err(polars)?;
        let ca = f.f64().map_err(polars)?;
        if ca.null_count() > 0 {
            return Err(FairnessFailure::Missing {
                role: "prediction",
                column: request.prediction.clone(),
                count: ca.null_count(),
                path: path.to_path_buf(),
            });
        }
        scores = ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        Some(t)
    } else {
        predicted = to_binary(
            "prediction",
            &request.prediction,
            pcol,
            &positive,
            true,
            path,
        )?;
        None
    };
    let mut encoded = Vec::with_capacity(request.sensitive.len());
    for s in &request.sensitive {
        encoded.push(encode(s, df.column(s).map_err(polars)?).map_err(polars)?);
    }
    drop(df);
    let columns: Vec<_> = encoded.iter().map(EncodedColumn::as_column).collect();
    let predictions = match threshold {
        Some(t) => Predictions::Score {
            scores: &scores,
            threshold: t,
        },
        None => Predictions::Class(&predicted),
    };
    let input = ClassificationInput {
        labels: &labels,
        predictions,
        sensitive: &columns,
    };
    let options = FairnessOptions {
        min_group_size: request.min_group_size,
        bootstrap: request.bootstrap,
        ..FairnessOptions::default()
    };
    let report = metrics::fairness_report(&input, &options)?;
    let hash = String::new(); // filled in by `measure`
    Ok(Measured {
        data: DataInfo {
            path: path.display().to_string(),
            format: TabularFormat::from_path(path)
                .map_or("", |f| f.as_str())
                .to_string(),
            rows: report.rows,
            hash,
        },
        report,
        positive,
        threshold,
    })
}

/// Runs the check described by `request`.
pub fn run(request: &FairnessRequest) -> Result<FairnessCheck, FairnessFailure> {
    let started = Instant::now();
    if !(request.max_difference >= 0.0 && request.max_difference <= 1.0) {
        return Err(FairnessFailure::BadOption(format!(
            "max difference {} is out of range: expected 0 to 1",
            request.max_difference
        )));
    }
    if !(request.min_ratio >= 0.0 && request.min_ratio <= 1.0) {
        return Err(FairnessFailure::BadOption(format!(
            "min ratio {} is out of range: expected 0 to 1",
            request.min_ratio
        )));
    }
    let now = measure(request, &request.path)?;
    let groupings: Vec<GroupingDto> = now
        .report
        .groupings
        .iter()
        .map(|g| grouping_dto(g, request.max_difference, request.min_ratio))
        .collect();
    let violations = groupings
        .iter()
        .flat_map(|g| &g.disparities)
        .filter(|d| d.violated == Some(true))
        .count();
    let comparison = match &request.compare_with {
        None => None,
        Some(earlier) => {
            let before = measure(request, earlier)?;
            Some(compare(&before, &now))
        }
    };
    Ok(FairnessCheck {
        format_version: 1,
        data: now.data.clone(),
        label: request.label.clone(),
        prediction: request.prediction.clone(),
        positive_label: now.positive.clone(),
        score_threshold: now.threshold,
        sensitive: request.sensitive.clone(),
        min_group_size: request.min_group_size,
        max_difference: request.max_difference,
        min_ratio: request.min_ratio,
        overall: group_dto(&now.report.overall),
        groupings,
        violations,
        passed: violations == 0,
        elapsed_ms: started.elapsed().as_millis() as u64,
        comparison,
    })
}

/// What moved from `before` to `now`: every group metric and between-groups disparity, the
/// largest absolute changes first (undefined on either side last).
fn compare(before: &Measured, now: &Measured) -> ComparisonDto {
    let mut changes = Vec::new();
    let metrics_shown = [
        Metric::SelectionRate,
        Metric::TruePositiveRate,
        Metric::FalsePositiveRate,
        Metric::Accuracy,
        Metric::Precision,
    ];
    let change = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    for g in &now.report.groupings {
        let name = g.columns.join(" × ");
        let Some(old) = before
            .report
            .groupings
            .iter()
            .find(|o| o.columns == g.columns)
        else {
            continue;
        };
        for group in &g.groups {
            let prior = old.groups.iter().find(|o| o.values == group.values);
            for m in metrics_shown {
                let (a, b) = (prior.and_then(|p| p.get(m)), group.get(m));
                changes.push(ChangeDto {
                    grouping: name.clone(),
                    group: group.label(),
                    metric: m.name().to_string(),
                    before: a,
                    after: b,
                    change: change(a, b),
                });
            }
        }
        for d in Disparity::ALL {
            let (a, b) = (
                old.disparity(d, Method::BetweenGroups).value,
                g.disparity(d, Method::BetweenGroups).value,
            );
            changes.push(ChangeDto {
                grouping: name.clone(),
                group: "*".to_string(),
                metric: d.name().to_string(),
                before: a,
                after: b,
                change: change(a, b),
            });
        }
    }
    changes.sort_by(|x, y| {
        let (a, b) = (x.change.map(f64::abs), y.change.map(f64::abs));
        b.unwrap_or(-1.0).total_cmp(&a.unwrap_or(-1.0))
    });
    ComparisonDto {
        path: before.data.path.clone(),
        rows: before.data.rows,
        changes,
    }
}

// ------------------------------------------------------------------------------------------
// Regression

/// The fairness of a regressor: per group the mean prediction, the mean label and the mean
/// absolute error, with Fairlearn's differences and ratios of each across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionCheck {
    pub format_version: u32,
    /// Always `regression`.
    pub task: &'static str,
    pub data: DataInfo,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    pub min_group_size: u64,
    pub overall: RegressionGroupDto,
    pub groupings: Vec<RegressionGroupingDto>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionGroupDto {
    pub label: String,
    pub values: Vec<String>,
    pub count: u64,
    pub below_min_size: bool,
    pub mean_prediction: Option<f64>,
    pub mean_label: Option<f64>,
    pub mae: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionGroupingDto {
    pub columns: Vec<String>,
    pub groups: Vec<RegressionGroupDto>,
    /// Per metric: Fairlearn's `group_min`, `group_max`, `difference` and `ratio` (between
    /// groups and to overall).
    pub summaries: Vec<SummaryDto>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryDto {
    pub metric: String,
    pub overall: Option<f64>,
    pub group_min: Option<f64>,
    pub group_max: Option<f64>,
    pub difference_between_groups: Option<f64>,
    pub ratio_between_groups: Option<f64>,
    pub difference_to_overall: Option<f64>,
    pub ratio_to_overall: Option<f64>,
}

fn regression_group(g: &metrics::RegressionGroupMetrics) -> RegressionGroupDto {
    RegressionGroupDto {
        label: if g.values.is_empty() {
            "overall".to_string()
        } else {
            g.values.join(" | ")
        },
        values: g.values.clone(),
        count: g.count,
        below_min_size: g.below_min_size,
        mean_prediction: g.mean_prediction,
        mean_label: g.mean_label,
        mae: g.mae,
    }
}

/// Numbers of a column for regression: every value must be a finite number.
fn numbers(
    role: &'static str,
    name: &str,
    column: &Column,
    path: &Path,
) -> Result<Vec<f64>, FairnessFailure> {
    let f = column.cast(&DataType::Float64).map_err(|e| {
        FairnessFailure::BadOption(format!("the {role} column '{name}' is not numeric: {e}"))
    })?;
    let ca = f
        .f64()
        .map_err(|e| FairnessFailure::BadOption(format!("the {role} column '{name}': {e}")))?;
    if ca.null_count() > 0 {
        return Err(FairnessFailure::Missing {
            role,
            column: name.to_string(),
            count: ca.null_count(),
            path: path.to_path_buf(),
        });
    }
    Ok(ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// Runs a regression fairness check: `request`'s label and prediction are numbers.
pub fn run_regression(request: &FairnessRequest) -> Result<RegressionCheck, FairnessFailure> {
    let started = Instant::now();
    let path = &request.path;
    if request.sensitive.is_empty() {
        return Err(FairnessFailure::Metrics(FairnessError::NoSensitiveColumn));
    }
    let (format, lf) = scan(path)?;
    let schema = crate::data::guard(path, format, || lf.clone().collect_schema())?;
    for c in [&request.label, &request.prediction]
        .into_iter()
        .chain(&request.sensitive)
    {
        check_column(&schema, path, c)?;
    }
    let mut names: Vec<&str> = vec![&request.label, &request.prediction];
    for s in &request.sensitive {
        if !names.contains(&s.as_str()) {
            names.push(s);
        }
    }
    let exprs: Vec<Expr> = names.iter().map(|n| Expr::Column((*n).into())).collect();
    let df = crate::data::guard(path, format, || lf.select(exprs).collect())?;
    let col = |n: &str| {
        df.column(n)
            .map_err(|e| FairnessFailure::BadOption(format!("column '{n}': {e}")))
    };
    let labels = numbers("label", &request.label, col(&request.label)?, path)?;
    let predictions = numbers(
        "prediction",
        &request.prediction,
        col(&request.prediction)?,
        path,
    )?;
    let mut encoded = Vec::with_capacity(request.sensitive.len());
    for s in &request.sensitive {
        encoded.push(
            encode(s, col(s)?)
                .map_err(|e| FairnessFailure::BadOption(format!("column '{s}': {e}")))?,
        );
    }
    let columns: Vec<_> = encoded.iter().map(EncodedColumn::as_column).collect();
    let report = metrics::regression_report(
        &metrics::RegressionInput {
            labels: &labels,
            predictions: &predictions,
            sensitive: &columns,
        },
        request.min_group_size,
    )?;
    let hash = crate::drift::compare::hash_file(path)?;
    Ok(RegressionCheck {
        format_version: 1,
        task: "regression",
        data: DataInfo {
            path: path.display().to_string(),
            format: format.as_str().to_string(),
            rows: report.rows,
            hash,
        },
        label: request.label.clone(),
        prediction: request.prediction.clone(),
        sensitive: request.sensitive.clone(),
        min_group_size: request.min_group_size,
        overall: regression_group(&report.overall),
        groupings: report
            .groupings
            .iter()
            .map(|g| RegressionGroupingDto {
                columns: g.columns.clone(),
                groups: g.groups.iter().map(regression_group).collect(),
                summaries: g
                    .summaries
                    .iter()
                    .map(|s| SummaryDto {
                        metric: s.metric.name().to_string(),
                        overall: s.overall,
                        group_min: s.group_min,
                        group_max: s.group_max,
                        difference_between_groups: s.difference_between_groups,
                        ratio_between_groups: s.ratio_between_groups,
                        difference_to_overall: s.difference_to_overall,
                        ratio_to_overall: s.ratio_to_overall,
                    })
                    .collect(),
            })
            .collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
