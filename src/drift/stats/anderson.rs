//! The k-sample Anderson–Darling test for two samples, `scipy.stats.anderson_ksamp([x, y],
//! midrank=True)`, with its table-interpolated p-value (the default `method=None`) capped at 0.25
//! and floored at 0.001, as scipy reports it.

use super::{Sample, StatsError, sorted_finite};

// ---------------------------------------------------------------------------------------------
// Anderson–Darling, two samples
// ---------------------------------------------------------------------------------------------

/// Significance levels of [`AndersonKSample::critical_values`] (25%, 10%, 5%, 2.5%, 1%, 0.5%,
/// 0.1%), the range the interpolated p-value is capped and floored to.
pub const AD_SIGNIFICANCE_LEVELS: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// Result of the two-sample Anderson–Darling test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AndersonKSample {
    /// Normalised statistic `(A2akN - (k - 1)) / sigma_N` (k = 2), midrank version.
    pub statistic: f64,
    /// Critical values at [`AD_SIGNIFICANCE_LEVELS`] for two samples (Scholz & Stephens,
    /// Table 2).
    pub critical_values: [f64; 7],
    /// scipy's approximate p-value: `exp` of a quadratic fitted to `(critical value,
    /// ln(level))`, evaluated at the statistic; 0.25 when the statistic is below the smallest
    /// critical value, 0.001 when above the largest.
    pub pvalue: f64,
}

/// Scholz & Stephens' Table 2 coefficients (`b0 + b1 / sqrt(m) + b2 / m`, m = k - 1).
const AD_B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const AD_B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const AD_B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/// `np.polyfit(critical, np.log(AD_SIGNIFICANCE_LEVELS), 2)` for k = 2 (m = 1), highest power
/// first, as numpy 2.4 computes it (the fit depends only on the table, so it is a constant).
const AD_LOG_P_FIT: [f64; 3] = [
    0.018_198_094_574_111_343,
    -1.008_226_564_465_251_5,
    -1.077_770_279_820_486,
];

fn ad_critical_values() -> [f64; 7] {
    let m = 1.0f64;
    std::array::from_fn(|i| AD_B0[i] + AD_B1[i] / m.sqrt() + AD_B2[i] / m)
}

/// Neumaier-compensated running sum: the sums below match numpy's pairwise sums to well under
/// 1e-15 relative.
#[derive(Default)]
struct CompensatedSum {
    sum: f64,
    c: f64,
}

impl CompensatedSum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.c += (self.sum - t) + x;
        } else {
            self.c += (x - t) + self.sum;
        }
        self.sum = t;
    }
    fn value(&self) -> f64 {
        self.sum + self.c
    }
}

/// Two-sample Anderson–Darling test, as `scipy.stats.anderson_ksamp([x, y], midrank=True)`
/// (scipy 1.17's default `method=None`: the p-value interpolated from the critical-value
/// table, not a permutation test).
///
/// The midrank statistic `A2akN` of Scholz & Stephens (1987, eq. 7) is accumulated in one
/// merged pass over the distinct pooled values, then normalised by its mean `k - 1` and
/// variance. Needs at least two distinct values overall and at least 3 values in total.
pub fn anderson_ksamp(reference: &[f64], current: &[f64]) -> Result<AndersonKSample, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    let (n1, n2) = (a.len(), b.len());
    let big_n = n1 + n2;
    if big_n < 3 {
        return Err(StatsError::TooFewPooled {
            n: big_n,
            needed: 3,
        });
    }
    let nf = big_n as f64;
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (mut s1, mut s2) = (CompensatedSum::default(), CompensatedSum::default());
    let (mut i, mut j) = (0usize, 0usize);
    let mut distinct = 0usize;
    while i < n1 || j < n2 {
        let z = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        distinct += 1;
        let below = (i + j) as f64;
        let (i0, j0) = (i, j);
        while i < n1 && a[i] == z {
            i += 1;
        }
        while j < n2 && b[j] == z {
            j += 1;
        }
        let (f1, f2) = ((i - i0) as f64, (j - j0) as f64);
        let lj = f1 + f2;
        let bj = below + lj / 2.0;
        let denom = bj * (nf - bj) - nf * lj / 4.0;
        let m1 = i as f64 - f1 / 2.0;
        let m2 = j as f64 - f2 / 2.0;
        let d1 = nf * m1 - bj * n1f;
        let d2 = nf * m2 - bj * n2f;
        s1.add(lj / nf * (d1 * d1) / denom);
        s2.add(lj / nf * (d2 * d2) / denom);
    }
    if distinct < 2 {
        return Err(StatsError::NoDistinctValues);
    }
    let mut a2akn = 0.0;
    a2akn += s1.value() / n1f;
    a2akn += s2.value() / n2f;
    a2akn *= (nf - 1.0) / nf;

    // Variance of A2akN (Scholz & Stephens eq. 4), with k = 2.
    let k = 2.0f64;
    let hh = 1.0 / n1f + 1.0 / n2f;
    // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); h = hs_cs[-1] + 1; g = sum(hs_cs / [2, ..., N-1]).
    let mut cumsum = 0.0;
    let mut g = CompensatedSum::default();
    for (idx, denom) in (2..big_n).rev().enumerate() {
        cumsum += 1.0 / denom as f64;
        g.add(cumsum / (idx + 2) as f64);
    }
    let h = cumsum + 1.0;
    let g = g.value();
    let ca = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * hh;
    let cb = (2.0 * g - 4.0) * (k * k) + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * hh - 8.0 * h
        + 4.0 * g
        - 6.0;
    let cc = (6.0 * h + 2.0 * g - 2.0) * (k * k)
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * hh
        + 4.0 * h;
    let cd = (2.0 * h + 6.0) * (k * k) - 4.0 * h * k;
    let nn = big_n as u128;
    let sigmasq = (ca * (nn * nn * nn) as f64 + cb * (nn * nn) as f64 + cc * nf + cd)
        / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = k - 1.0;
    let statistic = (a2akn - m) / sigmasq.sqrt();

    let critical_values = ad_critical_values();
    let pvalue = if statistic < critical_values[0] {
        AD_SIGNIFICANCE_LEVELS[0]
    } else if statistic > critical_values[6] {
        AD_SIGNIFICANCE_LEVELS[6]
    } else {
        let [p0, p1, p2] = AD_LOG_P_FIT;
        ((p0 * statistic + p1) * statistic + p2).exp()
    };
    Ok(AndersonKSample {
        statistic,
        critical_values,
        pvalue,
    })
}
