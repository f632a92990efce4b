//! Two-sample drift statistics on numeric samples and category counts, matching scipy/numpy.
//!
//! Inputs are plain slices: numeric samples with missing values already removed by the caller
//! (a NaN or ±inf is rejected with [`StatsError::NonFinite`], never silently dropped), or
//! category count vectors aligned on the union of categories of both samples. An empty sample
//! is an error, never a panic.
//!
//! Numeric samples are sorted once per call with `f64::total_cmp`; the statistics then walk
//! the two sorted samples together (O(n log n) overall, no allocation per element beyond the
//! sorted copies).
//!
//! What is matched, and how (the formulas are those of the `definitions` block of
//! `tests/data/drift/scipy_*.json`):
//! - [`ks_2samp`]: `scipy.stats.ks_2samp(method='auto', alternative='two-sided')`: the exact
//!   distribution for `max(n1, n2) <= 10000`, above that (or where the exact computation fails)
//!   the asymptotic branch `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`, [`kolmogorov::ks_pvalue_asymptotic`].
//! - [`wasserstein_distance`] / [`wasserstein_normed`]: `scipy.stats.wasserstein_distance`,
//!   and Evidently's normed variant; [`energy_distance`]: `scipy.stats.energy_distance`.
//! - [`quantile_inner_edges`] + [`bin_counts`]: numpy 'linear' quantiles, `np.unique` edges,
//!   right-closed bins (`np.searchsorted(edges, x, side='left')`).
//! - [`evidently_bin_counts`] + [`evidently_fill_zeros`]: Evidently's binning (Sturges bins
//!   over the pooled sample, or one bin per distinct value) and PSI zero-fill.
//! - [`psi`], [`jensen_shannon`], [`kl_divergence`], [`hellinger`], [`total_variation`]:
//!   over proportion vectors (from [`proportions`]).
//! - [`chi2_contingency`], [`chi2_goodness_of_fit`], [`two_proportion_z_test`].
//! - In [`more`]: Cramér–von Mises, Anderson–Darling (two samples), Fisher's exact test and the
//!   asymptotic KS p-value.

use std::fmt;

use super::special::{chi2_sf, gamma_q};

/// Above this sample size scipy's `method='auto'` switches from the exact two-sample
/// distribution to the asymptotic one (`MAX_AUTO_N` in `ks_2samp`).
pub const KS_MAX_EXACT_N: usize = 10_000;

/// Floor for zero proportions in [`psi`] as the scipy reference uses it (`psi_epsilon`).
pub const PSI_EPSILON: f64 = 1e-4;

/// Which of the two samples an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    Reference,
    Current,
}

impl fmt::Display for Sample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sample::Reference => "reference",
            Sample::Current => "current",
        })
    }
}

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("the {sample} sample is empty")]
    EmptySample { sample: Sample },
    #[error("the {sample} sample holds a non-finite value {value} at index {index}")]
    NonFinite {
        sample: Sample,
        index: usize,
        value: f64,
    },
    #[error("the {sample} distribution is not a valid proportion vector: {reason}")]
    BadDistribution {
        sample: Sample,
        reason: &'static str,
    },
    #[error("category vectors differ in length: reference has {reference}, current has {current}")]
    LengthMismatch { reference: usize, current: usize },
    #[error(
        "category {index} has a zero count in both samples; align on the union of observed categories"
    )]
    EmptyCategory { index: usize },
    #[error("the {sample} sample has {n} values; the test needs at least {needed}")]
    TooFewValues {
        sample: Sample,
        n: usize,
        needed: usize,
    },
    #[error("the two samples hold {n} values together; the test needs at least {needed}")]
    TooFewPooled { n: usize, needed: usize },
    #[error("all values of both samples are equal; the test needs at least two distinct values")]
    NoDistinctValues,
    #[error(
        "the two-proportion z-test needs success counts within the sample sizes, got {successes} of {n} in the {sample} sample"
    )]
    BadProportion {
        sample: Sample,
        successes: u64,
        n: u64,
    },
}

/// Result of the two-sample Kolmogorov–Smirnov test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// `D = sup |F_ref - F_cur|`, as scipy reports it (rounded to a multiple of `1/lcm(n1, n2)`
    /// when the exact p-value is used).
    pub statistic: f64,
    /// Two-sided p-value: from the exact distribution of `D` up to [`KS_MAX_EXACT_N`] values per
    /// side, else scipy's asymptotic one.
    pub pvalue: f64,
}

/// Result of a chi-square test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    /// Degrees of freedom (number of categories minus one).
    pub dof: usize,
    pub pvalue: f64,
}

/// Result of the two-proportion Z-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZTest {
    /// `(p_ref - p_cur) / sqrt(P (1 - P) (1/n_ref + 1/n_cur))`, P the pooled proportion.
    pub statistic: f64,
    /// Two-sided p-value `2 (1 - Φ(|z|))`.
    pub pvalue: f64,
}

fn sorted_finite(values: &[f64], sample: Sample) -> Result<Vec<f64>, StatsError> {
    if values.is_empty() {
        return Err(StatsError::EmptySample { sample });
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            sample,
            index,
            value,
        });
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(sorted)
}

/// Raw two-sample KS statistic on sorted samples, exactly as scipy computes it before rounding:
/// the ECDF difference is evaluated at every pooled value (after all ties on both sides).
fn ks_raw_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    let (mut max_diff, mut min_diff) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_diff = max_diff.max(diff);
        min_diff = min_diff.min(diff);
    }
    let min_s = (-min_diff).clamp(0.0, 1.0);
    if min_s > max_diff { min_s } else { max_diff }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `scipy.stats._stats_py._compute_prob_outside_square`: P(D >= h/n) for two samples of size n.
fn prob_outside_square(n: i64, h: i64) -> f64 {
    let mut p = 0.0;
    let mut k = n / h;
    while k >= 0 {
        let mut p1 = 1.0;
        for j in 0..h {
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// `scipy.stats._stats_py._compute_outer_prob_inside_method`: the proportion of lattice paths
/// from (0, 0) to (m, n) that leave the band `|x/m - y/n| < h / lcm(m, n)` (Hodges' inside
/// method, with Viehmann's recursion for 1 - p).
fn outer_prob_inside_method(m: i64, n: i64, g: i64, h: i64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = m / g;
    let ng = n / g;
    let ceil_div = |a: i64, b: i64| (a + b - 1).div_euclid(b);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((ng * i - h).div_euclid(mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            val = (a[(jj + minj - lastminj) as usize] * i as f64 + val * j as f64) / (i + j) as f64;
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = ((maxj - minj) as usize).min(len_a);
            let end = ((maxj - minj + lastlen - curlen) as usize).min(len_a);
            for v in &mut a[start..end] {
                *v = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp(method='auto')`.
///
/// Up to [`KS_MAX_EXACT_N`] values per side the p-value is exact, and the statistic is rounded to
/// the nearest multiple of `1/lcm(n1, n2)` as scipy does before computing it. Above that, the
/// raw statistic and scipy's asymptotic p-value `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`
/// ([`kolmogorov::ks_pvalue_asymptotic`]); scipy also falls back to it (with the rounded statistic)
/// when the exact computation leaves [0, 1], and so does this function.
pub fn ks_2samp(reference: &[f64], current: &[f64]) -> Result<KsTest, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    let (n1, n2) = (a.len(), b.len());
    let d = ks_raw_statistic(&a, &b);
    if n1.max(n2) > KS_MAX_EXACT_N {
        return Ok(KsTest {
            statistic: d,
            pvalue: kolmogorov::ks_pvalue_asymptotic(d, n1, n2),
        });
    }
    let g = gcd(n1 as u64, n2 as u64) as i64;
    let (n1, n2) = (n1 as i64, n2 as i64);
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as i64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Ok(KsTest {
            statistic: d,
            pvalue: 1.0,
        });
    }
    let prob = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside_method(n1, n2, g, h)
    };
    if !(0.0..=1.0).contains(&prob) {
        // scipy falls back to the asymptotic distribution here, with the rounded statistic.
        return Ok(KsTest {
            statistic: d,
            pvalue: kolmogorov::ks_pvalue_asymptotic(d, n1 as usize, n2 as usize),
        });
    }
    Ok(KsTest {
        statistic: d,
        pvalue: prob,
    })
}

/// The two-sample KS statistic `D = sup |F_ref - F_cur|` without a p-value (any sample size).
pub fn ks_statistic(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    Ok(ks_raw_statistic(&a, &b))
}

/// Wasserstein-1 distance between two samples, as `scipy.stats.wasserstein_distance(u, v)`:
/// the integral of `|F_ref - F_cur|` over the pooled sorted sample.
pub fn wasserstein_distance(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    Ok(cdf_distance_sorted(&a, &b, 1))
}

/// Energy distance between two samples, as `scipy.stats.energy_distance(u, v)`:
/// `sqrt(2) * sqrt(integral (F_ref - F_cur)^2 dx)`.
pub fn energy_distance(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    Ok(std::f64::consts::SQRT_2 * cdf_distance_sorted(&a, &b, 2).sqrt())
}

/// `integral |F_a - F_b|^power dx` over the pooled sorted sample (scipy's `_cdf_distance`
/// before its final root), for `power` 1 or 2.
fn cdf_distance_sorted(a: &[f64], b: &[f64], power: u8) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    let mut total = 0.0;
    // Walk the pooled sorted sample: at each pooled value x (except the last) the ECDFs are
    // counts of values <= x, and the segment to the next pooled value has constant |ΔF|.
    let mut prev: Option<f64> = None;
    while i < a.len() || j < b.len() {
        // Counts consumed so far; when x > prev they are exactly the counts of values <= prev.
        let (ci, cj) = (i as f64 / n1, j as f64 / n2);
        let Some(x) = merge_next(a, b, &mut i, &mut j) else {
            break;
        };
        if let Some(p) = prev {
            let delta = x - p;
            if delta != 0.0 {
                let gap = (ci - cj).abs();
                total += if power == 1 { gap } else { gap * gap } * delta;
            }
        }
        prev = Some(x);
    }
    total
}

/// Population standard deviation (`np.std`, ddof = 0).
fn population_std(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Minimum reference spread for [`wasserstein_normed`]: Evidently's floor, so a constant
/// reference column does not divide by zero.
const WASSERSTEIN_MIN_STD: f64 = 0.001;

/// Evidently's 'wasserstein' stattest: `W1 / max(std(ref, ddof=0), 0.001)`.
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<f64, StatsError> {
    let w = wasserstein_distance(reference, current)?;
    Ok(w / population_std(reference).max(WASSERSTEIN_MIN_STD))
}

/// [`wasserstein_normed`] on samples the caller guarantees are non-empty, finite and sorted
/// ascending (drift's column samples are): no copy, no sort, no check.
pub(crate) fn wasserstein_normed_sorted(reference: &[f64], current: &[f64]) -> f64 {
    cdf_distance_sorted(reference, current, 1) / population_std(reference).max(WASSERSTEIN_MIN_STD)
}

/// numpy's `_lerp`: `a + (b - a) t`, computed from the upper end when `t >= 0.5`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// `np.quantile(sorted, q)` with numpy's default `method='linear'`; `sorted` is non-empty.
fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len() - 1;
    let virtual_index = (last as f64) * q;
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    let lo = (below.max(0.0) as usize).min(last);
    let hi = (lo + 1).min(last);
    lerp(sorted[lo], sorted[hi], gamma)
}

/// Inner edges of `n_bins` reference-quantile bins:
/// `np.unique(np.quantile(ref, np.linspace(1/n_bins, 1 - 1/n_bins, n_bins - 1)))`.
///
/// Ties collapse edges, so fewer than `n_bins` bins may result (`edges.len() + 1` bins).
pub fn quantile_inner_edges(reference: &[f64], n_bins: usize) -> Result<Vec<f64>, StatsError> {
    let sorted = sorted_finite(reference, Sample::Reference)?;
    if n_bins < 2 {
        return Ok(Vec::new());
    }
    // np.linspace(start, stop, num): i * step + start, with the last point set to stop exactly.
    let start = 1.0 / n_bins as f64;
    let stop = 1.0 - start;
    let num = n_bins - 1;
    let step = if num > 1 {
        (stop - start) / (num - 1) as f64
    } else {
        0.0
    };
    let mut edges: Vec<f64> = (0..num)
        .map(|i| {
            let q = if i + 1 == num && num > 1 {
                stop
            } else {
                i as f64 * step + start
            };
            quantile_linear(&sorted, q)
        })
        .collect();
    edges.sort_unstable_by(f64::total_cmp);
    edges.dedup();
    Ok(edges)
}

/// Counts per right-closed bin `(-inf, e1], (e1, e2], ..., (ek, +inf)`:
/// `np.bincount(np.searchsorted(edges, x, side='left'), minlength=k + 1)`.
pub fn bin_counts(values: &[f64], inner_edges: &[f64]) -> Vec<u64> {
    let mut counts = vec![0u64; inner_edges.len() + 1];
    for &x in values {
        counts[inner_edges.partition_point(|&e| e < x)] += 1;
    }
    counts
}

/// Above this many distinct reference values Evidently bins a numeric column with equal-width
/// bins; at or below it, one bin per distinct value (`get_binned_data`).
pub const EVIDENTLY_MAX_DISTINCT_FOR_VALUE_BINS: usize = 20;

/// Evidently's binning of a numeric column (`get_binned_data`): counts per bin for the
/// reference and the current sample, on the same bins.
///
/// If the reference has more than [`EVIDENTLY_MAX_DISTINCT_FOR_VALUE_BINS`] distinct values the
/// bins are `np.histogram_bin_edges(concat(ref, cur), bins='sturges')` (equal width over the
/// pooled range, last bin closed); otherwise one bin per distinct value of `ref ∪ cur`, in
/// ascending order.
pub fn evidently_bin_counts(
    reference: &[f64],
    current: &[f64],
) -> Result<(Vec<u64>, Vec<u64>), StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    let distinct_ref = 1 + a.windows(2).filter(|w| w[0] != w[1]).count();
    if distinct_ref > EVIDENTLY_MAX_DISTINCT_FOR_VALUE_BINS {
        let edges = sturges_edges(&a, &b);
        Ok((histogram(&a, &edges), histogram(&b, &edges)))
    } else {
        let mut values: Vec<f64> = a.iter().chain(&b).copied().collect();
        values.sort_unstable_by(f64::total_cmp);
        values.dedup();
        let count = |sorted: &[f64]| -> Vec<u64> {
            values
                .iter()
                .map(|&v| {
                    let lo = sorted.partition_point(|&x| x < v);
                    let hi = sorted.partition_point(|&x| x <= v);
                    (hi - lo) as u64
                })
                .collect()
        };
        Ok((count(&a), count(&b)))
    }
}

/// `np.histogram_bin_edges(pooled, bins='sturges')` for two non-empty sorted samples.
fn sturges_edges(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut first = a[0].min(b[0]);
    let mut last = a[a.len() - 1].max(b[b.len() - 1]);
    let n = (a.len() + b.len()) as f64;
    let ptp = last - first;
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let width = ptp / (n.log2() + 1.0);
    let n_bins = if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    // np.linspace(first, last, n_bins + 1): i * step + first, last point exactly `last`.
    let step = (last - first) / n_bins as f64;
    let mut edges: Vec<f64> = (0..=n_bins).map(|i| i as f64 * step + first).collect();
    edges[n_bins] = last;
    edges
}

/// `np.histogram(sorted, edges)[0]`: bins `[e_i, e_{i+1})`, the last one closed.
fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let last = edges.len() - 1;
    (0..last)
        .map(|i| {
            let lo = sorted.partition_point(|&x| x < edges[i]);
            let hi = if i + 1 == last {
                sorted.partition_point(|&x| x <= edges[i + 1])
            } else {
                sorted.partition_point(|&x| x < edges[i + 1])
            };
            (hi - lo) as u64
        })
        .collect()
}

/// Evidently's `feel_zeroes` for PSI: zero proportions become `min(nonzero) / 1e6` when the
/// smallest non-zero proportion is at most 1e-4, else 1e-4. An all-zero vector is returned as is.
pub fn evidently_fill_zeros(p: &[f64]) -> Vec<f64> {
    let min_nonzero = p
        .iter()
        .copied()
        .filter(|&v| v != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !min_nonzero.is_finite() {
        return p.to_vec();
    }
    let fill = if min_nonzero <= 1e-4 {
        min_nonzero / 1e6
    } else {
        1e-4
    };
    p.iter().map(|&v| if v == 0.0 { fill } else { v }).collect()
}

/// Proportions `count / total` of a count vector (bins or categories).
pub fn proportions(counts: &[u64], sample: Sample) -> Result<Vec<f64>, StatsError> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return Err(StatsError::EmptySample { sample });
    }
    Ok(counts.iter().map(|&c| c as f64 / total as f64).collect())
}

fn check_pair(p_ref: &[f64], p_cur: &[f64]) -> Result<(), StatsError> {
    if p_ref.len() != p_cur.len() {
        return Err(StatsError::LengthMismatch {
            reference: p_ref.len(),
            current: p_cur.len(),
        });
    }
    for (p, sample) in [(p_ref, Sample::Reference), (p_cur, Sample::Current)] {
        if p.is_empty() {
            return Err(StatsError::EmptySample { sample });
        }
        if p.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(StatsError::BadDistribution {
                sample,
                reason: "entries must be finite and non-negative",
            });
        }
        if p.iter().sum::<f64>() <= 0.0 {
            return Err(StatsError::BadDistribution {
                sample,
                reason: "entries sum to zero",
            });
        }
    }
    Ok(())
}

/// Population Stability Index `sum (p_cur - p_ref) ln(p_cur / p_ref)` with zero proportions
/// floored to `epsilon` in both vectors (no renormalisation), natural log.
pub fn psi(p_ref: &[f64], p_cur: &[f64], epsilon: f64) -> Result<f64, StatsError> {
    check_pair(p_ref, p_cur)?;
    Ok(p_ref
        .iter()
        .zip(p_cur)
        .map(|(&r, &c)| {
            let (r, c) = (r.max(epsilon), c.max(epsilon));
            (c - r) * (c / r).ln()
        })
        .sum())
}

/// `scipy.special.rel_entr(x, y)`: `x ln(x/y)`, 0 for `x = 0`, inf for `x > 0, y = 0`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

fn normalised(p: &[f64]) -> Vec<f64> {
    let total: f64 = p.iter().sum();
    p.iter().map(|v| v / total).collect()
}

/// Jensen–Shannon distance, `scipy.spatial.distance.jensenshannon(p_ref, p_cur)` (natural
/// log, vectors normalised to sum 1 first, no epsilon): in `[0, sqrt(ln 2)]`.
pub fn jensen_shannon(p_ref: &[f64], p_cur: &[f64]) -> Result<f64, StatsError> {
    check_pair(p_ref, p_cur)?;
    let (p, q) = (normalised(p_ref), normalised(p_cur));
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    let left: f64 = p.iter().zip(&m).map(|(&a, &b)| rel_entr(a, b)).sum();
    let right: f64 = q.iter().zip(&m).map(|(&a, &b)| rel_entr(a, b)).sum();
    Ok(((left + right) / 2.0).sqrt())
}

/// Kullback–Leibler divergence `KL(p_ref || p_cur)` as `scipy.stats.entropy(p_ref, p_cur)`
/// (natural log, vectors normalised first). Infinite where `p_cur` is 0 and `p_ref` is not:
/// callers that want a finite value fill zeros first (Evidently's rule is theirs to apply).
pub fn kl_divergence(p_ref: &[f64], p_cur: &[f64]) -> Result<f64, StatsError> {
    check_pair(p_ref, p_cur)?;
    let (p, q) = (normalised(p_ref), normalised(p_cur));
    Ok(p.iter().zip(&q).map(|(&a, &b)| rel_entr(a, b)).sum())
}

/// Hellinger distance `sqrt(1 - sum sqrt(p q))` on normalised vectors, in `[0, 1]`.
pub fn hellinger(p_ref: &[f64], p_cur: &[f64]) -> Result<f64, StatsError> {
    check_pair(p_ref, p_cur)?;
    let (p, q) = (normalised(p_ref), normalised(p_cur));
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    // Rounding can push the Bhattacharyya coefficient a hair above 1 for identical vectors.
    Ok((1.0 - bc).max(0.0).sqrt())
}

/// Total variation distance `0.5 sum |p - q|` on normalised vectors, in `[0, 1]`.
pub fn total_variation(p_ref: &[f64], p_cur: &[f64]) -> Result<f64, StatsError> {
    check_pair(p_ref, p_cur)?;
    let (p, q) = (normalised(p_ref), normalised(p_cur));
    Ok(0.5 * p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum::<f64>())
}

fn check_counts(ref_counts: &[u64], cur_counts: &[u64]) -> Result<(u64, u64), StatsError> {
    if ref_counts.len() != cur_counts.len() {
        return Err(StatsError::LengthMismatch {
            reference: ref_counts.len(),
            current: cur_counts.len(),
        });
    }
    let n_ref: u64 = ref_counts.iter().sum();
    let n_cur: u64 = cur_counts.iter().sum();
    if n_ref == 0 {
        return Err(StatsError::EmptySample {
            sample: Sample::Reference,
        });
    }
    if n_cur == 0 {
        return Err(StatsError::EmptySample {
            sample: Sample::Current,
        });
    }
    if let Some(index) = ref_counts
        .iter()
        .zip(cur_counts)
        .position(|(&r, &c)| r == 0 && c == 0)
    {
        return Err(StatsError::EmptyCategory { index });
    }
    Ok((n_ref, n_cur))
}

/// Pearson chi-square test of homogeneity on the 2 x K table `[ref_counts; cur_counts]`, as
/// `scipy.stats.chi2_contingency(table, correction=yates)`. Yates' continuity correction only
/// applies when there are two categories (dof = 1), as in scipy. One category gives
/// statistic 0, dof 0, p = 1.
pub fn chi2_contingency(
    ref_counts: &[u64],
    cur_counts: &[u64],
    yates: bool,
) -> Result<ChiSquare, StatsError> {
    let (n_ref, n_cur) = check_counts(ref_counts, cur_counts)?;
    let dof = ref_counts.len() - 1;
    if dof == 0 {
        return Ok(ChiSquare {
            statistic: 0.0,
            dof,
            pvalue: 1.0,
        });
    }
    let total = (n_ref + n_cur) as f64;
    let mut statistic = 0.0;
    for (row, row_sum) in [(ref_counts, n_ref), (cur_counts, n_cur)] {
        for (k, &observed) in row.iter().enumerate() {
            let col_sum = (ref_counts[k] + cur_counts[k]) as f64;
            let expected = row_sum as f64 * col_sum / total;
            let mut observed = observed as f64;
            if yates && dof == 1 {
                let diff = expected - observed;
                observed += diff.signum() * diff.abs().min(0.5);
            }
            statistic += (observed - expected) * (observed - expected) / expected;
        }
    }
    Ok(ChiSquare {
        statistic,
        dof,
        pvalue: chi2_sf(statistic, dof as f64),
    })
}

/// Evidently's 'chisquare' stattest: `scipy.stats.chisquare(f_obs=cur_counts,
/// f_exp=ref_counts * n_cur / n_ref)`, i.e. reference frequencies taken as exact expected
/// proportions. A category new in the current sample makes the statistic infinite and p = 0.
pub fn chi2_goodness_of_fit(
    ref_counts: &[u64],
    cur_counts: &[u64],
) -> Result<ChiSquare, StatsError> {
    let (n_ref, n_cur) = check_counts(ref_counts, cur_counts)?;
    let dof = ref_counts.len() - 1;
    let scale = n_cur as f64 / n_ref as f64;
    let statistic: f64 = ref_counts
        .iter()
        .zip(cur_counts)
        .map(|(&r, &c)| {
            let expected = r as f64 * scale;
            let diff = c as f64 - expected;
            if expected == 0.0 {
                f64::INFINITY
            } else {
                diff * diff / expected
            }
        })
        .sum();
    let pvalue = if dof == 0 {
        // scipy gives NaN here (zero degrees of freedom); one category cannot drift.
        1.0
    } else {
        chi2_sf(statistic, dof as f64)
    };
    Ok(ChiSquare {
        statistic,
        dof,
        pvalue,
    })
}

/// Two-proportion Z-test as Evidently's 'z' stattest: successes are the count of the second
/// (sorted) category of a binary column. `z = (p_ref - p_cur) / sqrt(P (1 - P) (1/n_ref +
/// 1/n_cur))` with P the pooled proportion; two-sided `p = 2 (1 - Φ(|z|))`, computed as
/// `Q(1/2, z²/2)` so it does not underflow to 0 below 1e-16 as Evidently's does. When both
/// samples are constant and equal (P is 0 or 1) there is no evidence of drift: z = 0, p = 1.
pub fn two_proportion_z_test(
    ref_successes: u64,
    ref_n: u64,
    cur_successes: u64,
    cur_n: u64,
) -> Result<ZTest, StatsError> {
    for (successes, n, sample) in [
        (ref_successes, ref_n, Sample::Reference),
        (cur_successes, cur_n, Sample::Current),
    ] {
        if n == 0 {
            return Err(StatsError::EmptySample { sample });
        }
        if successes > n {
            return Err(StatsError::BadProportion {
                sample,
                successes,
                n,
            });
        }
    }
    let (n1, n2) = (ref_n as f64, cur_n as f64);
    let p1 = ref_successes as f64 / n1;
    let p2 = cur_successes as f64 / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance <= 0.0 {
        return Ok(ZTest {
            statistic: 0.0,
            pvalue: 1.0,
        });
    }
    let z = (p1 - p2) / variance.sqrt();
    Ok(ZTest {
        statistic: z,
        pvalue: gamma_q(0.5, z * z / 2.0),
    })
}

/// The next value of the merge of two ascending slices, advancing the index it came from (ties:
/// `a` first); `None` when both are used up.
pub(crate) fn merge_next(a: &[f64], b: &[f64], i: &mut usize, j: &mut usize) -> Option<f64> {
    match (a.get(*i), b.get(*j)) {
        (Some(&x), Some(&y)) if x <= y => {
            *i += 1;
            Some(x)
        }
        (_, Some(&y)) => {
            *j += 1;
            Some(y)
        }
        (Some(&x), None) => {
            *i += 1;
            Some(x)
        }
        (None, None) => None,
    }
}

pub mod anderson;
pub mod cramer_von_mises;
pub mod fisher;
pub mod kolmogorov;
#[cfg(test)]
mod scipy_extra_tests;
#[cfg(test)]
mod tests;
