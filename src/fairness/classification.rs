//! The fairness report of a classifier, from its count table alone: per grouping, every group's
//! metrics, each metric's summary across groups, every disparity with both methods (and its
//! bootstrap interval when asked for) and the four-fifths rule on selection rates.
//!
//! The data is read once ([`fairness_report`] counts it, `counts.rs`); everything after is
//! arithmetic on the table ([`report_from_counts`]), which is also how a table built elsewhere is
//! reported.

use super::bootstrap::{BootstrapOptions, DISPARATE_IMPACT, Interval, bootstrap_intervals};
use super::counts::{GroupCounts, count_classification};
use super::disparity::{
    Disparity, Method, MetricSummary, UndefinedPolicy, aggregate, disparity_input,
    disparity_inputs, finite, rate_aggregates,
};
use super::error::FairnessError;
use super::grouping::{GroupingMap, default_groupings};
use super::input::ClassificationInput;
use super::metrics::{DEFAULT_MIN_GROUP_SIZE, GroupMetrics, Metric};

/// The four-fifths rule (US EEOC Uniform Guidelines): a selection rate below 80 % of the highest
/// group's rate is evidence of adverse impact.
pub const FOUR_FIFTHS: f64 = 0.8;

/// A disparity of a grouping, with its bootstrap interval when asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct DisparityValue {
    pub disparity: Disparity,
    pub method: Method,
    /// `None` when undefined: no group has the metric, a ratio of 0 to 0, or (worst case of
    /// equalized odds, [`UndefinedPolicy::Exclude`]) one of its two rates is undefined.
    pub value: Option<f64>,
    pub interval: Option<Interval>,
}

/// The four-fifths rule on selection rates.
#[derive(Debug, Clone, PartialEq)]
pub struct DisparateImpact {
    /// Lowest group selection rate over the highest (the demographic parity ratio between
    /// groups).
    pub ratio: Option<f64>,
    /// `ratio < 0.8`.
    pub four_fifths_violation: Option<bool>,
    /// The groups (indices) with the lowest and the highest selection rate (the first of ties).
    pub lowest_group: Option<usize>,
    pub highest_group: Option<usize>,
    pub interval: Option<Interval>,
}

/// Options of a fairness check.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessOptions {
    pub min_group_size: u64,
    pub undefined: UndefinedPolicy,
    /// `None`: no intervals.
    pub bootstrap: Option<BootstrapOptions>,
}

impl Default for FairnessOptions {
    fn default() -> Self {
        FairnessOptions {
            min_group_size: DEFAULT_MIN_GROUP_SIZE,
            undefined: UndefinedPolicy::Exclude,
            bootstrap: None,
        }
    }
}

/// The metrics and disparities of one grouping (one sensitive column, or an intersection).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupingReport {
    /// The sensitive columns of this grouping.
    pub columns: Vec<String>,
    /// In Fairlearn's order (sorted values; intersections in product order).
    pub groups: Vec<GroupMetrics>,
    /// One per [`Metric::ALL`], in that order.
    pub summaries: Vec<MetricSummary<Metric>>,
    /// Every [`Disparity`] with both methods: `Disparity::ALL` × `Method::ALL`, in that order.
    pub disparities: Vec<DisparityValue>,
    pub disparate_impact: DisparateImpact,
}

impl GroupingReport {
    pub fn disparity(&self, disparity: Disparity, method: Method) -> &DisparityValue {
        self.disparities
            .iter()
            .find(|d| d.disparity == disparity && d.method == method)
            .expect("every disparity and method is computed")
    }
    pub fn summary(&self, metric: Metric) -> &MetricSummary<Metric> {
        self.summaries
            .iter()
            .find(|s| s.metric == metric)
            .expect("every metric is summarised")
    }
}

/// The fairness of a classifier on one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct FairnessReport {
    pub rows: u64,
    pub overall: GroupMetrics,
    /// [`default_groupings`]: each sensitive column, then the intersection of all.
    pub groupings: Vec<GroupingReport>,
    pub options: FairnessOptions,
}

/// Counts the rows once and reports every metric and disparity.
pub fn fairness_report(
    input: &ClassificationInput,
    options: &FairnessOptions,
) -> Result<FairnessReport, FairnessError> {
    check_options(options)?;
    let counts = count_classification(input)?;
    report_from_counts(&counts, options)
}

fn check_options(options: &FairnessOptions) -> Result<(), FairnessError> {
    if let Some(b) = &options.bootstrap {
        if b.replicates == 0 {
            return Err(FairnessError::InvalidOption {
                option: "bootstrap replicates",
                reason: "must be at least 1".to_string(),
            });
        }
        if !(b.confidence > 0.0 && b.confidence < 1.0) {
            return Err(FairnessError::InvalidOption {
                option: "bootstrap confidence",
                reason: format!("must be between 0 and 1, got {}", b.confidence),
            });
        }
    }
    Ok(())
}
/// Every metric and disparity from the count table (no pass over rows).
pub fn report_from_counts(
    counts: &GroupCounts,
    options: &FairnessOptions,
) -> Result<FairnessReport, FairnessError> {
    check_options(options)?;
    let combinations: usize = counts.columns.iter().map(|c| c.values.len()).product();
    if counts.columns.is_empty() {
        return Err(FairnessError::NoSensitiveColumn);
    }
    if counts.cells.len() != combinations {
        return Err(FairnessError::MalformedCounts {
            cells: counts.cells.len(),
            combinations,
        });
    }
    let overall = counts.overall();
    if overall.rows() == 0 {
        return Err(FairnessError::EmptyInput);
    }
    let policy = options.undefined;
    let maps: Vec<GroupingMap> = default_groupings(counts.columns.len())
        .iter()
        .map(|cols| GroupingMap::new(counts, cols))
        .collect();
    let intervals = options
        .bootstrap
        .map(|b| bootstrap_intervals(counts, &maps, policy, &b));

    let mut groupings = Vec::with_capacity(maps.len());
    let mut cells = Vec::new();
    let mut scratch = Vec::new();
    for (k, map) in maps.iter().enumerate() {
        map.aggregate(&counts.cells, &mut cells);
        let groups: Vec<GroupMetrics> = cells
            .iter()
            .enumerate()
            .map(|(g, c)| {
                GroupMetrics::new(map.values(&counts.columns, g), *c, options.min_group_size)
            })
            .collect();
        let summaries = Metric::ALL
            .iter()
            .map(|&metric| {
                disparity_inputs(metric, &cells, policy, &mut scratch);
                if metric == Metric::Count {
                    // Fairlearn's count of an empty intersection is NaN too.
                    for (v, c) in scratch.iter_mut().zip(&cells) {
                        if c.rows() == 0 {
                            *v = f64::NAN;
                        }
                    }
                }
                let a = aggregate(&scratch, disparity_input(metric, &overall, policy));
                MetricSummary::of(metric, metric.of(&overall).ok(), &scratch, &a)
            })
            .collect();
        let rates = rate_aggregates(&cells, &overall, policy, &mut scratch);
        let mut disparities = Vec::with_capacity(12);
        for (d, &disparity) in Disparity::ALL.iter().enumerate() {
            for (m, &method) in Method::ALL.iter().enumerate() {
                disparities.push(DisparityValue {
                    disparity,
                    method,
                    value: finite(disparity.of(method, &rates, policy)),
                    interval: intervals.as_ref().and_then(|iv| iv[k][d * 2 + m]),
                });
            }
        }
        let selection: Vec<f64> = cells
            .iter()
            .map(|c| disparity_input(Metric::SelectionRate, c, policy))
            .collect();
        let ratio = finite(rates[0].ratio_between);
        let position = |target: f64| selection.iter().position(|&v| v == target);
        let disparate_impact = DisparateImpact {
            ratio,
            four_fifths_violation: ratio.map(|r| r < FOUR_FIFTHS),
            lowest_group: position(rates[0].min),
            highest_group: position(rates[0].max),
            interval: intervals.as_ref().and_then(|iv| iv[k][DISPARATE_IMPACT]),
        };
        groupings.push(GroupingReport {
            columns: map
                .columns
                .iter()
                .map(|&c| counts.columns[c].name.clone())
                .collect(),
            groups,
            summaries,
            disparities,
            disparate_impact,
        });
    }
    Ok(FairnessReport {
        rows: overall.rows(),
        overall: GroupMetrics::new(Vec::new(), overall, options.min_group_size),
        groupings,
        options: options.clone(),
    })
}

#[cfg(test)]
#[path = "classification_tests.rs"]
mod tests;
