//! Columns too large for memory: tested from bounded-memory summaries computed by Polars'
//! streaming engine, never holding a column.
//!
//! Per numeric column and side, pass 1 gets the count, missing values, min, max, mean and
//! standard deviation, and an estimate of the distinct values; pass 2 counts values in
//! [`FINE_BINS`] equal-width bins over the pooled range of both sides, plus the bins the binned
//! methods use (Evidently's: Sturges bins over the pooled range, or one bin per value when the
//! reference has at most 20 distinct values). Memory: a few hundred KiB per column, whatever the
//! row count.
//!
//! What is exact and what is approximate (the report marks these columns `approximate`):
//! - exact: counts, missing values, mean, std, min, max; Jensen–Shannon, PSI, KL, Hellinger and
//!   total variation on Evidently's bins; every categorical statistic (counts are exact);
//! - approximate: the Wasserstein distance and the KS statistic from the fine-bin CDFs (off by
//!   at most one fine bin's width, resp. one fine bin's mass), the KS p-value from that
//!   statistic, the energy distance, the median, and the drawn histogram;
//! - not available: Cramér–von Mises and Anderson–Darling (they need every value's rank).

use std::path::Path;

use polars::prelude::*;

use crate::data::{Kind, TabularFormat};

use super::column::{effect_band, not_testable};
use super::error::DriftError;
use super::method::{Method, Selection, default_method};
use super::report::{ColumnResult, EffectSize, Histogram, SideSummary};
use super::stats::{self, Sample, fisher, kolmogorov};

/// Equal-width bins over the pooled range for the approximate CDF statistics (divisible by the
/// report's 30 bins).
pub const FINE_BINS: usize = 30 * 512;
/// At most this many distinct reference values: Evidently bins one per value.
const VALUE_BINS_MAX: u64 = 20;

/// Pass 1 of one numeric column on one side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub count: u64,
    pub missing: u64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// Population standard deviation (ddof 0).
    pub std: f64,
    pub distinct_approx: u64,
}

fn finite(name: &str) -> Expr {
    let c = Expr::Column(name.into()).cast(DataType::Float64);
    when(c.clone().is_finite()).then(c).otherwise(lit(NULL))
}

fn guard<T>(
    path: &Path,
    format: TabularFormat,
    f: impl FnOnce() -> PolarsResult<T>,
) -> Result<T, DriftError> {
    crate::data::guard(path, format, f).map_err(DriftError::Data)
}

fn scalar_f64(df: &DataFrame, name: &str) -> PolarsResult<Option<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.get(0))
}

/// Pass 1 for `columns` of the file at `path`: one streaming query.
pub fn moments(path: &Path, columns: &[String]) -> Result<Vec<Moments>, DriftError> {
    let (format, lf) = crate::data::scan(path)?;
    let mut exprs = vec![len().alias("rows")];
    for (i, name) in columns.iter().enumerate() {
        let f = finite(name);
        exprs.push(f.clone().count().alias(format!("{i}/count")));
        exprs.push(f.clone().min().alias(format!("{i}/min")));
        exprs.push(f.clone().max().alias(format!("{i}/max")));
        exprs.push(f.clone().mean().alias(format!("{i}/mean")));
        exprs.push(f.clone().std(0).alias(format!("{i}/std")));
        exprs.push(f.approx_n_unique().alias(format!("{i}/distinct")));
    }
    let df = guard(path, format, || {
        Ok(lf
            .select(exprs)
            .collect_with_engine(Engine::Streaming)?
            .unwrap_single())
    })?;
    let read = || -> PolarsResult<Vec<Moments>> {
        let rows = scalar_f64(&df, "rows")?.unwrap_or(0.0) as u64;
        let mut out = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            let count = scalar_f64(&df, &format!("{i}/count"))?.unwrap_or(0.0) as u64;
            out.push(Moments {
                count,
                missing: rows - count,
                min: scalar_f64(&df, &format!("{i}/min"))?.unwrap_or(f64::NAN),
                max: scalar_f64(&df, &format!("{i}/max"))?.unwrap_or(f64::NAN),
                mean: scalar_f64(&df, &format!("{i}/mean"))?.unwrap_or(f64::NAN),
                std: scalar_f64(&df, &format!("{i}/std"))?.unwrap_or(0.0),
                // The estimate counts the null group as a value.
                distinct_approx: (scalar_f64(&df, &format!("{i}/distinct"))?.unwrap_or(0.0) as u64)
                    .saturating_sub(u64::from(rows > count)),
            });
        }
        Ok(out)
    };
    guard(path, format, read)
}

/// Counts of a column's finite values in `bins` equal-width bins from `lo` by `width` (values
/// outside go to the end bins; the last bin is closed), by a streaming group-by.
fn binned_counts(
    path: &Path,
    name: &str,
    lo: f64,
    width: f64,
    bins: usize,
) -> Result<Vec<u64>, DriftError> {
    let (format, lf) = crate::data::scan(path)?;
    // Truncation is the floor for the non-negative positions left after clamping below at 0.
    let pos = (finite(name) - lit(lo)) / lit(width);
    let last = (bins - 1) as f64;
    let idx = when(pos.clone().lt(lit(0.0)))
        .then(lit(0.0))
        .when(pos.clone().gt(lit(last)))
        .then(lit(last))
        .otherwise(pos)
        .cast(DataType::UInt32)
        .alias("bin");
    let df = guard(path, format, || {
        lf.select([idx])
            .drop_nulls(None)
            .group_by([col("bin")])
            .agg([len().alias("n")])
            .collect_with_engine(Engine::Streaming)
            .map(|r| r.unwrap_single())
    })?;
    let mut counts = vec![0u64; bins];
    guard(path, format, || {
        let b = df.column("bin")?.u32()?;
        let n = df.column("n")?.cast(&DataType::UInt64)?;
        let n = n.u64()?;
        for (b, n) in b.iter().zip(n.iter()) {
            if let (Some(b), Some(n)) = (b, n) {
                counts[(b as usize).min(bins - 1)] += n;
            }
        }
        Ok(())
    })?;
    Ok(counts)
}

/// Counts per distinct finite value (for columns with few values), ascending by value.
fn value_counts(path: &Path, name: &str) -> Result<Vec<(f64, u64)>, DriftError> {
    let (format, lf) = crate::data::scan(path)?;
    let df = guard(path, format, || {
        lf.select([finite(name).alias("v")])
            .drop_nulls(None)
            .group_by([col("v")])
            .agg([len().alias("n")])
            .collect_with_engine(Engine::Streaming)
            .map(|r| r.unwrap_single())
    })?;
    let mut out: Vec<(f64, u64)> = guard(path, format, || {
        let v = df.column("v")?.f64()?.clone();
        let n = df.column("n")?.cast(&DataType::UInt64)?;
        let n = n.u64()?.clone();
        Ok(v.iter()
            .zip(n.iter())
            .filter_map(|(v, n)| Some((v?, n?)))
            .collect())
    })?;
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(out)
}

/// The two sides' counts on one grid.
struct Grid {
    lo: f64,
    width: f64,
    reference: Vec<u64>,
    current: Vec<u64>,
}

fn cdf_gaps(g: &Grid) -> impl Iterator<Item = f64> + '_ {
    let (nr, nc) = (
        g.reference.iter().sum::<u64>().max(1) as f64,
        g.current.iter().sum::<u64>().max(1) as f64,
    );
    let (mut cr, mut cc) = (0u64, 0u64);
    g.reference.iter().zip(&g.current).map(move |(r, c)| {
        cr += r;
        cc += c;
        cr as f64 / nr - cc as f64 / nc
    })
}

/// The value below which a share `q` of a side's fine-binned values lie (linear in the bin).
fn grid_quantile(g: &Grid, counts: &[u64], q: f64) -> f64 {
    let total: u64 = counts.iter().sum();
    let target = q * total as f64;
    let mut seen = 0.0;
    for (i, &n) in counts.iter().enumerate() {
        if seen + n as f64 >= target && n > 0 {
            let within = (target - seen) / n as f64;
            return g.lo + (i as f64 + within) * g.width;
        }
        seen += n as f64;
    }
    g.lo + counts.len() as f64 * g.width
}

/// Tests one numeric column of two files from streaming summaries (see the module docs).
pub fn test_numeric_column(
    name: &str,
    kind_source: &str,
    reference: (&Path, Moments),
    current: (&Path, Moments),
    method: Option<Method>,
    threshold: Option<f64>,
) -> Result<ColumnResult, DriftError> {
    let (rp, rm) = reference;
    let (cp, cm) = current;
    let summary = |m: &Moments| SideSummary {
        count: m.count,
        missing: m.missing,
        distinct: Some(m.distinct_approx),
        mean: (m.count > 0).then_some(m.mean),
        std: (m.count > 1).then(|| m.std * (m.count as f64 / (m.count as f64 - 1.0)).sqrt()),
        min: (m.count > 0).then_some(m.min),
        max: (m.count > 0).then_some(m.max),
        median: None,
    };
    let fail = |reason: String| {
        not_testable(
            name,
            Kind::Numerical,
            kind_source,
            reason,
            summary(&rm),
            summary(&cm),
        )
    };
    for (m, side) in [(&rm, "reference"), (&cm, "current")] {
        if m.count == 0 {
            return Ok(fail(format!("all values of the {side} sample are missing")));
        }
    }
    // Few distinct values: exact value counts (small), as categories.
    let few = rm.distinct_approx <= VALUE_BINS_MAX;
    let values = if few {
        Some((value_counts(rp, name)?, value_counts(cp, name)?))
    } else {
        None
    };
    let distinct = match &values {
        Some((r, c)) => {
            let mut all: Vec<f64> = r.iter().chain(c).map(|(v, _)| *v).collect();
            all.sort_by(f64::total_cmp);
            all.dedup();
            all.len() as u64
        }
        None => rm.distinct_approx.max(cm.distinct_approx),
    };
    let selection = match method {
        Some(m) => Selection {
            method: m,
            reason: "set by the user",
        },
        None => default_method(Kind::Numerical, rm.count, distinct),
    };
    let method = selection.method;
    if matches!(method, Method::Cvm | Method::Anderson) {
        return Ok(fail(format!(
            "{} needs every value's rank, which a column larger than memory cannot give; use ks or wasserstein",
            method.name()
        )));
    }
    if method.binary_only() && distinct > 2 {
        return Ok(fail(format!(
            "method {} needs a binary column; this one has {distinct} distinct values",
            method.name()
        )));
    }
    let lo = rm.min.min(cm.min);
    let hi = rm.max.max(cm.max);
    let width = if hi > lo {
        (hi - lo) / FINE_BINS as f64
    } else {
        1.0
    };
    let fine = Grid {
        lo,
        width,
        reference: binned_counts(rp, name, lo, width, FINE_BINS)?,
        current: binned_counts(cp, name, lo, width, FINE_BINS)?,
    };
    // Evidently's bins for the binned methods: one per value, or Sturges over the pooled range.
    let evidently = || -> Result<(Vec<u64>, Vec<u64>), DriftError> {
        if let Some((r, c)) = &values {
            let mut keys: Vec<f64> = r.iter().chain(c).map(|(v, _)| *v).collect();
            keys.sort_by(f64::total_cmp);
            keys.dedup();
            let count = |side: &[(f64, u64)]| {
                keys.iter()
                    .map(|k| side.iter().find(|(v, _)| v == k).map_or(0, |(_, n)| *n))
                    .collect::<Vec<u64>>()
            };
            return Ok((count(r), count(c)));
        }
        let n = (rm.count + cm.count) as f64;
        let (first, last) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        let step_sturges = (hi - lo) / (n.log2() + 1.0);
        let bins = if step_sturges > 0.0 {
            ((last - first) / step_sturges).ceil() as usize
        } else {
            1
        };
        let step = (last - first) / bins as f64;
        Ok((
            binned_counts(rp, name, first, step, bins)?,
            binned_counts(cp, name, first, step, bins)?,
        ))
    };
    let err = |e: stats::StatsError| DriftError::BadOption(format!("{name}: {e}"));
    let (statistic, p_value) = match method {
        Method::Wasserstein => {
            let w: f64 = cdf_gaps(&fine).map(f64::abs).sum::<f64>() * fine.width;
            (w / rm.std.max(0.001), None)
        }
        Method::Ks => {
            let d = cdf_gaps(&fine).map(f64::abs).fold(0.0, f64::max);
            (
                d,
                Some(kolmogorov::ks_pvalue_asymptotic(
                    d,
                    rm.count as usize,
                    cm.count as usize,
                )),
            )
        }
        Method::Energy => {
            let s: f64 = cdf_gaps(&fine).map(|g| g * g).sum::<f64>() * fine.width;
            ((2.0 * s).sqrt(), None)
        }
        _ => {
            let (r, c) = evidently()?;
            let pr = stats::proportions(&r, Sample::Reference).map_err(err)?;
            let pc = stats::proportions(&c, Sample::Current).map_err(err)?;
            let fill = |p: &[f64]| stats::evidently_fill_zeros(p);
            let pair = |r: &[u64], c: &[u64]| -> (Vec<u64>, Vec<u64>) {
                // Drop bins empty on both sides (the count tests need none).
                r.iter()
                    .zip(c)
                    .filter(|(a, b)| **a + **b > 0)
                    .map(|(a, b)| (*a, *b))
                    .unzip()
            };
            match method {
                Method::JensenShannon => (stats::jensen_shannon(&pr, &pc).map_err(err)?, None),
                Method::Psi => (stats::psi(&fill(&pr), &fill(&pc), 0.0).map_err(err)?, None),
                Method::Kl => (
                    stats::kl_divergence(&fill(&pr), &fill(&pc)).map_err(err)?,
                    None,
                ),
                Method::Hellinger => (stats::hellinger(&pr, &pc).map_err(err)?, None),
                Method::Tvd => (stats::total_variation(&pr, &pc).map_err(err)?, None),
                Method::ChiSquare | Method::Chi2Contingency => {
                    let (r, c) = pair(&r, &c);
                    let t = if method == Method::ChiSquare {
                        stats::chi2_goodness_of_fit(&r, &c)
                    } else {
                        stats::chi2_contingency(&r, &c, false)
                    }
                    .map_err(err)?;
                    (t.statistic, Some(t.pvalue))
                }
                Method::Z | Method::Fisher => {
                    let (r, c) = pair(&r, &c);
                    let get = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
                    if method == Method::Z {
                        let (rn, cn) = (r.iter().sum(), c.iter().sum());
                        let (rs, cs) = if r.len() < 2 {
                            (rn, cn)
                        } else {
                            (get(&r, 1), get(&c, 1))
                        };
                        let t = stats::two_proportion_z_test(rs, rn, cs, cn).map_err(err)?;
                        (t.statistic, Some(t.pvalue))
                    } else {
                        let t = fisher::fisher_exact([
                            [get(&r, 0), get(&r, 1)],
                            [get(&c, 0), get(&c, 1)],
                        ]);
                        (t.statistic, Some(t.pvalue))
                    }
                }
                _ => unreachable!("the other methods are handled above"),
            }
        }
    };
    let threshold = threshold.unwrap_or(method.default_threshold());
    let rule = method.rule();
    let score = p_value.unwrap_or(statistic);
    let mut result = fail(String::new());
    result.testable = true;
    result.not_testable_reason = None;
    result.approximate = true;
    result.method = Some(method.name().to_string());
    result.method_label = Some(method.label().to_string());
    result.reason = Some(format!(
        "{} (from streaming summaries: the column is larger than the memory budget)",
        selection.reason
    ));
    result.statistic = Some(statistic);
    result.p_value = p_value;
    result.score = Some(score);
    result.threshold = Some(threshold);
    result.rule = Some(rule.as_str().to_string());
    result.drifted = rule.drifted(score, threshold);
    let w: f64 = cdf_gaps(&fine).map(f64::abs).sum::<f64>() * fine.width / rm.std.max(0.001);
    result.effect_size = Some(EffectSize {
        name: "wasserstein_normed".into(),
        label: "Wasserstein distance in reference standard deviations".into(),
        value: w,
        magnitude: effect_band(w, [0.1, 0.5, 0.8]).into(),
    });
    result.reference.median = Some(grid_quantile(&fine, &fine.reference, 0.5));
    result.current.median = Some(grid_quantile(&fine, &fine.current, 0.5));
    // The drawn histogram: the fine bins merged 512 to 1.
    let group = FINE_BINS / super::column::HISTOGRAM_BINS;
    let merge = |v: &[u64]| -> Vec<f64> {
        let n = v.iter().sum::<u64>().max(1) as f64;
        v.chunks(group)
            .map(|c| c.iter().sum::<u64>() as f64 / n)
            .collect()
    };
    result.histogram = Some(Histogram {
        edges: (0..=super::column::HISTOGRAM_BINS)
            .map(|i| lo + (i * group) as f64 * width)
            .collect(),
        reference: merge(&fine.reference),
        current: merge(&fine.current),
    });
    Ok(result)
}

/// A categorical column's counts by a streaming group-by: exact, in memory bounded by the
/// number of categories rather than of rows.
pub fn category_counts(path: &Path, name: &str) -> Result<super::sample::ColumnSample, DriftError> {
    let (format, lf) = crate::data::scan(path)?;
    let c = Expr::Column(name.into());
    let df = guard(path, format, || {
        lf.select([c.cast(DataType::String).alias("v")])
            .group_by([col("v")])
            .agg([len().alias("n")])
            .collect_with_engine(Engine::Streaming)
            .map(|r| r.unwrap_single())
    })?;
    guard(path, format, || {
        let v = df.column("v")?.str()?.clone();
        let n = df.column("n")?.cast(&DataType::UInt64)?;
        let n = n.u64()?.clone();
        let mut missing = 0;
        let mut counts = Vec::new();
        for (v, n) in v.iter().zip(n.iter()) {
            match (v, n) {
                (Some(v), Some(n)) => counts.push((v.to_string(), n)),
                (None, Some(n)) => missing += n,
                _ => {}
            }
        }
        counts.sort_unstable_by(|a: &(String, u64), b| a.0.cmp(&b.0));
        Ok(super::sample::ColumnSample {
            values: super::sample::Values::Categories(counts),
            missing,
            unparsable: 0,
        })
    })
}
