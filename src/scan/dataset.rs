//! The `dataset` reader: every tabular data file is a unit of its own, profiled with
//! [`crate::data::profile()`].
//!
//! A file is a dataset when its extension is one of `.csv`, `.tsv`, `.parquet`, `.arrow`,
//! `.feather`, `.ipc`, `.ndjson` or `.jsonl` (any case), unless it lies in a tool's own
//! bookkeeping ([`is_tool_internal`]): the metric histories DVCLive writes as TSV, and the
//! internal folders of MLflow and W&B stores. Files users logged as artifacts (`mlruns/**/
//! artifacts/`, an MLflow server's `mlartifacts/`, W&B's `files/`) are datasets like any other.
//!
//! A file that cannot be read as a table yields a [`Problem`](crate::record::Problem) with the
//! reason (empty, truncated Parquet, invalid UTF-8 at line N, ragged rows, ...) and no dataset.

use super::{FileSet, Reader, Records, UnitInput, WalkedFile};
use crate::data::{self, TabularFormat};
use crate::record::{Column, Dataset};

pub struct DatasetReader;

impl Reader for DatasetReader {
    fn name(&self) -> &'static str {
        "dataset"
    }

    fn unit_of(&self, file: &WalkedFile, _project: &FileSet) -> Option<String> {
        let (_, name) = super::split_parent(&file.path);
        let ext = name.rsplit_once('.')?.1;
        TabularFormat::from_extension(ext)?;
        (!is_tool_internal(&file.path)).then(|| file.path.clone())
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        let Some(file) = unit.files.first() else {
            return Records::default();
        };
        match data::profile(&unit.abs(&file.path)) {
            Ok(profile) => Records {
                datasets: vec![Dataset {
                    path: file.path.clone(),
                    format: profile.format.as_str(),
                    rows: Some(profile.rows),
                    bytes: file.size,
                    columns: profile
                        .columns
                        .iter()
                        .map(|c| Column {
                            name: c.name.clone(),
                            dtype: c.dtype.clone(),
                            kind: c.kind.as_str(),
                            nulls: c.nulls,
                            profile: c.stats_json(),
                        })
                        .collect(),
                }],
                ..Records::default()
            },
            Err(err) => Records::problem(&file.path, err.kind.to_string()),
        }
    }
}

/// Whether a project-relative path lies in a tool's own bookkeeping rather than user data:
/// - `**/dvclive/plots/**`, and `**/plots/metrics/**` elsewhere (a DVCLive folder with another
///   name): DVCLive's metric histories, one TSV per metric, read by the DVC reader;
/// - inside an MLflow file store (`mlruns/`), anything outside an `artifacts/` folder;
/// - inside a W&B run folder (`wandb/run-*`, `wandb/offline-run-*`, `wandb/latest-run`),
///   anything outside its `files/` folder.
pub fn is_tool_internal(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let folders = &parts[..parts.len().saturating_sub(1)];
    let has = |i: usize, name: &str| folders.get(i) == Some(&name);
    for (i, part) in folders.iter().enumerate() {
        match *part {
            "dvclive" if has(i + 1, "plots") => return true,
            "plots" if has(i + 1, "metrics") => return true,
            "mlruns" => return !folders[i + 1..].contains(&"artifacts"),
            "wandb" => {
                let run = folders.get(i + 1).copied().unwrap_or("");
                let is_run = run.starts_with("run-")
                    || run.starts_with("offline-run-")
                    || run == "latest-run";
                if is_run {
                    return !has(i + 2, "files");
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use crate::scan::testing::{fixtures, read_all};

    #[test]
    fn tool_bookkeeping_is_not_a_dataset() {
        let cases = [
            ("train.csv", false),
            ("data/prepared/test.csv", false),
            ("dvclive/plots/metrics/train/loss.tsv", true),
            ("exp/live/plots/metrics/loss.tsv", true),
            ("reports/plots/confusion.csv", false),
            ("mlruns/1/abc/artifacts/data/train.parquet", false),
            ("mlruns/1/abc/metrics/loss.csv", true),
            ("mlruns/1/datasets/d1/digest.csv", true),
            ("mlartifacts/1/abc/artifacts/eval.csv", false),
            ("wandb/run-20260101_000000-abc/files/table.csv", false),
            ("wandb/offline-run-20260101_000000-abc/logs/debug.csv", true),
            ("wandb/latest-run/tmp/x.parquet", true),
            ("wandb/exports/x.csv", false),
        ];
        for (path, expected) in cases {
            assert_eq!(is_tool_internal(path), expected, "{path}");
        }
    }

    #[test]
    fn units_are_data_files_by_extension() {
        let project = FileSet::default();
        let unit = |path: &str| {
            let file = WalkedFile {
                path: path.into(),
                size: 1,
                mtime_ns: 0,
            };
            DatasetReader.unit_of(&file, &project)
        };
        for path in [
            "a.csv",
            "d/b.TSV",
            "c.parquet",
            "e.feather",
            "f.ipc",
            "g.arrow",
            "h.jsonl",
            "i.ndjson",
        ] {
            assert_eq!(unit(path).as_deref(), Some(path));
        }
        for path in [
            "input_example.json",
            "model.pkl",
            "csv",
            "a.csv.bak",
            "mlruns/0/r/params/a.csv",
        ] {
            assert_eq!(unit(path), None, "{path}");
        }
    }

    /// The manifest's name of a format -> ours.
    fn manifest_format(format: &str) -> &str {
        if format.starts_with("arrow") {
            "arrow"
        } else {
            format
        }
    }

    /// Whether our dtype is a sensible reading of the dtype pandas/pyarrow reported.
    fn dtype_matches(manifest: &str, ours: &str) -> bool {
        match manifest {
            "float64" | "float32" => ours.starts_with('f'),
            "int64" | "int32" => ours.starts_with('i') || ours.starts_with('u'),
            "str" => ours == "str",
            "bool" => ours == "bool",
            "category" => ours == "cat" || ours == "str",
            // Nested JSON objects.
            "object" => ours.starts_with("struct") || ours.starts_with("list") || ours == "str",
            m if m.starts_with("datetime64") => ours.starts_with("datetime"),
            _ => false,
        }
    }

    #[test]
    fn every_fixture_dataset_matches_the_manifest() {
        let manifest: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures().join("MANIFEST.json")).unwrap(),
        )
        .unwrap();
        let mut checked = 0;
        for (project, facts) in manifest["projects"].as_object().unwrap() {
            let found: BTreeMap<String, Records> =
                read_all(&DatasetReader, &fixtures().join(project))
                    .into_iter()
                    .collect();
            let expected = facts["datasets"].as_object().cloned().unwrap_or_default();
            let mut datasets = BTreeMap::new();
            for (key, records) in &found {
                if key.starts_with("broken/") {
                    continue; // Checked in `broken_files_are_problems_that_say_why`.
                }
                assert!(
                    records.problems.is_empty(),
                    "{project}/{key}: {:?}",
                    records.problems
                );
                assert_eq!(records.datasets.len(), 1, "{project}/{key}");
                datasets.insert(key.clone(), records.datasets[0].clone());
            }
            let keys: Vec<&String> = datasets.keys().collect();
            let expected_keys: Vec<&String> = expected
                .keys()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            assert_eq!(keys, expected_keys, "{project}: datasets found");

            for (path, want) in &expected {
                let got = &datasets[path];
                let at = format!("{project}/{path}");
                assert_eq!(
                    got.format,
                    manifest_format(want["format"].as_str().unwrap()),
                    "{at}"
                );
                assert_eq!(got.rows, want["rows"].as_u64(), "{at}: rows");
                assert_eq!(got.bytes, want["bytes"].as_u64().unwrap(), "{at}: bytes");
                let names: Vec<&str> = got.columns.iter().map(|c| c.name.as_str()).collect();
                let want_names: Vec<&str> = want["column_names"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap())
                    .collect();
                assert_eq!(names, want_names, "{at}: column names");
                assert_eq!(
                    got.columns.len() as u64,
                    want["columns"].as_u64().unwrap(),
                    "{at}"
                );
                if let Some(null_cells) = want.get("null_cells") {
                    let nulls: u64 = got.columns.iter().map(|c| c.nulls).sum();
                    assert_eq!(nulls, null_cells.as_u64().unwrap(), "{at}: null cells");
                }
                for column in &got.columns {
                    let dtype = want["dtypes"][&column.name].as_str().unwrap();
                    assert!(
                        dtype_matches(dtype, &column.dtype),
                        "{at}: column {} is {} here, {dtype} in the manifest",
                        column.name,
                        column.dtype
                    );
                    assert!(column.profile.is_object(), "{at}: {}", column.name);
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 12, "datasets checked across all projects");
    }

    #[test]
    fn broken_files_are_problems_that_say_why() {
        let project = fixtures().join("plain-project");
        let found: BTreeMap<String, Records> =
            read_all(&DatasetReader, &project).into_iter().collect();
        let cases = [
            ("broken/truncated.parquet", "truncated Parquet file"),
            ("broken/ragged.csv", "invalid UTF-8 at line"),
            ("broken/data.csv", "empty file"),
        ];
        for (path, expected) in cases {
            let records = &found[path];
            assert!(records.datasets.is_empty(), "{path}");
            assert_eq!(records.problems.len(), 1, "{path}");
            let problem = &records.problems[0];
            assert_eq!(problem.path, path);
            assert!(
                problem.message.contains(expected),
                "{path}: {:?} should say {expected:?}",
                problem.message
            );
        }
        let broken = found.keys().filter(|k| k.starts_with("broken/")).count();
        assert_eq!(
            broken,
            cases.len(),
            "only the data files of broken/ are units"
        );
    }
}
