//! `driftdeck index` on every project folder of the real-tool fixtures, checked against the
//! fixtures' MANIFEST.json (written by the tools that made the files): runs, params, tags, final
//! metric values, datasets with rows and columns, models, registered models and problems.
//! Everything goes through the real binary and a real catalog file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Fixture {
    _dir: tempfile::TempDir,
    public: PathBuf,
    manifest: Value,
}

#[path = "support/cli.rs"]
mod cli;
#[path = "support/test_data.rs"]
mod test_data;

fn fixtures() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    test_data::unpack_fixtures(dir.path());
    let public = dir.path().join("public");
    let manifest = test_data::manifest(&public);
    Fixture {
        _dir: dir,
        public,
        manifest,
    }
}

fn driftdeck(db: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("DRIFTDECK_DB")
        .output()
        .unwrap();
    cli::assert_success(&out, &format!("driftdeck {args:?}"));
    out
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    serde_json::from_slice(&driftdeck(db, &args).stdout).unwrap()
}

/// Indexes one fixture project into a fresh catalog; returns the catalog path.
fn index(f: &Fixture, project: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    let path = f.public.join(project);
    json(&db, &["index", path.to_str().unwrap()]);
    (dir, db)
}

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A manifest number (or "NaN"/"Infinity" string) as f64.
fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => other.parse().unwrap(),
        },
        Value::Bool(b) => f64::from(u8::from(*b)),
        other => panic!("not a number: {other}"),
    }
}

/// TensorBoard's scalar smoothing (`classicSmoothing` of its line chart,
/// tensorboard/webapp/widgets/line_chart_v2/lib/data_transformer.ts), written here from its
/// definition and independently of the engine's: a constant series is left alone; a non-finite
/// point passes through and does not count; otherwise `last = last * w + (1 - w) * y`, shown
/// divided by `1 - w^n` after `n` points (JavaScript's `Math.pow`, which is `f64::powf`).
fn tensorboard_smoothing(ys: &[f64], w: f64) -> Vec<f64> {
    let is_constant = ys.iter().all(|y| *y == ys[0]);
    let mut last = if ys.is_empty() { f64::NAN } else { 0.0 };
    let mut num_accum = 0;
    let mut out = Vec::new();
    for &next in ys {
        if is_constant || !next.is_finite() {
            out.push(next);
            continue;
        }
        last = last * w + (1.0 - w) * next;
        num_accum += 1;
        let mut debias_weight = 1.0;
        if w != 1.0 {
            debias_weight = 1.0 - w.powf(f64::from(num_accum));
        }
        out.push(last / debias_weight);
    }
    out
}

#[test]
fn runs_history_prints_every_point_and_smooths_as_tensorboard_does() {
    let f = fixtures();
    let (_keep, db) = index(&f, "tensorboard-project");
    let expected = &f.manifest["projects"]["tensorboard-project"]["runs"]["adam_lr0.003_bs128"]["event_dirs"]
        [0]["scalars"]["loss/train"];
    let run = json(&db, &["runs"])
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "adam_lr0.003_bs128")
        .expect("the adam run")["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let smoothed_loss = [
        "runs",
        "history",
        &run,
        "loss/train",
        "--smoothing",
        "ema:0.6",
    ];
    let h = json(&db, &smoothed_loss);
    assert_eq!(h["run"], run.as_str());
    assert_eq!(h["key"], "loss/train");
    assert_eq!(h["x"], "step");
    assert_eq!(h["smoothing"], "ema:0.6");
    let points = h["points"].as_array().unwrap();
    assert_eq!(
        points.len() as u64,
        expected["num_points"].as_u64().unwrap()
    );
    let steps: Vec<i64> = points.iter().map(|p| p["step"].as_i64().unwrap()).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "history order");
    assert_eq!(steps[0], expected["min_step"].as_i64().unwrap());
    let values: Vec<f64> = points.iter().map(|p| num(&p["value"])).collect();
    assert!(close(*values.last().unwrap(), num(&expected["final"])));
    let smoothed: Vec<f64> = points.iter().map(|p| num(&p["smoothed"])).collect();
    let want = tensorboard_smoothing(&values, 0.6);
    assert!(values != smoothed, "the smoothing changed something");
    for (i, (a, b)) in smoothed.iter().zip(&want).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12,
            "point {i}: {a} vs TensorBoard's {b}"
        );
    }
    for (p, s) in points.iter().zip(&steps) {
        assert_eq!(num(&p["x"]), *s as f64);
    }

    // Two keys: an array, in the order asked; the CSV has the same numbers.
    let both = json(&db, &["runs", "history", &run, "loss/val", "lr"]);
    let keys: Vec<&str> = both
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["loss/val", "lr"]);
    let csv = driftdeck(
        &db,
        &[&smoothed_loss[..], &["--x", "relative", "--csv"]].concat(),
    );
    let text = String::from_utf8(csv.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("run,key,step,timestamp,x,value,smoothed")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), points.len());
    assert_eq!(rows[0][4], "0", "relative time starts at 0");
    for (row, s) in rows.iter().zip(&smoothed) {
        assert_eq!(row[6].parse::<f64>().unwrap(), *s, "CSV and JSON agree");
    }

    // A metric the run does not have is an error that names it and what the run has.
    let out = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args(["runs", "history", &run, "loss/tets", "--db"])
        .arg(&db)
        .env_remove("DRIFTDECK_DB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`loss/tets`") && err.contains("loss/train"),
        "{err}"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_driftdeck"))
        .args([
            "runs",
            "history",
            &run,
            "lr",
            "--smoothing",
            "ema:2",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--smoothing"));
}

fn runs_by_id(db: &Path) -> BTreeMap<String, Value> {
    json(db, &["runs"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["run_id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A param (always a string in the catalog) against a manifest value of any JSON type.
fn check_param(context: &str, ours: Option<&Value>, want: &Value) {
    let ours = ours
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{context}: missing"));
    match want {
        Value::Number(_) => {
            let parsed: f64 = ours
                .parse()
                .unwrap_or_else(|_| panic!("{context}: {ours} is not a number"));
            assert!(close(parsed, num(want)), "{context}: {ours} vs {want}");
        }
        Value::String(s) => assert_eq!(ours, s, "{context}"),
        other => assert_eq!(ours, other.to_string(), "{context}"),
    }
}

/// Every param of `expected` (a manifest object) is one of `ours` (a run's params), the same.
fn check_params(context: &str, ours: &Value, expected: &Value) {
    for (k, v) in expected.as_object().unwrap() {
        check_param(&format!("{context} {k}"), ours.get(k), v);
    }
}

fn check_metrics(context: &str, ours: &Value, expected: &Value) {
    for (key, value) in expected.as_object().unwrap() {
        let got = ours
            .get(key)
            .unwrap_or_else(|| panic!("{context}: metric {key} missing; have {ours}"));
        assert!(
            close(num(got), num(value)),
            "{context}: metric {key} = {got}, manifest says {value}"
        );
    }
}

fn check_datasets(db: &Path, expected: &Value) {
    let ours: BTreeMap<String, Value> = json(db, &["datasets"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d.clone()))
        .collect();
    for (path, want) in expected.as_object().unwrap() {
        let got = ours
            .get(path)
            .unwrap_or_else(|| panic!("dataset {path} not indexed; have {:?}", ours.keys()));
        assert_eq!(got["rows"], want["rows"], "{path}: rows");
        assert_eq!(got["columns"], want["columns"], "{path}: columns");
        if let Some(names) = want.get("column_names") {
            let ours: Vec<&Value> = got["schema"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| &c["name"])
                .collect();
            assert_eq!(
                ours,
                names.as_array().unwrap().iter().collect::<Vec<_>>(),
                "{path}: column names"
            );
        }
        if let Some(nulls) = want.get("null_cells") {
            let ours: i64 = got["schema"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["nulls"].as_i64().unwrap())
                .sum();
            assert_eq!(ours, nulls.as_i64().unwrap(), "{path}: null cells");
        }
    }
}

/// Every model file of the manifest's list `expected` is indexed.
fn check_model_files(db: &Path, expected: &Value) {
    let ours = model_files(db);
    for file in expected.as_array().unwrap() {
        assert!(
            ours.contains(file.as_str().unwrap()),
            "model file {file} not indexed; have {ours:?}"
        );
    }
}

/// The model paths we index, with MLflow model folders named by their MLmodel file, as the
/// manifests list them.
fn model_files(db: &Path) -> BTreeSet<String> {
    json(db, &["models"])["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let path = m["path"].as_str().unwrap();
            if m["format"] == "mlflow" {
                format!("{path}/MLmodel")
            } else {
                path.to_string()
            }
        })
        .collect()
}

fn check_mlflow(project: &str) {
    let f = fixtures();
    let (_keep, db) = index(&f, project);
    let m = &f.manifest["projects"][project];
    let runs = runs_by_id(&db);
    let expected = m["runs"].as_array().unwrap();
    assert_eq!(runs.len(), expected.len(), "number of runs");
    for want in expected {
        let id = want["run_id"].as_str().unwrap();
        let got = runs
            .get(id)
            .unwrap_or_else(|| panic!("run {id} not indexed"));
        let ctx = format!("{project} run {id}");
        assert_eq!(got["name"], want["run_name"], "{ctx}: name");
        assert_eq!(got["status"], want["status"], "{ctx}: status");
        assert_eq!(
            got["lifecycle"], want["lifecycle_stage"],
            "{ctx}: lifecycle"
        );
        assert_eq!(got["parent_run_id"], want["parent_run_id"], "{ctx}: parent");
        assert_eq!(
            string_map(&got["params"]),
            string_map(&want["params"]),
            "{ctx}: params"
        );
        let tags = string_map(&got["tags"]);
        for (k, v) in string_map(&want["tags"])
            .into_iter()
            .chain(string_map(&want["system_tags"]))
        {
            assert_eq!(tags.get(&k), Some(&v), "{ctx}: tag {k}");
        }
        check_metrics(&ctx, &got["metrics"], &want["final_metrics"]);
    }
    check_datasets(&db, &m["datasets"]);
    check_model_files(&db, &m["model_files"]);
    let registered = json(&db, &["models"])["registered_models"].clone();
    for want in m["registered_models"].as_array().unwrap() {
        let got = registered
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == want["name"])
            .unwrap_or_else(|| panic!("registered model {} missing", want["name"]));
        assert_eq!(
            got["versions"].as_array().unwrap().len(),
            want["versions"].as_array().unwrap().len()
        );
        for (alias, version) in want["aliases"].as_object().unwrap() {
            assert_eq!(
                got["aliases"][alias].as_str().map(str::to_string),
                Some(version.to_string()),
                "alias {alias}"
            );
        }
    }
}

#[test]
fn mlflow_file_store() {
    check_mlflow("mlflow-filestore-project");
}

#[test]
fn mlflow_sqlite_store() {
    check_mlflow("mlflow-sqlite-project");
}

#[test]
fn tensorboard() {
    let f = fixtures();
    let (_keep, db) = index(&f, "tensorboard-project");
    let runs: Vec<Value> = json(&db, &["runs"]).as_array().unwrap().clone();
    let want = f.manifest["projects"]["tensorboard-project"]["summary"]["runs"]
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(runs.len(), want.len());
    for (name, w) in &want {
        let got = runs
            .iter()
            .find(|r| r["name"] == name.as_str())
            .unwrap_or_else(|| panic!("run {name} missing"));
        check_metrics(name, &got["metrics"], &w["final_scalars"]);
        check_params(&format!("{name}: hparam"), &got["params"], &w["hparams"]);
    }
}

#[test]
fn wandb_offline() {
    let f = fixtures();
    let (_keep, db) = index(&f, "wandb-offline-project");
    let runs = runs_by_id(&db);
    let want = f.manifest["projects"]["wandb-offline-project"]["runs"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(runs.len(), want.len());
    for w in &want {
        let id = w["run_id"].as_str().unwrap();
        let got = runs.get(id).unwrap_or_else(|| panic!("run {id} missing"));
        assert_eq!(got["name"], w["name"]);
        let finals: serde_json::Map<String, Value> = w["metrics"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v["final"].clone()))
            .collect();
        check_metrics(id, &got["metrics"], &Value::Object(finals));
        check_params(&format!("{id}: config"), &got["params"], &w["config"]);
    }
}

#[test]
fn dvc_workspace() {
    let f = fixtures();
    let (_keep, db) = index(&f, "dvc-project");
    let m = &f.manifest["projects"]["dvc-project"];
    let runs: Vec<Value> = json(&db, &["runs"]).as_array().unwrap().clone();
    let workspace = runs
        .iter()
        .find(|r| r["source"] == "dvc")
        .expect("the DVC workspace run");
    let params = &workspace["params"];
    for (stage, values) in m["summary"]["experiments"]["exp-lr-0_3"]["params"]
        .as_object()
        .unwrap()
    {
        for (k, v) in values.as_object().unwrap() {
            let key = format!("{stage}.{k}");
            check_param(&format!("param {key}"), params.get(&key), v);
        }
    }
    let metrics = &workspace["metrics"];
    for (k, v) in m["summary"]["experiments"]["exp-lr-0_3"]["metrics"]["metrics.json"]
        .as_object()
        .unwrap()
    {
        let ours = metrics
            .get(k)
            .unwrap_or_else(|| panic!("metric {k} missing: {metrics}"));
        assert!(close(num(ours), num(v)), "metric {k}");
    }
    check_datasets(&db, &m["datasets"]);
    check_model_files(&db, &m["model_files"]);
}

#[test]
fn plain_project_with_broken_files() {
    let f = fixtures();
    let (_keep, db) = index(&f, "plain-project");
    let m = &f.manifest["projects"]["plain-project"];
    check_datasets(&db, &m["datasets"]);
    check_model_files(&db, &m["summary"]["model_files"]);
    let runs: Vec<Value> = json(&db, &["runs", "--filter", "source = 'folder'"])
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        runs.len(),
        m["summary"]["num_runs"].as_u64().unwrap() as usize
    );
    for (name, w) in m["runs"].as_object().unwrap() {
        let got = runs
            .iter()
            .find(|r| r["name"] == name.as_str())
            .unwrap_or_else(|| panic!("run {name} missing"));
        check_metrics(name, &got["metrics"], &w["metrics"]);
    }
    // Every broken file is reported with a reason; nothing else stopped the index.
    let problems = json(&db, &["problems"]);
    let paths: BTreeSet<&str> = cli::strings(&problems, "/path").into_iter().collect();
    for broken in m["broken_files"].as_array().unwrap() {
        let path = broken["path"].as_str().unwrap();
        assert!(
            paths
                .iter()
                .any(|p| *p == path || path.starts_with(&format!("{p}/"))),
            "no problem reported for {path}: {problems:#}"
        );
    }
    for p in problems.as_array().unwrap() {
        assert!(
            p["message"].as_str().unwrap().len() > 10,
            "problem without a useful reason: {p}"
        );
    }
}

#[test]
fn reindexing_an_unchanged_tree_reads_nothing() {
    let f = fixtures();
    let (_keep, db) = index(&f, "mlflow-filestore-project");
    let path = f.public.join("mlflow-filestore-project");
    let again = json(&db, &["index", path.to_str().unwrap()]);
    assert_eq!(again[0]["units_read"], 0, "{again:#}");
    assert_eq!(again[0]["files_hashed"], 0, "{again:#}");
    assert!(again[0]["counts"]["runs"].as_i64().unwrap() > 0);
}

#[test]
fn the_demo_workspace_indexes_with_its_ground_truth() {
    let demo = test_data::demo();
    let manifest = test_data::manifest(&demo);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    let summary = json(&db, &["index", demo.to_str().unwrap()]);
    assert_eq!(summary[0]["counts"]["problems"], 0, "{summary:#}");
    let runs = runs_by_id(&db);
    let expected = manifest["mlflow"]["runs"]
        .as_array()
        .expect("runs in the demo manifest");
    for want in expected {
        let id = want["run_id"].as_str().unwrap();
        let got = runs
            .get(id)
            .unwrap_or_else(|| panic!("demo run {id} missing"));
        check_metrics(id, &got["metrics"], &want["final_metrics"]);
    }
    let datasets = json(&db, &["datasets"]);
    assert!(datasets.as_array().unwrap().len() >= 3);
}
