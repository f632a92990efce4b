//! Drift detection between a reference and a current sample of a table.
//!
//! - [`compare`]: the comparison of two files: lazy scans, columns aligned by name, a schema
//!   diff, kind inference (overridable), reading in memory-bounded batches, each column tested
//!   in parallel, the dataset verdict by the drift-share rule → [`DriftReport`].
//! - [`method`]: the methods, their rules and thresholds, and Evidently's automatic choice.
//! - [`column`]: one column's test, effect size, summaries and pre-aggregated histograms.
//! - [`sample`]: a column as sorted finite numbers or category counts (radix-sorted).
//! - [`sketch`]: columns larger than memory, from streaming summaries (approximate where
//!   marked).
//! - [`timeline`]: monitoring: drift per time chunk of the current data.
//! - [`report`]: the report model, serialised as the JSON contract of DESIGN.md.
//! - [`stats`]: the statistics themselves, pure functions checked against scipy and Evidently.
//! - [`special`]: the special functions the p-values need (log-gamma, incomplete gamma),
//!   hand-written so the engine needs no numerics crate.
//!
//! Missing values (null, NaN, ±inf) are dropped from each sample independently before any
//! test, as Evidently does, and counted in the report.

pub mod column;
pub mod compare;
pub mod error;
pub mod method;
pub mod options;
pub mod read;
pub mod report;
pub mod sample;
pub mod schema;
pub mod sketch;
pub mod special;
pub mod stats;
pub mod timeline;

pub use compare::{compare, compare_with_cache};
pub use error::DriftError;
pub use method::Method;
pub use options::{DriftOptions, Progress};
pub use report::DriftReport;
pub use stats::StatsError;
