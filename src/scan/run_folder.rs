//! Plain run folders: a training script's own output, one run per folder.
//!
//! The convention, kept deliberately small:
//! - a *run folder* is a folder holding `metrics.json` and a params file (`params.yaml`,
//!   `params.yml` or `params.json`);
//! - it is not a DVC project root (no `dvc.yaml`: the DVC reader owns those), not a DVCLive
//!   folder (`dvclive/`, or any folder with `plots/metrics/`), and not inside a tool's store
//!   (`mlruns/`, `mlartifacts/`, `wandb/`, `dvclive/`), whose readers know those files better;
//! - the unit is the folder: its metrics and params files and the model files directly in it.
//!
//! What a run folder yields: one [`Run`] (source `folder`, external id and path = the folder,
//! `.` for the project folder itself; name = the folder's name) with
//! - params flattened with `.` (`train.n_estimators`); when several params files disagree on a
//!   key, the later file's value is kept as `params.json:key`;
//! - metrics flattened with `/` as step-0 points at timestamp 0 (a plain folder records neither
//!   steps nor times); `"NaN"`/`"Infinity"` strings and Python's bare `NaN` are numbers;
//!   non-numeric values (strings, booleans, lists) become run tags under their key, `null` is
//!   dropped;
//! - lineage `produced` to every model file in the folder (by extension, as the model reader
//!   recognises them), and `used` to every data file a param names (`data.train:
//!   ../../train.csv`): the value is resolved against the folder first and the project folder
//!   second, and kept only if that file exists in the project.
//!
//! A params or metrics file that cannot be read is a problem naming it (and the YAML/JSON line);
//! the run is still written with what the other file holds, and left out only when neither is
//! readable.

use super::run_files::{
    MetricValues, is_data_file, merge_params, read_metrics, read_params, resolve,
};

use super::model_file;
use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{Entity, Lineage, MetricPoint, Problem, Run, source};

/// The metrics file that makes a folder a run folder.
const METRICS_FILE: &str = "metrics.json";

/// Params files, in the order they are merged.
const PARAMS_FILES: &[&str] = &["params.yaml", "params.yml", "params.json"];

/// Folder names of tool stores whose readers own every file inside.
const STORES: &[&str] = &["mlruns", "mlartifacts", "wandb", "dvclive"];

pub struct RunFolder;

impl Reader for RunFolder {
    fn name(&self) -> &'static str {
        "run-folder"
    }

    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String> {
        let (dir, name) = split_parent(&file.path);
        let member = name == METRICS_FILE
            || PARAMS_FILES.contains(&name)
            || model_file::format_of(name).is_some();
        (member && is_run_folder(dir, project)).then(|| unit_key(dir))
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        read_run_folder(unit)
    }
}

/// Whether `dir` (project-relative, "" for the project folder) is a run folder.
pub(crate) fn is_run_folder(dir: &str, project: &FileSet) -> bool {
    let at = |name: &str| project.contains(&join(dir, name));
    at(METRICS_FILE)
        && PARAMS_FILES.iter().any(|p| at(p))
        && !at("dvc.yaml")
        && !at("MLmodel")
        && !dir.split('/').any(|c| STORES.contains(&c))
        && project.under(&join(dir, "plots/metrics")).next().is_none()
}

fn unit_key(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.into()
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn read_run_folder(unit: &UnitInput<'_>) -> Records {
    let dir = if unit.key == "." { "" } else { unit.key };
    let mut out = Records::default();
    let mut run = Run::new(source::FOLDER, unit.key);
    run.path = Some(unit.key.to_string());
    run.name = Some(match split_parent(dir).1 {
        "" => unit
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".".into()),
        name => name.to_string(),
    });

    let mut readable = 0;
    for name in PARAMS_FILES {
        let rel = join(dir, name);
        if !unit.project.contains(&rel) {
            continue;
        }
        match read_params(&unit.abs(&rel)) {
            Ok(params) => {
                readable += 1;
                merge_params(&mut run.params, name, params);
            }
            Err(err) => out.problems.push(Problem {
                path: rel,
                message: err.to_string(),
            }),
        }
    }
    let metrics_path = join(dir, METRICS_FILE);
    match read_metrics(&unit.abs(&metrics_path)) {
        Ok(MetricValues { numbers, others }) => {
            readable += 1;
            run.metrics = numbers
                .into_iter()
                .map(|(key, value)| MetricPoint {
                    key,
                    step: 0,
                    ts_ms: 0,
                    value,
                })
                .collect();
            run.tags = others;
        }
        Err(err) => out.problems.push(Problem {
            path: metrics_path,
            message: err.to_string(),
        }),
    }
    if readable == 0 {
        return out;
    }

    let run_entity = Entity::Run {
        source: source::FOLDER,
        id: unit.key.to_string(),
    };
    for f in unit.files {
        let (_, name) = split_parent(&f.path);
        if model_file::format_of(name).is_some() {
            push_edge(
                &mut out.lineage,
                run_entity.clone(),
                Entity::Model {
                    path: f.path.clone(),
                },
                "produced",
            );
        }
    }
    for (_, value) in &run.params {
        if let Some(path) = data_file_named(value, dir, unit) {
            push_edge(
                &mut out.lineage,
                run_entity.clone(),
                Entity::Dataset { path },
                "used",
            );
        }
    }
    out.runs.push(run);
    out
}

/// The project-relative data file a param value names, if it exists in the project.
fn data_file_named(value: &str, dir: &str, unit: &UnitInput<'_>) -> Option<String> {
    let value = value.trim();
    if !is_data_file(value) {
        return None;
    }
    // An absolute path inside the project is as good as a relative one.
    let root = unit.root.to_string_lossy();
    let relative = match value.strip_prefix(root.as_ref()) {
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => value,
    };
    [dir, ""]
        .into_iter()
        .filter_map(|base| resolve(base, relative))
        .find(|p| unit.project.contains(p))
}

fn push_edge(lineage: &mut Vec<Lineage>, from: Entity, to: Entity, relation: &'static str) {
    let edge = Lineage { from, to, relation };
    if !lineage.contains(&edge) {
        lineage.push(edge);
    }
}

/// Test support shared with the DVC reader's tests: the fixture manifest, and its nested values
/// as the readers flatten them.
#[cfg(test)]
pub(crate) mod expected {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use crate::scan::testing;

    pub fn manifest() -> Value {
        testing::fixture_manifest()
    }

    /// Nested values flattened with `sep`, as the readers flatten params (`.`) and metrics (`/`).
    pub fn flatten(v: &Value, sep: char) -> BTreeMap<String, Value> {
        fn walk(prefix: &str, v: &Value, sep: char, out: &mut BTreeMap<String, Value>) {
            match v {
                Value::Object(m) => {
                    for (k, v) in m {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}{sep}{k}")
                        };
                        walk(&key, v, sep, out);
                    }
                }
                other => {
                    out.insert(prefix.to_string(), other.clone());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk("", v, sep, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {

    use super::expected::{flatten, manifest};
    use super::*;
    use crate::scan::testing;

    use crate::scan::testing::write;

    #[test]
    fn plain_project_runs_match_the_manifest() {
        let manifest = manifest();
        let expected = manifest["projects"]["plain-project"]["runs"]
            .as_object()
            .unwrap();
        let records = testing::read_merged(&RunFolder, &testing::fixtures().join("plain-project"));
        let run_ids: Vec<&str> = records
            .runs
            .iter()
            .map(|r| r.external_id.as_str())
            .collect();
        let mut expected_ids: Vec<&str> = expected
            .values()
            .map(|r| r["dir"].as_str().unwrap())
            .collect();
        expected_ids.sort();
        assert_eq!(
            run_ids, expected_ids,
            "one run per run folder, none for broken/"
        );

        for (name, want) in expected {
            let dir = want["dir"].as_str().unwrap();
            let run = records.runs.iter().find(|r| r.external_id == dir).unwrap();
            assert_eq!(run.name.as_deref(), Some(name.as_str()));
            assert_eq!(run.source, source::FOLDER);

            let want_params = flatten(&want["params"], '.');
            crate::scan::testing::check_params(
                run,
                want_params.iter().map(|(k, v)| (k.as_str(), v)),
                dir,
            );

            let want_metrics = want["metrics"].as_object().unwrap();
            assert_eq!(
                run.metrics.len(),
                want_metrics.len(),
                "{dir}: {:?}",
                run.metrics
            );
            for (k, v) in want_metrics {
                let p = run
                    .metrics
                    .iter()
                    .find(|p| p.key == *k)
                    .unwrap_or_else(|| panic!("{dir}: no metric {k}"));
                assert_eq!(
                    (p.step, Some(p.value)),
                    (0, v.as_f64()),
                    "{dir}: metric {k}"
                );
            }

            let run_entity = Entity::Run {
                source: source::FOLDER,
                id: dir.to_string(),
            };
            let model = Lineage {
                from: run_entity.clone(),
                to: Entity::Model {
                    path: want["model_file"].as_str().unwrap().to_string(),
                },
                relation: "produced",
            };
            assert!(
                records.lineage.contains(&model),
                "{dir}: {:?}",
                records.lineage
            );
            for (_, data) in want["params"]["data"].as_object().unwrap() {
                let path = resolve(dir, data.as_str().unwrap()).unwrap();
                let used = Lineage {
                    from: run_entity.clone(),
                    to: Entity::Dataset { path },
                    relation: "used",
                };
                assert!(
                    records.lineage.contains(&used),
                    "{dir}: {used:?} missing from {:?}",
                    records.lineage
                );
            }
        }
    }

    #[test]
    fn broken_files_yield_a_problem_each_or_nothing() {
        let manifest = manifest();
        let broken = manifest["projects"]["plain-project"]["broken_files"]
            .as_array()
            .unwrap();
        let records = testing::read_merged(&RunFolder, &testing::fixtures().join("plain-project"));
        for b in broken {
            let path = b["path"].as_str().unwrap();
            let (_, name) = split_parent(path);
            let ours: Vec<&Problem> = records.problems.iter().filter(|p| p.path == path).collect();
            // This reader reads only run-folder files; every other broken file is another reader's.
            if name == METRICS_FILE || PARAMS_FILES.contains(&name) {
                assert_eq!(ours.len(), 1, "{path}: {:?}", records.problems);
            } else {
                assert!(ours.is_empty(), "{path}: {ours:?}");
            }
        }
        let yaml = records
            .problems
            .iter()
            .find(|p| p.path.ends_with("params.yaml"))
            .unwrap();
        assert!(yaml.message.contains("YAML at line"), "{}", yaml.message);
        let json = records
            .problems
            .iter()
            .find(|p| p.path.ends_with(METRICS_FILE))
            .unwrap();
        assert!(json.message.contains("not UTF-8"), "{}", json.message);
        assert_eq!(records.problems.len(), 2, "{:?}", records.problems);
    }

    #[test]
    fn tool_stores_and_dvc_roots_are_not_run_folders() {
        let manifest = manifest();
        for project in manifest["projects"].as_object().unwrap().keys() {
            if project == "plain-project" {
                continue;
            }
            let records = testing::read_merged(&RunFolder, &testing::fixtures().join(project));
            assert!(records.is_empty(), "{project}: {records:?}");
        }
    }

    #[test]
    fn hand_made_run_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // The project folder itself, with params.json, nested and non-numeric metrics.
        write(
            root,
            "params.json",
            br#"{"opt": {"lr": 0.01}, "data": "data/x.csv", "other": "../outside.csv"}"#,
        );
        write(
            root,
            "metrics.json",
            br#"{"val": {"acc": 0.9, "loss": NaN}, "best_model": "rf", "list": [1, 2], "n": null}"#,
        );
        write(root, "data/x.csv", b"a\n1\n");
        write(root, "model.onnx", b"");
        // Stores, DVC roots and DVCLive folders are not run folders.
        for d in [
            "mlruns/1/abc/artifacts",
            "wandb/run-1/files",
            "stage",
            "live",
        ] {
            write(root, &format!("{d}/metrics.json"), b"{}");
            write(root, &format!("{d}/params.yaml"), b"a: 1\n");
        }
        write(root, "stage/dvc.yaml", b"stages: {}\n");
        write(root, "live/plots/metrics/loss.tsv", b"step\tloss\n0\t1\n");
        // One bad file of two still yields the run.
        write(root, "half/params.yaml", b"a: [1\n");
        write(root, "half/metrics.json", br#"{"acc": 1}"#);

        let all = testing::read_all(&RunFolder, root);
        let keys: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, [".", "half"]);

        let top = &all[0].1;
        let run = &top.runs[0];
        assert_eq!(run.external_id, ".");
        assert_eq!(
            run.name.as_deref(),
            root.file_name().and_then(|n| n.to_str())
        );
        let mut params = run.params.clone();
        params.sort();
        assert_eq!(
            params,
            [
                ("data".to_string(), "data/x.csv".to_string()),
                ("opt.lr".into(), "0.01".into()),
                ("other".into(), "../outside.csv".into())
            ]
        );
        let mut metrics: Vec<(&str, bool)> = run
            .metrics
            .iter()
            .map(|p| (p.key.as_str(), p.value.is_nan()))
            .collect();
        metrics.sort();
        assert_eq!(metrics, [("val/acc", false), ("val/loss", true)]);
        let mut tags = run.tags.clone();
        tags.sort();
        assert_eq!(
            tags,
            [
                ("best_model".to_string(), "rf".to_string()),
                ("list".into(), "[1,2]".into())
            ]
        );
        let run_entity = Entity::Run {
            source: source::FOLDER,
            id: ".".into(),
        };
        assert_eq!(
            top.lineage,
            [
                Lineage {
                    from: run_entity.clone(),
                    to: Entity::Model {
                        path: "model.onnx".into()
                    },
                    relation: "produced"
                },
                Lineage {
                    from: run_entity,
                    to: Entity::Dataset {
                        path: "data/x.csv".into()
                    },
                    relation: "used"
                },
            ]
        );
        assert!(top.problems.is_empty(), "{:?}", top.problems);

        let half = &all[1].1;
        assert_eq!(half.runs.len(), 1);
        assert_eq!(half.runs[0].metrics.len(), 1);
        assert_eq!(half.problems.len(), 1);
        assert_eq!(half.problems[0].path, "half/params.yaml");
    }
}
