//! Fairness of a classifier's (or a regressor's) predictions across sensitive groups and their
//! intersection.
//!
//! The numeric core is pure functions of integer-coded data; on the shared data its
//! classification values are Fairlearn 0.15's to the last bit (`fairlearn_tests.rs`):
//!
//! - [`error`]: why a check could not run.
//! - [`input`]: labels and predictions mapped to "is positive", sensitive columns as codes.
//! - [`counts`]: the one pass over the rows into a table of confusion counts (or regression
//!   sums) per intersection of the sensitive values.
//! - [`grouping`]: each grouping (a column, the intersection) as a marginal of that table, in
//!   Fairlearn's order of groups.
//! - [`metrics`]: the metrics of a group; an undefined one is `None` with its reason.
//! - [`disparity`]: Fairlearn's differences, ratios and worst cases, with its operations in its
//!   order, and the policy for undefined values.
//! - [`bootstrap`]: percentile intervals by resampling the counts, not the rows.
//! - [`classification`]: the report of a classifier from its count table.
//! - [`regression`]: the report of a regressor from its table of sums.
//!
//! A file in, a [`FairnessCheck`] out, at the edge:
//!
//! - [`request`]: what to check, and the desktop app's form of it.
//! - [`report`]: the JSON contract of DESIGN.md (CLI `--format json`, the app, approvals).
//! - [`columns`]: a file's columns and guesses for each role, for the app.
//! - [`check`]: reading a file with Polars, coding its columns, measuring, judging the
//!   thresholds, comparing with an earlier file ("what moved").
//! - [`regression_check`]: the same for a regressor.
//!
//! A file uses only files listed above it, never one below (`tests/layers.rs` checks that no two
//! files use each other).

pub mod bootstrap;
pub mod check;
pub mod classification;
pub mod columns;
pub mod counts;
pub mod disparity;
pub mod error;
pub mod grouping;
pub mod input;
pub mod metrics;
pub mod regression;
pub mod regression_check;
pub mod report;
pub mod request;

/// Most intersections (product of the sensitive columns' numbers of values) one report takes.
/// Beyond this most intersections are empty or tiny and the per-intersection table is unreadable;
/// the count table alone would take 32 MiB (classification) or 64 MiB (regression). (Here rather
/// than in `counts.rs`: the error that names it sits below every file that checks it.)
pub const MAX_INTERSECTIONS: usize = 1 << 20;

pub use bootstrap::{BootstrapOptions, Interval};
pub use check::{MISSING_GROUP, run};
pub use classification::{FairnessOptions, FairnessReport, fairness_report, report_from_counts};
pub use columns::{FileColumns, columns as fairness_columns};
pub use disparity::{Disparity, Method, UndefinedPolicy};
pub use error::{FairnessError, FairnessFailure};
pub use metrics::{GroupMetrics, Metric, Rates};
pub use regression::{RegressionReport, regression_report};
pub use regression_check::run_regression;
pub use report::{FairnessCheck, GroupRates, GroupingResult, RegressionCheck};
pub use request::{FairnessForm, FairnessRequest};

#[cfg(test)]
mod fairlearn_tests;
