//! The bootstrap: deterministic for a seed, the same intervals as resampling rows, the nominal
//! coverage, and the samplers it rests on (binomial, Stirling's tail, NumPy's quantiles).

use crate::fairness::classification::{
    FairnessOptions, FairnessReport, fairness_report, report_from_counts,
};
use crate::fairness::counts::{ColumnValues, ConfusionCounts, GroupCounts};
use crate::fairness::disparity::{Disparity, UndefinedPolicy};
use crate::fairness::fairlearn_tests::{Rows, grouping};
use crate::fairness::input::{ClassificationInput, Predictions, SensitiveColumn};

use super::*;

use Disparity::*;
use Method::BetweenGroups;

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
