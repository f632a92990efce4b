//! Fisher's exact test on a 2 x 2 table, `scipy.stats.fisher_exact(table,
//! alternative='two-sided')`, with scipy's hypergeometric probabilities (Loader's binomial
//! density).

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
