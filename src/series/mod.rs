//! A metric's history as the charts and `driftdeck runs history` show it: the x of each point
//! ([`XAxis`]: step, relative step, wall time, relative time, epoch or another metric), the
//! value as logged, and the value smoothed ([`Smoothing`]) over the whole series, never over a
//! sample of it. Grouped runs are aggregated into a centre line and a band ([`aggregate`]).
//!
//! Pure functions of the points: the catalog reads them, the CLI prints what these compute and
//! the app draws the same numbers (decimation, where the window needs it, is only for drawing).

pub mod aggregate;
pub mod pack;
pub mod smooth;

use std::collections::BTreeMap;
use std::fmt;

pub use aggregate::{Band, Center, GroupTrace, aggregate};
pub use smooth::Smoothing;

/// The run colours of the charts, in the window and in exported images: Okabe and Ito's
/// colour-blind-safe set, then Paul Tol's muted one. A run takes the one at its catalog id, so it
/// keeps its colour whatever else is shown.
pub const RUN_PALETTE: [&str; 12] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288", "#117733",
    "#882255", "#44AA99", "#999933", "#AA4499",
];

/// A run's colour from [`RUN_PALETTE`].
pub fn run_color(run_id: i64) -> &'static str {
    RUN_PALETTE[run_id.rem_euclid(RUN_PALETTE.len() as i64) as usize]
}

/// One metric's history in history order (step, then timestamp), as columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub steps: Vec<i64>,
    /// Milliseconds since the Unix epoch.
    pub timestamps: Vec<i64>,
    /// NaN and the infinities as logged.
    pub values: Vec<f64>,
}

impl History {
    /// The history of `(step, timestamp, value)` points, put in history order.
    pub fn new(points: impl IntoIterator<Item = (i64, i64, f64)>) -> History {
        let mut points: Vec<_> = points.into_iter().collect();
        points.sort_by_key(|&(step, ts, _)| (step, ts));
        let mut h = History::default();
        for (step, ts, value) in points {
            h.steps.push(step);
            h.timestamps.push(ts);
            h.values.push(value);
        }
        h
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value at each step: the last one logged at it (history order).
    fn at_steps(&self) -> BTreeMap<i64, f64> {
        self.steps
            .iter()
            .copied()
            .zip(self.values.iter().copied())
            .collect()
    }
}

/// What a chart puts on its x axis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum XAxis {
    /// The logged step.
    #[default]
    Step,
    /// Steps since the run's first point.
    RelativeStep,
    /// The point's wall-clock time, in milliseconds since the Unix epoch.
    WallTime,
    /// Seconds since the run's first point.
    RelativeTime,
    /// The run's `epoch` metric at the point's step (Keras, Lightning and others log it).
    Epoch,
    /// Another metric of the run at the point's step.
    Metric(String),
}

/// The metric the [`XAxis::Epoch`] axis reads.
pub const EPOCH_KEY: &str = "epoch";

impl XAxis {
    /// `step`, `relative_step`, `time` (or `wall_time`), `relative` (or `relative_time`),
    /// `epoch`, `metric:KEY`; any other word is a metric's key.
    pub fn parse(text: &str) -> Result<XAxis, SeriesError> {
        let text = text.trim();
        Ok(match text {
            "" => return Err(SeriesError::BadAxis(text.to_string())),
            "step" => XAxis::Step,
            "relative_step" => XAxis::RelativeStep,
            "time" | "wall_time" => XAxis::WallTime,
            "relative" | "relative_time" => XAxis::RelativeTime,
            "epoch" => XAxis::Epoch,
            other => {
                let key = other.strip_prefix("metric:").unwrap_or(other);
                if key.is_empty() {
                    return Err(SeriesError::BadAxis(text.to_string()));
                }
                XAxis::Metric(key.to_string())
            }
        })
    }

    /// The metric the x values come from, for the axes that read one.
    pub fn source_key(&self) -> Option<&str> {
        match self {
            XAxis::Epoch => Some(EPOCH_KEY),
            XAxis::Metric(key) => Some(key),
            _ => None,
        }
    }
}

impl fmt::Display for XAxis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XAxis::Step => f.write_str("step"),
            XAxis::RelativeStep => f.write_str("relative_step"),
            XAxis::WallTime => f.write_str("time"),
            XAxis::RelativeTime => f.write_str("relative"),
            XAxis::Epoch => f.write_str("epoch"),
            XAxis::Metric(key) => write!(f, "metric:{key}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    #[error(
        "`{0}` is not an x axis: expected step, relative_step, time, relative, epoch or a metric key"
    )]
    BadAxis(String),
    #[error(
        "`{0}` is not a smoothing: expected none, ema:W or twema:W (W from 0 to 1), mean:N (N points each side) or gauss:S (S > 0, in x units)"
    )]
    BadSmoothing(String),
}

impl crate::error::Classify for SeriesError {
    fn code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::BadInput
    }
}

/// A history as drawn: the points that have an x on the chosen axis, in history order, with the
/// x, the value as logged and the value smoothed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    pub steps: Vec<i64>,
    pub timestamps: Vec<i64>,
    pub x: Vec<f64>,
    pub values: Vec<f64>,
    /// The values themselves without smoothing.
    pub smoothed: Vec<f64>,
}

impl Trace {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The range of some values, ignoring NaN and the infinities: what "ignore outliers" (the 5th
/// to the 95th percentile) and the y axis read.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Spread {
    pub min: f64,
    pub max: f64,
    /// The 5th and 95th percentiles (nearest rank).
    pub p5: f64,
    pub p95: f64,
}

/// The [`Spread`] of `values`; `None` when none is finite.
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Some(Spread {
        min: v[0],
        max: v[v.len() - 1],
        p5: rank(0.05),
        p95: rank(0.95),
    })
}

/// The trace of `history` on `axis`, smoothed. `x_source` is the history of the axis' metric
/// ([`XAxis::source_key`]); points at a step it has no value for are left out, as are all of
/// them when there is no such history.
pub fn trace(
    history: &History,
    axis: &XAxis,
    x_source: Option<&History>,
    smoothing: &Smoothing,
) -> Trace {
    let first_step = history.steps.first().copied().unwrap_or(0);
    let first_ts = history.timestamps.first().copied().unwrap_or(0);
    let by_step = x_source.map(History::at_steps).unwrap_or_default();
    let mut t = Trace::default();
    for i in 0..history.len() {
        let (step, ts) = (history.steps[i], history.timestamps[i]);
        let x = match axis {
            XAxis::Step => step as f64,
            XAxis::RelativeStep => (step - first_step) as f64,
            XAxis::WallTime => ts as f64,
            XAxis::RelativeTime => (ts - first_ts) as f64 / 1000.0,
            XAxis::Epoch | XAxis::Metric(_) => match by_step.get(&step) {
                Some(&x) => x,
                None => continue,
            },
        };
        t.steps.push(step);
        t.timestamps.push(ts);
        t.x.push(x);
        t.values.push(history.values[i]);
    }
    t.smoothed = smoothing.apply(&t.x, &t.values);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> History {
        // Out of order on purpose: history order is step, then timestamp.
        History::new([
            (2, 3_000, 0.5),
            (0, 1_000, 1.5),
            (1, 2_500, 0.9),
            (1, 2_000, 1.0),
        ])
    }

    #[test]
    fn a_history_is_in_step_then_timestamp_order() {
        let h = history();
        assert_eq!(h.steps, [0, 1, 1, 2]);
        assert_eq!(h.timestamps, [1_000, 2_000, 2_500, 3_000]);
        assert_eq!(h.values, [1.5, 1.0, 0.9, 0.5]);
    }

    #[test]
    fn each_axis_gives_its_x() {
        let h = History::new([(5, 10_000, 1.0), (7, 12_500, 2.0)]);
        let x = |axis: XAxis| trace(&h, &axis, None, &Smoothing::None).x;
        assert_eq!(x(XAxis::Step), [5.0, 7.0]);
        assert_eq!(x(XAxis::RelativeStep), [0.0, 2.0]);
        assert_eq!(x(XAxis::WallTime), [10_000.0, 12_500.0]);
        assert_eq!(x(XAxis::RelativeTime), [0.0, 2.5]);
    }

    #[test]
    fn a_metric_axis_takes_the_last_value_at_the_step_and_drops_steps_without_one() {
        let h = history();
        let epochs = History::new([(0, 0, 0.0), (1, 0, 0.5), (1, 1, 1.0)]);
        let t = trace(&h, &XAxis::Epoch, Some(&epochs), &Smoothing::None);
        assert_eq!(t.steps, [0, 1, 1]);
        assert_eq!(t.x, [0.0, 1.0, 1.0]);
        assert_eq!(t.values, [1.5, 1.0, 0.9]);
        assert_eq!(t.smoothed, t.values);
        let none = trace(&h, &XAxis::Metric("lr".into()), None, &Smoothing::None);
        assert!(none.is_empty());
    }

    #[test]
    fn spread_takes_nearest_rank_percentiles_of_finite_values() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        v.push(f64::NAN);
        v.push(f64::INFINITY);
        let s = spread(&v).unwrap();
        assert_eq!((s.min, s.max, s.p5, s.p95), (1.0, 100.0, 5.0, 95.0));
        assert_eq!(spread(&[f64::NAN]), None);
        let one = spread(&[2.0]).unwrap();
        assert_eq!((one.p5, one.p95), (2.0, 2.0));
    }

    #[test]
    fn axes_parse_and_print_back() {
        for text in [
            "step",
            "relative_step",
            "time",
            "relative",
            "epoch",
            "metric:val/loss",
        ] {
            assert_eq!(XAxis::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(XAxis::parse("wall_time").unwrap(), XAxis::WallTime);
        assert_eq!(
            XAxis::parse("val_loss").unwrap(),
            XAxis::Metric("val_loss".into())
        );
        assert!(XAxis::parse(" ").is_err());
        assert!(XAxis::parse("metric:").is_err());
    }
}
