//! The classification report where metrics are undefined (our policy against Fairlearn's, on
//! the edge cases of `fairlearn_edge_cases.json`), and bad input as errors, never panics.

use crate::fairness::counts::{ColumnValues, ConfusionCounts, GroupCounts};
use crate::fairness::disparity::{Disparity, Method, UndefinedPolicy};
use crate::fairness::error::FairnessError;
use crate::fairness::fairlearn_tests::case;
use crate::fairness::input::{ClassificationInput, Predictions, RegressionInput, SensitiveColumn};
use crate::fairness::metrics::{Metric, UndefinedReason};
use crate::fairness::regression::regression_report;

use super::*;

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
    assert_eq!(b.rates.true_positive_rate, Some(1.0));
    assert_eq!(b.rates.false_positive_rate, None);
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
    assert_eq!(b.rates.precision, Some(0.0));
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
    assert_eq!(fg.groups[1].rates.true_positive_rate, None);
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
        assert_eq!(group.rates.false_positive_rate, None);
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
    assert_eq!(empty.rates.selection_rate, None);
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
