//! More two-sample tests, matching scipy 1.17: the asymptotic Kolmogorov–Smirnov p-value,
//! Cramér–von Mises, Anderson–Darling (two samples) and Fisher's exact test on a 2 x 2 table.
//!
//! Same conventions as [`super`]: plain slices with missing values already removed (a NaN or
//! ±inf is an error), each sample sorted once with `f64::total_cmp`, then one merged pass over the
//! two sorted samples (O(n log n) overall, no O(n²) step). What is matched:
//! - [`ks_pvalue_asymptotic`] / [`kstwo_sf`]: the branch `scipy.stats.ks_2samp(method='auto')`
//!   takes above 10,000 rows per side, `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`, with every
//!   branch of `scipy.stats._ksstats._kolmogn` (Ruben–Gambino, Durbin matrix, Pomeranz,
//!   Pelz–Good, and `2 * scipy.special.smirnov`). [`super::ks_2samp`] calls it.
//! - [`cramervonmises_2samp`]: `scipy.stats.cramervonmises_2samp(x, y, method='auto')`.
//! - [`anderson_ksamp`]: `scipy.stats.anderson_ksamp([x, y], midrank=True)`, its table-interpolated
//!   p-value (the default `method=None`) capped at 0.25 and floored at 0.001.
//! - [`fisher_exact`]: `scipy.stats.fisher_exact(table, alternative='two-sided')`.
//!
//! Where scipy itself is approximate the functions reproduce its approximation (its series
//! truncation, its interpolation table), not the exact quantity: the point is to report what
//! users get from scipy. The tests in `more_tests.rs` say how closely each value matches.

use super::{Sample, StatsError, sorted_finite};

// ---------------------------------------------------------------------------------------------
// Kolmogorov–Smirnov: the distribution of the two-sided one-sample statistic D_n (scipy's kstwo)
// ---------------------------------------------------------------------------------------------

/// The two-sided two-sample KS p-value for statistic `d` on samples of sizes `n_reference` and
/// `n_current` by scipy's asymptotic branch of `ks_2samp`: `kstwo.sf(d, round(en))` with
/// `en = m n / (m + n)` (rounded half to even, as `np.round`), clipped to [0, 1].
///
/// `scipy.stats.ks_2samp(method='auto')` uses it when `max(n1, n2) > 10000`, and when the exact
/// computation fails (then `d` is the rounded statistic). Sizes of zero give NaN.
pub fn ks_pvalue_asymptotic(d: f64, n_reference: usize, n_current: usize) -> f64 {
    let (a, b) = (n_reference as f64, n_current as f64);
    let (m, n) = if a >= b { (a, b) } else { (b, a) };
    let en = m * n / (m + n);
    let n = en.round_ties_even();
    if n.is_nan() || n < 1.0 {
        return f64::NAN;
    }
    kstwo_sf(d, n as u64).clamp(0.0, 1.0)
}

/// Survival function `P(D_n > x)` of the two-sided one-sample Kolmogorov–Smirnov statistic
/// for a sample of size `n`, as `scipy.stats.kstwo.sf(x, n)` (Simard & L'Ecuyer's choice of
/// method per region, `scipy.stats._ksstats._kolmogn(n, x, cdf=False)`).
pub fn kstwo_sf(x: f64, n: u64) -> f64 {
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    // rv_continuous.sf: 1 at or below the support's lower end 0.5/n, 0 at or above 1.
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.5 / n as f64 {
        return 1.0;
    }
    kolmogn_sf(n, x)
}

fn clip01(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

/// `_kolmogn(n, x, cdf=False)`.
fn kolmogn_sf(n: u64, x: f64) -> f64 {
    let nf = n as f64;
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let t = nf * x;
    if t <= 1.0 {
        // Ruben–Gambino: 1/2n <= x <= 1/n.
        if t <= 0.5 {
            return 1.0;
        }
        let prob = if n <= 140 {
            let step = 1.0 / nf;
            (1..=n)
                .map(|i| i as f64 * step * (2.0 * t - 1.0))
                .product::<f64>()
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return clip01(1.0 - prob);
    }
    if t >= nf - 1.0 {
        // Ruben–Gambino.
        return clip01(2.0 * (1.0 - x).powf(nf));
    }
    if x >= 0.5 {
        return clip01(2.0 * smirnov_sf(n, x));
    }
    let nxsquared = t * x;
    if n <= 140 {
        if nxsquared <= 0.754693 {
            return clip01(1.0 - kolmogn_dmtw_cdf(n, x));
        }
        if nxsquared <= 4.0 {
            return clip01(1.0 - kolmogn_pomeranz_cdf(n, x));
        }
        return clip01(2.0 * smirnov_sf(n, x));
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return clip01(2.0 * smirnov_sf(n, x));
    }
    let cdf = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        kolmogn_dmtw_cdf(n, x)
    } else {
        kolmogn_pelz_good_cdf(n, x)
    };
    clip01(1.0 - cdf)
}

/// `_log_nfactorial_div_n_pow_n`: `log(n! / n^n)` by Stirling's series.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    const STIRLING: [f64; 8] = [
        -0.029_550_653_594_771_242,
        0.006_410_256_410_256_41,
        -0.001_917_526_917_526_917_6,
        0.000_841_750_841_750_841_7,
        -0.000_595_238_095_238_095_3,
        0.000_793_650_793_650_793_7,
        -0.002_777_777_777_777_778,
        0.083_333_333_333_333_33,
    ];
    let rn = 1.0 / n;
    let x = rn / n;
    let poly = STIRLING.iter().fold(0.0, |y, &c| y * x + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

const E128: i64 = 128;
const EP128: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0; // 2^128
const EM128: f64 = 1.0 / EP128;

/// `x * 2^e`, also where `2^e` alone would overflow or underflow.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// `_kolmogn_DMTW`: `P(D_n <= d)` by Marsaglia, Tsang and Wang's evaluation of Durbin's matrix
/// (the k-th diagonal entry of `H^n`, scaled by `n!/n^n`). Used only where `2 ceil(n d) - 1`,
/// the matrix order, is small (at most about 115 for the n scipy uses it for).
fn kolmogn_dmtw_cdf(n: u64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powf(j as f64)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powf(m as f64) - 2.0 * h.powf(m as f64);
    v[m - 1] = (1.0 + tt) * fac;

    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in 0..(m - i + 1) {
            hm[(i - 1 + r) * m + i] = w[r];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }

    let matmul = |a: &[f64], b: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; m * m];
        for i in 0..m {
            let row = &mut out[i * m..(i + 1) * m];
            for (l, &ail) in a[i * m..(i + 1) * m].iter().enumerate() {
                if ail != 0.0 {
                    for (o, &blj) in row.iter_mut().zip(&b[l * m..(l + 1) * m]) {
                        *o += ail * blj;
                    }
                }
            }
        }
        out
    };
    let mut hpwr: Option<Vec<f64>> = None; // the identity until the first multiplication
    let mut nn = n;
    let mut expnt: i64 = 0;
    let mut hexpnt: i64 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            hpwr = Some(match hpwr {
                None => hm.clone(),
                Some(p) => matmul(&p, &hm),
            });
            expnt += hexpnt;
        }
        nn /= 2;
        if nn == 0 {
            break; // scipy squares once more here; the result is never used
        }
        hm = matmul(&hm, &hm);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            for e in hm.iter_mut() {
                *e /= EP128;
            }
            hexpnt += E128;
        }
    }
    let mut p = hpwr.expect("n > 0")[(k - 1) * m + (k - 1)];
    let nf = n as f64;
    for i in 1..=n {
        p = i as f64 * p / nf;
        if p.abs() < EM128 {
            p *= EP128;
            expnt -= E128;
        }
    }
    if expnt != 0 {
        p = ldexp(p, expnt);
    }
    clip01(p)
}

/// `_pomeranz_compute_j1j2`: the non-zero range of row `i` of Pomeranz's recursion.
fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (ip1div2, ip1mod2) = ((i + 1).div_euclid(2), (i + 1).rem_euclid(2));
        if ip1mod2 == 0 {
            if ip1div2 == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1)
            }
        } else {
            (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// `_kolmogn_Pomeranz`: `P(D_n <= x)` by Pomeranz's recursion (scipy uses it for n <= 140).
fn kolmogn_pomeranz_cdf(n: u64, x: f64) -> f64 {
    let ni = n as i64;
    let nf = n as f64;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = (2 * (ll + 1)) as usize;
    let mut gpower = vec![1.0; npwrs];
    let mut twogpower = vec![1.0; npwrs];
    let mut onem2gpower = vec![1.0; npwrs];
    let (g_over_n, two_g_over_n, one_minus_two_g_over_n) =
        (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        gpower[m] = gpower[m - 1] * g_over_n / m as f64;
        twogpower[m] = twogpower[m - 1] * two_g_over_n / m as f64;
        onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / m as f64;
    }
    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s) = (0i64, 0i64);
    let mut expnt: i64 = 0;
    let mut j1 = pomeranz_j1j2(0, ni, ll, ceilf, roundf).0;
    for i in 1..(2 * ni + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.fill(0.0);
        let j2;
        (j1, j2) = pomeranz_j1j2(i, ni, ll, ceilf, roundf);
        let pwrs = if i == 1 || i == 2 * ni + 1 {
            &gpower
        } else if i % 2 == 1 {
            &twogpower
        } else {
            &onem2gpower
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            // np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]), entries conv_start.. only.
            debug_assert!(k1 >= v0s, "numpy would wrap a negative start");
            let start = (k1 - v0s).max(0) as usize;
            let a = &v0[start.min(npwrs)..(start + ln2 as usize).min(npwrs)];
            let b = &pwrs[..(ln2 as usize).min(npwrs)];
            let conv_start = (j1 - k1) as usize;
            let conv_len = (j2 - j1 + 1).max(0) as usize;
            for (idx, out) in v1.iter_mut().enumerate().take(conv_len) {
                let kk = conv_start + idx;
                let lo = kk.saturating_sub(b.len().saturating_sub(1));
                *out = a
                    .iter()
                    .enumerate()
                    .take(kk + 1)
                    .skip(lo)
                    .map(|(ia, &av)| av * b[kk - ia])
                    .fold(0.0, |s, t| s + t);
            }
            let max = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < max && max < EM128 {
                for e in v1.iter_mut() {
                    *e *= EP128;
                }
                expnt -= E128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let mut ans = v1[(ni - v1s) as usize];
    for m in 1..=n {
        if ans.abs() > EP128 {
            ans *= EM128;
            expnt += E128;
        }
        ans *= m as f64;
    }
    if expnt != 0 {
        ans = ldexp(ans, expnt);
    }
    clip01(ans)
}

/// `_kolmogn_PelzGood`: the Pelz–Good approximation of `P(D_n <= x)`.
fn kolmogn_pelz_good_cdf(n: u64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let pi2 = PI * PI;
    let pi4 = pi2 * pi2;
    let pi6 = pi2 * pi2 * pi2;
    let sqrt2pi = (2.0 * PI).sqrt();
    let z = nf.sqrt() * x;
    let (zsquared, zthree, zfour, zsix) = (z.powf(2.0), z.powf(3.0), z.powf(4.0), z.powf(6.0));
    let qlog = -pi2 / 8.0 / zsquared;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -zsquared;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * zsix + 2.0 * zfour;
    let k2b = (2.0 * zfour - 5.0 * zsquared) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * zsquared) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * zsquared) / 64.0;
    let k3c = pi4 * (-60.0 * zsquared + 212.0 * zfour) / 16.0;
    let k3b = pi2 * (135.0 * zfour - 96.0 * zsix) / 4.0;
    let k3a = -30.0 * zsix - 90.0 * z.powf(8.0);

    let mut k0to3 = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = (2 * k - 1) as f64;
        let (msquared, mfour, msix) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf((8 * k) as f64);
        let coeffs = [
            1.0,
            k1a + k1b * msquared,
            k2a + k2b * msquared + k2c * mfour,
            k3a + k3b * msquared + k3c * mfour + k3d * msix,
        ];
        for (acc, c) in k0to3.iter_mut().zip(coeffs) {
            *acc = *acc * qpower + c;
        }
    }
    let divisors = [z, 6.0 * zfour, 72.0 * z.powf(7.0), 6480.0 * z.powf(10.0)];
    for (acc, d) in k0to3.iter_mut().zip(divisors) {
        *acc = *acc * q * sqrt2pi / d;
    }
    let q = (-pi2 / 2.0 / zsquared).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2extra, mut k3extra) = (0.0, 0.0);
    for k in (1..=maxk).rev() {
        let kf = k as f64;
        let ksquared = kf * kf;
        let kspi = PI * kf;
        let qpwer = q.powf(ksquared);
        k2extra += ksquared * qpwer;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwer;
    }
    k0to3[2] += k2extra * (pi2 * sqrt2pi / (-36.0 * zthree));
    k0to3[3] += k3extra * (pi2 * sqrt2pi / (216.0 * zsix));
    let powers_of_n = [1.0, nf.powf(0.5), nf, nf.powf(1.5)];
    k0to3.iter().zip(powers_of_n).map(|(k, p)| k / p).sum()
}

/// `scipy.special.smirnov(n, x)`: `P(D_n^+ > x)`, the one-sided one-sample KS survival
/// function, for `x` in the range `_kolmogn` calls it with (`n x > 1`).
///
/// scipy (xsf's cephes `_smirnov`) sums the Birnbaum–Tingey series in double-double arithmetic;
/// here every term `C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)` is summed in log space, from
/// `x + v/n = (floor(n x) + v + frac(n x)) / n` computed without cancellation, with the same
/// early stop. The two agree to about 1e-12 relative for n up to 10^6, where scipy switches to
/// an approximation (also used here).
fn smirnov_sf(n: u64, x: f64) -> f64 {
    if !(n > 0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if n == 1 {
        return 1.0 - x;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x == 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    // modNX: floor(n x) and its fractional part, exactly (n x = hi + lo with an FMA).
    let hi = nf * x;
    let lo = nf.mul_add(x, -hi);
    let mut nxfl = hi.floor();
    let mut alpha = (hi - nxfl) + lo;
    if alpha < 0.0 {
        nxfl -= 1.0;
        alpha += 1.0;
    }
    if alpha >= 1.0 {
        nxfl += 1.0;
        alpha -= 1.0;
    }
    let nxfl = nxfl as u64;
    if nxfl == 0 || (nxfl == 1 && alpha == 0.0) {
        // x <= 1/n.
        return 1.0 - x * (1.0 + x).powf(nf - 1.0);
    }
    const MINLOG: f64 = -7.083_964_185_322_641e2;
    if -2.0 * nf * x * x < MINLOG {
        return 0.0;
    }
    if nxfl >= n - 1 {
        return (1.0 - x).powf(nf);
    }
    if n > 1_000_000 {
        // p ~ e^(-(6nx+1)^2 / 18n)
        let logp = -(6.0 * nf * x + 1.0).powi(2) / 18.0 / nf;
        return if logp < -std::f64::consts::LN_2 {
            logp.exp()
        } else {
            1.0 + logp.exp_m1()
        };
    }
    // Lower sum: sf = x * sum_{v=0}^{n - nxfl - 1} A_v, A_0 = (1-x)^n / x.
    let n_terms = n - nxfl;
    let vmid = n / 2;
    let eps = f64::EPSILON;
    // The sum is kept as `sum * exp(scale)` so terms far below or above 1 neither underflow
    // nor overflow.
    let mut scale = nf * (-x).ln_1p() - x.ln(); // ln A_0
    let mut sum = 1.0;
    // ln C(n, v), accumulated with a compensation term: it grows to ~n ln 2, and plain f64
    // accumulation would lose ~1e-8 over 10^6 terms.
    let (mut log_binom, mut log_binom_c) = (nf.ln(), 0.0); // ln C(n, 1)
    let nxfl_f = nxfl as f64;
    for v in 1..n_terms {
        let vf = v as f64;
        let q = (nxfl_f + vf + alpha) / nf; // x + v/n
        let log_term = log_binom + ((vf - 1.0) * q.ln() + (nf - vf) * (-q).ln_1p() + log_binom_c);
        let mut term = (log_term - scale).exp();
        if term > 1e300 {
            sum *= (scale - log_term).exp();
            scale = log_term;
            term = 1.0;
        }
        let underflow = log_term < -745.2; // the term is 0 as a double in scipy
        if !underflow {
            sum += term;
        }
        if !underflow {
            if 4.0 * (n_terms - v) as f64 * term < eps * sum && v != n_terms - 1 {
                break;
            }
        } else if v > vmid {
            break;
        }
        let step = ((nf - vf) / (vf + 1.0)).ln();
        let t = log_binom + step;
        log_binom_c += if log_binom.abs() >= step.abs() {
            (log_binom - t) + step
        } else {
            (step - t) + log_binom
        };
        log_binom = t;
    }
    let sf = (x.ln() + sum.ln() + scale).exp();
    if sf.is_nan() { 0.0 } else { sf.clamp(0.0, 1.0) }
}

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

// ---------------------------------------------------------------------------------------------
// Fisher's exact test
// ---------------------------------------------------------------------------------------------

/// Result of Fisher's exact test on a 2 x 2 table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherExact {
    /// Sample odds ratio `t00 t11 / (t10 t01)`: infinite when `t10 t01 = 0` (and the table
    /// has no empty row or column), NaN when a row or column sums to zero.
    pub statistic: f64,
    /// Two-sided p-value: the probability, under the hypergeometric null with the table's
    /// margins, of a table at most as probable as the observed one (scipy's rule, with its
    /// relative tolerance 1e-14 for "as probable").
    pub pvalue: f64,
}

/// Fisher's exact test on the 2 x 2 table `[[t00, t01], [t10, t11]]`, as
/// `scipy.stats.fisher_exact(table, alternative='two-sided')`.
///
/// For drift, rows are the samples (reference, current) and columns the two categories. A
/// table with an empty row or column gives odds ratio NaN and p = 1, as in scipy.
pub fn fisher_exact(table: [[u64; 2]; 2]) -> FisherExact {
    let [[c00, c01], [c10, c11]] = table;
    if c00 + c01 == 0 || c10 + c11 == 0 || c00 + c10 == 0 || c01 + c11 == 0 {
        return FisherExact {
            statistic: f64::NAN,
            pvalue: 1.0,
        };
    }
    let oddsratio = if c10 > 0 && c01 > 0 {
        (c00 as u128 * c11 as u128) as f64 / (c10 as u128 * c01 as u128) as f64
    } else {
        f64::INFINITY
    };
    let n1 = c00 + c01;
    let n2 = c10 + c11;
    let n = c00 + c10;
    let hg = Hypergeom::new(n1 + n2, n1, n);
    let x = c00 as i64;
    // numpy: the integer product, then a float division, truncated.
    let mode = (((n + 1) as u128 * (n1 + 1) as u128) as f64 / (n1 + n2 + 2) as f64) as i64;
    let pexact = hg.pmf(x);
    let pmode = hg.pmf(mode);
    let epsilon = 1e-14;
    let gamma = 1.0 + epsilon;
    let pvalue = if (pexact - pmode).abs() / pexact.max(pmode) <= epsilon {
        1.0
    } else if x < mode {
        let plower = hg.cdf(x);
        if hg.pmf(n as i64) > pexact * gamma {
            plower
        } else {
            let guess = binary_search(|v| -hg.pmf(v), -pexact * gamma, mode, n as i64);
            plower + hg.sf(guess)
        }
    } else {
        let pupper = hg.sf(x - 1);
        if hg.pmf(0) > pexact * gamma {
            pupper
        } else {
            let guess = binary_search(|v| hg.pmf(v), pexact * gamma, 0, mode);
            pupper + hg.cdf(guess)
        }
    };
    FisherExact {
        statistic: oddsratio,
        pvalue: pvalue.min(1.0),
    }
}

/// scipy's `_binary_search_for_binom_tst`: the `i` in `lo..=hi` with `a(i) <= d < a(i + 1)`
/// for `a` ascending on the range.
fn binary_search(a: impl Fn(i64) -> f64, d: f64, mut lo: i64, mut hi: i64) -> i64 {
    while lo < hi {
        let mid = lo + (hi - lo).div_euclid(2);
        let midval = a(mid);
        if midval < d {
            lo = mid + 1;
        } else if midval > d {
            hi = mid - 1;
        } else {
            return mid;
        }
    }
    if a(lo) <= d { lo } else { lo - 1 }
}

/// The hypergeometric distribution of the number of "good" items among `draws` drawn without
/// replacement from `total` items of which `good` are good (scipy's `hypergeom(M, n, N)`).
struct Hypergeom {
    total: u64,
    good: u64,
    draws: u64,
}

impl Hypergeom {
    fn new(total: u64, good: u64, draws: u64) -> Self {
        Hypergeom { total, good, draws }
    }

    fn support(&self) -> (i64, i64) {
        let lo = (self.draws + self.good).saturating_sub(self.total) as i64;
        (lo, self.good.min(self.draws) as i64)
    }

    /// `hypergeom.pmf(x)`: 0 outside the support; inside, Loader's saddle-point form
    /// `dbinom(x; r, p) dbinom(n - x; b, p) / dbinom(n; N, p)` with `p = n / N` (as R's
    /// `dhyper`), accurate to about 1e-15 relative.
    fn pmf(&self, x: i64) -> f64 {
        let (lo, hi) = self.support();
        if x < lo || x > hi {
            return 0.0;
        }
        let x = x as u64;
        let (r, b, n) = (self.good, self.total - self.good, self.draws);
        let total = self.total as f64;
        let p = n as f64 / total;
        let q = (self.total - n) as f64 / total;
        let p1 = dbinom_raw(x, r, p, q);
        let p2 = dbinom_raw(n - x, b, p, q);
        let p3 = dbinom_raw(n, self.total, p, q);
        p1 * p2 / p3
    }

    /// boost's `hypergeometric_cdf_imp`, which scipy's `hypergeom.cdf` / `.sf` call: the tail on
    /// the side of `x` away from the mode summed by the pmf's recurrence, the other side as one
    /// minus that sum.
    fn tail(&self, x: u64, invert: bool) -> f64 {
        let (r, n, big_n) = (self.good, self.draws, self.total);
        let mode = ((r + 1) as f64 * (n + 1) as f64 / (big_n + 2) as f64).floor();
        let eps = f64::EPSILON;
        let mut invert = invert;
        let mut x = x;
        let mut result = 0.0;
        if (x as f64) < mode {
            result = self.pmf(x as i64);
            let mut diff = result;
            let lower_limit = (n + r).saturating_sub(big_n);
            while diff > (if invert { 1.0 } else { result }) * eps {
                diff = x as f64 * ((big_n + x) - n - r) as f64 * diff
                    / ((1 + n - x) as f64 * (1 + r - x) as f64);
                result += diff;
                if x == lower_limit {
                    break;
                }
                x -= 1;
            }
        } else {
            invert = !invert;
            let upper_limit = r.min(n);
            if x != upper_limit {
                x += 1;
                result = self.pmf(x as i64);
                let mut diff = result;
                while x <= upper_limit && diff > (if invert { 1.0 } else { result }) * eps {
                    diff = (n - x) as f64 * (r - x) as f64 * diff
                        / ((x + 1) as f64 * ((big_n + x + 1) - n - r) as f64);
                    result += diff;
                    x += 1;
                }
            }
        }
        if invert {
            result = 1.0 - result;
        }
        result.clamp(0.0, 1.0)
    }

    /// `hypergeom.cdf(x)`.
    fn cdf(&self, x: i64) -> f64 {
        let (lo, hi) = self.support();
        if x < lo {
            0.0
        } else if x >= hi {
            1.0
        } else {
            self.tail(x as u64, false)
        }
    }

    /// `hypergeom.sf(x)` = P(X > x).
    fn sf(&self, x: i64) -> f64 {
        let (lo, hi) = self.support();
        if x < lo {
            1.0
        } else if x >= hi {
            0.0
        } else {
            self.tail(x as u64, true)
        }
    }
}

/// `stirlerr(n) = ln(n!) - ln(sqrt(2 pi n) (n/e)^n)` for integer `n >= 1` (Loader 2000).
fn stirlerr(n: u64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15 {
        // ln(n!) from the exact factorial; the cancellation costs at most ~1e-15 absolute.
        let fact: f64 = (1..=n).map(|i| i as f64).product();
        let nf = n as f64;
        return fact.ln() - (nf + 0.5) * nf.ln() + nf - 0.5 * (2.0 * std::f64::consts::PI).ln();
    }
    let nf = n as f64;
    let nn = nf * nf;
    if n > 500 {
        (S0 - S1 / nn) / nf
    } else if n > 80 {
        (S0 - (S1 - S2 / nn) / nn) / nf
    } else if n > 35 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / nf
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / nf
    }
}

/// `bd0(x, np) = x ln(x / np) + np - x`, computed without cancellation near `x = np`.
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / ((2 * j + 1) as f64);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
    }
    x * (x / np).ln() + np - x
}

/// Loader's binomial density `C(n, x) p^x q^(n-x)` (R's `dbinom_raw`).
fn dbinom_raw(x: u64, n: u64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if x == n { 1.0 } else { 0.0 };
    }
    let nf = n as f64;
    if x == 0 {
        if n == 0 {
            return 1.0;
        }
        let lc = if p < 0.1 {
            -bd0(nf, nf * q) - nf * p
        } else {
            nf * q.ln()
        };
        return lc.exp();
    }
    if x == n {
        let lc = if q < 0.1 {
            -bd0(nf, nf * p) - nf * q
        } else {
            nf * p.ln()
        };
        return lc.exp();
    }
    if x > n {
        return 0.0;
    }
    let xf = x as f64;
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(xf, nf * p) - bd0(nf - xf, nf * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + xf.ln() + (-xf / nf).ln_1p();
    (lc - 0.5 * lf).exp()
}
