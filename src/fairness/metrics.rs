//! The classification metrics of a group, each a quotient of two exact counts, and never a
//! number where it is undefined: [`GroupMetrics`] holds `None` and the [`UndefinedReason`].
//!
//! The names and definitions are Fairlearn 0.15's (`fairlearn.metrics`). A rate whose
//! denominator is zero (the true positive rate of a group with no positive labels, the precision
//! of a group never predicted positive) is NaN in sklearn's arithmetic, and sklearn turns it into
//! **0.0** (`confusion_matrix(normalize="true")` applies `nan_to_num`; `precision_score` returns
//! `zero_division=0`). Here it is `None` with its reason; how such a value enters the disparities
//! is a separate, explicit choice ([`UndefinedPolicy`](super::UndefinedPolicy)).

use std::fmt;

use serde::Serialize;

use super::counts::ConfusionCounts;

/// Groups with fewer rows than this are flagged: a rate over 30 rows has a standard error of up
/// to 0.09, the size of the disparities people act on.
pub const DEFAULT_MIN_GROUP_SIZE: u64 = 30;

/// A classification metric reported per group (Fairlearn's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Count,
    SelectionRate,
    TruePositiveRate,
    FalsePositiveRate,
    TrueNegativeRate,
    FalseNegativeRate,
    Accuracy,
    Precision,
}

impl Metric {
    pub const ALL: [Metric; 8] = [
        Metric::Count,
        Metric::SelectionRate,
        Metric::TruePositiveRate,
        Metric::FalsePositiveRate,
        Metric::TrueNegativeRate,
        Metric::FalseNegativeRate,
        Metric::Accuracy,
        Metric::Precision,
    ];

    /// The metrics that are rates: all but the count, in [`Rates`]' order.
    pub fn rates() -> &'static [Metric] {
        &Metric::ALL[1..]
    }

    /// The metric of this name, if there is one.
    pub fn named(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Count => "count",
            Metric::SelectionRate => "selection_rate",
            Metric::TruePositiveRate => "true_positive_rate",
            Metric::FalsePositiveRate => "false_positive_rate",
            Metric::TrueNegativeRate => "true_negative_rate",
            Metric::FalseNegativeRate => "false_negative_rate",
            Metric::Accuracy => "accuracy",
            Metric::Precision => "precision",
        }
    }

    /// The metric's value on some rows, or why it has none. Every rate is a quotient of two
    /// exact integer counts, correctly rounded, as in sklearn.
    pub fn of(self, c: &ConfusionCounts) -> Result<f64, UndefinedReason> {
        let ratio = |num: u64, den: u64, reason: UndefinedReason| {
            if den == 0 {
                Err(reason)
            } else {
                Ok(num as f64 / den as f64)
            }
        };
        let n = c.rows();
        if n == 0 {
            return if self == Metric::Count {
                Ok(0.0)
            } else {
                Err(UndefinedReason::EmptyGroup)
            };
        }
        use UndefinedReason::*;
        match self {
            Metric::Count => Ok(n as f64),
            Metric::SelectionRate => ratio(c.positive_predictions(), n, EmptyGroup),
            Metric::TruePositiveRate => {
                ratio(c.true_positives, c.positive_labels(), NoPositiveLabels)
            }
            Metric::FalseNegativeRate => {
                ratio(c.false_negatives, c.positive_labels(), NoPositiveLabels)
            }
            Metric::FalsePositiveRate => {
                ratio(c.false_positives, c.negative_labels(), NoNegativeLabels)
            }
            Metric::TrueNegativeRate => {
                ratio(c.true_negatives, c.negative_labels(), NoNegativeLabels)
            }
            Metric::Accuracy => ratio(c.true_positives + c.true_negatives, n, EmptyGroup),
            Metric::Precision => ratio(
                c.true_positives,
                c.positive_predictions(),
                NoPositivePredictions,
            ),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a metric has no value for a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UndefinedReason {
    /// The group has no rows (a combination of values that never occurs).
    EmptyGroup,
    /// No row of the group has the positive label (true and false negative rates).
    NoPositiveLabels,
    /// No row of the group has the negative label (false positive and true negative rates).
    NoNegativeLabels,
    /// No row of the group is predicted positive (precision).
    NoPositivePredictions,
}

impl fmt::Display for UndefinedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UndefinedReason::EmptyGroup => "the group has no rows",
            UndefinedReason::NoPositiveLabels => "the group has no positive labels",
            UndefinedReason::NoNegativeLabels => "the group has no negative labels",
            UndefinedReason::NoPositivePredictions => "the group has no positive predictions",
        })
    }
}

/// A metric a group has no value for, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndefinedMetric {
    pub metric: Metric,
    pub reason: UndefinedReason,
}

/// A rate, `None` where it is undefined (the reason is kept beside it).
pub type Rate = Option<f64>;

/// A group's classification rates (Fairlearn's names).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rates {
    pub selection_rate: Rate,
    pub true_positive_rate: Rate,
    pub false_positive_rate: Rate,
    pub true_negative_rate: Rate,
    pub false_negative_rate: Rate,
    pub accuracy: Rate,
    pub precision: Rate,
}

impl Rates {
    /// The value of a rate; `None` for [`Metric::Count`], which is not one.
    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Count => None,
            Metric::SelectionRate => self.selection_rate,
            Metric::TruePositiveRate => self.true_positive_rate,
            Metric::FalsePositiveRate => self.false_positive_rate,
            Metric::TrueNegativeRate => self.true_negative_rate,
            Metric::FalseNegativeRate => self.false_negative_rate,
            Metric::Accuracy => self.accuracy,
            Metric::Precision => self.precision,
        }
    }

    /// Each rate with its name, in [`Metric::rates`]' order.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, Option<f64>)> + '_ {
        Metric::rates().iter().map(|&m| (m.name(), self.get(m)))
    }
}

/// The classification metrics of one group (or of all rows: `values` empty).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupMetrics {
    /// The group's value in each column of its grouping.
    pub values: Vec<String>,
    pub counts: ConfusionCounts,
    pub count: u64,
    pub rates: Rates,
    /// Each rate that is `None`, with the reason.
    pub undefined: Vec<UndefinedMetric>,
    /// Fewer rows than the minimum group size: its rates are too noisy to act on.
    pub below_min_size: bool,
}

impl GroupMetrics {
    pub fn new(values: Vec<String>, counts: ConfusionCounts, min_group_size: u64) -> GroupMetrics {
        let mut undefined = Vec::new();
        let mut get = |m: Metric| match m.of(&counts) {
            Ok(v) => Some(v),
            Err(reason) => {
                undefined.push(UndefinedMetric { metric: m, reason });
                None
            }
        };
        let rates = Rates {
            selection_rate: get(Metric::SelectionRate),
            true_positive_rate: get(Metric::TruePositiveRate),
            false_positive_rate: get(Metric::FalsePositiveRate),
            true_negative_rate: get(Metric::TrueNegativeRate),
            false_negative_rate: get(Metric::FalseNegativeRate),
            accuracy: get(Metric::Accuracy),
            precision: get(Metric::Precision),
        };
        GroupMetrics {
            values,
            counts,
            count: counts.rows(),
            rates,
            undefined,
            below_min_size: counts.rows() < min_group_size,
        }
    }

    pub fn get(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::Count => Some(self.count as f64),
            rate => self.rates.get(rate),
        }
    }

    /// Why `metric` is `None` for this group, if it is.
    pub fn undefined_reason(&self, metric: Metric) -> Option<UndefinedReason> {
        self.undefined
            .iter()
            .find(|u| u.metric == metric)
            .map(|u| u.reason)
    }

    /// The group's label as Fairlearn's intersections print it: values joined with " | ".
    pub fn label(&self) -> String {
        self.values.join(" | ")
    }
}
