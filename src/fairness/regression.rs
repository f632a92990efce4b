//! The fairness of a regressor, from its table of sums: per group the count, the mean prediction,
//! the mean label and the mean absolute error, with Fairlearn's differences and ratios of each.
//!
//! The sums are compensated (`counts.rs`), so the means are Fairlearn's to ~1e-13 (NumPy sums
//! pairwise, in another order) rather than to the bit.

use super::counts::{RegressionSums, sum_regression};
use super::disparity::{MetricSummary, aggregate, finite};
use super::error::FairnessError;
use super::grouping::{GroupingMap, default_groupings};
use super::input::RegressionInput;

/// A regression metric reported per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegressionMetric {
    Count,
    MeanPrediction,
    MeanLabel,
    MeanAbsoluteError,
}

impl RegressionMetric {
    pub const ALL: [RegressionMetric; 4] = [
        RegressionMetric::Count,
        RegressionMetric::MeanPrediction,
        RegressionMetric::MeanLabel,
        RegressionMetric::MeanAbsoluteError,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RegressionMetric::Count => "count",
            RegressionMetric::MeanPrediction => "mean_prediction",
            RegressionMetric::MeanLabel => "mean_label",
            RegressionMetric::MeanAbsoluteError => "mae",
        }
    }

    /// `None` only for an empty group.
    pub fn of(self, s: &RegressionSums) -> Option<f64> {
        if self == RegressionMetric::Count {
            return Some(s.rows as f64);
        }
        if s.rows == 0 {
            return None;
        }
        let n = s.rows as f64;
        Some(match self {
            RegressionMetric::Count => n,
            RegressionMetric::MeanPrediction => s.prediction.value() / n,
            RegressionMetric::MeanLabel => s.label.value() / n,
            RegressionMetric::MeanAbsoluteError => s.absolute_error.value() / n,
        })
    }
}

/// The regression metrics of one group (or of all rows: `values` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionGroupMetrics {
    pub values: Vec<String>,
    pub count: u64,
    /// `None` for a group with no rows (an intersection that never occurs).
    pub mean_prediction: Option<f64>,
    pub mean_label: Option<f64>,
    pub mae: Option<f64>,
    pub below_min_size: bool,
}

impl RegressionGroupMetrics {
    fn new(values: Vec<String>, s: &RegressionSums, min_group_size: u64) -> Self {
        RegressionGroupMetrics {
            values,
            count: s.rows,
            mean_prediction: RegressionMetric::MeanPrediction.of(s),
            mean_label: RegressionMetric::MeanLabel.of(s),
            mae: RegressionMetric::MeanAbsoluteError.of(s),
            below_min_size: s.rows < min_group_size,
        }
    }
    pub fn label(&self) -> String {
        self.values.join(" | ")
    }
}

/// The regression metrics of one grouping (one sensitive column, or an intersection).
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionGroupingReport {
    pub columns: Vec<String>,
    pub groups: Vec<RegressionGroupMetrics>,
    /// One per [`RegressionMetric::ALL`], in that order.
    pub summaries: Vec<MetricSummary<RegressionMetric>>,
}

/// The fairness of a regressor on one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionReport {
    pub rows: u64,
    pub overall: RegressionGroupMetrics,
    pub groupings: Vec<RegressionGroupingReport>,
}

/// Sums the rows once and reports the regression metrics per group, with Fairlearn's
/// differences and ratios of each. (Bootstrap options and the undefined policy do not apply:
/// means are defined for every group with rows.)
pub fn regression_report(
    input: &RegressionInput,
    min_group_size: u64,
) -> Result<RegressionReport, FairnessError> {
    let sums = sum_regression(input)?;
    let overall = sums.overall();
    let mut groupings = Vec::new();
    let mut cells = Vec::new();
    for cols in default_groupings(sums.columns.len()) {
        let map = GroupingMap::new(&sums, &cols);
        map.aggregate(&sums.cells, &mut cells);
        let summaries = RegressionMetric::ALL
            .iter()
            .map(|&metric| {
                let values: Vec<f64> = cells
                    .iter()
                    .map(|c| {
                        if c.rows == 0 {
                            f64::NAN
                        } else {
                            metric.of(c).unwrap_or(f64::NAN)
                        }
                    })
                    .collect();
                let total = metric.of(&overall).unwrap_or(f64::NAN);
                let a = aggregate(&values, total);
                MetricSummary::of(metric, finite(total), &values, &a)
            })
            .collect();
        groupings.push(RegressionGroupingReport {
            columns: cols.iter().map(|&c| sums.columns[c].name.clone()).collect(),
            groups: cells
                .iter()
                .enumerate()
                .map(|(g, c)| {
                    RegressionGroupMetrics::new(map.values(&sums.columns, g), c, min_group_size)
                })
                .collect(),
            summaries,
        });
    }
    Ok(RegressionReport {
        rows: overall.rows,
        overall: RegressionGroupMetrics::new(Vec::new(), &overall, min_group_size),
        groupings,
    })
}
