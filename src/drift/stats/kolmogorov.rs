//! The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic (scipy's `kstwo`),
//! for the asymptotic branch of the two-sample KS p-value that `scipy.stats.ks_2samp(method='auto')`
//! takes above 10,000 rows per side: every branch of `scipy.stats._ksstats._kolmogn`
//! (Ruben–Gambino, Durbin matrix, Pomeranz, Pelz–Good, and `2 * scipy.special.smirnov`).
//!
//! Where scipy itself is approximate this reproduces its approximation (its series truncation),
//! not the exact quantity: the point is to report what users get from scipy.

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
