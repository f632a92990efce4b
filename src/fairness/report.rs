//! The fairness report as users read it: the JSON `driftdeck fairness --format json` prints, the
//! app shows and an approval keeps as evidence, read off the numeric core's reports.
//!
//! Field names are a contract (DESIGN.md, "driftdeck fairness --format json"): add fields, never
//! rename them. Metrics and disparities are names (`selection_rate`,
//! `demographic_parity_ratio`), not enums, so that a reader needs no Rust to read them. A value
//! that is undefined is `null`. Rates and their disparities are never infinite; a regression ratio
//! can be (a group mean of 0 in the denominator), and serde_json writes it as `null` too.
//!
//! Types here carry `specta::Type` under the `specta` feature: the desktop shell sends them to
//! its web UI as they are.

use serde::Serialize;

use super::bootstrap::Interval;
use super::classification::GroupingReport;
use super::disparity::{Disparity, Method, MetricSummary, SummaryValues};
use super::metrics::{GroupMetrics, Rates};
use super::regression::{RegressionGroupMetrics, RegressionGroupingReport, RegressionMetric};

/// The current report format; bumped only for an incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// The fairness of a classifier's predictions in one file, judged against two thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    pub overall: GroupRates,
    /// Each sensitive column, then the intersection of all (when there are several).
    pub groupings: Vec<GroupingResult>,
    /// Between-groups disparities beyond their threshold, over all groupings.
    pub violations: usize,
    pub passed: bool,
    pub elapsed_ms: u64,
    pub comparison: Option<Comparison>,
}

/// The file a check read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DataInfo {
    pub path: String,
    pub format: String,
    pub rows: u64,
    pub hash: String,
}

/// One group's count and rates (or all rows': label `overall`, no values).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupRates {
    pub label: String,
    pub values: Vec<String>,
    pub count: u64,
    pub below_min_size: bool,
    #[serde(flatten)]
    pub rates: Rates,
    pub undefined: Vec<UndefinedRate>,
}

/// A rate a group has no value for, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UndefinedRate {
    pub metric: String,
    pub reason: String,
}

/// One grouping (a sensitive column, or the intersection): its groups, its disparities judged
/// against the thresholds, and the four-fifths rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupingResult {
    pub columns: Vec<String>,
    pub groups: Vec<GroupRates>,
    pub disparities: Vec<DisparityResult>,
    pub disparate_impact: DisparateImpactResult,
}

/// A bootstrap percentile interval's bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IntervalBounds {
    pub low: f64,
    pub high: f64,
    pub confidence: f64,
}

/// What a disparity is (what `kind` holds).
#[cfg(feature = "specta")]
#[derive(Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // it types `DisparityResult::kind` for the UI
pub enum DisparityKind {
    Difference,
    Ratio,
}

/// A disparity of a grouping with one method, its threshold and whether it is beyond it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DisparityResult {
    /// Fairlearn's name.
    pub name: String,
    /// `between_groups` or `to_overall`.
    pub method: String,
    pub value: Option<f64>,
    pub interval: Option<IntervalBounds>,
    /// `difference` (violated above the threshold) or `ratio` (violated below it).
    #[cfg_attr(feature = "specta", specta(type = DisparityKind))]
    pub kind: String,
    pub threshold: f64,
    /// Judged for `between_groups` only; `None` also when the value is undefined.
    pub violated: Option<bool>,
}

/// The four-fifths rule on a grouping's selection rates, with the groups at either end.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DisparateImpactResult {
    pub ratio: Option<f64>,
    pub four_fifths_violation: Option<bool>,
    pub lowest_group: Option<String>,
    pub highest_group: Option<String>,
    pub interval: Option<IntervalBounds>,
}

/// What moved since an earlier file with the same columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Comparison {
    pub path: String,
    pub rows: u64,
    /// The largest moves first.
    pub changes: Vec<MetricChange>,
}

/// One metric of one group (or one disparity of a grouping), before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MetricChange {
    /// The grouping's columns joined with " × ".
    pub grouping: String,
    pub group: String,
    /// A metric name, or a disparity's name for the grouping's disparities (group `*`).
    pub metric: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: Option<f64>,
}

impl From<&Interval> for IntervalBounds {
    fn from(i: &Interval) -> IntervalBounds {
        IntervalBounds {
            low: i.low,
            high: i.high,
            confidence: i.confidence,
        }
    }
}

impl From<&GroupMetrics> for GroupRates {
    fn from(g: &GroupMetrics) -> GroupRates {
        GroupRates {
            label: if g.values.is_empty() {
                "overall".to_string()
            } else {
                g.label()
            },
            values: g.values.clone(),
            count: g.count,
            below_min_size: g.below_min_size,
            rates: g.rates,
            undefined: g
                .undefined
                .iter()
                .map(|u| UndefinedRate {
                    metric: u.metric.name().to_string(),
                    reason: u.reason.to_string(),
                })
                .collect(),
        }
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

impl GroupingResult {
    /// A grouping of the numeric report, its between-groups disparities judged: a difference
    /// above `max_difference` or a ratio below `min_ratio` is violated.
    pub fn judged(g: &GroupingReport, max_difference: f64, min_ratio: f64) -> GroupingResult {
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
                DisparityResult {
                    name: d.disparity.name().to_string(),
                    method: d.method.name().to_string(),
                    value: d.value,
                    interval: d.interval.as_ref().map(IntervalBounds::from),
                    kind: if ratio { "ratio" } else { "difference" }.to_string(),
                    threshold,
                    violated,
                }
            })
            .collect();
        let label = |i: Option<usize>| i.and_then(|i| g.groups.get(i)).map(|g| g.label());
        GroupingResult {
            columns: g.columns.clone(),
            groups: g.groups.iter().map(GroupRates::from).collect(),
            disparities,
            disparate_impact: DisparateImpactResult {
                ratio: g.disparate_impact.ratio,
                four_fifths_violation: g.disparate_impact.four_fifths_violation,
                lowest_group: label(g.disparate_impact.lowest_group),
                highest_group: label(g.disparate_impact.highest_group),
                interval: g
                    .disparate_impact
                    .interval
                    .as_ref()
                    .map(IntervalBounds::from),
            },
        }
    }
}

// ------------------------------------------------------------------------------------------
// Regression

/// The fairness of a regressor: per group the mean prediction, the mean label and the mean
/// absolute error, with Fairlearn's differences and ratios of each across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegressionCheck {
    pub format_version: u32,
    /// Always `regression`.
    pub task: &'static str,
    pub data: DataInfo,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    pub min_group_size: u64,
    pub overall: RegressionGroupMeans,
    pub groupings: Vec<RegressionGroupingResult>,
    pub elapsed_ms: u64,
}

/// One group's count and means (or all rows': label `overall`, no values).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegressionGroupMeans {
    pub label: String,
    pub values: Vec<String>,
    pub count: u64,
    pub below_min_size: bool,
    pub mean_prediction: Option<f64>,
    pub mean_label: Option<f64>,
    pub mae: Option<f64>,
}

/// One grouping of a regression check: its groups and each metric's summary across them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegressionGroupingResult {
    pub columns: Vec<String>,
    pub groups: Vec<RegressionGroupMeans>,
    /// Per metric: Fairlearn's `group_min`, `group_max`, `difference` and `ratio` (between
    /// groups and to overall).
    pub summaries: Vec<RegressionMetricSummary>,
}

/// A regression metric across the groups of a grouping.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegressionMetricSummary {
    pub metric: String,
    #[serde(flatten)]
    pub values: SummaryValues,
}

impl From<&RegressionGroupMetrics> for RegressionGroupMeans {
    fn from(g: &RegressionGroupMetrics) -> RegressionGroupMeans {
        RegressionGroupMeans {
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
}

impl From<&MetricSummary<RegressionMetric>> for RegressionMetricSummary {
    fn from(s: &MetricSummary<RegressionMetric>) -> RegressionMetricSummary {
        RegressionMetricSummary {
            metric: s.metric.name().to_string(),
            values: s.values,
        }
    }
}

impl From<&RegressionGroupingReport> for RegressionGroupingResult {
    fn from(g: &RegressionGroupingReport) -> RegressionGroupingResult {
        RegressionGroupingResult {
            columns: g.columns.clone(),
            groups: g.groups.iter().map(RegressionGroupMeans::from).collect(),
            summaries: g
                .summaries
                .iter()
                .map(RegressionMetricSummary::from)
                .collect(),
        }
    }
}
