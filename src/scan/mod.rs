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
pub mod run_files;
pub mod run_folder;
pub mod tensorboard;
pub mod walk;
pub mod wandb;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::record::Records;

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
/// never fail (unreadable input becomes [`crate::record::Problem`]s), and never panic on bad input.
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
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::AtomicBool;

    use serde_json::Value as Json;

    use super::{FileSet, Reader, Records, UnitInput, WalkedFile};
    use crate::record::{MetricPoint, Problem, Run};

    pub use crate::test_data::fixtures;

    /// Writes `bytes` to `rel` under `root`, making its folders.
    pub fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The fixtures' ground truth (`public/MANIFEST.json`), parsed.
    pub fn fixture_manifest() -> Json {
        crate::test_data::manifest(fixtures())
    }

    /// The folder of a fixture project, from its manifest entry (`projects.<name>`).
    pub fn project_root(project: &Json) -> PathBuf {
        fixtures().join(project["path"].as_str().unwrap())
    }

    /// Everything `reader` finds in the fixture project of manifest entry `project`: one run a
    /// unit, as many as its `num_runs`, and no problem. Returns the runs.
    pub fn read_runs(reader: &dyn Reader, project: &Json) -> Vec<Run> {
        let units = read_all(reader, &project_root(project));
        let problems: Vec<&Problem> = units.iter().flat_map(|(_, r)| &r.problems).collect();
        assert!(problems.is_empty(), "{problems:?}");
        let runs: Vec<Run> = units.iter().flat_map(|(_, r)| r.runs.clone()).collect();
        assert_eq!(runs.len() as u64, project["num_runs"].as_u64().unwrap());
        assert_eq!(units.len(), runs.len(), "one unit per run");
        runs
    }

    /// The points of metric `key` of `run`.
    pub fn metric<'a>(run: &'a Run, key: &str) -> Vec<&'a MetricPoint> {
        run.metrics.iter().filter(|p| p.key == key).collect()
    }

    /// (points, min step, max step, value at the largest step, latest time on ties).
    pub fn history(points: &[&MetricPoint]) -> (usize, i64, i64, f64) {
        let last = points
            .iter()
            .max_by_key(|p| (p.step, p.ts_ms))
            .expect("at least one point");
        let min = points.iter().map(|p| p.step).min().unwrap_or_default();
        (points.len(), min, last.step, last.value)
    }

    /// Every metric point of `run` as (key, step, time, value), in the run's order.
    pub fn points(run: &Run) -> Vec<(&str, i64, i64, f64)> {
        run.metrics
            .iter()
            .map(|p| (p.key.as_str(), p.step, p.ts_ms, p.value))
            .collect()
    }

    /// The params of `run` as (key, value), in the run's order.
    pub fn params(run: &Run) -> Vec<(&str, &str)> {
        run.params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The value of `key` among a run's params or tags.
    pub fn value_of<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The history of metric `key` of `run` is the manifest's `expected`: its `num_points`,
    /// `min_step`, `max_step` and `final` (the value at the largest step). `at` names the run.
    pub fn check_history(run: &Run, key: &str, expected: &Json, at: &str) {
        let (points, min, max, last) = history(&metric(run, key));
        let step = |field: &str| expected[field].as_i64().unwrap();
        let num_points = expected["num_points"].as_u64().unwrap();
        assert_eq!(points as u64, num_points, "{at} {key}: points");
        assert_eq!(min, step("min_step"), "{at} {key}: min step");
        assert_eq!(max, step("max_step"), "{at} {key}: max step");
        let expected = expected["final"].as_f64().unwrap();
        assert!(
            same(last, expected),
            "{at} {key}: final {last} is not {expected}"
        );
    }

    /// The params of `run` are exactly the keys of `expected`, each holding its manifest value
    /// (of any JSON type). `at` names the run.
    pub fn check_params<'a>(
        run: &Run,
        expected: impl IntoIterator<Item = (&'a str, &'a Json)>,
        at: &str,
    ) {
        let expected: BTreeMap<&str, &Json> = expected.into_iter().collect();
        let params: BTreeMap<&str, &str> = params(run).into_iter().collect();
        assert_eq!(
            params.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{at}: params"
        );
        for (key, value) in &expected {
            assert!(
                same_value(params[key], value),
                "{at} {key}: {} is not {value}",
                params[key]
            );
        }
    }

    /// Every metric point of `run` lies between its start and its end. `at` names the run.
    pub fn check_times(run: &Run, at: &str) {
        let (start, end) = (run.start_ms.unwrap(), run.end_ms.unwrap());
        assert!(
            run.metrics
                .iter()
                .all(|p| start <= p.ts_ms && p.ts_ms <= end),
            "{at}: times"
        );
    }

    /// A real file of framed records (TFRecord, W&B log) to damage by hand: its bytes, where
    /// each record starts, and how a project holding only that file (as given) reads.
    pub struct Framed {
        pub bytes: Vec<u8>,
        pub starts: Vec<usize>,
        pub read: fn(&[u8]) -> Records,
    }

    impl Framed {
        /// The length of record `k` (not the last one), in bytes.
        pub fn record_len(&self, k: usize) -> usize {
            self.starts[k + 1] - self.starts[k]
        }

        /// What the file cut right before record `k` reads as.
        pub fn cut_before(&self, k: usize) -> Records {
            (self.read)(&self.bytes[..self.starts[k]])
        }

        /// The file cut before record `k` reads without a problem and with fewer metric points
        /// than the whole file, and cut at each of `offsets` into that record it reads the same.
        /// Returns what the cut file and the whole file read as.
        pub fn check_cuts(&self, k: usize, offsets: &[usize]) -> (Records, Records) {
            let (before, whole) = (self.cut_before(k), (self.read)(&self.bytes));
            assert!(before.problems.is_empty());
            assert!(before.runs[0].metrics.len() < whole.runs[0].metrics.len());
            for offset in offsets {
                let cut = self.starts[k] + offset;
                assert_eq!((self.read)(&self.bytes[..cut]), before, "cut at {cut}");
            }
            (before, whole)
        }

        /// A bit flipped at each of `offsets` into record `k` keeps the runs read before that
        /// record and is exactly one problem, which `check` is given with the flipped byte's
        /// position in the file.
        pub fn check_flips(&self, k: usize, offsets: &[usize], check: impl Fn(usize, &Problem)) {
            let before = self.cut_before(k);
            for offset in offsets {
                let at = self.starts[k] + offset;
                let mut damaged = self.bytes.clone();
                damaged[at] ^= 0x01;
                let got = (self.read)(&damaged);
                assert_eq!(got.runs, before.runs, "flip at {at}");
                assert_eq!(got.problems.len(), 1, "flip at {at}");
                check(at, &got.problems[0]);
            }
        }
    }

    /// Equal to within two ulps: manifests print floats with Python's shortest repr, which
    /// serde_json may read one unit in the last place off.
    pub fn same(got: f64, expected: f64) -> bool {
        got == expected
            || (got - expected).abs() <= 2.0 * f64::EPSILON * got.abs().max(expected.abs())
    }

    /// Whether a param (always a string in the catalog) holds a manifest value of any JSON type.
    pub fn same_value(param: &str, expected: &Json) -> bool {
        match expected {
            Json::String(s) => param == s,
            Json::Number(n) => param
                .parse::<f64>()
                .ok()
                .zip(n.as_f64())
                .is_some_and(|(a, b)| same(a, b)),
            Json::Bool(b) => param.parse::<bool>().ok() == Some(*b),
            _ => false,
        }
    }

    /// Every file the walk finds under `root`.
    pub fn walked(root: &Path) -> FileSet {
        let walk = super::walk::walk(root, &AtomicBool::new(false)).unwrap();
        FileSet::new(walk.files)
    }

    /// Walks `root` and reads every unit `reader` finds there, by unit key.
    pub fn read_all(reader: &dyn Reader, root: &Path) -> Vec<(String, Records)> {
        let files = walked(root);
        let mut units: BTreeMap<String, Vec<&WalkedFile>> = Default::default();
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
