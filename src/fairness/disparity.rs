//! Fairlearn's disparities of a grouping, computed from its groups' values with the same
//! floating-point operations in the same order as Fairlearn 0.15, so that every difference and
//! ratio is Fairlearn's to the last bit.
//!
//! What this file mirrors of Fairlearn:
//!
//! - `difference(method="between_groups")` is `max_g |m(g) - min_g m(g)|`, `ratio` is
//!   `min_g m(g) / max_g m(g)`; `to_overall` is `max_g |m(g) - m(all)|` and
//!   `min_g r(m(g) / m(all))` with `r(x) = 1/x if x > 1 else x` (`aggregate`).
//! - Equalized odds with `agg="worst_case"` (Fairlearn's default) is Python's built-in `max` (for
//!   the difference) or `min` (for the ratio) over the pair (true positive rate, false positive
//!   rate) in that order. Built-in `max`/`min` are not NaN-aware: a NaN first element wins, a NaN
//!   second element is ignored.
//! - Fairlearn counts a rate that is undefined for a group (sklearn's 0.0, see `metrics.rs`) as a
//!   rate of 0 in its min and max: one group without positives drives the equal opportunity ratio
//!   to 0 and its difference to the largest rate of the other groups.
//!
//! How undefined values enter the disparities is a choice, [`UndefinedPolicy`]: by default
//! ([`UndefinedPolicy::Exclude`]) they are left out of the min and max, and the groups left out
//! are listed in the [`MetricSummary`]; [`UndefinedPolicy::AsFairlearn`] counts them as 0, exactly
//! as Fairlearn does. On data where every group has positive and negative labels and positive
//! predictions — the shared reference data — the two agree.

use serde::Serialize;

use super::counts::ConfusionCounts;
use super::metrics::{Metric, UndefinedReason};

/// How a metric that is undefined for a group enters min, max and ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UndefinedPolicy {
    /// Leave the group out of that metric's min, max and ratios (and list it in
    /// [`MetricSummary::excluded_groups`]).
    #[default]
    Exclude,
    /// Count it as 0, as Fairlearn does (sklearn's `nan_to_num` and `zero_division=0`):
    /// bit-identical to Fairlearn, at the price of disparities driven by a rate that does not
    /// exist. Empty intersections are left out either way (Fairlearn skips their NaN).
    AsFairlearn,
}

/// Fairlearn's `method`: compare groups with each other or with all rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    BetweenGroups,
    ToOverall,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::BetweenGroups, Method::ToOverall];

    pub fn name(self) -> &'static str {
        match self {
            Method::BetweenGroups => "between_groups",
            Method::ToOverall => "to_overall",
        }
    }
}

/// A metric's value or aggregate; `None` where undefined.
pub type MetricValue = Option<f64>;

/// A metric's value over all rows and Fairlearn's aggregates of it across a grouping's groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SummaryValues {
    pub overall: MetricValue,
    pub group_min: MetricValue,
    pub group_max: MetricValue,
    pub difference_between_groups: MetricValue,
    pub ratio_between_groups: MetricValue,
    pub difference_to_overall: MetricValue,
    pub ratio_to_overall: MetricValue,
}

impl SummaryValues {
    pub fn difference(&self, method: Method) -> Option<f64> {
        match method {
            Method::BetweenGroups => self.difference_between_groups,
            Method::ToOverall => self.difference_to_overall,
        }
    }

    pub fn ratio(&self, method: Method) -> Option<f64> {
        match method {
            Method::BetweenGroups => self.ratio_between_groups,
            Method::ToOverall => self.ratio_to_overall,
        }
    }
}

/// One metric across the groups of a grouping, as Fairlearn's `MetricFrame` aggregates it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSummary<M> {
    pub metric: M,
    pub values: SummaryValues,
    /// Groups (indices) left out because the metric is undefined for them.
    pub excluded_groups: Vec<usize>,
}

impl<M> MetricSummary<M> {
    /// The summary of `metric` from its per-group `values` (NaN: undefined for that group, so
    /// left out) and their Fairlearn aggregates `a`.
    pub(super) fn of(metric: M, overall: Option<f64>, values: &[f64], a: &Aggregates) -> Self {
        MetricSummary {
            metric,
            values: SummaryValues {
                overall,
                group_min: finite(a.min),
                group_max: finite(a.max),
                difference_between_groups: finite(a.difference_between),
                ratio_between_groups: finite(a.ratio_between),
                difference_to_overall: finite(a.difference_to_overall),
                ratio_to_overall: finite(a.ratio_to_overall),
            },
            excluded_groups: values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_nan())
                .map(|(g, _)| g)
                .collect(),
        }
    }

    pub fn difference(&self, method: Method) -> Option<f64> {
        self.values.difference(method)
    }

    pub fn ratio(&self, method: Method) -> Option<f64> {
        self.values.ratio(method)
    }
}

/// Fairlearn's aggregates of one metric; NaN in `values` (and in the results) means "none".
#[derive(Debug, Clone, Copy)]
pub(super) struct Aggregates {
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) difference_between: f64,
    pub(super) ratio_between: f64,
    pub(super) difference_to_overall: f64,
    pub(super) ratio_to_overall: f64,
}

impl Aggregates {
    fn difference(&self, method: Method) -> f64 {
        match method {
            Method::BetweenGroups => self.difference_between,
            Method::ToOverall => self.difference_to_overall,
        }
    }
    fn ratio(&self, method: Method) -> f64 {
        match method {
            Method::BetweenGroups => self.ratio_between,
            Method::ToOverall => self.ratio_to_overall,
        }
    }
}

/// pandas' `Series.min()`/`max()`: NaN skipped, NaN if nothing is left.
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b < a { b } else { a }
}
fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b > a { b } else { a }
}

/// `DisaggregatedResult.difference()` / `.ratio()` / `apply_grouping()` of Fairlearn 0.15, with
/// the same operations in the same order.
pub(super) fn aggregate(values: &[f64], overall: f64) -> Aggregates {
    let min = values.iter().fold(f64::NAN, |m, &v| nan_min(m, v));
    let max = values.iter().fold(f64::NAN, |m, &v| nan_max(m, v));
    // (mf - subtrahend).abs().max()
    let difference_between = values
        .iter()
        .fold(f64::NAN, |m, &v| nan_max(m, (v - min).abs()));
    let difference_to_overall = values
        .iter()
        .fold(f64::NAN, |m, &v| nan_max(m, (v - overall).abs()));
    // ratios = by_group / overall; ratio_sub_one; min
    let ratio_to_overall = values.iter().fold(f64::NAN, |m, &v| {
        let x = v / overall;
        nan_min(m, if x > 1.0 { 1.0 / x } else { x })
    });
    Aggregates {
        min,
        max,
        difference_between,
        ratio_between: min / max,
        difference_to_overall,
        ratio_to_overall,
    }
}

pub(super) fn finite(x: f64) -> Option<f64> {
    if x.is_nan() { None } else { Some(x) }
}

/// Python's built-in `max` over `[first, second]`: NaN-unaware, so a NaN `first` wins and a NaN
/// `second` is ignored. Under [`UndefinedPolicy::Exclude`] a NaN component makes the result
/// undefined instead: a worst case over a component that does not exist is not a worst case.
fn worst_case(first: f64, second: f64, policy: UndefinedPolicy, larger_is_worse: bool) -> f64 {
    if policy == UndefinedPolicy::Exclude && (first.is_nan() || second.is_nan()) {
        return f64::NAN;
    }
    let replace = if larger_is_worse {
        second > first
    } else {
        second < first
    };
    if replace { second } else { first }
}

/// A disparity metric (Fairlearn's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disparity {
    DemographicParityDifference,
    DemographicParityRatio,
    EqualizedOddsDifference,
    EqualizedOddsRatio,
    EqualOpportunityDifference,
    EqualOpportunityRatio,
}

impl Disparity {
    pub const ALL: [Disparity; 6] = [
        Disparity::DemographicParityDifference,
        Disparity::DemographicParityRatio,
        Disparity::EqualizedOddsDifference,
        Disparity::EqualizedOddsRatio,
        Disparity::EqualOpportunityDifference,
        Disparity::EqualOpportunityRatio,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Disparity::DemographicParityDifference => "demographic_parity_difference",
            Disparity::DemographicParityRatio => "demographic_parity_ratio",
            Disparity::EqualizedOddsDifference => "equalized_odds_difference",
            Disparity::EqualizedOddsRatio => "equalized_odds_ratio",
            Disparity::EqualOpportunityDifference => "equal_opportunity_difference",
            Disparity::EqualOpportunityRatio => "equal_opportunity_ratio",
        }
    }

    /// From the aggregates of selection rate, true positive rate and false positive rate.
    pub(super) fn of(
        self,
        method: Method,
        [sel, tpr, fpr]: &[Aggregates; 3],
        policy: UndefinedPolicy,
    ) -> f64 {
        match self {
            Disparity::DemographicParityDifference => sel.difference(method),
            Disparity::DemographicParityRatio => sel.ratio(method),
            // fairlearn: max(eo.difference(method)) over the Series (tpr, fpr)
            Disparity::EqualizedOddsDifference => {
                worst_case(tpr.difference(method), fpr.difference(method), policy, true)
            }
            Disparity::EqualizedOddsRatio => {
                worst_case(tpr.ratio(method), fpr.ratio(method), policy, false)
            }
            Disparity::EqualOpportunityDifference => tpr.difference(method),
            Disparity::EqualOpportunityRatio => tpr.ratio(method),
        }
    }
}

/// The value of `metric` that enters a min, max or ratio under `policy`; NaN means "left out".
pub(super) fn disparity_input(metric: Metric, c: &ConfusionCounts, policy: UndefinedPolicy) -> f64 {
    match (metric.of(c), policy) {
        (Ok(v), _) => v,
        // Fairlearn: an empty intersection is a row of NaN, skipped by pandas.
        (Err(UndefinedReason::EmptyGroup), _) => f64::NAN,
        (Err(_), UndefinedPolicy::Exclude) => f64::NAN,
        // sklearn's nan_to_num / zero_division=0.
        (Err(_), UndefinedPolicy::AsFairlearn) => 0.0,
    }
}

/// The values that go into one metric's aggregates.
pub(super) fn disparity_inputs(
    metric: Metric,
    groups: &[ConfusionCounts],
    policy: UndefinedPolicy,
    out: &mut Vec<f64>,
) {
    out.clear();
    out.extend(groups.iter().map(|c| disparity_input(metric, c, policy)));
}

const RATES: [Metric; 3] = [
    Metric::SelectionRate,
    Metric::TruePositiveRate,
    Metric::FalsePositiveRate,
];

/// Aggregates of selection rate, TPR and FPR: all the disparities need.
pub(super) fn rate_aggregates(
    groups: &[ConfusionCounts],
    overall: &ConfusionCounts,
    policy: UndefinedPolicy,
    scratch: &mut Vec<f64>,
) -> [Aggregates; 3] {
    RATES.map(|m| {
        disparity_inputs(m, groups, policy, scratch);
        aggregate(scratch, disparity_input(m, overall, policy))
    })
}
