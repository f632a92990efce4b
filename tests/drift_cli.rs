//! `driftdeck drift` on the drift pairs of tests/data/drift: the JSON contract, the
//! answers Evidently gives on the same files, exit codes, reports and bad input.

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

/// `driftdeck drift REFERENCE CURRENT --no-cache`: never the user's catalog (the cache's own
/// test passes its catalog to [`drift_cached`]).
fn drift(reference: &Path, current: &Path) -> Cli {
    Cli::new("drift")
        .arg(reference)
        .arg(current)
        .args("--no-cache")
}

/// `driftdeck drift REFERENCE CURRENT --db DB`: the reference cache of the catalog at `db`.
fn drift_cached(reference: &Path, current: &Path, db: &Path) -> Cli {
    Cli::new("drift")
        .arg(reference)
        .arg(current)
        .opt("--db", db)
}

/// `drift` on the committed 800-row pair, `ref_800.parquet` against `cur_800.parquet`.
fn drift_800() -> Cli {
    drift(&data("ref_800.parquet"), &data("cur_800.parquet"))
}

/// The entry of `report.columns` for column `name`.
fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    find(&report["columns"], "column", name).unwrap_or_else(|| panic!("no column {name}"))
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() < 1e-300
}

/// Every column's method, score and verdict, and the dataset verdict, equal Evidently's.
fn assert_matches_evidently(size: &str, ext: &str) {
    let reference: Value =
        serde_json::from_str(&test_data::read(&format!("drift/evidently_{size}.json"))).unwrap();
    let (r, c) = (
        data(&format!("ref_{size}.{ext}")),
        data(&format!("cur_{size}.{ext}")),
    );
    let report = drift(&r, &c).report();
    let expected = reference["columns"].as_object().unwrap();
    let mut checked = 0;
    for (name, e) in expected {
        let got = find(&report["columns"], "column", name)
            .unwrap_or_else(|| panic!("{size}: column {name} missing"));
        let at = format!("{size}.{ext} {name}");
        assert_eq!(got["testable"], true, "{at}: {got}");
        assert_eq!(got["method"], e["stattest"], "{at}");
        assert_eq!(got["threshold"], e["threshold"], "{at}");
        let (score, want) = (
            got["score"].as_f64().unwrap(),
            e["drift_score"].as_f64().unwrap(),
        );
        assert!(
            close(score, want),
            "{at}: score {score} vs Evidently {want}"
        );
        assert_eq!(got["drifted"], e["drift_detected"], "{at}");
        checked += 1;
    }
    assert_eq!(checked, 20);
    let summary = &reference["dataset_summary"];
    assert_eq!(
        report["drifted_columns"].as_f64().unwrap(),
        summary["number_of_drifted_columns"].as_f64().unwrap()
    );
    assert!(close(
        report["share_drifted"].as_f64().unwrap(),
        summary["share_of_drifted_columns"].as_f64().unwrap()
    ));
    assert_eq!(report["dataset_drift"], summary["dataset_drift"], "{size}");
    assert_eq!(report["tested_columns"], 20);
    // The timestamp is listed, not tested, as Evidently leaves it out.
    let ts = column(&report, "ts");
    assert_eq!(
        (&ts["kind"], &ts["testable"]),
        (&"datetime".into(), &false.into())
    );
}

#[test]
fn small_pair_matches_evidently_from_parquet_and_csv() {
    assert_matches_evidently("800", "parquet");
    assert_matches_evidently("800", "csv");
}

#[test]
fn large_pair_matches_evidently() {
    assert_matches_evidently("100k", "parquet");
}

#[test]
fn json_follows_the_contract() {
    let r = drift_800().report();
    assert_eq!(r["format_version"], 1);
    for side in ["reference", "current"] {
        for key in ["path", "rows", "columns", "hash"] {
            assert!(!r[side][key].is_null(), "{side}.{key}");
        }
        assert_eq!(r[side]["rows"], 800);
        assert_eq!(r[side]["hash"].as_str().unwrap().len(), 64);
    }
    for key in ["added", "removed", "type_changed"] {
        assert!(r["schema"][key].is_array(), "schema.{key}");
    }
    for key in [
        "drifted_columns",
        "share_drifted",
        "drift_share",
        "dataset_drift",
    ] {
        assert!(!r[key].is_null(), "{key}");
    }
    let col = &r["columns"][0];
    for key in [
        "column",
        "kind",
        "method",
        "statistic",
        "p_value",
        "threshold",
        "drifted",
        "reference",
        "current",
    ] {
        assert!(col.get(key).is_some(), "columns[].{key}");
    }
    assert!(col["reference"]["count"].is_u64() && col["reference"]["missing"].is_u64());
    // New categories make Evidently's chi-square statistic infinite: written as a string.
    let high = column(&r, "cat_high_a");
    assert_eq!(high["statistic"], "Infinity");
    assert_eq!(high["p_value"], 0.0);
    assert_eq!(high["categories"]["new_count"], 201);
    assert_eq!(high["categories"]["missing_count"], 150);
    // Missing values are counted, not tested.
    let nulls = column(&r, "num_nulls");
    assert_eq!(nulls["reference"]["missing"], 38);
    assert_eq!(nulls["current"]["missing"], 41);
    // A tiny p-value comes with an effect size saying how large the change is.
    let b = &r["columns"][1];
    assert_eq!(b["effect_size"]["name"], "wasserstein_normed");
    assert!(b["effect_size"]["value"].as_f64().unwrap() > 0.2);
}

#[test]
fn fail_on_drift_exits_1_on_drift_and_0_without() {
    let drifted = drift_800().args("--fail-on-drift").output();
    assert_eq!(drifted.status.code(), Some(1), "{}", stderr(&drifted));
    assert!(stderr(&drifted).contains("dataset drift"));
    let (ref_100k, cur_100k) = (data("ref_100k.parquet"), data("cur_100k.parquet"));
    let calm = drift(&ref_100k, &cur_100k).args("--fail-on-drift").output();
    assert_eq!(calm.status.code(), Some(0), "{}", stderr(&calm));
    let ref_800 = data("ref_800.parquet");
    let same = drift(&ref_800, &ref_800).args("--fail-on-drift").output();
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
}

#[test]
fn overrides_change_method_threshold_columns_and_share() {
    let r = drift_800()
        .args("--columns num_normal_a,num_normal_b,cat_low_a,sex")
        .args("--method psi --method sex=chi2_contingency")
        .args("--threshold cat_low_a=0.5 --drift-share 0.25")
        .report();
    let cols = r["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 4);
    let get = |n: &str| column(&r, n).clone();
    assert_eq!(get("num_normal_a")["method"], "psi");
    assert_eq!(get("num_normal_a")["reason"], "set by the user");
    assert_eq!(get("cat_low_a")["threshold"], 0.5);
    let sex = get("sex");
    assert_eq!(sex["method"], "chi2_contingency");
    // scipy.stats.chi2_contingency(correction=False) on the sex column (scipy_800.json).
    // Python's json writes bare Infinity/NaN, which strict JSON parsers refuse.
    let text = test_data::read("drift/scipy_800.json")
        .replace(": -Infinity", ": \"-Infinity\"")
        .replace(": Infinity", ": \"Infinity\"")
        .replace(": NaN", ": \"NaN\"");
    let scipy: Value = serde_json::from_str(&text).unwrap();
    let want = scipy["categorical"]["sex"]["chi2_contingency_pvalue"]
        .as_f64()
        .unwrap();
    assert!(close(sex["p_value"].as_f64().unwrap(), want));
    let psi = scipy["numeric"]["num_normal_b"]["psi_evidently"]
        .as_f64()
        .unwrap();
    assert!(close(
        get("num_normal_b")["statistic"].as_f64().unwrap(),
        psi
    ));
    assert_eq!(r["drift_share"], 0.25);
    let kinds = drift_800()
        .args("--columns ts,label --kind ts=numerical --kind label=categorical")
        .report();
    let cols = kinds["columns"].as_array().unwrap();
    assert_eq!(cols[0]["kind_source"], "override");
    assert!(cols.iter().all(|c| c["testable"] == true), "{kinds}");
}

#[test]
fn html_report_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let charts = dir.path().join("charts");
    let out = drift_800()
        .args("--format html")
        .opt("-o", &html)
        .opt("--charts", &charts)
        .args("--chart-format png")
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("Dataset drift detected"));
    assert!(page.contains("num_normal_b") && page.contains("<svg"));
    assert!(!page.contains("<script"), "the report runs no script");
    let png = std::fs::read(charts.join("num_normal_b.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(charts.join("cat_low_a.png").exists());
    let svg_dir = dir.path().join("svg");
    let out = drift_800().opt("--charts", &svg_dir).output();
    assert_eq!(out.status.code(), Some(0));
    let svg = std::fs::read_to_string(svg_dir.join("sex.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("reference") && svg.contains("current"));
}

#[test]
fn bad_input_is_a_clear_error_or_a_column_not_testable() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let a = write("a.csv", "x,y,t,n\n1,a,u,\n2,b,v,\n3,a,w,\n");
    let b = write("b.csv", "x,y,t,n\n1.5,c,7,\n2,a,8,\n");
    let other = write("other.csv", "p,q\n1,2\n");
    let empty = write("empty.csv", "");
    let header_only = write("header.csv", "x,y\n");
    let nope = dir.path().join("nope.csv");

    assert_exit(&drift(&nope, &a).output(), 2, &["nope.csv"]);
    assert_exit(&drift(&a, &other).output(), 2, &["no column in common"]);
    assert_exit(&drift(&empty, &a).output(), 2, &["empty.csv"]);
    assert_exit(&drift(&a, &header_only).output(), 2, &["no rows"]);
    let typo = drift(&a, &b).args("--columns X,yy").output();
    assert_exit(&typo, 2, &["'X'", "'x'"]);
    let method = drift(&a, &b).args("--method bogus").output();
    assert_exit(&method, 2, &["wasserstein"]);

    let r = drift(&a, &b).report();
    let get = |n: &str| column(&r, n);
    assert_eq!(get("x")["testable"], true, "int vs float is still numbers");
    let t = get("t");
    assert_eq!(t["testable"], false);
    assert!(
        t["not_testable_reason"]
            .as_str()
            .unwrap()
            .contains("type changed")
    );
    let n = get("n");
    assert_eq!(n["testable"], false);
    let reason = n["not_testable_reason"].as_str().unwrap();
    assert!(
        reason.contains("not testable") || reason.contains("missing"),
        "{n}"
    );
    assert_eq!(r["schema"]["type_changed"].as_array().unwrap().len(), 2);
    let forced = drift(&a, &b).args("--kind t=categorical").report();
    let t = column(&forced, "t");
    assert_eq!(t["testable"], true, "{t}");
}

#[test]
fn a_known_reference_is_served_from_the_catalog_cache() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("catalog.sqlite");
    let (r, c) = (data("ref_800.parquet"), data("cur_800.parquet"));
    let first = drift_cached(&r, &c, &db).report();
    assert_eq!(first["reference"]["cached"], false);
    let second = drift_cached(&r, &c, &db).report();
    assert_eq!(second["reference"]["cached"], true);
    assert_eq!(
        first["columns"], second["columns"],
        "same answers from the cache"
    );
    let off = drift_cached(&r, &c, &db).args("--no-cache").report();
    assert_eq!(off["reference"]["cached"], false);
}

#[test]
fn drift_per_time_chunk_of_the_current_data() {
    let r = drift_800()
        .args("--time-column ts --chunk-size 200")
        .report();
    let t = &r["timeline"];
    assert_eq!(t["time_column"], "ts");
    assert_eq!(t["chunking"], "size");
    let chunks = t["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 4);
    let rows: u64 = chunks.iter().map(|c| c["rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, 800);
    for c in chunks {
        assert!(c["start"].as_str().unwrap() <= c["end"].as_str().unwrap());
        assert_eq!(c["tested_columns"], 20, "{c}");
        let col = &c["columns"][0];
        assert_eq!(
            col["method"], "ks",
            "the whole file's method, for a comparable series"
        );
    }
    // The strongly drifted column drifts in most chunks; the stable one in few.
    let drifted = |name: &str| {
        chunks
            .iter()
            .filter(|c| find(&c["columns"], "column", name).is_some_and(|k| k["drifted"] == true))
            .count()
    };
    assert!(drifted("num_count_b") >= 3, "num_count_b");
    assert!(drifted("num_normal_a") <= 1, "num_normal_a");
    let daily = drift_800().args("--time-column ts --period 1d").report();
    assert_eq!(daily["timeline"]["chunking"], "period");
    assert!(!daily["timeline"]["chunks"].as_array().unwrap().is_empty());
    let bad = drift_800()
        .args("--time-column num_normal_a --period 1d")
        .output();
    assert_exit(&bad, 2, &["expected a date"]);
}

#[test]
fn streaming_summaries_agree_with_the_exact_answers() {
    let (r, c) = (data("ref_100k.parquet"), data("cur_100k.parquet"));
    let exact = drift(&r, &c).report();
    let streamed = drift(&r, &c).args("--streaming").report();
    assert_eq!(exact["dataset_drift"], streamed["dataset_drift"]);
    assert_eq!(exact["drifted_columns"], streamed["drifted_columns"]);
    for (e, s) in exact["columns"]
        .as_array()
        .unwrap()
        .iter()
        .zip(streamed["columns"].as_array().unwrap())
    {
        let at = e["column"].as_str().unwrap();
        assert_eq!(e["method"], s["method"], "{at}");
        assert_eq!(e["drifted"], s["drifted"], "{at}");
        if e["testable"] != true {
            continue;
        }
        let (a, b) = (e["score"].as_f64().unwrap(), s["score"].as_f64().unwrap());
        if e["kind"] == "numerical" && e["method"] == "wasserstein" {
            // The fine-bin CDFs are off by at most one bin width (1/15360 of the range).
            assert_eq!(s["approximate"], true, "{at}");
            assert!((a - b).abs() < 2e-3, "{at}: exact {a}, streamed {b}");
        } else {
            // Binned and categorical statistics are exact from the streamed counts.
            assert!(close(a, b), "{at}: exact {a}, streamed {b}");
        }
        assert_eq!(e["reference"]["count"], s["reference"]["count"], "{at}");
        assert_eq!(e["current"]["missing"], s["current"]["missing"], "{at}");
    }
}
