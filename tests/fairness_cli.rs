//! `driftdeck fairness` on the drift pairs' predictions: every group metric and disparity
//! equals Fairlearn's reference values (tests/data/fairness/fairlearn_*.json); JSON names,
//! exit codes, reports, what moved, and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "support/test_data.rs"]
mod test_data;

fn data(name: &str) -> PathBuf {
    test_data::drift_pair_file(name)
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftdeck"));
    cmd.arg("fairness");
    for a in args {
        cmd.arg(a);
    }
    cmd.env_remove("DRIFTDECK_DB")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        o.status.code(),
        stderr(o)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn check_against_fairlearn(size: &str) {
    let reference: Value =
        serde_json::from_str(&test_data::read(&format!("fairness/fairlearn_{size}.json"))).unwrap();
    let report = json(&run(&[
        &data(&format!("cur_{size}.parquet")),
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--sensitive",
        &"age_group",
        &"--format",
        &"json",
    ]));
    let groupings = report["groupings"].as_array().unwrap();
    let mut checked = 0;
    for (key, columns) in [
        ("sex", vec!["sex"]),
        ("age_group", vec!["age_group"]),
        ("sex_x_age_group", vec!["sex", "age_group"]),
    ] {
        let want = &reference["results"][key];
        let got = groupings
            .iter()
            .find(|g| g["columns"] == serde_json::json!(columns))
            .unwrap_or_else(|| panic!("{size}: no grouping {key}"));
        for (name, method) in [
            ("demographic_parity_difference", "between_groups"),
            ("demographic_parity_ratio", "between_groups"),
            ("equalized_odds_difference", "between_groups"),
            ("equalized_odds_ratio", "between_groups"),
            ("demographic_parity_difference_to_overall", "to_overall"),
            ("demographic_parity_ratio_to_overall", "to_overall"),
            ("equalized_odds_difference_to_overall", "to_overall"),
            ("equalized_odds_ratio_to_overall", "to_overall"),
        ] {
            let base = name.trim_end_matches("_to_overall");
            let d = got["disparities"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["name"] == base && d["method"] == method)
                .unwrap();
            let (a, b) = (d["value"].as_f64().unwrap(), want[name].as_f64().unwrap());
            assert!(close(a, b), "{size} {key} {name}: {a} vs Fairlearn {b}");
            checked += 1;
        }
        for (label, metrics) in want["metric_frame"]["by_group"].as_object().unwrap() {
            let group = got["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["label"] == *label)
                .unwrap_or_else(|| panic!("{size} {key}: group {label} missing"));
            for (metric, value) in metrics.as_object().unwrap() {
                let (a, b) = (group[metric].as_f64().unwrap(), value.as_f64().unwrap());
                assert!(close(a, b), "{size} {key} {label} {metric}: {a} vs {b}");
                checked += 1;
            }
        }
        let overall = &want["metric_frame"]["overall"];
        for (metric, value) in overall.as_object().unwrap() {
            if let Some(a) = report["overall"][metric].as_f64() {
                assert!(close(a, value.as_f64().unwrap()), "{size} overall {metric}");
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn every_metric_and_disparity_equals_fairlearn() {
    check_against_fairlearn("800");
    check_against_fairlearn("100k");
}

#[test]
fn thresholds_gate_and_the_report_says_what_moved() {
    let file = data("cur_800.parquet");
    let strict = run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"age_group",
        &"--fail-on-violation",
    ]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let lax = run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--max-difference",
        &"0.5",
        &"--min-ratio",
        &"0.2",
        &"--fail-on-violation",
    ]);
    assert_eq!(lax.status.code(), Some(0), "{}", stderr(&lax));
    let moved = json(&run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--compare-with",
        &data("ref_800.parquet"),
        &"--bootstrap",
        &"500",
        &"--seed",
        &"7",
        &"--format",
        &"json",
    ]));
    let changes = moved["comparison"]["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    let first = changes[0]["change"].as_f64().unwrap().abs();
    assert!(
        changes
            .iter()
            .all(|c| c["change"].as_f64().is_none_or(|v| v.abs() <= first))
    );
    let d = &moved["groupings"][0]["disparities"][0];
    let i = &d["interval"];
    assert!(i["low"].as_f64().unwrap() <= d["value"].as_f64().unwrap());
    assert!(i["high"].as_f64().unwrap() >= d["value"].as_f64().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("f.html");
    let out = run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--format",
        &"html",
        &"-o",
        &html,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("demographic_parity_ratio") && page.contains("<svg"));
    let charts = dir.path().join("charts");
    let out = run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--sensitive",
        &"age_group",
        &"--charts",
        &charts,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = std::fs::read_to_string(charts.join("sex_x_age_group-selection_rate.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("overall"),
        "the parity band's legend"
    );
    assert!(!page.contains("<script"));
}

#[test]
fn bad_input_is_named() {
    let file = data("cur_800.parquet");
    let missing = run(&[
        &file,
        &"--label",
        &"nope",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("'nope'") && stderr(&missing).contains("label"),
        "{}",
        stderr(&missing)
    );
    let not_binary = run(&[
        &file,
        &"--label",
        &"age_group",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--positive-label",
        &"60+",
    ]);
    assert_eq!(not_binary.status.code(), Some(2));
    assert!(
        stderr(&not_binary).contains("age_group"),
        "{}",
        stderr(&not_binary)
    );
    let unknown = run(&[
        &file,
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"sex",
        &"--positive-label",
        &"7",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains('7'), "{}", stderr(&unknown));
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(&tiny, "y,p,g\n1,1,a\n0,0,a\n1,0,b\n").unwrap();
    let r = json(&run(&[
        &tiny,
        &"--label",
        &"y",
        &"--prediction",
        &"p",
        &"--sensitive",
        &"g",
        &"--format",
        &"json",
    ]));
    let b = &r["groupings"][0]["groups"][1];
    assert_eq!(b["label"], "b");
    assert_eq!(b["below_min_size"], true);
    assert!(
        b["false_positive_rate"].is_null(),
        "no negatives: undefined, never 0"
    );
    assert!(
        b["undefined"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["metric"] == "false_positive_rate")
    );
}

#[test]
fn the_demo_predictions_match_their_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("MANIFEST.json")).unwrap())
            .unwrap();
    let want = &manifest["data"]["predictions"]["by_age_group"];
    let r = json(&run(&[
        &root.join("data/predictions.csv"),
        &"--label",
        &"label",
        &"--prediction",
        &"prediction",
        &"--sensitive",
        &"age_group",
        &"--format",
        &"json",
    ]));
    let groups = r["groupings"][0]["groups"].as_array().unwrap();
    for (label, expected) in want.as_object().unwrap() {
        let got = groups.iter().find(|g| g["label"] == *label).unwrap();
        assert_eq!(got["count"], expected["n"], "{label}");
        for metric in [
            "selection_rate",
            "true_positive_rate",
            "false_positive_rate",
            "accuracy",
        ] {
            let (a, b) = (
                got[metric].as_f64().unwrap(),
                expected[metric].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() < 5e-7,
                "{label} {metric}: {a} vs manifest {b}"
            );
        }
    }
}

#[test]
fn regression_means_and_mae_per_group_match_fairlearn() {
    let extra: Value =
        serde_json::from_str(&test_data::read("fairness/fairlearn_extra_800.json")).unwrap();
    let reg = &extra["regression"];
    let (label, prediction) = (
        reg["label"].as_str().unwrap(),
        reg["prediction"].as_str().unwrap(),
    );
    let r = json(&run(&[
        &data("cur_800.parquet"),
        &"--label",
        &label,
        &"--prediction",
        &prediction,
        &"--sensitive",
        &"sex",
        &"--regression",
        &"--format",
        &"json",
    ]));
    assert_eq!(r["task"], "regression");
    let want = &reg["results"]["sex"]["metric_frame"];
    let grouping = &r["groupings"][0];
    for (group, metrics) in want["by_group"].as_object().unwrap() {
        let got = grouping["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["label"] == *group)
            .unwrap();
        for m in ["mean_prediction", "mean_label", "mae"] {
            let (a, b) = (got[m].as_f64().unwrap(), metrics[m].as_f64().unwrap());
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{group} {m}: {a} vs {b}");
        }
    }
    let mae = grouping["summaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "mae")
        .unwrap();
    let want_diff = want["difference_between_groups"]["mae"].as_f64().unwrap();
    let got_diff = mae["difference_between_groups"].as_f64().unwrap();
    assert!((got_diff - want_diff).abs() <= 1e-9 * want_diff.abs());
    let text = run(&[
        &data("cur_800.parquet"),
        &"--label",
        &label,
        &"--prediction",
        &prediction,
        &"--sensitive",
        &"sex",
        &"--regression",
    ]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert!(String::from_utf8_lossy(&text.stdout).contains("MAE"));
}
