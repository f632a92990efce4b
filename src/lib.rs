//! Driftdeck's engine: a live catalog of the ML runs, datasets and models in a team's project
//! folders, with drift and fairness checks and publishing to an MLflow Model Registry.
//!
//! The engine knows nothing of Tauri, webviews or IPC: the `driftdeck` command-line tool and the
//! desktop shell (`src-tauri/`) are both thin layers over it. Its API is plain data: structs with
//! public fields in, structs out; IO happens only at the edges (the catalog, readers, registry).
//!
//! ```
//! use driftdeck::catalog::Catalog;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
//! let project = catalog.add_project(dir.path(), 1_700_000_000_000).unwrap();
//! assert_eq!(catalog.projects().unwrap(), vec![project]);
//! ```

pub mod catalog;
pub mod data;
pub mod drift;
pub mod error;
pub mod fairness;
pub mod hash;
pub mod json;
pub mod parallel;
pub mod policy;
pub mod record;
pub mod registry;
pub mod report;
pub mod scan;
pub mod series;
pub mod settings;
pub mod sweep;
pub mod time;
pub mod watch;

/// Test data paths: the helper the integration tests and benchmarks include too.
#[cfg(test)]
#[path = "../tests/support/test_data.rs"]
pub(crate) mod test_data;

/// The version of this build, as `driftdeck --version` prints it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
