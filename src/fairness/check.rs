//! A fairness check of one predictions file: read, map, count, judge, compare.
//!
//! The label and a class prediction are mapped to "is the positive label" (default: `1`, or
//! `true`, when the column has those values; otherwise `--positive-label` is required). A float
//! prediction column with values other than 0 and 1 is a score: positive when `score >=
//! threshold` (default 0.5). Sensitive values are read as strings; a missing value is a group
//! of its own, `(missing)`. Between-groups disparities are judged against two thresholds:
//! a difference above `max_difference` (default 0.1) or a ratio below `min_ratio` (default 0.8,
//! the four-fifths rule) is a violation.

use std::path::Path;
use std::time::Instant;

use polars::prelude::*;

use crate::data::{DataError, TabularFormat, scan};

use super::MAX_INTERSECTIONS;
use super::classification::{FairnessOptions, FairnessReport, fairness_report};
use super::disparity::{Disparity, Method};
use super::error::{FairnessError, FairnessFailure};
use super::input::{
    ClassificationInput, EncodedColumn, Predictions, binarize_labels, binarize_predictions,
};
use super::metrics::Metric;
use super::report::{
    Comparison, DataInfo, FORMAT_VERSION, FairnessCheck, GroupRates, GroupingResult, MetricChange,
};
use super::request::FairnessRequest;

/// The label used for a missing sensitive value.
pub const MISSING_GROUP: &str = "(missing)";

pub(super) fn check_column(
    schema: &Schema,
    path: &Path,
    name: &str,
) -> Result<DataType, FairnessFailure> {
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
    crate::data::category_strings(column)
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
            binarize_predictions(name, &values, &p)
        } else {
            binarize_labels(name, &values, &p)
        };
        return Ok(mapped?);
    }
    let ca = strings(column).map_err(polars)?;
    let values: Vec<&str> = ca.iter().map(|v| v.unwrap_or_default()).collect();
    let mapped = if allow_absent {
        binarize_predictions(name, &values, &positive)
    } else {
        binarize_labels(name, &values, &positive)
    };
    Ok(mapped?)
}

/// Codes a sensitive column: strings as they are, integers in numeric order (as Fairlearn
/// sorts them), anything else by its string form; a missing value is [`MISSING_GROUP`].
pub(super) fn encode(name: &str, column: &Column) -> PolarsResult<EncodedColumn> {
    if column.dtype().is_integer() && column.null_count() == 0 {
        let ints = column.cast(&DataType::Int64)?;
        let ca = ints.i64()?;
        let unique = ints.unique()?;
        let mut distinct: Vec<i64> = unique.i64()?.iter().flatten().collect();
        distinct.sort_unstable();
        if distinct.len() <= MAX_INTERSECTIONS {
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
    report: FairnessReport,
    data: DataInfo,
    positive: String,
    threshold: Option<f64>,
}

fn measure(request: &FairnessRequest, path: &Path) -> Result<Measured, FairnessFailure> {
    // The file's hash (for the report) is computed alongside the check: on a large file it
    // costs as much as the counting.
    std::thread::scope(|scope| {
        let hash = scope.spawn(|| crate::data::file_hash(path));
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
    let df = crate::data::guard(path, format, || lf.select(request.column_exprs()).collect())?;
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
    let report = fairness_report(&input, &options)?;
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
    let groupings: Vec<GroupingResult> = now
        .report
        .groupings
        .iter()
        .map(|g| GroupingResult::judged(g, request.max_difference, request.min_ratio))
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
        format_version: FORMAT_VERSION,
        data: now.data.clone(),
        label: request.label.clone(),
        prediction: request.prediction.clone(),
        positive_label: now.positive.clone(),
        score_threshold: now.threshold,
        sensitive: request.sensitive.clone(),
        min_group_size: request.min_group_size,
        max_difference: request.max_difference,
        min_ratio: request.min_ratio,
        overall: GroupRates::from(&now.report.overall),
        groupings,
        violations,
        passed: violations == 0,
        elapsed_ms: started.elapsed().as_millis() as u64,
        comparison,
    })
}

/// What moved from `before` to `now`: every group metric and between-groups disparity, the
/// largest absolute changes first (undefined on either side last).
fn compare(before: &Measured, now: &Measured) -> Comparison {
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
                changes.push(MetricChange {
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
            changes.push(MetricChange {
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
    Comparison {
        path: before.data.path.clone(),
        rows: before.data.rows,
        changes,
    }
}
