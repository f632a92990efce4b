//! Scanning project folders: the walk, the readers (one per format), and the incremental index.
//!
//! A reader decides which files it wants and groups them into *units*: what it reads as a whole.
//! A dataset file is a unit; an MLflow run folder (meta.yaml, params/, tags/, metrics/) is one
//! unit; a DVC project's dvc.yaml + dvc.lock + params.yaml + metrics files are one unit. The
//! index (see [`index`]) re-reads a unit only when its fingerprint (member paths and content
//! hashes) changes, and replaces that unit's records in the catalog in one transaction.
//!
//! A file may belong to units of several readers: a `model.pkl` inside an MLflow logged model is
//! part of the MLflow unit and also a model file of its own.
//!
//! Adding a format means adding a [`Reader`] to [`readers()`]; nothing else changes.

pub mod dataset;
pub mod dvc;
pub mod index;
pub mod mlflow_file;
pub mod mlflow_sqlite;
pub mod model_file;
pub mod record;
pub mod run_folder;
pub mod tensorboard;
pub mod walk;
pub mod wandb;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use record::Records;

/// A file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    /// Relative to the project folder, with `/` separators.
    pub path: String,
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Every file of a project as walked, by relative path: readers use it to look at siblings
/// ("is there an `MLmodel` here?", "is this folder inside an `mlruns/` store?").
#[derive(Debug, Default)]
pub struct FileSet {
    files: BTreeMap<String, WalkedFile>,
}

impl FileSet {
    pub fn new(files: impl IntoIterator<Item = WalkedFile>) -> FileSet {
        FileSet {
            files: files.into_iter().map(|f| (f.path.clone(), f)).collect(),
        }
    }

    pub fn get(&self, path: &str) -> Option<&WalkedFile> {
        self.files.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// All files, in path order.
    pub fn iter(&self) -> impl Iterator<Item = &WalkedFile> {
        self.files.values()
    }

    /// The files under folder `dir` (relative, without trailing `/`; "" for the whole project).
    pub fn under<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a WalkedFile> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.files
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .map(|(_, f)| f)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// What a reader gets to read one unit.
#[derive(Debug)]
pub struct UnitInput<'a> {
    /// The project folder (absolute).
    pub root: &'a Path,
    /// The unit's key: a project-relative path (a file or a folder).
    pub key: &'a str,
    /// The unit's files, in path order.
    pub files: &'a [&'a WalkedFile],
    /// The whole project, for lookups outside the unit.
    pub project: &'a FileSet,
}

impl UnitInput<'_> {
    /// The absolute path of a project-relative path.
    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

/// A format reader. Readers are pure functions of the files they are given: they never write,
/// never fail (unreadable input becomes [`record::Problem`]s), and never panic on bad input.
pub trait Reader: Send + Sync {
    /// A short stable name, stored in the catalog (`mlflow`, `dataset`, ...).
    fn name(&self) -> &'static str;

    /// Bumped when the reader changes what it extracts, so that units it read before are read
    /// again (it is part of every unit's fingerprint).
    fn version(&self) -> u32 {
        1
    }

    /// The key of the unit `file` belongs to for this reader, or `None` if it is not for it.
    /// Called for every walked file; must be cheap (look at the path, not the content).
    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String>;

    /// Reads one unit.
    fn read(&self, unit: &UnitInput<'_>) -> Records;
}

/// Every reader, in the order their units are written.
pub fn readers() -> Vec<Box<dyn Reader>> {
    vec![
        Box::new(mlflow_file::MlflowFileStore),
        Box::new(mlflow_sqlite::MlflowSqliteStore),
        Box::new(dvc::Dvc),
        Box::new(tensorboard::TensorBoard),
        Box::new(wandb::WandbOffline),
        Box::new(run_folder::RunFolder),
        Box::new(dataset::DatasetReader),
        Box::new(model_file::ModelFile),
    ]
}

/// Splits a relative path into its folder and file name.
pub fn split_parent(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Test support: the real-tool fixtures (`tests/data/fixtures`), and reading a folder with one
/// reader.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::Path;
    use std::sync::atomic::AtomicBool;

    use super::{FileSet, Reader, Records, UnitInput, WalkedFile};

    pub use crate::test_data::fixtures;

    /// The fixtures' ground truth (`public/MANIFEST.json`), parsed.
    pub fn fixture_manifest() -> serde_json::Value {
        let text = std::fs::read_to_string(fixtures().join("MANIFEST.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Equal to within two ulps: manifests print floats with Python's shortest repr, which
    /// serde_json may read one unit in the last place off.
    pub fn same(got: f64, expected: f64) -> bool {
        got == expected
            || (got - expected).abs() <= 2.0 * f64::EPSILON * got.abs().max(expected.abs())
    }

    /// Whether a param (always a string in the catalog) holds a manifest value of any JSON type.
    pub fn same_value(param: &str, expected: &serde_json::Value) -> bool {
        match expected {
            serde_json::Value::String(s) => param == s,
            serde_json::Value::Number(n) => param
                .parse::<f64>()
                .ok()
                .zip(n.as_f64())
                .is_some_and(|(a, b)| same(a, b)),
            serde_json::Value::Bool(b) => param.parse::<bool>().ok() == Some(*b),
            _ => false,
        }
    }

    /// Walks `root` and reads every unit `reader` finds there, by unit key.
    pub fn read_all(reader: &dyn Reader, root: &Path) -> Vec<(String, Records)> {
        let walk = super::walk::walk(root, &AtomicBool::new(false)).unwrap();
        let files = FileSet::new(walk.files);
        let mut units: std::collections::BTreeMap<String, Vec<&WalkedFile>> = Default::default();
        for f in files.iter() {
            if let Some(key) = reader.unit_of(f, &files) {
                units.entry(key).or_default().push(f);
            }
        }
        units
            .into_iter()
            .map(|(key, members)| {
                let records = reader.read(&UnitInput {
                    root,
                    key: &key,
                    files: &members,
                    project: &files,
                });
                (key, records)
            })
            .collect()
    }

    /// Everything `reader` finds under `root`, merged.
    pub fn read_merged(reader: &dyn Reader, root: &Path) -> Records {
        let mut all = Records::default();
        for (_, r) in read_all(reader, root) {
            all.extend(r);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> WalkedFile {
        WalkedFile {
            path: path.into(),
            size: 1,
            mtime_ns: 0,
        }
    }

    #[test]
    fn under_lists_a_folder_and_nothing_that_only_shares_a_prefix() {
        let set = FileSet::new(
            ["a/b/x", "a/b/y", "a/bc/z", "a/c", "b"]
                .into_iter()
                .map(file),
        );
        let paths: Vec<&str> = set.under("a/b").map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a/b/x", "a/b/y"]);
        assert_eq!(set.under("").count(), 5);
    }

    #[test]
    fn split_parent_splits_at_the_last_slash() {
        assert_eq!(split_parent("a/b/c.csv"), ("a/b", "c.csv"));
        assert_eq!(split_parent("c.csv"), ("", "c.csv"));
    }
}
