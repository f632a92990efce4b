//! Checks of the numeric core against Fairlearn 0.15.0 on the drift pairs' current files and on
//! tiny edge cases, and the fixtures the other tests of the module share (`Rows`, `case`).
//!
//! Fixtures live in `tests/data/fairness/`, written by `scripts/testdata/fairness_fixtures.py` from the
//! drift pairs (`tests/data/drift`, `tests/data/generated/drift`): `rows_<size>.json` (the columns
//! of `cur_<size>.parquet` the checks need), `fairlearn_<size>.json` (Fairlearn's reference from
//! `scripts/testdata/run_fairlearn.py`, copied unchanged),
//! `fairlearn_extra_<size>.json` (what the shared reference leaves out: equal opportunity,
//! precision, `to_overall` for every metric, a three-way intersection, positive label 0, a score
//! threshold, regression) and `fairlearn_edge_cases.json` (tiny datasets with undefined metrics).
//!
//! Every value is compared at [`TOLERANCE`] = 1e-9 relative, and classification values must be
//! bit-identical ([`Exactness::Bits`]): they are the same correctly rounded quotients of the same
//! integer counts, aggregated with the same operations. Regression means are within ~5e-14 (sums
//! in another order than NumPy's). Each check prints how many values it compared and how many
//! matched bit for bit.

use std::collections::HashMap;
use std::fmt::Display;

use serde_json::Value;

use super::classification::{FairnessOptions, FairnessReport, GroupingReport, fairness_report};
use super::disparity::{Method, MetricSummary, UndefinedPolicy};
use super::input::{
    ClassificationInput, EncodedColumn, Predictions, RegressionInput, SensitiveColumn,
    binarize_labels, binarize_predictions,
};
use super::metrics::{DEFAULT_MIN_GROUP_SIZE, GroupMetrics, Metric};
use super::regression::{RegressionGroupMetrics, RegressionMetric, regression_report};

const TOLERANCE: f64 = 1e-9;

// ------------------------------------------------------------------------------------------------
// Fixtures

fn fixture(name: &str) -> Value {
    let path = crate::test_data::path(&format!("fairness/{name}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/testdata/fairness_fixtures.py)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bits(s: &Value) -> Vec<bool> {
    s.as_str().unwrap().bytes().map(|b| b == b'1').collect()
}

fn encoded(name: &str, column: &Value) -> EncodedColumn {
    EncodedColumn {
        name: name.to_string(),
        codes: column["codes"]
            .as_str()
            .unwrap()
            .bytes()
            .map(|b| (b - b'0') as u32)
            .collect(),
        values: column["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect(),
    }
}

/// The rows of a fixture: labels, predictions and the sensitive columns by name.
pub(super) struct Rows {
    pub(super) labels: Vec<bool>,
    pub(super) predictions: Vec<bool>,
    pub(super) sensitive: HashMap<String, EncodedColumn>,
    raw: Value,
}

impl Rows {
    pub(super) fn load(size: &str) -> Rows {
        Rows::from_value(fixture(&format!("rows_{size}.json")))
    }

    fn from_value(raw: Value) -> Rows {
        let sensitive = raw["sensitive"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, column)| (name.clone(), encoded(name, column)))
            .collect();
        Rows {
            labels: bits(&raw["label"]),
            predictions: bits(&raw["prediction"]),
            sensitive,
            raw,
        }
    }

    pub(super) fn columns(&self, names: &[&str]) -> Vec<SensitiveColumn<'_>> {
        names
            .iter()
            .map(|n| self.sensitive[*n].as_column())
            .collect()
    }

    fn floats(&self, name: &str) -> Vec<f64> {
        self.raw[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    }

    pub(super) fn report(&self, names: &[&str], policy: UndefinedPolicy) -> FairnessReport {
        let columns = self.columns(names);
        let input = ClassificationInput {
            labels: &self.labels,
            predictions: Predictions::Class(&self.predictions),
            sensitive: &columns,
        };
        fairness_report(&input, &options(policy)).unwrap()
    }
}

fn options(policy: UndefinedPolicy) -> FairnessOptions {
    FairnessOptions {
        undefined: policy,
        ..FairnessOptions::default()
    }
}

// ------------------------------------------------------------------------------------------------
// The one check helper: ours against Fairlearn's, where Fairlearn's NaN is our None

fn theirs(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(n.as_f64().unwrap()),
        Value::String(s) if s == "NaN" => None,
        Value::String(s) if s == "Infinity" => Some(f64::INFINITY),
        Value::String(s) if s == "-Infinity" => Some(f64::NEG_INFINITY),
        other => panic!("not a number: {other}"),
    }
}

#[derive(Default)]
struct Checker {
    checked: usize,
    exact: usize,
    worst: f64,
    failures: Vec<String>,
}

impl Checker {
    fn check(&mut self, what: impl Display, ours: Option<f64>, expected: &Value) {
        let expected = theirs(expected);
        self.checked += 1;
        match (ours, expected) {
            (None, None) => self.exact += 1,
            (Some(a), Some(b)) if a.to_bits() == b.to_bits() => self.exact += 1,
            (Some(a), Some(b)) => {
                let rel = (a - b).abs() / a.abs().max(b.abs());
                self.worst = self.worst.max(rel);
                if rel > TOLERANCE || rel.is_nan() {
                    self.failures.push(format!(
                        "{what}: ours {a:e}, fairlearn {b:e} (relative {rel:e})"
                    ));
                }
            }
            (a, b) => self
                .failures
                .push(format!("{what}: ours {a:?}, fairlearn {b:?}")),
        }
    }

    /// Fails on any value off by more than [`TOLERANCE`] and, with [`Exactness::Bits`], on any
    /// value that is not bit-identical (the claim the module docs make for classification).
    fn finish(self, name: &str, exactness: Exactness) {
        eprintln!(
            "{name}: {} values, {} bit-identical, worst relative error {:e}",
            self.checked, self.exact, self.worst
        );
        assert!(self.checked > 0, "{name}: nothing was compared");
        assert!(
            self.failures.is_empty(),
            "{name}: {} mismatches:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        if exactness == Exactness::Bits {
            assert_eq!(
                self.exact, self.checked,
                "{name}: not all values are bit-identical"
            );
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exactness {
    /// Same operations on the same exact counts: the same bits.
    Bits,
    /// Sums in another order than NumPy's: within [`TOLERANCE`].
    Tolerance,
}

fn metric(name: &str) -> Metric {
    *Metric::ALL
        .iter()
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("unknown metric {name}"))
}

fn regression_metric(name: &str) -> RegressionMetric {
    *RegressionMetric::ALL
        .iter()
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("unknown metric {name}"))
}

/// What Fairlearn shows for one of our group values: a metric we report as undefined is 0 in
/// sklearn's arithmetic, except in an empty group, where everything (count included) is NaN.
fn fairlearn_view(g: &GroupMetrics, m: Metric) -> Option<f64> {
    if g.count == 0 {
        return None;
    }
    match g.get(m) {
        Some(v) => Some(v),
        None => {
            assert_ne!(g.undefined_reason(m), None, "{m} is None without a reason");
            Some(0.0)
        }
    }
}

const SUMMARY_FIELDS: [&str; 6] = [
    "group_min",
    "group_max",
    "difference_between_groups",
    "ratio_between_groups",
    "difference_to_overall",
    "ratio_to_overall",
];

fn summary_field<M>(s: &MetricSummary<M>, field: &str) -> Option<f64> {
    match field {
        "group_min" => s.values.group_min,
        "group_max" => s.values.group_max,
        "difference_between_groups" => s.values.difference_between_groups,
        "ratio_between_groups" => s.values.ratio_between_groups,
        "difference_to_overall" => s.values.difference_to_overall,
        "ratio_to_overall" => s.values.ratio_to_overall,
        _ => unreachable!(),
    }
}

/// A MetricFrame's JSON (`frame_to_json` of either script) against a grouping of ours.
fn check_frame(
    c: &mut Checker,
    ctx: &str,
    frame: &Value,
    g: &GroupingReport,
    overall: &GroupMetrics,
) {
    for (name, v) in frame["overall"].as_object().unwrap() {
        c.check(
            format!("{ctx} overall {name}"),
            fairlearn_view(overall, metric(name)),
            v,
        );
    }
    let by_group = frame["by_group"].as_object().unwrap();
    assert_eq!(by_group.len(), g.groups.len(), "{ctx}: number of groups");
    if let Some(order) = frame.get("group_order") {
        let ours: Vec<String> = g.groups.iter().map(|g| g.label()).collect();
        let theirs: Vec<String> = order
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ours, theirs, "{ctx}: group order");
    }
    for group in &g.groups {
        let label = group.label();
        let row = by_group
            .get(&label)
            .unwrap_or_else(|| panic!("{ctx}: fairlearn has no group {label}"));
        for (name, v) in row.as_object().unwrap() {
            c.check(
                format!("{ctx} [{label}] {name}"),
                fairlearn_view(group, metric(name)),
                v,
            );
        }
    }
    for field in SUMMARY_FIELDS {
        if let Some(values) = frame.get(field) {
            for (name, v) in values.as_object().unwrap() {
                let s = g.summary(metric(name));
                c.check(format!("{ctx} {field} {name}"), summary_field(s, field), v);
            }
        }
    }
}

/// Fairlearn's scalar disparity functions: `{name}_{method}` (extra files) or `{name}` /
/// `{name}_to_overall` (the shared reference).
fn check_scalars(c: &mut Checker, ctx: &str, scalars: &Value, g: &GroupingReport) {
    let mut seen = 0;
    for d in &g.disparities {
        let keys = [
            format!("{}_{}", d.disparity.name(), d.method.name()),
            match d.method {
                Method::BetweenGroups => d.disparity.name().to_string(),
                Method::ToOverall => format!("{}_to_overall", d.disparity.name()),
            },
        ];
        let keys = if keys[0] == keys[1] {
            &keys[..1]
        } else {
            &keys[..]
        };
        for key in keys {
            if let Some(v) = scalars.get(key) {
                c.check(format!("{ctx} {key}"), d.value, v);
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "{ctx}: no scalar disparity compared");
}

pub(super) fn grouping<'r>(report: &'r FairnessReport, columns: &[&str]) -> &'r GroupingReport {
    report
        .groupings
        .iter()
        .find(|g| g.columns == columns)
        .unwrap_or_else(|| panic!("no grouping {columns:?}"))
}

const GROUPINGS: [(&str, &[&str]); 3] = [
    ("sex", &["sex"]),
    ("age_group", &["age_group"]),
    ("sex_x_age_group", &["sex", "age_group"]),
];

// ------------------------------------------------------------------------------------------------
// The shared reference data

fn check_reference(size: &str) {
    let rows = Rows::load(size);
    let shared = fixture(&format!("fairlearn_{size}.json"));
    let extra = fixture(&format!("fairlearn_extra_{size}.json"));
    assert_eq!(shared["versions"]["fairlearn"], "0.15.0");
    assert_eq!(extra["versions"]["fairlearn"], "0.15.0");
    let mut c = Checker::default();
    for policy in [UndefinedPolicy::Exclude, UndefinedPolicy::AsFairlearn] {
        let report = rows.report(&["sex", "age_group"], policy);
        assert_eq!(report.rows as usize, rows.labels.len());
        for (name, columns) in GROUPINGS {
            let g = grouping(&report, columns);
            // No metric is undefined anywhere in this data, so both policies must give
            // Fairlearn's numbers.
            for group in &g.groups {
                assert!(group.undefined.is_empty(), "{name}: {:?}", group.undefined);
                assert!(!group.below_min_size);
            }
            let ctx = format!("{size} {name} {policy:?}");
            let r = &shared["results"][name];
            check_scalars(&mut c, &ctx, r, g);
            check_frame(&mut c, &ctx, &r["metric_frame"], g, &report.overall);
            check_scalars(&mut c, &ctx, &r["derived_from_metric_frame"], g);
            let x = &extra["results"][name];
            check_scalars(&mut c, &ctx, &x["scalars"], g);
            check_frame(&mut c, &ctx, &x["metric_frame"], g, &report.overall);
            // Disparate impact is the demographic parity ratio between groups.
            let di = &g.disparate_impact;
            c.check(
                format!("{ctx} disparate impact"),
                di.ratio,
                &r["demographic_parity_ratio"],
            );
            let ratio = di.ratio.unwrap();
            assert_eq!(di.four_fifths_violation, Some(ratio < 0.8));
            let sel = |i: Option<usize>| g.groups[i.unwrap()].rates.selection_rate.unwrap();
            assert_eq!(sel(di.lowest_group) / sel(di.highest_group), ratio);
        }
    }
    c.finish(&format!("fairlearn {size}"), Exactness::Bits);
}

#[test]
fn matches_fairlearn_on_800_rows() {
    check_reference("800");
}

#[test]
fn matches_fairlearn_on_100k_rows() {
    check_reference("100k");
}

#[test]
fn three_way_intersection_matches_fairlearn() {
    let rows = Rows::load("800");
    let extra = fixture("fairlearn_extra_800.json");
    let r = &extra["results"]["sex_x_age_group_x_cat_low_a"];
    let mut c = Checker::default();
    let report = rows.report(
        &["sex", "age_group", "cat_low_a"],
        UndefinedPolicy::AsFairlearn,
    );
    // each column alone, then all three
    assert_eq!(report.groupings.len(), 4);
    let g = grouping(&report, &["sex", "age_group", "cat_low_a"]);
    assert_eq!(g.groups.len(), 2 * 4 * 3);
    check_scalars(&mut c, "three-way", &r["scalars"], g);
    check_frame(&mut c, "three-way", &r["metric_frame"], g, &report.overall);
    for (name, columns) in GROUPINGS.iter().take(2) {
        let x = &extra["results"][*name];
        check_frame(
            &mut c,
            name,
            &x["metric_frame"],
            grouping(&report, columns),
            &report.overall,
        );
    }
    c.finish("three-way intersection", Exactness::Bits);
}

#[test]
fn positive_label_zero_matches_fairlearn() {
    let rows = Rows::load("800");
    let extra = fixture("fairlearn_extra_800.json");
    let as_int = |b: &[bool]| b.iter().map(|&x| x as i64).collect::<Vec<_>>();
    let labels = binarize_labels("label", &as_int(&rows.labels), &0).unwrap();
    let predictions = binarize_predictions("prediction", &as_int(&rows.predictions), &0).unwrap();
    let columns = rows.columns(&["sex", "age_group"]);
    let input = ClassificationInput {
        labels: &labels,
        predictions: Predictions::Class(&predictions),
        sensitive: &columns,
    };
    let report = fairness_report(&input, &FairnessOptions::default()).unwrap();
    let mut c = Checker::default();
    for (name, cols) in GROUPINGS {
        let frame = &extra["positive_label_0"][name]["metric_frame"];
        check_frame(
            &mut c,
            name,
            frame,
            grouping(&report, cols),
            &report.overall,
        );
    }
    c.finish("positive label 0", Exactness::Bits);
}

#[test]
fn score_threshold_matches_fairlearn() {
    let rows = Rows::load("800");
    let extra = fixture("fairlearn_extra_800.json");
    let spec = &extra["score_threshold"];
    let scores = rows.floats(spec["score"].as_str().unwrap());
    let columns = rows.columns(&["sex", "age_group"]);
    let input = ClassificationInput {
        labels: &rows.labels,
        predictions: Predictions::Score {
            scores: &scores,
            threshold: spec["threshold"].as_f64().unwrap(),
        },
        sensitive: &columns,
    };
    let report = fairness_report(&input, &FairnessOptions::default()).unwrap();
    let mut c = Checker::default();
    for (name, cols) in GROUPINGS {
        let r = &spec["results"][name];
        let g = grouping(&report, cols);
        check_scalars(&mut c, name, &r["scalars"], g);
        check_frame(&mut c, name, &r["metric_frame"], g, &report.overall);
    }
    c.finish("score >= threshold", Exactness::Bits);
}

#[test]
fn regression_matches_fairlearn() {
    let rows = Rows::load("800");
    let extra = fixture("fairlearn_extra_800.json");
    let spec = &extra["regression"];
    let labels = rows.floats(spec["label"].as_str().unwrap());
    let predictions = rows.floats(spec["prediction"].as_str().unwrap());
    let columns = rows.columns(&["sex", "age_group"]);
    let input = RegressionInput {
        labels: &labels,
        predictions: &predictions,
        sensitive: &columns,
    };
    let report = regression_report(&input, DEFAULT_MIN_GROUP_SIZE).unwrap();
    let mut c = Checker::default();
    for (name, cols) in GROUPINGS {
        let frame = &spec["results"][name]["metric_frame"];
        let g = report.groupings.iter().find(|g| g.columns == cols).unwrap();
        let get = |m: &RegressionGroupMetrics, name: &str| match regression_metric(name) {
            RegressionMetric::Count => Some(m.count as f64),
            RegressionMetric::MeanPrediction => m.mean_prediction,
            RegressionMetric::MeanLabel => m.mean_label,
            RegressionMetric::MeanAbsoluteError => m.mae,
        };
        for (metric, v) in frame["overall"].as_object().unwrap() {
            c.check(
                format!("{name} overall {metric}"),
                get(&report.overall, metric),
                v,
            );
        }
        let by_group = frame["by_group"].as_object().unwrap();
        for group in &g.groups {
            for (metric, v) in by_group[&group.label()].as_object().unwrap() {
                c.check(
                    format!("{name} [{}] {metric}", group.label()),
                    get(group, metric),
                    v,
                );
            }
        }
        for field in SUMMARY_FIELDS {
            for (metric, v) in frame[field].as_object().unwrap() {
                let s = g
                    .summaries
                    .iter()
                    .find(|s| s.metric == regression_metric(metric))
                    .unwrap();
                c.check(
                    format!("{name} {field} {metric}"),
                    summary_field(s, field),
                    v,
                );
            }
        }
    }
    c.finish("regression", Exactness::Tolerance);
}

// ------------------------------------------------------------------------------------------------
// Edge cases: undefined metrics

pub(super) struct EdgeCase {
    name: String,
    pub(super) rows: Rows,
    case: Value,
}

fn edge_cases() -> Vec<EdgeCase> {
    let all = fixture("fairlearn_edge_cases.json");
    assert_eq!(all["versions"]["fairlearn"], "0.15.0");
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| EdgeCase {
            name: case["name"].as_str().unwrap().to_string(),
            rows: Rows::from_value(case.clone()),
            case: case.clone(),
        })
        .collect()
}

impl EdgeCase {
    fn column_names(&self) -> Vec<String> {
        // The script writes the columns in the order it was given them (serde_json sorts
        // object keys; the names are chosen to sort in that order).
        let mut names: Vec<String> = self.rows.sensitive.keys().cloned().collect();
        names.sort();
        names
    }

    pub(super) fn report(&self, policy: UndefinedPolicy) -> FairnessReport {
        let names = self.column_names();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        self.rows.report(&names, policy)
    }

    /// The grouping Fairlearn was given: the one column, or the intersection of all.
    pub(super) fn grouping<'r>(&self, report: &'r FairnessReport) -> &'r GroupingReport {
        report.groupings.last().unwrap()
    }
}

#[test]
fn edge_cases_match_fairlearn_with_its_policy() {
    let mut c = Checker::default();
    for case in edge_cases() {
        let report = case.report(UndefinedPolicy::AsFairlearn);
        let g = case.grouping(&report);
        check_scalars(&mut c, &case.name, &case.case["scalars"], g);
        check_frame(
            &mut c,
            &case.name,
            &case.case["metric_frame"],
            g,
            &report.overall,
        );
    }
    c.finish("edge cases, UndefinedPolicy::AsFairlearn", Exactness::Bits);
}

/// An edge case of `fairlearn_edge_cases.json`, by name.
pub(super) fn case(name: &str) -> EdgeCase {
    edge_cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no edge case {name}"))
}
