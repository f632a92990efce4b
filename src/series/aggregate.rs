//! A group of runs drawn as one line and a band, as W&B and Aim group them.
//!
//! The runs are put on one grid, the union of their x values; a run counts at the x within its
//! own first and last x, its value there interpolated linearly between its neighbouring points
//! (a run logged at other steps still counts). The line is the mean, median, min or max of the
//! runs at each x; the band is the centre ± the standard deviation, the standard error or the
//! 95% confidence half-width of the mean (1.96 standard errors, the normal approximation), or
//! the min and max.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Center {
    #[default]
    Mean,
    Median,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Band {
    None,
    #[default]
    Std,
    StdErr,
    MinMax,
    Ci95,
}

impl Center {
    pub const ALL: [Center; 4] = [Center::Mean, Center::Median, Center::Min, Center::Max];

    pub fn name(self) -> &'static str {
        match self {
            Center::Mean => "mean",
            Center::Median => "median",
            Center::Min => "min",
            Center::Max => "max",
        }
    }

    pub fn parse(text: &str) -> Option<Center> {
        Center::ALL.into_iter().find(|c| c.name() == text.trim())
    }
}

impl Band {
    pub const ALL: [Band; 5] = [
        Band::None,
        Band::Std,
        Band::StdErr,
        Band::MinMax,
        Band::Ci95,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Band::None => "none",
            Band::Std => "std",
            Band::StdErr => "sem",
            Band::MinMax => "minmax",
            Band::Ci95 => "ci95",
        }
    }

    pub fn parse(text: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.name() == text.trim())
    }
}

impl fmt::Display for Center {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A group's line and band on the grid of its runs' x values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupTrace {
    pub x: Vec<f64>,
    pub center: Vec<f64>,
    /// Equal to `center` without a band.
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    /// How many runs count at each x.
    pub runs: Vec<u32>,
}

/// A run's finite points sorted by x, the last of equal x kept.
fn points(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    let mut p: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(p.len());
    for point in p {
        match out.last_mut() {
            Some(last) if last.0 == point.0 => *last = point,
            _ => out.push(point),
        }
    }
    out
}

/// The line and band of the runs `traces` (each its x and y, in any order).
pub fn aggregate(traces: &[(&[f64], &[f64])], center: Center, band: Band) -> GroupTrace {
    let runs: Vec<Vec<(f64, f64)>> = traces.iter().map(|(x, y)| points(x, y)).collect();
    let mut grid: Vec<f64> = runs.iter().flatten().map(|p| p.0).collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    let mut cursors = vec![0usize; runs.len()];
    let mut at = Vec::with_capacity(runs.len());
    let mut g = GroupTrace::default();
    for &x in &grid {
        at.clear();
        for (run, cursor) in runs.iter().zip(cursors.iter_mut()) {
            let (Some(first), Some(last)) = (run.first(), run.last()) else {
                continue;
            };
            if x < first.0 || x > last.0 {
                continue;
            }
            while run[*cursor].0 < x {
                *cursor += 1;
            }
            let (x1, y1) = run[*cursor];
            at.push(if x1 == x {
                y1
            } else {
                let (x0, y0) = run[*cursor - 1];
                y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            });
        }
        if at.is_empty() {
            continue;
        }
        let (c, lo, hi) = summarize(&mut at, center, band);
        g.x.push(x);
        g.center.push(c);
        g.low.push(lo);
        g.high.push(hi);
        g.runs.push(at.len() as u32);
    }
    g
}

/// The centre and the band's ends of some values (reordered).
fn summarize(values: &mut [f64], center: Center, band: Band) -> (f64, f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.sort_by(f64::total_cmp);
    let (min, max) = (values[0], values[values.len() - 1]);
    let c = match center {
        Center::Mean => mean,
        Center::Median => {
            let m = values.len() / 2;
            if values.len() % 2 == 1 {
                values[m]
            } else {
                (values[m - 1] + values[m]) / 2.0
            }
        }
        Center::Min => min,
        Center::Max => max,
    };
    let std = if values.len() > 1 {
        (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let half = match band {
        Band::None => 0.0,
        Band::Std => std,
        Band::StdErr => std / n.sqrt(),
        Band::Ci95 => 1.96 * std / n.sqrt(),
        Band::MinMax => return (c, min, max),
    };
    (c, c - half, c + half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_on_the_same_steps_give_mean_and_sample_std() {
        let x = [0.0, 1.0, 2.0];
        let (a, b, c) = ([1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [2.0, 6.0, 4.0]);
        let g = aggregate(&[(&x, &a), (&x, &b), (&x, &c)], Center::Mean, Band::Std);
        assert_eq!(g.x, x);
        assert_eq!(g.center, [2.0, 4.0, 4.0]);
        assert_eq!(g.runs, [3, 3, 3]);
        // Sample std of (1, 3, 2) is 1; of (2, 4, 6) is 2.
        assert!((g.high[0] - 3.0).abs() < 1e-15 && (g.low[0] - 1.0).abs() < 1e-15);
        assert!((g.high[1] - 6.0).abs() < 1e-15);
        let m = aggregate(
            &[(&x, &a), (&x, &b), (&x, &c)],
            Center::Median,
            Band::MinMax,
        );
        assert_eq!(m.center, [2.0, 4.0, 4.0]);
        assert_eq!((m.low[1], m.high[1]), (2.0, 6.0));
        let e = aggregate(&[(&x, &a), (&x, &b), (&x, &c)], Center::Mean, Band::Ci95);
        assert!((e.high[1] - (4.0 + 1.96 * 2.0 / 3f64.sqrt())).abs() < 1e-12);
    }

    #[test]
    fn runs_at_other_steps_are_interpolated_within_their_own_range() {
        let (xa, ya) = ([0.0, 2.0], [0.0, 2.0]);
        let (xb, yb) = ([1.0, 3.0], [10.0, 10.0]);
        let g = aggregate(&[(&xa, &ya), (&xb, &yb)], Center::Max, Band::None);
        assert_eq!(g.x, [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(g.runs, [1, 2, 2, 1]);
        assert_eq!(g.center, [0.0, 10.0, 10.0, 10.0]);
        let min = aggregate(&[(&xa, &ya), (&xb, &yb)], Center::Min, Band::None);
        assert_eq!(min.center, [0.0, 1.0, 2.0, 10.0]);
        assert_eq!(min.low, min.center);
    }

    #[test]
    fn non_finite_points_and_empty_runs_are_left_out() {
        let x = [0.0, 1.0, 2.0];
        let y = [1.0, f64::NAN, 3.0];
        let empty: [f64; 0] = [];
        let g = aggregate(&[(&x, &y), (&empty, &empty)], Center::Mean, Band::Std);
        assert_eq!(g.x, [0.0, 2.0]);
        assert_eq!(g.center, [1.0, 3.0]);
        assert_eq!(g.low, g.center, "one run: no spread");
    }

    #[test]
    fn names_parse_back() {
        for c in Center::ALL {
            assert_eq!(Center::parse(c.name()), Some(c));
        }
        for b in Band::ALL {
            assert_eq!(Band::parse(&b.to_string()), Some(b));
        }
        assert_eq!(Band::parse("iqr"), None);
    }
}
