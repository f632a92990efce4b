//! Smoothing of a whole series, before anything is left out for drawing, so that a curve looks
//! the same at every zoom (TensorBoard smooths what its sampling kept:
//! tensorflow/tensorboard#6829).
//!
//! - `ema:W` is TensorBoard's debiased exponential moving average (`classicSmoothing` of its
//!   line chart): `last = last * W + (1 - W) * y`, divided by `1 - W^n` after `n` finite points;
//!   a constant series is left as it is; W = 0 is no smoothing.
//! - `twema:W` is the time-weighted EMA W&B draws by default: the weight `sqrt(W)` (at most
//!   0.999) is raised to the x distance between neighbours over the x range, times 1000, so that
//!   runs logged at different densities smooth alike.
//! - `mean:N` is the mean of the point and the N points on each side of it.
//! - `gauss:S` is a Gaussian kernel over x with standard deviation S (x units), within 3 S.
//!
//! In all of them a point whose value is NaN or infinite is shown as it is and does not enter
//! its neighbours' smoothing.

use std::fmt;

use super::SeriesError;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Smoothing {
    #[default]
    None,
    Ema(f64),
    TimeEma(f64),
    Mean(usize),
    Gauss(f64),
}

/// TWEMA's x distances are fractions of the range times this (W&B's viewport scale).
const TWEMA_SCALE: f64 = 1000.0;

impl Smoothing {
    /// `none`, `ema:W`, `twema:W` (0 ≤ W ≤ 1), `mean:N` (N ≥ 0 points each side), `gauss:S`
    /// (S > 0).
    pub fn parse(text: &str) -> Result<Smoothing, SeriesError> {
        let bad = || SeriesError::BadSmoothing(text.to_string());
        let text = text.trim();
        if text == "none" {
            return Ok(Smoothing::None);
        }
        let (kind, arg) = text.split_once(':').ok_or_else(bad)?;
        let number = || arg.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let weight = || number().filter(|w| (0.0..=1.0).contains(w)).ok_or_else(bad);
        match kind.trim() {
            "ema" => Ok(Smoothing::Ema(weight()?)),
            "twema" => Ok(Smoothing::TimeEma(weight()?)),
            "mean" => arg.trim().parse().map(Smoothing::Mean).map_err(|_| bad()),
            "gauss" => number()
                .filter(|s| *s > 0.0)
                .map(Smoothing::Gauss)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// The smoothed values of the points `(x[i], y[i])`, in their order.
    pub fn apply(&self, x: &[f64], y: &[f64]) -> Vec<f64> {
        debug_assert_eq!(x.len(), y.len());
        match *self {
            Smoothing::None => y.to_vec(),
            Smoothing::Ema(w) => ema(y, w),
            Smoothing::TimeEma(w) => time_ema(x, y, w),
            Smoothing::Mean(n) => running_mean(y, n),
            Smoothing::Gauss(sigma) => gaussian(x, y, sigma),
        }
    }
}

impl fmt::Display for Smoothing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Smoothing::None => f.write_str("none"),
            Smoothing::Ema(w) => write!(f, "ema:{w}"),
            Smoothing::TimeEma(w) => write!(f, "twema:{w}"),
            Smoothing::Mean(n) => write!(f, "mean:{n}"),
            Smoothing::Gauss(s) => write!(f, "gauss:{s}"),
        }
    }
}

/// TensorBoard's debiased EMA, operation for operation.
fn ema(y: &[f64], weight: f64) -> Vec<f64> {
    let w = if weight.is_finite() {
        weight.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let constant = y
        .first()
        .is_some_and(|&first| y.iter().all(|&v| v == first));
    let mut last = 0.0;
    let mut accumulated = 0.0;
    y.iter()
        .map(|&v| {
            if constant || !v.is_finite() {
                return v;
            }
            last = last * w + (1.0 - w) * v;
            accumulated += 1.0;
            let debias = if w == 1.0 {
                1.0
            } else {
                1.0 - w.powf(accumulated)
            };
            last / debias
        })
        .collect()
}

/// The time-weighted EMA: each step back weighs `sqrt(W)` to the power of its x distance.
fn time_ema(x: &[f64], y: &[f64], weight: f64) -> Vec<f64> {
    let w = weight.max(0.0).sqrt().min(0.999);
    let range = match (x.first(), x.last()) {
        (Some(a), Some(b)) if (b - a).abs() > 0.0 && (b - a).is_finite() => (b - a).abs(),
        _ => 1.0,
    };
    let (mut last, mut debias) = (0.0, 0.0);
    (0..y.len())
        .map(|i| {
            if !y[i].is_finite() {
                return y[i];
            }
            let dx = if i == 0 {
                0.0
            } else {
                ((x[i] - x[i - 1]).abs() / range * TWEMA_SCALE).min(f64::MAX)
            };
            let adjusted = if dx.is_finite() { w.powf(dx) } else { 1.0 };
            last = last * adjusted + y[i];
            debias = debias * adjusted + 1.0;
            last / debias
        })
        .collect()
}

/// The mean of the finite values among the point and its `n` neighbours on each side.
fn running_mean(y: &[f64], n: usize) -> Vec<f64> {
    // Prefix sums of the finite values and of how many there are.
    let mut sums = Vec::with_capacity(y.len() + 1);
    let mut counts = Vec::with_capacity(y.len() + 1);
    let (mut s, mut c) = (0.0, 0usize);
    sums.push(s);
    counts.push(c);
    for &v in y {
        if v.is_finite() {
            s += v;
            c += 1;
        }
        sums.push(s);
        counts.push(c);
    }
    (0..y.len())
        .map(|i| {
            if !y[i].is_finite() {
                return y[i];
            }
            let (lo, hi) = (i.saturating_sub(n), (i + n + 1).min(y.len()));
            (sums[hi] - sums[lo]) / (counts[hi] - counts[lo]) as f64
        })
        .collect()
}

/// A Gaussian kernel smoother over x: weights `exp(-d² / 2S²)` for the points within 3 S.
fn gaussian(x: &[f64], y: &[f64], sigma: f64) -> Vec<f64> {
    let mut out = y.to_vec();
    let mut order: Vec<usize> = (0..y.len())
        .filter(|&i| y[i].is_finite() && x[i].is_finite())
        .collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let reach = 3.0 * sigma;
    let mut lo = 0;
    let mut hi = 0;
    for (k, &i) in order.iter().enumerate() {
        while xs[k] - xs[lo] > reach {
            lo += 1;
        }
        while hi < xs.len() && xs[hi] - xs[k] <= reach {
            hi += 1;
        }
        let (mut num, mut den) = (0.0, 0.0);
        for j in lo..hi {
            let d = (xs[j] - xs[k]) / sigma;
            let w = (-0.5 * d * d).exp();
            num += w * y[order[j]];
            den += w;
        }
        out[i] = num / den;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothings_parse_and_print_back() {
        for text in [
            "none",
            "ema:0.6",
            "twema:0.25",
            "mean:5",
            "gauss:2.5",
            "ema:0",
            "ema:1",
        ] {
            assert_eq!(Smoothing::parse(text).unwrap().to_string(), text);
        }
        for bad in [
            "", "ema", "ema:1.5", "ema:-0.1", "ema:NaN", "mean:-1", "mean:1.5", "gauss:0", "box:3",
        ] {
            let err = Smoothing::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn ema_is_debiased_and_leaves_constant_series_and_non_finite_points_alone() {
        let s = Smoothing::Ema(0.5).apply(&[0.0; 3], &[1.0, 3.0, f64::NAN]);
        // 0.5 / (1 - 0.5) = 1, then (0.25 + 1.5) / (1 - 0.25) = 7/3.
        assert_eq!(s[0], 1.0);
        assert!((s[1] - 7.0 / 3.0).abs() < 1e-15);
        assert!(s[2].is_nan());
        assert_eq!(Smoothing::Ema(0.9).apply(&[0.0; 3], &[2.0; 3]), [2.0; 3]);
        assert_eq!(
            Smoothing::Ema(0.0).apply(&[0.0; 2], &[1.0, 5.0]),
            [1.0, 5.0]
        );
    }

    #[test]
    fn time_weighted_ema_weighs_by_distance_in_x() {
        // Two runs of the same line, one logged twice as densely, smooth alike at shared x.
        let x1: Vec<f64> = (0..=10).map(f64::from).collect();
        let x2: Vec<f64> = (0..=20).map(|i| f64::from(i) / 2.0).collect();
        let line = |x: &[f64]| x.iter().map(|v| 2.0 * v + 1.0).collect::<Vec<_>>();
        let a = Smoothing::TimeEma(0.5).apply(&x1, &line(&x1));
        let b = Smoothing::TimeEma(0.5).apply(&x2, &line(&x2));
        assert_eq!(a[0], 1.0);
        // Not identical (the dense run has more points), but close on a smooth line.
        assert!(
            (a[10] - b[20]).abs() < 0.05 * a[10],
            "{} vs {}",
            a[10],
            b[20]
        );
        assert!(a[10] <= 21.0 && a[10] > 15.0, "{}", a[10]);
    }

    #[test]
    fn running_mean_averages_the_finite_neighbours() {
        let y = [1.0, 2.0, f64::INFINITY, 4.0, 5.0];
        let s = Smoothing::Mean(1).apply(&[0.0; 5], &y);
        assert_eq!(s[0], 1.5);
        assert_eq!(s[1], 1.5);
        assert!(s[2].is_infinite());
        assert_eq!(s[3], 4.5);
        assert_eq!(s[4], 4.5);
        assert_eq!(Smoothing::Mean(0).apply(&[0.0; 5], &y)[3], 4.0);
    }

    #[test]
    fn gaussian_weights_by_x_distance_in_any_order() {
        let x = [2.0, 0.0, 1.0];
        let y = [3.0, 1.0, 2.0];
        let s = Smoothing::Gauss(1.0).apply(&x, &y);
        let w1 = (-0.5f64).exp();
        let w2 = (-2.0f64).exp();
        let at = |xi: f64| {
            let terms: Vec<(f64, f64)> = x
                .iter()
                .zip(&y)
                .map(|(&xj, &yj)| ((-0.5 * (xj - xi) * (xj - xi)).exp(), yj))
                .collect();
            terms.iter().map(|(w, v)| w * v).sum::<f64>()
                / terms.iter().map(|(w, _)| w).sum::<f64>()
        };
        assert!((s[1] - at(0.0)).abs() < 1e-15);
        assert!((s[1] - (1.0 + 2.0 * w1 + 3.0 * w2) / (1.0 + w1 + w2)).abs() < 1e-15);
        assert!((s[2] - 2.0).abs() < 1e-15, "symmetric around the middle");
        assert!((s[0] - at(2.0)).abs() < 1e-15);
    }
}
