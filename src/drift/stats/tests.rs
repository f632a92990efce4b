//! Checks against the scipy reference values in `tests/data/drift/scipy_{800,100k}.json`
//! and Evidently's own stattests (`evidently_methods_100k.json`), plus small hand-checked edge
//! cases. Every comparison goes through one helper, [`Report::check`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;

/// Tolerance for statistics computed the same way as scipy (same formula, same order of
/// operations up to summation order): observed errors are at the 1e-15 level.
const EXACT: f64 = 1e-9;

fn load_reference(size: &str) -> Value {
    let path = crate::test_data::path(&format!("drift/scipy_{size}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Python's json writes a bare `Infinity` (new categories make the goodness-of-fit
    // statistic infinite), which is not JSON: quote it and read it back in `number`.
    let text = text.replace(": Infinity", ": \"Infinity\"");
    serde_json::from_str(&text).unwrap()
}

/// A reference number, including the quoted `"Infinity"` of `load_reference`.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::String(s) if s == "Infinity" => Some(f64::INFINITY),
        v => v.as_f64(),
    }
}

/// A CSV written by pandas, read with std only: no field of these files holds a comma, strings
/// are double-quoted, a missing value is an empty field.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn load(name: &str) -> Table {
        let path = crate::test_data::drift_pair_file(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines().map(|line| {
            line.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect::<Vec<_>>()
        });
        let header = lines.next().unwrap();
        let rows: Vec<_> = lines.collect();
        assert!(
            rows.iter().all(|r| r.len() == header.len()),
            "{name}: ragged rows"
        );
        Table { header, rows }
    }

    fn column(&self, name: &str) -> impl Iterator<Item = &str> {
        let i = self.header.iter().position(|h| h == name).unwrap();
        self.rows.iter().map(move |r| r[i].as_str())
    }

    /// Non-missing finite values, as the reference drops NaN and ±inf.
    fn numeric(&self, name: &str) -> Vec<f64> {
        self.column(name)
            .filter(|f| !f.is_empty())
            .map(|f| f.parse::<f64>().unwrap())
            .filter(|v| v.is_finite())
            .collect()
    }

    fn category_counts(&self, name: &str) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for f in self.column(name).filter(|f| !f.is_empty()) {
            *counts.entry(f.to_string()).or_insert(0) += 1;
        }
        counts
    }
}

/// Where a test's columns come from: the 800-row CSVs read with std, or the 100k Parquet files
/// read through the engine's own reader (`crate::data::scan`, Polars).
enum Source {
    Csv(Table),
    Frame(polars::prelude::DataFrame),
}

impl Source {
    fn parquet(name: &str) -> Source {
        let path = crate::test_data::drift_pair_file(name);
        let (_, frame) = crate::data::scan(&path).unwrap();
        Source::Frame(frame.collect().unwrap())
    }

    fn cast(&self, name: &str, dtype: polars::prelude::DataType) -> polars::prelude::Series {
        let Source::Frame(df) = self else {
            unreachable!("only frames are cast")
        };
        let column = df.column(name).unwrap().cast(&dtype).unwrap();
        column.as_materialized_series().clone()
    }

    fn numeric(&self, name: &str) -> Vec<f64> {
        match self {
            Source::Csv(table) => table.numeric(name),
            Source::Frame(_) => {
                let series = self.cast(name, polars::prelude::DataType::Float64);
                let values = series.f64().unwrap();
                values.iter().flatten().filter(|v| v.is_finite()).collect()
            }
        }
    }

    fn category_counts(&self, name: &str) -> BTreeMap<String, u64> {
        match self {
            Source::Csv(table) => table.category_counts(name),
            Source::Frame(_) => {
                let series = self.cast(name, polars::prelude::DataType::String);
                let mut counts = BTreeMap::new();
                for v in series.str().unwrap().iter().flatten() {
                    *counts.entry(v.to_string()).or_insert(0) += 1;
                }
                counts
            }
        }
    }
}

/// Collects every mismatch so one run reports all of them.
#[derive(Default)]
struct Report {
    failures: Vec<String>,
    checked: usize,
    worst: BTreeMap<String, f64>,
}

impl Report {
    /// The one check helper: `got` must match `want` to relative tolerance `rtol` (equal
    /// infinities and exact zeros match only exactly).
    fn check(&mut self, what: &str, column: &str, got: f64, want: f64, rtol: f64) {
        self.checked += 1;
        // scipy's p-values underflow to 0 below about 1e-300; ours may stay subnormal.
        let underflow = want == 0.0 && got.abs() < 1e-300;
        let err = if got == want || underflow {
            0.0
        } else {
            ((got - want) / want).abs()
        };
        let worst = self.worst.entry(what.to_string()).or_insert(0.0);
        *worst = worst.max(err);
        if err.is_nan() || err > rtol {
            self.failures.push(format!(
                "{column}.{what}: got {got:e}, want {want:e}, relative error {err:e}"
            ));
        }
    }

    fn value(&mut self, what: &str, column: &str, got: f64, reference: &Value, rtol: f64) {
        match number(&reference[what]) {
            Some(want) => self.check(what, column, got, want, rtol),
            None => self
                .failures
                .push(format!("{column}.{what}: missing in the reference")),
        }
    }

    fn finish(self) {
        eprintln!(
            "{} values checked; worst relative error per statistic:",
            self.checked
        );
        for (what, err) in &self.worst {
            eprintln!("  {what}: {err:e}");
        }
        assert!(self.failures.is_empty(), "{}", self.failures.join("\n"));
    }
}

fn as_f64s(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn as_u64s(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

/// The drift pair of `size`: the 800-row CSVs read with std, the larger pairs' Parquet files
/// through the engine's reader.
fn pair(size: &str) -> (Source, Source) {
    if size == "800" {
        let (r, c) = (Table::load("ref_800.csv"), Table::load("cur_800.csv"));
        (Source::Csv(r), Source::Csv(c))
    } else {
        let (r, c) = (format!("ref_{size}.parquet"), format!("cur_{size}.parquet"));
        (Source::parquet(&r), Source::parquet(&c))
    }
}

/// Counts as proportions of their sample's total.
fn proportions_of(r: &[u64], c: &[u64]) -> (Vec<f64>, Vec<f64>) {
    let pr = proportions(r, Sample::Reference).unwrap();
    let pc = proportions(c, Sample::Current).unwrap();
    (pr, pc)
}

/// Both samples' counts of `column` over the union of their categories, in the order of the
/// reference files (sorted as strings).
fn aligned_counts(ref_table: &Source, cur_table: &Source, column: &str) -> (Vec<u64>, Vec<u64>) {
    let (rc, cc) = (
        ref_table.category_counts(column),
        cur_table.category_counts(column),
    );
    let union: BTreeSet<&String> = rc.keys().chain(cc.keys()).collect();
    let count = |counts: &BTreeMap<String, u64>| {
        union
            .iter()
            .map(|k| counts.get(*k).copied().unwrap_or(0))
            .collect()
    };
    (count(&rc), count(&cc))
}

/// Checks each of the ten columns of the scipy reference's `kind` section (`numeric` or
/// `categorical`) for the pair of `size` with `check`, then reports every mismatch at once.
fn check_columns(size: &str, kind: &str, check: fn(&mut Report, [&Source; 2], &str, &Value)) {
    let (ref_table, cur_table) = pair(size);
    let reference = load_reference(size);
    let mut report = Report::default();
    let columns = reference[kind].as_object().unwrap();
    assert_eq!(columns.len(), 10);
    for (column, want) in columns {
        check(&mut report, [&ref_table, &cur_table], column, want);
    }
    report.finish();
}

#[test]
fn numeric_columns_match_scipy_800() {
    check_columns("800", "numeric", check_numeric_column);
}

#[test]
fn numeric_columns_match_scipy_100k() {
    check_columns("100k", "numeric", check_numeric_column);
}

fn check_numeric_column(report: &mut Report, tables: [&Source; 2], column: &str, want: &Value) {
    let [ref_table, cur_table] = tables;
    let (r, c) = (ref_table.numeric(column), cur_table.numeric(column));
    assert_eq!(r.len() as u64, want["n_ref"].as_u64().unwrap(), "{column}");
    assert_eq!(c.len() as u64, want["n_cur"].as_u64().unwrap(), "{column}");

    let edges = quantile_inner_edges(&r, 10).unwrap();
    let want_edges = as_f64s(&want["q10_inner_edges"]);
    assert_eq!(edges.len(), want_edges.len(), "{column}: edges {edges:?}");
    for (got, want) in edges.iter().zip(&want_edges) {
        // numpy's interpolation is replicated operation for operation: bit-identical.
        report.check("q10_inner_edges", column, *got, *want, 0.0);
    }
    let (br, bc) = (bin_counts(&r, &edges), bin_counts(&c, &edges));
    assert_eq!(br, as_u64s(&want["q10_ref_counts"]), "{column}");
    assert_eq!(bc, as_u64s(&want["q10_cur_counts"]), "{column}");
    let (pr, pc) = proportions_of(&br, &bc);

    let (er, ec) = evidently_bin_counts(&r, &c).unwrap();
    let info = &want["evidently_binning"];
    assert_eq!(
        er.len() as u64,
        info["n_bins"].as_u64().unwrap(),
        "{column}"
    );
    let (er, ec) = proportions_of(&er, &ec);
    let (fr, fc) = (evidently_fill_zeros(&er), evidently_fill_zeros(&ec));

    // Exact p-values up to 10,000 rows per side; above, scipy's asymptotic branch (raw
    // statistic, kstwo.sf; the p-values that underflow to 0 in scipy count as matched when
    // ours are below 1e-300).
    let ks = ks_2samp(&r, &c).unwrap();
    let mut values = vec![
        ("ks_statistic", ks.statistic),
        ("ks_pvalue", ks.pvalue),
        ("wasserstein_raw", wasserstein_distance(&r, &c).unwrap()),
        ("wasserstein_norm", wasserstein_normed(&r, &c).unwrap()),
        ("psi_q10", psi(&pr, &pc, PSI_EPSILON).unwrap()),
        ("js_q10", jensen_shannon(&pr, &pc).unwrap()),
        ("psi_evidently", psi(&fr, &fc, 0.0).unwrap()),
        ("js_evidently", jensen_shannon(&er, &ec).unwrap()),
    ];
    if want["ks_method_used"] != "exact" {
        values.push(("ks_statistic", ks_statistic(&r, &c).unwrap()));
    }
    for (what, got) in values {
        report.value(what, column, got, want, EXACT);
    }
}

#[test]
fn categorical_columns_match_scipy_800() {
    check_columns("800", "categorical", check_categorical_column);
}

#[test]
fn categorical_columns_match_scipy_100k() {
    check_columns("100k", "categorical", check_categorical_column);
}

fn check_categorical_column(report: &mut Report, tables: [&Source; 2], column: &str, want: &Value) {
    let [ref_table, cur_table] = tables;
    let (r, c) = aligned_counts(ref_table, cur_table, column);
    let count = |key: &str| want[key].as_u64().unwrap();
    assert_eq!(r.len() as u64, count("n_categories_union"), "{column}");
    assert_eq!(r.iter().sum::<u64>(), count("n_ref"), "{column}");
    assert_eq!(c.iter().sum::<u64>(), count("n_cur"), "{column}");
    if want.get("ref_counts").is_some() {
        // Same category order as the reference (sorted as strings).
        assert_eq!(r, as_u64s(&want["ref_counts"]), "{column}");
        assert_eq!(c, as_u64s(&want["cur_counts"]), "{column}");
    }

    let chi = chi2_contingency(&r, &c, false).unwrap();
    assert_eq!(chi.dof as u64, count("chi2_contingency_dof"), "{column}");
    let gof = chi2_goodness_of_fit(&r, &c).unwrap();
    let (pr, pc) = proportions_of(&r, &c);
    let (fr, fc) = (evidently_fill_zeros(&pr), evidently_fill_zeros(&pc));
    let mut values = vec![
        ("chi2_contingency_statistic", chi.statistic),
        ("chi2_contingency_pvalue", chi.pvalue),
        ("chi2_gof_evidently_statistic", gof.statistic),
        ("chi2_gof_evidently_pvalue", gof.pvalue),
        ("psi_cat", psi(&pr, &pc, PSI_EPSILON).unwrap()),
        ("js_cat", jensen_shannon(&pr, &pc).unwrap()),
        ("psi_cat_evidently", psi(&fr, &fc, 0.0).unwrap()),
    ];
    if want.get("chi2_contingency_yates_pvalue").is_some() {
        let yates = chi2_contingency(&r, &c, true).unwrap();
        values.push(("chi2_contingency_yates_pvalue", yates.pvalue));
    }
    for (what, got) in values {
        report.value(what, column, got, want, EXACT);
    }
}

/// Hand-checked small cases: `(what, got, want)`, compared to 1e-12 relative (equal values,
/// including infinities and zeros, match exactly; errors must be the same error).
type Case = (
    &'static str,
    Result<f64, StatsError>,
    Result<f64, StatsError>,
);

fn check_cases(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for (what, got, want) in cases {
        let ok = match (&got, &want) {
            (Ok(g), Ok(w)) => g == w || ((g - w) / w).abs() <= 1e-12,
            (Err(g), Err(w)) => g == w,
            _ => false,
        };
        if !ok {
            failures.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn ks_p(a: &[f64], b: &[f64]) -> Result<f64, StatsError> {
    ks_2samp(a, b).map(|t| t.pvalue)
}

fn ks_d(a: &[f64], b: &[f64]) -> Result<f64, StatsError> {
    ks_2samp(a, b).map(|t| t.statistic)
}

#[test]
fn numeric_edge_cases() {
    let empty = |sample| Err(StatsError::EmptySample { sample });
    let big = vec![0.0; KS_MAX_EXACT_N + 1];
    let big_range: Vec<f64> = (0..=KS_MAX_EXACT_N).map(|i| i as f64).collect();
    check_cases(vec![
        (
            "ks identical D",
            ks_d(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]),
            Ok(0.0),
        ),
        (
            "ks identical p",
            ks_p(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]),
            Ok(1.0),
        ),
        ("ks all equal p", ks_p(&[5.0; 3], &[5.0; 2]), Ok(1.0)),
        // Disjoint samples of 3 and 3: only 2 of the C(6,3) = 20 orderings reach D = 1.
        (
            "ks disjoint D",
            ks_d(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]),
            Ok(1.0),
        ),
        (
            "ks disjoint p n=m",
            ks_p(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]),
            Ok(0.1),
        ),
        // Sizes 2 and 3: 2 of the C(5,2) = 10 orderings (the inside method, n != m).
        (
            "ks disjoint p n!=m",
            ks_p(&[1.0, 2.0], &[3.0, 4.0, 5.0]),
            Ok(0.2),
        ),
        (
            "ks ties D",
            ks_d(&[1.0, 1.0, 2.0, 2.0], &[1.0, 2.0, 2.0, 2.0]),
            Ok(0.25),
        ),
        (
            "ks empty reference",
            ks_p(&[], &[1.0]),
            empty(Sample::Reference),
        ),
        (
            "ks empty current",
            ks_p(&[1.0], &[]),
            empty(Sample::Current),
        ),
        (
            "ks infinity",
            ks_p(&[1.0, f64::INFINITY], &[1.0]),
            Err(StatsError::NonFinite {
                sample: Sample::Reference,
                index: 1,
                value: f64::INFINITY,
            }),
        ),
        // Above KS_MAX_EXACT_N, scipy's asymptotic branch: kstwo.sf(D, round(n1 n2 / (n1 + n2)))
        // (scipy: ks_2samp(np.zeros(10001), [1.]) and ks_2samp(np.arange(10001.), [1.])).
        ("ks asymptotic p", ks_p(&big, &[1.0]), Ok(0.0)),
        (
            "ks asymptotic p, one-value branch",
            ks_p(&big_range, &[1.0]),
            Ok(0.000_399_960_003_999_666_47),
        ),
        ("ks statistic any size", ks_statistic(&big, &[1.0]), Ok(1.0)),
        (
            "w1 identical",
            wasserstein_distance(&[1.0, 2.0], &[2.0, 1.0]),
            Ok(0.0),
        ),
        (
            "w1 shift",
            wasserstein_distance(&[0.0, 1.0], &[2.0, 3.0]),
            Ok(2.0),
        ),
        (
            "w1 empty",
            wasserstein_distance(&[], &[1.0]),
            empty(Sample::Reference),
        ),
        // A constant reference divides by the 0.001 floor, not by zero.
        (
            "w1 normed constant",
            wasserstein_normed(&[5.0; 3], &[6.0; 2]),
            Ok(1000.0),
        ),
        (
            "w1 normed",
            wasserstein_normed(&[0.0, 2.0], &[1.0, 3.0]),
            Ok(1.0),
        ),
        // |F_ref - F_cur| = 1 over a unit interval: sqrt(2) * sqrt(1).
        (
            "energy point masses",
            energy_distance(&[0.0], &[1.0]),
            Ok(2f64.sqrt()),
        ),
        (
            "energy identical",
            energy_distance(&[1.0, 2.0], &[2.0, 1.0]),
            Ok(0.0),
        ),
        (
            "energy empty",
            energy_distance(&[1.0], &[]),
            empty(Sample::Current),
        ),
    ]);
}

#[test]
fn binning_edge_cases() {
    assert_eq!(quantile_inner_edges(&[5.0; 4], 10).unwrap(), vec![5.0]);
    assert_eq!(bin_counts(&[4.0, 5.0, 6.0], &[5.0]), vec![2, 1]);
    assert_eq!(
        quantile_inner_edges(&[], 10),
        Err(StatsError::EmptySample {
            sample: Sample::Reference
        })
    );
    // 1..=11: deciles fall exactly on 2..=10 (linear interpolation, no rounding).
    let values: Vec<f64> = (1..=11).map(f64::from).collect();
    let edges = quantile_inner_edges(&values, 10).unwrap();
    assert_eq!(edges, (2..=10).map(f64::from).collect::<Vec<_>>());
    assert_eq!(
        bin_counts(&values, &edges),
        vec![2, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    );
    // Few distinct values: one Evidently bin per value of ref ∪ cur.
    assert_eq!(
        evidently_bin_counts(&[1.0, 1.0, 2.0], &[2.0, 3.0]).unwrap(),
        (vec![2, 1, 0], vec![0, 1, 1])
    );
    assert_eq!(evidently_fill_zeros(&[0.5, 0.0, 0.5]), vec![0.5, 1e-4, 0.5]);
    assert_eq!(evidently_fill_zeros(&[0.0, 0.0]), vec![0.0, 0.0]);
    assert_eq!(
        proportions(&[0, 0], Sample::Current),
        Err(StatsError::EmptySample {
            sample: Sample::Current
        })
    );
}

#[test]
fn distribution_edge_cases() {
    let half = [0.5, 0.5];
    let point = [1.0, 0.0];
    check_cases(vec![
        ("psi identical", psi(&half, &half, PSI_EPSILON), Ok(0.0)),
        // 0.25 ln 2 + 0.25 ln 1.5
        (
            "psi hand",
            psi(&half, &[0.25, 0.75], PSI_EPSILON),
            Ok(0.25 * (2f64.ln() + 1.5f64.ln())),
        ),
        (
            "psi single category",
            psi(&[1.0], &[1.0], PSI_EPSILON),
            Ok(0.0),
        ),
        ("js identical", jensen_shannon(&half, &half), Ok(0.0)),
        (
            "js disjoint",
            jensen_shannon(&[1.0, 0.0], &[0.0, 1.0]),
            Ok(2f64.ln().sqrt()),
        ),
        (
            "kl to a point mass",
            kl_divergence(&half, &point),
            Ok(f64::INFINITY),
        ),
        (
            "kl from a point mass",
            kl_divergence(&point, &half),
            Ok(2f64.ln()),
        ),
        (
            "hellinger hand",
            hellinger(&half, &point),
            Ok((1.0 - 0.5f64.sqrt()).sqrt()),
        ),
        ("hellinger identical", hellinger(&half, &half), Ok(0.0)),
        ("tvd hand", total_variation(&half, &point), Ok(0.5)),
        (
            "length mismatch",
            total_variation(&half, &[1.0]),
            Err(StatsError::LengthMismatch {
                reference: 2,
                current: 1,
            }),
        ),
        (
            "negative proportion",
            psi(&[-0.5, 1.5], &half, PSI_EPSILON),
            Err(StatsError::BadDistribution {
                sample: Sample::Reference,
                reason: "entries must be finite and non-negative",
            }),
        ),
    ]);
}

#[test]
fn categorical_test_edge_cases() {
    let stat = |r: Result<ChiSquare, StatsError>| r.map(|c| c.statistic);
    let p = |r: Result<ChiSquare, StatsError>| r.map(|c| c.pvalue);
    let z = |r: Result<ZTest, StatsError>| r.map(|t| t.statistic);
    let zp = |r: Result<ZTest, StatsError>| r.map(|t| t.pvalue);
    check_cases(vec![
        (
            "chi2 single category p",
            p(chi2_contingency(&[10], &[5], false)),
            Ok(1.0),
        ),
        (
            "gof single category p",
            p(chi2_goodness_of_fit(&[10], &[5])),
            Ok(1.0),
        ),
        // Table [[10, 10], [10, 30]]: expected [[20/3, 40/3], [40/3, 80/3]].
        (
            "chi2 hand",
            stat(chi2_contingency(&[10, 10], &[10, 30], false)),
            Ok(3.75),
        ),
        // dof 1: p = Q(1/2, x/2) = erfc(sqrt(x/2)); x = 8 gives erfc(2).
        (
            "gof hand p",
            p(chi2_goodness_of_fit(&[100, 100], &[120, 80])),
            Ok(0.004_677_734_981_047_266),
        ),
        (
            "gof new category",
            stat(chi2_goodness_of_fit(&[10, 0], &[5, 5])),
            Ok(f64::INFINITY),
        ),
        (
            "gof new category p",
            p(chi2_goodness_of_fit(&[10, 0], &[5, 5])),
            Ok(0.0),
        ),
        (
            "chi2 empty category",
            stat(chi2_contingency(&[1, 0], &[1, 0], false)),
            Err(StatsError::EmptyCategory { index: 1 }),
        ),
        (
            "chi2 empty current",
            stat(chi2_contingency(&[1, 2], &[0, 0], false)),
            Err(StatsError::EmptySample {
                sample: Sample::Current,
            }),
        ),
        // p1 = 0.6, p2 = 0.4, pooled 0.5: z = 0.2 / sqrt(0.25 * 0.02) = 2 sqrt(2), p = erfc(2).
        (
            "z hand",
            z(two_proportion_z_test(60, 100, 40, 100)),
            Ok(2.0 * 2f64.sqrt()),
        ),
        (
            "z hand p",
            zp(two_proportion_z_test(60, 100, 40, 100)),
            Ok(0.004_677_734_981_047_266),
        ),
        (
            "z equal p",
            zp(two_proportion_z_test(5, 10, 50, 100)),
            Ok(1.0),
        ),
        (
            "z constant p",
            zp(two_proportion_z_test(0, 10, 0, 20)),
            Ok(1.0),
        ),
        (
            "z empty",
            zp(two_proportion_z_test(0, 0, 1, 2)),
            Err(StatsError::EmptySample {
                sample: Sample::Reference,
            }),
        ),
        (
            "z too many successes",
            zp(two_proportion_z_test(1, 2, 3, 2)),
            Err(StatsError::BadProportion {
                sample: Sample::Current,
                successes: 3,
                n: 2,
            }),
        ),
    ]);
}

/// Evidently 0.7.23's own stattests called directly on the 100k files
/// (`ref/evidently_methods_100k.json`): the values to match when a user picks that method.
#[test]
fn evidently_methods_match_100k() {
    let path = crate::test_data::path("drift/evidently_methods_100k.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let (ref_table, cur_table) = pair("100k");
    let mut report = Report::default();
    for (column, methods) in reference["columns"].as_object().unwrap() {
        let score = |method: &str| methods[method]["score"].as_f64().unwrap();
        let mut values = Vec::new();
        let (pr, pc) = if methods.get("ed").is_some() {
            let (r, c) = (ref_table.numeric(column), cur_table.numeric(column));
            values.push(("ed", energy_distance(&r, &c).unwrap()));
            values.push(("wasserstein", wasserstein_normed(&r, &c).unwrap()));
            let (er, ec) = evidently_bin_counts(&r, &c).unwrap();
            proportions_of(&er, &ec)
        } else {
            let (r, c) = aligned_counts(&ref_table, &cur_table, column);
            values.push(("chisquare", chi2_goodness_of_fit(&r, &c).unwrap().pvalue));
            if methods.get("z").is_some() {
                // Successes are the second sorted category, as Evidently maps the first to 0.
                let (nr, nc) = (r.iter().sum(), c.iter().sum());
                let z = two_proportion_z_test(r[1], nr, c[1], nc).unwrap();
                let want = score("z");
                if want == 0.0 {
                    // Evidently's 2 * (1 - Phi(|z|)) underflows to 0 below about 1e-16.
                    assert!(z.pvalue < 1e-15, "{column}: z p-value {}", z.pvalue);
                } else {
                    // Evidently's 1 - Phi(|z|) carries an absolute error of about 1e-16.
                    let rtol = EXACT.max(1e-15 / want);
                    report.check("z", column, z.pvalue, want, rtol);
                }
            }
            let (pr, pc) = proportions_of(&r, &c);
            values.push(("hellinger", hellinger(&pr, &pc).unwrap()));
            (pr, pc)
        };
        let (fr, fc) = (evidently_fill_zeros(&pr), evidently_fill_zeros(&pc));
        values.push(("psi", psi(&fr, &fc, 0.0).unwrap()));
        values.push(("kl_div", kl_divergence(&fr, &fc).unwrap()));
        values.push(("jensenshannon", jensen_shannon(&pr, &pc).unwrap()));
        for (method, got) in values {
            report.check(method, column, got, score(method), EXACT);
        }
    }
    report.finish();
}
