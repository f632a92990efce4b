//! Checks of the two-sample tests ([`super::kolmogorov`], [`super::cramer_von_mises`],
//! [`super::anderson`], [`super::fisher`]) (and of the asymptotic branch of [`super::ks_2samp`]) against scipy
//! 1.17 reference values in `tests/data/drift/scipy_extra_{800,100k}.json`, written by
//! `scripts/testdata/drift_ref_extra.py` from the shared drift data `tests/data/drift` (800 rows) and `tests/data/generated/drift` (100k).
//!
//! Tolerances (relative unless said otherwise): [`EXACT`] = 1e-9 for every statistic and
//! p-value, with these exceptions, where scipy's own value is approximate and so cannot be
//! matched more closely than its rounding noise:
//! - Cramér–von Mises asymptotic p-values: scipy computes `1 - V(tn)` from a series it truncates
//!   at terms below 1e-7, so where the p-value is small (strong drift) it is the truncation
//!   remainder plus the rounding noise of summing terms of size ~0.3; we reproduce the
//!   truncation and match within [`CVM_P_ABS`] = 1e-14 absolute (observed: at most 2e-15, i.e.
//!   relative errors up to 2e-5 on p-values near 1e-10), else 1e-9 relative.
//! - p-values scipy computes as `1 - cdf` with `cdf` close to 1 (kstwo's Durbin, Pomeranz and
//!   Pelz–Good branches): 1e-9 relative or 1e-15 absolute, the latter being a few rounding
//!   errors of the `cdf`.
//! - p-values below 1e-300: scipy underflows to 0 where ours may stay subnormal; both count as 0.
//!
//! The Anderson–Darling p-value is scipy's interpolation in its critical-value table (itself an
//! approximation of the true p-value, capped at 0.25 and floored at 0.001); we reproduce the
//! interpolation, so it is compared at 1e-9 like the rest.
//!
//! The 100k columns are not subsampled: every statistic is one sort per sample plus a linear
//! pass (the smirnov series of the KS p-value is O(n) with an early stop), and the tests sort
//! each column once up front so the functions' own sorts are linear ([`finite_sorted`]). Only
//! the 100k slices (20,000 rows against a few) are limited to four columns, by the script.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::anderson::*;
use super::cramer_von_mises::*;
use super::fisher::*;
use super::kolmogorov::*;
use super::*;

/// Statistics computed the way scipy computes them: observed errors are at most 4e-11 (the
/// Cramér–von Mises statistic at 100k rows, where scipy's float sum of squared rank differences
/// loses digits to cancellation and ours is exact; Fisher p-values of 200k-row tables), most
/// are below 1e-13 (see the report each test prints).
const EXACT: f64 = 1e-9;
/// Absolute slack for p-values scipy obtains as `1 - cdf` (a few ulps of 1).
const ONE_MINUS_ABS: f64 = 1e-15;
/// Absolute slack for the Cramér–von Mises asymptotic p-value (see the module docs).
const CVM_P_ABS: f64 = 1e-14;

const NUMERIC: [&str; 10] = [
    "num_normal_a",
    "num_normal_b",
    "num_normal_c",
    "num_lognorm_a",
    "num_lognorm_b",
    "num_uniform_a",
    "num_uniform_b",
    "num_count_a",
    "num_count_b",
    "num_nulls",
];

fn load_reference(size: &str) -> Value {
    let path = crate::test_data::path(&format!("drift/scipy_extra_{size}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

type Columns = BTreeMap<String, [Vec<Option<f64>>; 2]>;

/// [`raw_columns`], read once per size and shared by the tests that run in parallel.
fn columns(size: &'static str) -> &'static Columns {
    static C800: OnceLock<Columns> = OnceLock::new();
    static C100K: OnceLock<Columns> = OnceLock::new();
    let cell = if size == "800" { &C800 } else { &C100K };
    cell.get_or_init(|| raw_columns(size))
}

/// Each numeric column of `{ref,cur}_<size>.parquet` in row order, nulls as `None`, read
/// through the engine's own reader.
fn raw_columns(size: &str) -> Columns {
    let load = |side: &str| {
        let path = crate::test_data::drift_pair_file(&format!("{side}_{size}.parquet"));
        let (_, frame) = crate::data::scan(&path).unwrap();
        frame.collect().unwrap()
    };
    let (r, c) = (load("ref"), load("cur"));
    let column = |df: &polars::prelude::DataFrame, name: &str| -> Vec<Option<f64>> {
        let series = df
            .column(name)
            .unwrap()
            .cast(&polars::prelude::DataType::Float64)
            .unwrap()
            .as_materialized_series()
            .clone();
        series.f64().unwrap().iter().collect()
    };
    NUMERIC
        .iter()
        .map(|&name| (name.to_string(), [column(&r, name), column(&c, name)]))
        .collect()
}

/// The first `rows` rows (all when `None`) with nulls and ±inf dropped, as the reference does,
/// then sorted. Every statistic here is invariant under reordering a sample; the functions sort
/// their own copy anyway, and on sorted input that sort is a linear pass, so each 100k column is
/// sorted once in debug builds instead of once per statistic.
fn finite_sorted(values: &[Option<f64>], rows: Option<usize>) -> Vec<f64> {
    let rows = rows.unwrap_or(values.len()).min(values.len());
    let mut v: Vec<f64> = values[..rows]
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// A reference number; non-finite ones are written as strings.
fn number(value: &Value) -> f64 {
    match value {
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        v => v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")),
    }
}

/// Collects every mismatch so one run reports all of them, and the worst error per quantity.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    checked: usize,
    /// Worst (relative, absolute) error per quantity.
    worst: BTreeMap<String, (f64, f64)>,
}

impl Report {
    /// `got` must match `want` within `rtol` relative or `atol` absolute. NaN matches NaN,
    /// infinities match exactly, and values below 1e-300 count as 0 (scipy underflows there).
    fn check(&mut self, what: &str, case: &str, got: f64, want: f64, rtol: f64, atol: f64) {
        self.checked += 1;
        let tiny = |v: f64| v.abs() < 1e-300;
        let same = got == want || (got.is_nan() && want.is_nan()) || (tiny(got) && tiny(want));
        let (rel, abs) = if same {
            (0.0, 0.0)
        } else {
            (((got - want) / want).abs(), (got - want).abs())
        };
        let worst = self.worst.entry(what.to_string()).or_insert((0.0, 0.0));
        *worst = (worst.0.max(rel), worst.1.max(abs));
        if !(rel <= rtol || abs <= atol) {
            self.failures.push(format!(
                "{case}.{what}: got {got:e}, want {want:e}, relative error {rel:e}"
            ));
        }
    }

    fn finish(self) {
        eprintln!("{} values checked; worst error per quantity:", self.checked);
        for (what, (rel, abs)) in &self.worst {
            eprintln!("  {what}: relative {rel:e}, absolute {abs:e}");
        }
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
    }
}

/// Every two-sample statistic of one reference entry (a whole column or a slice of one).
fn check_two_sample(report: &mut Report, case: &str, r: &[f64], c: &[f64], want: &Value) {
    assert_eq!(r.len() as u64, want["n_ref"].as_u64().unwrap(), "{case}");
    assert_eq!(c.len() as u64, want["n_cur"].as_u64().unwrap(), "{case}");
    let num = |key: &str| number(&want[key]);

    let cvm = cramervonmises_2samp(r, c).unwrap();
    report.check(
        "cvm_statistic",
        case,
        cvm.statistic,
        num("cvm_statistic"),
        EXACT,
        0.0,
    );
    if want["cvm_method"] == "exact" {
        assert_eq!(cvm.method, CvmMethod::Exact, "{case}");
        let what = "cvm_pvalue (exact)";
        report.check(what, case, cvm.pvalue, num("cvm_pvalue"), EXACT, 0.0);
    } else {
        assert_eq!(cvm.method, CvmMethod::Asymptotic, "{case}");
        let what = "cvm_pvalue (asymptotic)";
        report.check(what, case, cvm.pvalue, num("cvm_pvalue"), EXACT, CVM_P_ABS);
    }

    let ad = anderson_ksamp(r, c).unwrap();
    report.check(
        "ad_statistic",
        case,
        ad.statistic,
        num("ad_statistic"),
        EXACT,
        0.0,
    );
    report.check("ad_pvalue", case, ad.pvalue, num("ad_pvalue"), EXACT, 0.0);
    let critical = want["ad_critical_values"].as_array().unwrap();
    for (got, want) in ad.critical_values.iter().zip(critical) {
        report.check("ad_critical_values", case, *got, number(want), 0.0, 0.0);
    }

    let energy = energy_distance(r, c).unwrap();
    report.check(
        "energy_distance",
        case,
        energy,
        num("energy_distance"),
        EXACT,
        0.0,
    );

    let ks = ks_2samp(r, c).unwrap();
    report.check(
        "ks_statistic",
        case,
        ks.statistic,
        num("ks_statistic"),
        EXACT,
        0.0,
    );
    let what = if want["ks_method"] == "exact" {
        "ks_pvalue (exact)"
    } else {
        "ks_pvalue (asymptotic)"
    };
    report.check(
        what,
        case,
        ks.pvalue,
        num("ks_pvalue"),
        EXACT,
        ONE_MINUS_ABS,
    );
}

/// The whole numeric columns of one size.
fn check_columns(size: &'static str) {
    let reference = load_reference(size);
    assert_eq!(reference["versions"]["scipy"], "1.17.1");
    let columns = columns(size);
    let mut report = Report::default();
    for (name, want) in reference["numeric"].as_object().unwrap() {
        let [r, c] = &columns[name];
        let (r, c) = (finite_sorted(r, None), finite_sorted(c, None));
        check_two_sample(&mut report, name, &r, &c, want);
    }
    report.finish();
}

/// The slices of one size: first `ref_rows` reference rows against first `cur_rows` current rows.
fn check_slices(size: &'static str) {
    let reference = load_reference(size);
    let columns = columns(size);
    let mut report = Report::default();
    for want in reference["slices"].as_array().unwrap() {
        let name = want["column"].as_str().unwrap();
        let rows = |key: &str| want[key].as_u64().unwrap() as usize;
        let (rows_ref, rows_cur) = (rows("ref_rows"), rows("cur_rows"));
        let [r, c] = &columns[name];
        let (r, c) = (
            finite_sorted(r, Some(rows_ref)),
            finite_sorted(c, Some(rows_cur)),
        );
        check_two_sample(
            &mut report,
            &format!("{name}[{rows_ref}x{rows_cur}]"),
            &r,
            &c,
            want,
        );
    }
    report.finish();
}

#[test]
fn two_sample_tests_match_scipy_800() {
    check_columns("800");
}

/// Small samples: the exact Cramér–von Mises p-value (both sizes <= 20) and Anderson–Darling on
/// a handful of values.
#[test]
fn two_sample_tests_match_scipy_800_slices() {
    check_slices("800");
}

/// The KS p-values here are also those of `tests/data/drift/scipy_100k.json` (the same
/// scipy version; most underflow to 0), through the asymptotic branch of `ks_2samp`.
#[test]
fn two_sample_tests_match_scipy_100k() {
    check_columns("100k");
}

/// 20,000 reference rows against a few current rows: `ks_2samp` takes the asymptotic branch
/// with a small effective size (the Durbin matrix, Pomeranz and Miller branches of kstwo).
#[test]
fn two_sample_tests_match_scipy_100k_slices() {
    check_slices("100k");
}

#[test]
fn kstwo_sf_matches_scipy_on_every_branch() {
    let reference = load_reference("800");
    let mut report = Report::default();
    for case in reference["kstwo_sf"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap();
        let x = number(&case["x"]);
        let name = format!("n={n},x={x:e}");
        report.check(
            "kstwo_sf",
            &name,
            kstwo_sf(x, n),
            number(&case["sf"]),
            EXACT,
            ONE_MINUS_ABS,
        );
    }
    report.finish();
}

#[test]
fn fisher_exact_matches_scipy() {
    let mut report = Report::default();
    for size in ["800", "100k"] {
        let reference = load_reference(size);
        for case in reference["fisher"].as_array().unwrap() {
            let name = format!("{size}:{}", case["name"].as_str().unwrap());
            let t = &case["table"];
            let cell = |i: usize, j: usize| t[i][j].as_u64().unwrap();
            let got = fisher_exact([[cell(0, 0), cell(0, 1)], [cell(1, 0), cell(1, 1)]]);
            // The odds ratio is one division of exact integer products, as in scipy.
            report.check(
                "fisher_statistic",
                &name,
                got.statistic,
                number(&case["statistic"]),
                0.0,
                0.0,
            );
            report.check(
                "fisher_pvalue",
                &name,
                got.pvalue,
                number(&case["pvalue"]),
                EXACT,
                0.0,
            );
        }
    }
    report.finish();
}

/// `anderson.rs` takes the quadratic through which scipy interpolates the Anderson–Darling p-value
/// from `np.polyfit`; refit it here by least squares (normal equations) from the critical values
/// the function reports.
#[test]
fn anderson_interpolation_constants_are_numpys_fit() {
    let crit = anderson_ksamp(&[1.0, 2.0], &[3.0, 4.0])
        .unwrap()
        .critical_values;
    let y: Vec<f64> = AD_SIGNIFICANCE_LEVELS.iter().map(|p| p.ln()).collect();
    let mut ata = [[0.0f64; 3]; 3];
    let mut aty = [0.0f64; 3];
    for (c, y) in crit.iter().zip(&y) {
        let row = [c * c, *c, 1.0];
        for i in 0..3 {
            aty[i] += row[i] * y;
            for j in 0..3 {
                ata[i][j] += row[i] * row[j];
            }
        }
    }
    // Gaussian elimination on the 3 x 3 system.
    for col in 0..3 {
        let (pivot, pivot_y) = (ata[col], aty[col]);
        for r in (col + 1)..3 {
            let f = ata[r][col] / pivot[col];
            for (e, p) in ata[r].iter_mut().zip(pivot).skip(col) {
                *e -= f * p;
            }
            aty[r] -= f * pivot_y;
        }
    }
    let mut p = [0.0f64; 3];
    for i in (0..3).rev() {
        let s: f64 = ((i + 1)..3).map(|j| ata[i][j] * p[j]).sum();
        p[i] = (aty[i] - s) / ata[i][i];
    }
    let fit = [
        0.018_198_094_574_111_343,
        -1.008_226_564_465_251_5,
        -1.077_770_279_820_486,
    ];
    for (got, want) in p.iter().zip(fit) {
        assert!(((got - want) / want).abs() < 1e-9, "{p:?} vs {fit:?}");
    }
}

#[test]
fn edge_cases() {
    // Cramér–von Mises needs two values per sample; Anderson–Darling two distinct values.
    assert_eq!(
        cramervonmises_2samp(&[1.0], &[1.0, 2.0]),
        Err(StatsError::TooFewValues {
            sample: Sample::Reference,
            n: 1,
            needed: 2
        })
    );
    assert_eq!(
        cramervonmises_2samp(&[1.0, 2.0], &[]),
        Err(StatsError::EmptySample {
            sample: Sample::Current
        })
    );
    assert!(matches!(
        cramervonmises_2samp(&[1.0, f64::NAN], &[1.0, 2.0]),
        Err(StatsError::NonFinite { index: 1, .. })
    ));
    assert_eq!(
        anderson_ksamp(&[3.0, 3.0], &[3.0, 3.0, 3.0]),
        Err(StatsError::NoDistinctValues)
    );
    assert_eq!(
        anderson_ksamp(&[1.0], &[2.0]),
        Err(StatsError::TooFewPooled { n: 2, needed: 3 })
    );
    // Identical samples: T is its minimum, p = 1 (tn < 0.003); exact p = 1 for small samples.
    let x: Vec<f64> = (0..30).map(f64::from).collect();
    let same = cramervonmises_2samp(&x, &x).unwrap();
    assert_eq!(same.method, CvmMethod::Asymptotic);
    assert_eq!(same.pvalue, 1.0);
    let small = cramervonmises_2samp(&x[..5], &x[..5]).unwrap();
    assert_eq!((small.method, small.pvalue), (CvmMethod::Exact, 1.0));
    // Fisher: an empty row or column is NaN / 1, as in scipy.
    let degenerate = fisher_exact([[0, 0], [3, 4]]);
    assert!(degenerate.statistic.is_nan() && degenerate.pvalue == 1.0);
    // KS beyond the exact limit: scipy's values (ks_2samp(np.arange(10001.), [1.]) and
    // ks_2samp(np.zeros(10001), [1.])).
    let big: Vec<f64> = (0..=KS_MAX_EXACT_N).map(|i| i as f64).collect();
    let ks = ks_2samp(&big, &[1.0]).unwrap();
    assert_eq!(ks.statistic, 0.999_800_019_998_000_2);
    assert!((ks.pvalue - 0.000_399_960_003_999_666_47).abs() < 1e-15);
    assert_eq!(
        ks_2samp(&vec![0.0; KS_MAX_EXACT_N + 1], &[1.0])
            .unwrap()
            .pvalue,
        0.0
    );
}
