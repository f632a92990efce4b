//! Drift statistics between a reference and a current sample of one column.
//!
//! This module is the numeric core of drift detection: pure functions over plain slices, no
//! data frames and no IO. Callers drop missing values (NaN, ±inf, nulls) from each sample
//! independently before calling in, count categories themselves, and align the two count
//! vectors on the union of categories.
//!
//! Every statistic is written to match a reference implementation users already trust
//! (scipy/numpy, and Evidently's flavour of the chi-square test) to within floating-point
//! rounding; the exact formula and binning of each is documented on the function and checked
//! against `shared/data/drift/ref/scipy_{800,100k}.json` and `evidently_methods_100k.json` in the
//! tests.
//!
//! - [`stats`]: Kolmogorov–Smirnov (exact p-values up to 10,000 rows per side), Wasserstein,
//!   energy distance, reference-quantile and Evidently binning, PSI, Jensen–Shannon, KL,
//!   Hellinger, total variation, chi-square tests, two-proportion Z-test.
//! - [`special`]: the special functions the p-values need (log-gamma, regularized incomplete
//!   gamma), hand-written so the engine needs no numerics crate.

pub mod special;
pub mod stats;

pub use stats::StatsError;
