//! Fairness of a classifier's predictions across sensitive groups and their intersection.
//!
//! - [`metrics`]: the numeric core — one pass over integer-coded rows into a count table, every
//!   group metric and Fairlearn disparity from it (bit-identical to Fairlearn 0.15 on the shared
//!   data), bootstrap intervals.
//! - [`check`]: a file in, a [`check::FairnessCheck`] out: columns read with Polars, labels and
//!   predictions mapped to the positive class, sensitive values coded, thresholds judged, and
//!   the comparison with an earlier file ("what moved"). Its JSON is the contract of DESIGN.md.

pub mod check;
pub mod metrics;

pub use check::{
    FairnessCheck, FairnessFailure, FairnessRequest, columns as fairness_columns, run,
};
