//! `driftdeck fairness` on the drift pairs' predictions: every group metric and disparity
//! equals Fairlearn's reference values (tests/data/fairness/fairlearn_*.json); JSON names,
//! exit codes, reports, what moved, and bad input.

use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "support/cli.rs"]
mod cli;
#[path = "support/test_data.rs"]
mod test_data;

use cli::{Cli, assert_exit, find, stderr};

fn data(name: &str) -> PathBuf {
    test_data::drift_pair_file(name)
}

/// `driftdeck fairness FILE --label label --prediction prediction --sensitive S…`: the column
/// names of the drift pairs and of the demo's predictions.
fn fairness(file: &Path, sensitive: &[&str]) -> Cli {
    fairness_of(file, ["label", "prediction"], sensitive)
}

/// `driftdeck fairness FILE --label L --prediction P --sensitive S…`.
fn fairness_of(file: &Path, [label, prediction]: [&str; 2], sensitive: &[&str]) -> Cli {
    let mut cli = Cli::new("fairness")
        .arg(file)
        .opt("--label", label)
        .opt("--prediction", prediction);
    for column in sensitive {
        cli = cli.opt("--sensitive", column);
    }
    cli
}

/// The group labelled `label` of a grouping.
fn group<'a>(grouping: &'a Value, label: &str) -> Option<&'a Value> {
    find(&grouping["groups"], "label", label)
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn check_against_fairlearn(size: &str) {
    let reference: Value =
        serde_json::from_str(&test_data::read(&format!("fairness/fairlearn_{size}.json"))).unwrap();
    let report = fairness(&data(&format!("cur_{size}.parquet")), &["sex", "age_group"]).report();
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
            let group =
                group(got, label).unwrap_or_else(|| panic!("{size} {key}: group {label} missing"));
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
    let strict = fairness(&file, &["age_group"])
        .args("--fail-on-violation")
        .output();
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let lax = fairness(&file, &["sex"])
        .args("--max-difference 0.5 --min-ratio 0.2 --fail-on-violation")
        .output();
    assert_eq!(lax.status.code(), Some(0), "{}", stderr(&lax));
    let moved = fairness(&file, &["sex"])
        .opt("--compare-with", data("ref_800.parquet"))
        .args("--bootstrap 500 --seed 7")
        .report();
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
    let out = fairness(&file, &["sex"])
        .args("--format html")
        .opt("-o", &html)
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("demographic_parity_ratio") && page.contains("<svg"));
    let charts = dir.path().join("charts");
    let out = fairness(&file, &["sex", "age_group"])
        .opt("--charts", &charts)
        .output();
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
    let missing = fairness_of(&file, ["nope", "prediction"], &["sex"]).output();
    assert_exit(&missing, 2, &["'nope'", "label"]);
    let not_binary = fairness_of(&file, ["age_group", "prediction"], &["sex"])
        .args("--positive-label 60+")
        .output();
    assert_exit(&not_binary, 2, &["age_group"]);
    let unknown = fairness(&file, &["sex"])
        .args("--positive-label 7")
        .output();
    assert_exit(&unknown, 2, &["7"]);
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("tiny.csv");
    std::fs::write(&tiny, "y,p,g\n1,1,a\n0,0,a\n1,0,b\n").unwrap();
    let r = fairness_of(&tiny, ["y", "p"], &["g"]).report();
    let b = &r["groupings"][0]["groups"][1];
    assert_eq!(b["label"], "b");
    assert_eq!(b["below_min_size"], true);
    assert!(
        b["false_positive_rate"].is_null(),
        "no negatives: undefined, never 0"
    );
    assert!(find(&b["undefined"], "metric", "false_positive_rate").is_some());
}

#[test]
fn the_demo_predictions_match_their_manifest() {
    let root = test_data::demo();
    let manifest = test_data::manifest(&root);
    let want = &manifest["data"]["predictions"]["by_age_group"];
    let r = fairness(&root.join("data/predictions.csv"), &["age_group"]).report();
    let grouping = &r["groupings"][0];
    for (label, expected) in want.as_object().unwrap() {
        let got = group(grouping, label).unwrap();
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
    let columns = [
        reg["label"].as_str().unwrap(),
        reg["prediction"].as_str().unwrap(),
    ];
    let file = data("cur_800.parquet");
    let r = fairness_of(&file, columns, &["sex"])
        .args("--regression")
        .report();
    assert_eq!(r["task"], "regression");
    let want = &reg["results"]["sex"]["metric_frame"];
    let grouping = &r["groupings"][0];
    for (label, metrics) in want["by_group"].as_object().unwrap() {
        let got = group(grouping, label).unwrap();
        for m in ["mean_prediction", "mean_label", "mae"] {
            let (a, b) = (got[m].as_f64().unwrap(), metrics[m].as_f64().unwrap());
            assert!((a - b).abs() <= 1e-12 * b.abs(), "{label} {m}: {a} vs {b}");
        }
    }
    let mae = find(&grouping["summaries"], "metric", "mae").unwrap();
    let want_diff = want["difference_between_groups"]["mae"].as_f64().unwrap();
    let got_diff = mae["difference_between_groups"].as_f64().unwrap();
    assert!((got_diff - want_diff).abs() <= 1e-9 * want_diff.abs());
    let text = fairness_of(&file, columns, &["sex"])
        .args("--regression")
        .output();
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert!(String::from_utf8_lossy(&text.stdout).contains("MAE"));
}
