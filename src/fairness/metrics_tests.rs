//! Checks of [`super`] against Fairlearn 0.15.0 on the drift pairs' current files, plus edge cases
//! and the bootstrap.
//!
//! Fixtures live in `tests/data/fairness/`, written by `scripts/fairness_fixtures.py` from the
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

use super::*;

const TOLERANCE: f64 = 1e-9;

// ------------------------------------------------------------------------------------------------
// Fixtures

fn fixture(name: &str) -> Value {
    let path = crate::test_data::path(&format!("fairness/{name}"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/fairness_fixtures.py)", path.display()));
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
struct Rows {
    labels: Vec<bool>,
    predictions: Vec<bool>,
    sensitive: HashMap<String, EncodedColumn>,
    raw: Value,
}

impl Rows {
    fn load(size: &str) -> Rows {
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

    fn columns(&self, names: &[&str]) -> Vec<SensitiveColumn<'_>> {
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

    fn report(&self, names: &[&str], policy: UndefinedPolicy) -> FairnessReport {
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
        "group_min" => s.group_min,
        "group_max" => s.group_max,
        "difference_between_groups" => s.difference_between_groups,
        "ratio_between_groups" => s.ratio_between_groups,
        "difference_to_overall" => s.difference_to_overall,
        "ratio_to_overall" => s.ratio_to_overall,
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

fn grouping<'r>(report: &'r FairnessReport, columns: &[&str]) -> &'r GroupingReport {
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
            let sel = |i: Option<usize>| g.groups[i.unwrap()].selection_rate.unwrap();
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

struct EdgeCase {
    name: String,
    rows: Rows,
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

    fn report(&self, policy: UndefinedPolicy) -> FairnessReport {
        let names = self.column_names();
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        self.rows.report(&names, policy)
    }

    /// The grouping Fairlearn was given: the one column, or the intersection of all.
    fn grouping<'r>(&self, report: &'r FairnessReport) -> &'r GroupingReport {
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

fn case(name: &str) -> EdgeCase {
    edge_cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no edge case {name}"))
}

fn value(g: &GroupingReport, d: Disparity, m: Method) -> Option<f64> {
    g.disparity(d, m).value
}

use Disparity::*;
use Method::*;

#[test]
fn a_group_with_one_row_is_flagged() {
    let case = case("one_row_group");
    let report = case.report(UndefinedPolicy::Exclude);
    let g = case.grouping(&report);
    let b = &g.groups[1];
    assert_eq!((b.label().as_str(), b.count), ("b", 1));
    assert!(b.below_min_size);
    assert!(!g.groups[0].below_min_size, "40 rows >= 30");
    // Its single row is a true positive: no negatives, so FPR and TNR are undefined.
    assert_eq!(b.true_positive_rate, Some(1.0));
    assert_eq!(b.false_positive_rate, None);
    assert_eq!(
        b.undefined_reason(Metric::TrueNegativeRate),
        Some(UndefinedReason::NoNegativeLabels)
    );
    // Fairlearn counts b's FPR as 0 (equalized odds ratio 0); excluded, FPR has one group, and
    // the equalized-odds ratio is the TPR ratio of a against b.
    assert_eq!(
        value(g, EqualizedOddsRatio, BetweenGroups),
        Some(0.6666666666666666)
    );
    assert_eq!(
        g.summary(Metric::FalsePositiveRate).excluded_groups,
        vec![1]
    );
    let fl = case.report(UndefinedPolicy::AsFairlearn);
    assert_eq!(
        value(case.grouping(&fl), EqualizedOddsRatio, BetweenGroups),
        Some(0.0)
    );
    // A smaller minimum lifts the flag.
    let columns = case.rows.columns(&["g"]);
    let input = ClassificationInput {
        labels: &case.rows.labels,
        predictions: Predictions::Class(&case.rows.predictions),
        sensitive: &columns,
    };
    let opts = FairnessOptions {
        min_group_size: 1,
        ..FairnessOptions::default()
    };
    let report = fairness_report(&input, &opts).unwrap();
    assert!(report.groupings[0].groups.iter().all(|g| !g.below_min_size));
}

#[test]
fn a_group_without_positive_labels_has_no_true_positive_rate() {
    let case = case("group_without_positive_labels");
    let report = case.report(UndefinedPolicy::Exclude);
    let g = case.grouping(&report);
    let b = &g.groups[1];
    for m in [Metric::TruePositiveRate, Metric::FalseNegativeRate] {
        assert_eq!(b.get(m), None);
        assert_eq!(
            b.undefined_reason(m),
            Some(UndefinedReason::NoPositiveLabels)
        );
    }
    // b has 6 positive predictions, all false: precision is defined, and 0.
    assert_eq!(b.precision, Some(0.0));
    // Excluded: only group a has a TPR, so there is nothing to differ from.
    assert_eq!(
        value(g, EqualOpportunityDifference, BetweenGroups),
        Some(0.0)
    );
    assert_eq!(value(g, EqualOpportunityRatio, BetweenGroups), Some(1.0));
    assert_eq!(g.summary(Metric::TruePositiveRate).excluded_groups, vec![1]);
    // Fairlearn: b's TPR counts as 0, so the difference is a's TPR and the ratio 0.
    let fl = case.report(UndefinedPolicy::AsFairlearn);
    let fg = case.grouping(&fl);
    assert_eq!(
        value(fg, EqualOpportunityDifference, BetweenGroups),
        Some(0.75)
    );
    assert_eq!(value(fg, EqualOpportunityRatio, BetweenGroups), Some(0.0));
    // The per-group value stays undefined whatever the policy.
    assert_eq!(fg.groups[1].true_positive_rate, None);
}

#[test]
fn mixed_undefined_groups_are_left_out_per_metric() {
    let case = case("mixed_undefined");
    let report = case.report(UndefinedPolicy::Exclude);
    let g = case.grouping(&report);
    // a: TPR 9/12, FPR 4/18; b: no positive labels, FPR 5/25; c: no negative labels, TPR 14/20.
    let tpr = [9.0 / 12.0, 14.0 / 20.0];
    let fpr = [4.0 / 18.0, 5.0 / 25.0];
    let (tpr_d, fpr_d) = (tpr[0] - tpr[1], fpr[0] - fpr[1]);
    assert_eq!(g.summary(Metric::TruePositiveRate).excluded_groups, vec![1]);
    assert_eq!(
        g.summary(Metric::FalsePositiveRate).excluded_groups,
        vec![2]
    );
    assert_eq!(
        value(g, EqualOpportunityDifference, BetweenGroups),
        Some(tpr_d)
    );
    assert_eq!(
        value(g, EqualizedOddsDifference, BetweenGroups),
        Some(tpr_d.max(fpr_d))
    );
    assert_eq!(
        value(g, EqualizedOddsRatio, BetweenGroups),
        Some((tpr[1] / tpr[0]).min(fpr[1] / fpr[0]))
    );
    // Fairlearn: 0.75 and 0 (b's TPR and c's FPR count as 0).
    let fl = case.report(UndefinedPolicy::AsFairlearn);
    assert_eq!(
        value(case.grouping(&fl), EqualizedOddsDifference, BetweenGroups),
        Some(0.75)
    );
    assert_eq!(
        value(case.grouping(&fl), EqualizedOddsRatio, BetweenGroups),
        Some(0.0)
    );
}

#[test]
fn all_labels_of_one_class() {
    let case = case("all_labels_positive");
    let report = case.report(UndefinedPolicy::Exclude);
    let g = case.grouping(&report);
    for group in g.groups.iter().chain([&report.overall]) {
        assert_eq!(group.false_positive_rate, None);
        assert_eq!(
            group.undefined_reason(Metric::TrueNegativeRate),
            Some(UndefinedReason::NoNegativeLabels)
        );
    }
    // Equal opportunity is defined (TPR exists); equalized odds is not: its FPR half does not
    // exist anywhere.
    assert_eq!(
        value(g, EqualOpportunityDifference, BetweenGroups),
        Some(0.75 - 0.4)
    );
    for m in Method::ALL {
        assert_eq!(value(g, EqualizedOddsDifference, m), None);
        assert_eq!(value(g, EqualizedOddsRatio, m), None);
    }
    // Fairlearn: FPR 0 everywhere, so the worst case is the TPR half (Python's max and min
    // keep the first element against a NaN second one).
    let fl = case.report(UndefinedPolicy::AsFairlearn);
    let fg = case.grouping(&fl);
    assert_eq!(
        value(fg, EqualizedOddsDifference, BetweenGroups),
        Some(0.75 - 0.4)
    );
    assert_eq!(
        value(fg, EqualizedOddsRatio, BetweenGroups),
        Some(0.4 / 0.75)
    );
}

#[test]
fn no_positive_predictions_make_ratios_undefined() {
    let case = case("all_predictions_negative");
    for policy in [UndefinedPolicy::Exclude, UndefinedPolicy::AsFairlearn] {
        let report = case.report(policy);
        let g = case.grouping(&report);
        assert_eq!(
            value(g, DemographicParityDifference, BetweenGroups),
            Some(0.0)
        );
        assert_eq!(
            value(g, DemographicParityRatio, BetweenGroups),
            None,
            "0 / 0"
        );
        assert_eq!(g.disparate_impact.ratio, None);
        assert_eq!(g.disparate_impact.four_fifths_violation, None);
        for group in &g.groups {
            assert_eq!(
                group.undefined_reason(Metric::Precision),
                Some(UndefinedReason::NoPositivePredictions)
            );
        }
    }
}

#[test]
fn an_empty_intersection_is_reported_and_left_out() {
    let case = case("empty_intersection");
    let report = case.report(UndefinedPolicy::Exclude);
    let g = case.grouping(&report);
    let labels: Vec<String> = g.groups.iter().map(|g| g.label()).collect();
    assert_eq!(labels, ["a | u", "a | v", "b | u", "b | v"]);
    let empty = &g.groups[3];
    assert_eq!(empty.count, 0);
    assert!(empty.below_min_size);
    assert_eq!(empty.selection_rate, None);
    assert_eq!(
        empty.undefined_reason(Metric::Accuracy),
        Some(UndefinedReason::EmptyGroup)
    );
    for s in &g.summaries {
        assert_eq!(s.excluded_groups, vec![3], "{}", s.metric);
    }
    // The single columns have no empty groups.
    assert!(
        report.groupings[..2]
            .iter()
            .all(|g| g.groups.iter().all(|g| g.count > 0))
    );
}

#[test]
fn unknown_positive_label_is_an_error() {
    let labels = ["yes", "no", "yes"];
    let err = binarize_labels("approved", &labels, &"Yes").unwrap_err();
    assert_eq!(
        err,
        FairnessError::UnknownPositiveLabel {
            column: "approved".into(),
            positive: "Yes".into(),
            values: vec!["yes".into(), "no".into()],
        }
    );
    assert_eq!(
        err.to_string(),
        "positive label Yes does not occur in column approved (its values: yes, no)"
    );
    assert_eq!(
        binarize_labels("approved", &labels, &"yes").unwrap(),
        [true, false, true]
    );
    // A label column with a single class is fine when it is the positive one, not otherwise.
    assert!(binarize_labels("y", &[1, 1], &1).is_ok());
    assert!(matches!(
        binarize_labels("y", &[0, 0], &1),
        Err(FairnessError::UnknownPositiveLabel { .. })
    ));
    // Predictions may lack the positive class, but not have two other classes.
    assert_eq!(
        binarize_predictions("p", &[0, 0], &1).unwrap(),
        [false, false]
    );
    assert!(matches!(
        binarize_predictions("p", &[0, 2], &1),
        Err(FairnessError::UnknownPositiveLabel { .. })
    ));
}

#[test]
fn a_third_class_is_an_error() {
    let err = binarize_labels("y", &[0, 1, 1, 2, 3], &1).unwrap_err();
    assert_eq!(
        err,
        FairnessError::NotBinary {
            column: "y".into(),
            values: vec!["0".into(), "1".into(), "2".into()]
        }
    );
    assert!(binarize_predictions("p", &["a", "b", "c"], &"a").is_err());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let values = vec!["a".to_string(), "b".to_string()];
    let labels = [true, false, true];
    let preds = [true, true, false];
    let column = |codes| SensitiveColumn {
        name: "g",
        codes,
        values: &values,
    };
    let run = |labels: &[bool], predictions: Predictions, sensitive: &[SensitiveColumn]| {
        fairness_report(
            &ClassificationInput {
                labels,
                predictions,
                sensitive,
            },
            &FairnessOptions::default(),
        )
        .map(|_| ())
    };
    let (bad_codes, ok_codes, short_codes) = ([0u32, 1, 2], [0u32, 1, 1], [0u32, 1]);
    assert_eq!(
        run(&labels, Predictions::Class(&preds), &[column(&bad_codes)]),
        Err(FairnessError::CodeOutOfRange {
            column: "g".into(),
            row: 2,
            code: 2,
            values: 2
        })
    );
    let ok = [column(&ok_codes)];
    assert_eq!(
        run(&labels, Predictions::Class(&preds[..2]), &ok),
        Err(FairnessError::LengthMismatch {
            column: "prediction".into(),
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        run(&labels, Predictions::Class(&preds), &[column(&short_codes)]),
        Err(FairnessError::LengthMismatch {
            column: "g".into(),
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        run(&[], Predictions::Class(&[]), &[column(&[])]),
        Err(FairnessError::EmptyInput)
    );
    assert_eq!(
        run(&labels, Predictions::Class(&preds), &[]),
        Err(FairnessError::NoSensitiveColumn)
    );
    let scores = [0.1, f64::NAN, 0.9];
    let err = run(
        &labels,
        Predictions::Score {
            scores: &scores,
            threshold: 0.5,
        },
        &ok,
    )
    .unwrap_err();
    assert!(
        matches!(err, FairnessError::NonFinite { row: 1, .. }),
        "{err:?}"
    );
    // 2^21 x 2 combinations: too many intersections.
    let many: Vec<String> = (0..1 << 21).map(|i| i.to_string()).collect();
    let wide = [
        SensitiveColumn {
            name: "id",
            codes: &[0, 1, 2],
            values: &many,
        },
        ok[0],
    ];
    assert!(matches!(
        run(&labels, Predictions::Class(&preds), &wide),
        Err(FairnessError::TooManyIntersections { .. })
    ));
    let bad_bootstrap = FairnessOptions {
        bootstrap: Some(BootstrapOptions {
            confidence: 1.0,
            ..BootstrapOptions::default()
        }),
        ..FairnessOptions::default()
    };
    let input = ClassificationInput {
        labels: &labels,
        predictions: Predictions::Class(&preds),
        sensitive: &ok,
    };
    assert!(matches!(
        fairness_report(&input, &bad_bootstrap),
        Err(FairnessError::InvalidOption { .. })
    ));
    let malformed = GroupCounts {
        columns: vec![ColumnValues {
            name: "g".into(),
            values: values.clone(),
        }],
        cells: vec![ConfusionCounts::default(); 3],
    };
    assert_eq!(
        report_from_counts(&malformed, &FairnessOptions::default()),
        Err(FairnessError::MalformedCounts {
            cells: 3,
            combinations: 2
        })
    );
    let reg = regression_report(
        &RegressionInput {
            labels: &[1.0, f64::INFINITY, 2.0],
            predictions: &[1.0, 1.0, 1.0],
            sensitive: &ok,
        },
        30,
    );
    assert!(matches!(reg, Err(FairnessError::NonFinite { row: 1, .. })));
}

// ------------------------------------------------------------------------------------------------
// Counting and encoding

#[test]
fn encoding_sorts_values_like_numpy() {
    let col = EncodedColumn::from_values("age", &["60+", "18-29", "b", "B", "18-29", "é"]);
    assert_eq!(col.values, ["18-29", "60+", "B", "b", "é"]);
    assert_eq!(col.codes, [1, 0, 3, 2, 0, 4]);
}

/// The one-pass count against a per-row count, on random rows with three columns, one of which
/// has a value no row uses.
#[test]
fn one_pass_counts_equal_per_row_counts() {
    let mut rng = Rng::seeded(7);
    let n = 10_000 + 123; // not a multiple of the block size
    let names = |k: usize| (0..k).map(|i| format!("v{i}")).collect::<Vec<_>>();
    let (v0, v1, v2) = (names(3), names(5), names(2));
    let draw = |rng: &mut Rng, k: u64| (rng.next_u64() % k) as u32;
    let c0: Vec<u32> = (0..n).map(|_| draw(&mut rng, 3)).collect();
    let c1: Vec<u32> = (0..n).map(|_| draw(&mut rng, 4)).collect(); // v4 unused
    let c2: Vec<u32> = (0..n).map(|_| draw(&mut rng, 2)).collect();
    let labels: Vec<bool> = (0..n).map(|_| rng.uniform() < 0.3).collect();
    let scores: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let sensitive = [
        SensitiveColumn {
            name: "a",
            codes: &c0,
            values: &v0,
        },
        SensitiveColumn {
            name: "b",
            codes: &c1,
            values: &v1,
        },
        SensitiveColumn {
            name: "c",
            codes: &c2,
            values: &v2,
        },
    ];
    let input = ClassificationInput {
        labels: &labels,
        predictions: Predictions::Score {
            scores: &scores,
            threshold: 0.6,
        },
        sensitive: &sensitive,
    };
    let counts = count_classification(&input).unwrap();
    let mut expected: HashMap<(u32, u32), ConfusionCounts> = HashMap::new();
    for i in 0..n {
        let c = expected.entry((c0[i], c1[i])).or_default();
        match (labels[i], scores[i] >= 0.6) {
            (true, true) => c.true_positives += 1,
            (false, true) => c.false_positives += 1,
            (false, false) => c.true_negatives += 1,
            (true, false) => c.false_negatives += 1,
        }
    }
    let pairs = counts.grouping(&[0, 1]);
    assert_eq!(pairs.len(), 3 * 4, "the unused value v4 is not a group");
    for (values, cell) in &pairs {
        let code = |v: &str| v[1..].parse::<u32>().unwrap();
        assert_eq!(
            *cell,
            expected[&(code(&values[0]), code(&values[1]))],
            "{values:?}"
        );
    }
    assert_eq!(counts.overall().rows(), n as u64);
    let report = report_from_counts(&counts, &FairnessOptions::default()).unwrap();
    assert_eq!(report.groupings[1].groups.len(), 4);
    assert_eq!(report.groupings[3].groups.len(), 3 * 4 * 2);
}

// ------------------------------------------------------------------------------------------------
// Bootstrap

fn bootstrap_report(rows: &Rows, seed: u64, replicates: usize) -> FairnessReport {
    let columns = rows.columns(&["sex", "age_group"]);
    let input = ClassificationInput {
        labels: &rows.labels,
        predictions: Predictions::Class(&rows.predictions),
        sensitive: &columns,
    };
    let opts = FairnessOptions {
        bootstrap: Some(BootstrapOptions {
            replicates,
            seed,
            confidence: 0.95,
        }),
        ..FairnessOptions::default()
    };
    fairness_report(&input, &opts).unwrap()
}

#[test]
fn bootstrap_is_deterministic_for_a_seed() {
    let rows = Rows::load("800");
    let a = bootstrap_report(&rows, 42, 500);
    let b = bootstrap_report(&rows, 42, 500);
    let c = bootstrap_report(&rows, 43, 500);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Without the bootstrap the point values are the same and there are no intervals.
    let plain = rows.report(&["sex", "age_group"], UndefinedPolicy::Exclude);
    for (g, p) in a.groupings.iter().zip(&plain.groupings) {
        for (d, q) in g.disparities.iter().zip(&p.disparities) {
            assert_eq!(d.value, q.value);
            assert!(q.interval.is_none());
            let iv = d.interval.unwrap();
            assert_eq!(iv.replicates + iv.undefined_replicates, 500);
            assert!(iv.low <= iv.high);
            // The point estimate sits inside its interval on this data.
            let v = d.value.unwrap();
            assert!(
                iv.low <= v && v <= iv.high,
                "{:?} {:?}: {v} {iv:?}",
                d.disparity,
                d.method
            );
        }
        assert!(g.disparate_impact.interval.is_some());
    }
}

/// Resampling counts is resampling rows: on the 800 rows, the intervals of the intersection's
/// disparities agree with a plain row bootstrap's within Monte Carlo error.
#[test]
fn count_bootstrap_agrees_with_row_bootstrap() {
    let rows = Rows::load("800");
    let b = 4000;
    let report = bootstrap_report(&rows, 1, b);
    let ours = grouping(&report, &["sex", "age_group"]);
    let columns = rows.columns(&["sex", "age_group"]);
    let n = rows.labels.len();
    let mut rng = Rng::seeded(2);
    let mut replicates: Vec<Vec<f64>> = vec![Vec::new(); 12];
    let (mut l, mut p, mut c0, mut c1) = (vec![], vec![], vec![], vec![]);
    for _ in 0..b {
        l.clear();
        p.clear();
        c0.clear();
        c1.clear();
        for _ in 0..n {
            let i = ((rng.next_u64() as u128 * n as u128) >> 64) as usize;
            l.push(rows.labels[i]);
            p.push(rows.predictions[i]);
            c0.push(columns[0].codes[i]);
            c1.push(columns[1].codes[i]);
        }
        let cols = [
            SensitiveColumn {
                codes: &c0,
                ..columns[0]
            },
            SensitiveColumn {
                codes: &c1,
                ..columns[1]
            },
        ];
        let input = ClassificationInput {
            labels: &l,
            predictions: Predictions::Class(&p),
            sensitive: &cols,
        };
        let r = fairness_report(&input, &FairnessOptions::default()).unwrap();
        for (k, d) in grouping(&r, &["sex", "age_group"])
            .disparities
            .iter()
            .enumerate()
        {
            replicates[k].push(d.value.unwrap_or(f64::NAN));
        }
    }
    for (d, rep) in ours.disparities.iter().zip(replicates) {
        let theirs = percentile_interval(rep, 0.95).unwrap();
        let iv = d.interval.unwrap();
        let width = theirs.high - theirs.low;
        eprintln!(
            "{} {}: counts [{:.4}, {:.4}], rows [{:.4}, {:.4}]",
            d.disparity.name(),
            d.method.name(),
            iv.low,
            iv.high,
            theirs.low,
            theirs.high
        );
        assert!(
            (iv.low - theirs.low).abs() < 0.1 * width,
            "{:?} {:?}",
            d.disparity,
            d.method
        );
        assert!(
            (iv.high - theirs.high).abs() < 0.1 * width,
            "{:?} {:?}",
            d.disparity,
            d.method
        );
    }
}

/// 95 % intervals of the demographic parity difference and ratio cover the true values in about
/// 95 % of simulated datasets (two groups of 1500 and 1000 rows, selection rates 0.3 and 0.4).
#[test]
fn bootstrap_intervals_cover() {
    let (n, rates) = ([1500u64, 1000], [0.3, 0.4]);
    let (true_diff, true_ratio) = (0.1, 0.75);
    let datasets = 300u64;
    let mut rng = Rng::seeded(99);
    let (mut cover_diff, mut cover_ratio) = (0, 0);
    for k in 0..datasets {
        let cells = (0..2)
            .map(|g| {
                // labels at 50 %, independent of predictions: TPR = FPR = selection rate
                let pos = rng.binomial(n[g], 0.5);
                let tp = rng.binomial(pos, rates[g]);
                let fp = rng.binomial(n[g] - pos, rates[g]);
                ConfusionCounts {
                    true_positives: tp,
                    false_negatives: pos - tp,
                    false_positives: fp,
                    true_negatives: n[g] - pos - fp,
                }
            })
            .collect();
        let counts = GroupCounts {
            columns: vec![ColumnValues {
                name: "g".into(),
                values: vec!["a".into(), "b".into()],
            }],
            cells,
        };
        let opts = FairnessOptions {
            bootstrap: Some(BootstrapOptions {
                replicates: 1000,
                seed: k,
                confidence: 0.95,
            }),
            ..FairnessOptions::default()
        };
        let report = report_from_counts(&counts, &opts).unwrap();
        let g = &report.groupings[0];
        let covers = |d: Disparity, truth: f64| {
            let iv = g.disparity(d, BetweenGroups).interval.unwrap();
            iv.low <= truth && truth <= iv.high
        };
        cover_diff += covers(DemographicParityDifference, true_diff) as usize;
        cover_ratio += covers(DemographicParityRatio, true_ratio) as usize;
    }
    let (cd, cr) = (
        cover_diff as f64 / datasets as f64,
        cover_ratio as f64 / datasets as f64,
    );
    eprintln!("coverage of 95 % intervals: difference {cd:.3}, ratio {cr:.3}");
    // 300 datasets: the standard error of a coverage near 0.95 is 0.013.
    for c in [cd, cr] {
        assert!((0.90..=0.99).contains(&c), "coverage {c}");
    }
}

/// Chi-square goodness of fit of the binomial sampler against the exact probabilities, in both
/// regimes (inversion for n p < 10, BTRS above; p > 1/2 by symmetry).
#[test]
fn binomial_sampler_has_the_binomial_distribution() {
    let draws = 200_000;
    for (seed, &(n, p)) in [
        (5u64, 0.3),
        (30, 0.2),
        (60, 0.9),
        (100, 0.25),
        (1000, 0.45),
        (200, 0.7),
        (25, 0.5),
    ]
    .iter()
    .enumerate()
    {
        let mut rng = Rng::seeded(seed as u64);
        let mut observed = vec![0u64; n as usize + 1];
        for _ in 0..draws {
            observed[rng.binomial(n, p) as usize] += 1;
        }
        // exact pmf by the recurrence f(k+1) = f(k) (n-k)/(k+1) p/(1-p)
        let mut pmf = vec![(1.0 - p).powi(n as i32)];
        for k in 0..n {
            let next = pmf[k as usize] * (n - k) as f64 / (k + 1) as f64 * p / (1.0 - p);
            pmf.push(next);
        }
        // pool cells until each expects at least 5 draws
        let (mut chi2, mut df) = (0.0, 0i64);
        let (mut e, mut o) = (0.0, 0.0);
        for k in 0..=n as usize {
            e += pmf[k] * draws as f64;
            o += observed[k] as f64;
            if e >= 5.0 && pmf[k + 1..].iter().sum::<f64>() * draws as f64 >= 5.0 {
                chi2 += (o - e) * (o - e) / e;
                df += 1;
                (e, o) = (0.0, 0.0);
            }
        }
        chi2 += (o - e) * (o - e) / e;
        let df = df as f64; // cells - 1
        let limit = df + 5.0 * (2.0 * df).sqrt();
        eprintln!("binomial({n}, {p}): chi2 {chi2:.1} on {df} df (limit {limit:.1})");
        assert!(chi2 < limit, "binomial({n}, {p}): chi2 {chi2} on {df} df");
    }
    // Ten million trials (BTRS with huge n): mean and variance.
    let (n, p, m) = (10_000_000u64, 0.3, 20_000);
    let mut rng = Rng::seeded(11);
    let xs: Vec<f64> = (0..m).map(|_| rng.binomial(n, p) as f64).collect();
    let mean = xs.iter().sum::<f64>() / m as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1) as f64;
    let (mu, sigma2) = (n as f64 * p, n as f64 * p * (1.0 - p));
    assert!(
        (mean - mu).abs() < 5.0 * (sigma2 / m as f64).sqrt(),
        "mean {mean}"
    );
    assert!(
        (var / sigma2 - 1.0).abs() < 0.05,
        "variance {var} vs {sigma2}"
    );
}

#[test]
fn stirling_tail_is_the_error_of_stirlings_formula() {
    let mut ln_fact = 0.0f64;
    for k in 0..40u32 {
        if k > 0 {
            ln_fact += (k as f64).ln();
        }
        let kf = k as f64;
        let stirling =
            (kf + 0.5) * (kf + 1.0).ln() - (kf + 1.0) + 0.5 * (2.0 * std::f64::consts::PI).ln();
        let exact = ln_fact - stirling;
        // below 10 a table; above, the series to 1/x^5, whose first omitted term is
        // 1/(1680 x^7) <= 3.1e-11 at x = k + 1 >= 11
        let tolerance = if k < 10 { 1e-14 } else { 3.1e-11 };
        assert!((stirling_tail(kf) - exact).abs() < tolerance, "k = {k}");
    }
}

#[test]
fn quantiles_interpolate_like_numpy() {
    let v = [1.0, 2.0, 4.0, 8.0];
    assert_eq!(quantile(&v, 0.0), 1.0);
    assert_eq!(quantile(&v, 1.0), 8.0);
    assert_eq!(quantile(&v, 0.5), 3.0); // np.percentile([1,2,4,8], 50) == 3.0
    assert!((quantile(&v, 0.025) - 1.075).abs() < 1e-15);
}
