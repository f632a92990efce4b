//! The two-sample Cramér–von Mises test, `scipy.stats.cramervonmises_2samp(x, y, method='auto')`:
//! the exact p-value for small samples, scipy's asymptotic series otherwise.
//!
//! Same conventions as [`super`]: plain slices with missing values already removed (a NaN or
//! ±inf is an error), each sample sorted once, then one merged pass over the two.

use super::{Sample, StatsError, sorted_finite};

// ---------------------------------------------------------------------------------------------
// Cramér–von Mises
// ---------------------------------------------------------------------------------------------

/// How the p-value of [`cramervonmises_2samp`] was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvmMethod {
    /// Exact null distribution (both samples have at most [`CVM_MAX_EXACT_N`] values).
    Exact,
    /// The limiting distribution of the normalised statistic.
    Asymptotic,
}

/// `method='auto'` in `scipy.stats.cramervonmises_2samp` computes the exact p-value when both
/// samples have at most this many values.
pub const CVM_MAX_EXACT_N: usize = 20;

/// Result of the two-sample Cramér–von Mises test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CramerVonMises {
    /// `T = U / (n m (n + m)) - (4 n m - 1) / (6 (n + m))` with
    /// `U = n sum (r(x_i) - i)^2 + m sum (r(y_j) - j)^2` over midranks in the pooled sample.
    pub statistic: f64,
    pub pvalue: f64,
    pub method: CvmMethod,
}

/// Two-sample Cramér–von Mises test, as `scipy.stats.cramervonmises_2samp(x, y, method='auto')`.
///
/// Ties get midranks (`rankdata(method='average')`). `U` is accumulated exactly in integers
/// (midranks are multiples of 1/2), so the statistic is the correctly rounded value of scipy's
/// formula. The p-value is exact (Xiao, Gordon & Yakovlev's enumeration, as
/// `_pval_cvm_2samp_exact`) when both samples have at most [`CVM_MAX_EXACT_N`] values, otherwise
/// `1 - V(tn)` with `V` the limiting one-sample distribution (`_cdf_cvm_inf`, whose series scipy
/// truncates at terms below 1e-7, as here) of the normalised statistic `tn` (Anderson 1962), and
/// 1 when `tn < 0.003`. Each sample needs at least two values.
pub fn cramervonmises_2samp(
    reference: &[f64],
    current: &[f64],
) -> Result<CramerVonMises, StatsError> {
    let a = sorted_finite(reference, Sample::Reference)?;
    let b = sorted_finite(current, Sample::Current)?;
    for (s, sample) in [(&a, Sample::Reference), (&b, Sample::Current)] {
        if s.len() < 2 {
            return Err(StatsError::TooFewValues {
                sample,
                n: s.len(),
                needed: 2,
            });
        }
    }
    let (nx, ny) = (a.len() as u128, b.len() as u128);
    // 4 * sum (r - i)^2 per sample, from doubled midranks 2r = 2 * (#below) + ties + 1.
    let (mut sa, mut sb) = (0u128, 0u128);
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        let z = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let below = (i + j) as i128;
        let i0 = i;
        while i < a.len() && a[i] == z {
            i += 1;
        }
        let j0 = j;
        while j < b.len() && b[j] == z {
            j += 1;
        }
        let ties = ((i - i0) + (j - j0)) as i128;
        let twice_rank = 2 * below + ties + 1;
        for idx in i0..i {
            let d = (twice_rank - 2 * (idx as i128 + 1)).unsigned_abs();
            sa += d * d;
        }
        for idx in j0..j {
            let d = (twice_rank - 2 * (idx as i128 + 1)).unsigned_abs();
            sb += d * d;
        }
    }
    let u4 = nx * sa + ny * sb; // 4 U
    let k = nx * ny;
    let big_n = nx + ny;
    // T = U / (k N) - (4k - 1) / (6N) = (3 * 4U - 2k(4k - 1)) / (12 k N)
    let num = 3 * u4 as i128 - 2 * (k * (4 * k - 1)) as i128;
    let den = 12 * k * big_n;
    let t = num as f64 / den as f64;
    let u = u4 as f64 / 4.0;
    let (nx, ny) = (a.len(), b.len());
    if nx.max(ny) <= CVM_MAX_EXACT_N {
        Ok(CramerVonMises {
            statistic: t,
            pvalue: cvm_2samp_exact_pvalue(u, nx as u64, ny as u64),
            method: CvmMethod::Exact,
        })
    } else {
        Ok(CramerVonMises {
            statistic: t,
            pvalue: cvm_2samp_asymptotic_pvalue(t, nx as u128, ny as u128),
            method: CvmMethod::Asymptotic,
        })
    }
}

/// numpy's float `floor_divide` (`npy_divmod`), which the exact p-value uses for its threshold.
fn np_floor_divide(a: f64, b: f64) -> f64 {
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && (b < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut floordiv = div.floor();
        if div - floordiv > 0.5 {
            floordiv += 1.0;
        }
        floordiv
    } else {
        (0.0f64).copysign(a / b)
    }
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `_pval_cvm_2samp_exact(s, m, n)`: the share of the `C(m + n, m)` rank assignments whose
/// statistic is at least the observed `U = s`, by the frequency-table recursion of Xiao, Gordon
/// and Yakovlev (2006). Meant for `m, n <= 20` (as `method='auto'` uses it).
fn cvm_2samp_exact_pvalue(s: f64, m: u64, n: u64) -> f64 {
    let lcm = m / gcd_u64(m, n) * n;
    let a = lcm / m;
    let b = lcm / n;
    let mn = m * n;
    let zeta_factor = (lcm * lcm * (m + n)) as f64;
    let zeta = np_floor_divide(
        zeta_factor * (6.0 * s - (mn * (4 * mn - 1)) as f64),
        (6 * mn * mn) as f64,
    );
    // gs[v]: sorted (value, frequency) pairs of g_{u,v}; one table per v = 0..=m. Row u + 1 is
    // next[v] = merge(next[v - 1], gs[v]) with (a v - b u)^2 added to every value (eq. 11).
    type Table = Vec<(u64, u64)>;
    let merge_add = |x: &[(u64, u64)], y: &[(u64, u64)], res: u64| -> Table {
        let mut out = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        while i < x.len() && j < y.len() {
            let (vx, vy) = (x[i].0, y[j].0);
            if vx < vy {
                out.push((vx + res, x[i].1));
                i += 1;
            } else if vy < vx {
                out.push((vy + res, y[j].1));
                j += 1;
            } else {
                out.push((vx + res, x[i].1 + y[j].1));
                i += 1;
                j += 1;
            }
        }
        out.extend(x[i..].iter().map(|&(v, f)| (v + res, f)));
        out.extend(y[j..].iter().map(|&(v, f)| (v + res, f)));
        out
    };
    let mut gs: Vec<Table> = vec![Vec::new(); m as usize + 1];
    gs[0] = vec![(0, 1)];
    for u in 0..=n {
        let mut next: Vec<Table> = Vec::with_capacity(gs.len());
        for (v, g) in gs.iter().enumerate() {
            let d = (a * v as u64).abs_diff(b * u);
            let prev: &[(u64, u64)] = next.last().map_or(&[], |t| t.as_slice());
            let row = merge_add(prev, g, d * d);
            next.push(row);
        }
        gs = next;
    }
    let combinations: u64 = {
        // C(m + n, m), exact in u128 for the sizes used here.
        let mut c: u128 = 1;
        for i in 0..m as u128 {
            c = c * (n as u128 + m as u128 - i) / (i + 1);
        }
        c as u64
    };
    let extreme: u64 = gs[m as usize]
        .iter()
        .filter(|(value, _)| *value as f64 >= zeta)
        .map(|(_, freq)| freq)
        .sum();
    extreme as f64 / combinations as f64
}

/// `_pval_cvm_2samp_asymptotic`.
fn cvm_2samp_asymptotic_pvalue(t: f64, nx: u128, ny: u128) -> f64 {
    let big_n = nx + ny;
    let k = nx * ny;
    let nf = big_n as f64;
    let et = (1.0 + 1.0 / nf) / 6.0;
    // vt = (N + 1)(4kN - 3(nx^2 + ny^2) - 2k) / (45 N^2 4k): numerator and denominator exact
    // (as scipy's Python integers) unless they overflow u128, past 10^9 values per side.
    let exact = || -> Option<f64> {
        let inner = (4 * k)
            .checked_mul(big_n)?
            .checked_sub(3 * (nx * nx + ny * ny) + 2 * k)?;
        let num = (big_n + 1).checked_mul(inner)?;
        let den = (45 * big_n * big_n).checked_mul(4 * k)?;
        Some(num as f64 / den as f64)
    };
    let vt = exact().unwrap_or_else(|| {
        let (nxf, nyf, kf) = (nx as f64, ny as f64, k as f64);
        (nf + 1.0) * (4.0 * kf * nf - 3.0 * (nxf * nxf + nyf * nyf) - 2.0 * kf)
            / (45.0 * nf * nf * 4.0 * kf)
    });
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn >= 0.003 {
        (1.0 - cdf_cvm_inf(tn)).max(0.0)
    } else {
        1.0
    }
}

/// `_cdf_cvm_inf`: the limiting distribution of the one-sample Cramér–von Mises statistic
/// (Csörgő & Faraway 1996, eq. 1.2), summed until a term is below 1e-7, as scipy does.
fn cdf_cvm_inf(x: f64) -> f64 {
    let pi15 = std::f64::consts::PI.powf(1.5);
    let mut tot = 0.0;
    let mut k = 0u32;
    loop {
        let kf = k as f64;
        let u = (cephes_lgam(kf + 0.5) - cephes_lgam(kf + 1.0)).exp() / (pi15 * x.sqrt());
        let y = 4.0 * kf + 1.0;
        let q = y * y / (16.0 * x);
        let z = u * y.sqrt() * exp_neg_bessel_k(0.25, q);
        tot += z;
        if z.is_nan() || z.abs() < 1e-7 {
            break;
        }
        k += 1;
    }
    tot
}

/// `scipy.special.gammaln` for `x > 0` (cephes `lgam`), so the Cramér–von Mises series has
/// scipy's own terms.
fn cephes_lgam(x: f64) -> f64 {
    const A: [f64; 5] = [
        8.116_141_674_705_085e-4,
        -5.950_619_042_843_014e-4,
        7.936_503_404_577_169e-4,
        -2.777_777_777_300_997e-3,
        8.333_333_333_333_319e-2,
    ];
    const B: [f64; 6] = [
        -1.378_251_525_691_208_6e3,
        -3.880_163_151_346_378_4e4,
        -3.316_129_927_388_712e5,
        -1.162_370_974_927_623e6,
        -1.721_737_008_208_396_6e6,
        -8.535_556_642_457_654e5,
    ];
    const C: [f64; 6] = [
        -3.518_157_014_365_234_5e2,
        -1.706_421_066_518_811_5e4,
        -2.205_285_905_538_544_5e5,
        -1.139_334_443_679_825e6,
        -2.532_523_071_775_829_4e6,
        -2.018_891_414_335_327_7e6,
    ];
    const LS2PI: f64 = 0.918_938_533_204_672_8;
    let polevl = |x: f64, coef: &[f64]| coef[1..].iter().fold(coef[0], |ans, &c| ans * x + c);
    let p1evl = |x: f64, coef: &[f64]| coef[1..].iter().fold(x + coef[0], |ans, &c| ans * x + c);
    if !x.is_finite() || x <= 0.0 {
        return f64::NAN; // not needed here
    }
    if x < 13.0 {
        let mut z = 1.0;
        let mut p = 0.0;
        let mut u = x;
        while u >= 3.0 {
            p -= 1.0;
            u = x + p;
            z *= u;
        }
        while u < 2.0 {
            z /= u;
            p += 1.0;
            u = x + p;
        }
        if u == 2.0 {
            return z.ln();
        }
        p -= 2.0;
        let x = x + p;
        let p = x * polevl(x, &B) / p1evl(x, &C);
        return z.ln() + p;
    }
    if x >= 1000.0 {
        let q = (x - 0.5) * x.ln() - x + LS2PI;
        if x > 1.0e8 {
            return q;
        }
        let p = 1.0 / (x * x);
        let p = ((7.936_507_936_507_937e-4 * p - 2.777_777_777_777_778e-3) * p
            + 0.083_333_333_333_333_33)
            / x;
        return q + p;
    }
    let q = (x - 0.5) * x.ln() - x + LS2PI;
    let p = 1.0 / (x * x);
    q + polevl(p, &A) / x
}

/// `exp(-q) K_nu(q)` for `q > 0` (K the modified Bessel function of the second kind), from
/// `K_nu(q) = int_0^inf exp(-q cosh t) cosh(nu t) dt` by the trapezoidal rule, which converges
/// geometrically for this analytic, double-exponentially decaying integrand (step 1/16: the
/// discretisation error is far below double precision).
fn exp_neg_bessel_k(nu: f64, q: f64) -> f64 {
    if q.is_infinite() {
        return 0.0;
    }
    const H: f64 = 1.0 / 16.0;
    // Beyond the integrand's peak (t = asinh(nu / q)) terms only shrink.
    let peak = (nu / q).asinh();
    let f = |t: f64| (-q * (1.0 + t.cosh())).exp() * (nu * t).cosh();
    let mut sum = 0.5 * f(0.0);
    let mut j = 1u32;
    loop {
        let t = j as f64 * H;
        let term = f(t);
        sum += term;
        if t > peak && term <= sum * 1e-18 {
            break;
        }
        if j > 100_000 {
            break;
        }
        j += 1;
    }
    sum * H
}
