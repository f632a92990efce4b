//! A fairness check of a regressor's predictions file: label and prediction read as finite
//! numbers, sensitive values coded as for a classifier (`check.rs`), and the regression report
//! turned into its JSON.

use std::path::Path;
use std::time::Instant;

use polars::prelude::*;

use crate::data::scan;

use super::check::{check_column, encode};
use super::error::{FairnessError, FairnessFailure};
use super::input::{EncodedColumn, RegressionInput};
use super::regression::regression_report;
use super::report::{
    DataInfo, FORMAT_VERSION, RegressionCheck, RegressionGroupMeans, RegressionGroupingResult,
};
use super::request::FairnessRequest;

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
    let df = crate::data::guard(path, format, || lf.select(request.column_exprs()).collect())?;
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
    let report = regression_report(
        &RegressionInput {
            labels: &labels,
            predictions: &predictions,
            sensitive: &columns,
        },
        request.min_group_size,
    )?;
    let hash = crate::data::file_hash(path)?;
    Ok(RegressionCheck {
        format_version: FORMAT_VERSION,
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
        overall: RegressionGroupMeans::from(&report.overall),
        groupings: report
            .groupings
            .iter()
            .map(RegressionGroupingResult::from)
            .collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
