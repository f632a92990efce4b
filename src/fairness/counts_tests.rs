//! The one pass over the rows against a plain per-row count.

use std::collections::HashMap;

use crate::fairness::bootstrap::Rng;
use crate::fairness::classification::{FairnessOptions, report_from_counts};

use super::*;

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
