//! Sweeps: runs as points in parameter space, for parallel coordinates, scatter plots and
//! parameter importance. Pure functions of the runs' values (text as the catalog holds params,
//! numbers for final metrics).
//!
//! An axis is numeric when every value it has reads as a finite number, else categorical (its
//! categories in natural order, each run's value the category's index). The importance of a
//! param for a metric is given two ways, as W&B's sweeps do: the Pearson correlation of the
//! param's numbers with the metric (numeric axes only), and the permutation importance of a
//! random forest (smartcore's) fitted to predict the metric from every axis: how much the
//! forest's mean squared error grows, as a share of the metric's variance, when that axis's
//! values are shuffled among the runs (the mean of five seeded shuffles; scikit-learn's
//! `permutation_importance`, on the runs the forest was fitted to).

use serde::Serialize;
use smartcore::ensemble::random_forest_regressor::{
    RandomForestRegressor, RandomForestRegressorParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

/// One axis of a sweep: a param (or the metric) with each run's value on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Axis {
    /// As filters write it: `params.lr`, `metrics.val/auc`.
    pub key: String,
    /// `numeric` or `categorical`.
    pub kind: &'static str,
    /// Each run's value: its number, or its category's index in `categories`; `None` where the
    /// run has none.
    pub values: Vec<Option<f64>>,
    /// A categorical axis's values, in natural order ("8" before "16").
    pub categories: Vec<String>,
    /// The range of the values (category indices on a categorical axis).
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// How much a param matters for the metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Importance {
    pub key: String,
    /// Pearson's r between the param and the metric over the runs having both (numeric params,
    /// at least 3 runs, neither constant).
    pub correlation: Option<f64>,
    /// The random forest's permutation importance: the growth of its mean squared error when
    /// this param is shuffled, as a share of the metric's variance (0: the forest does not use
    /// it). `None` with fewer than [`MIN_RUNS`] runs having the metric, or a constant metric.
    pub importance: Option<f64>,
}

/// Fewer runs than this give no model-based importance.
pub const MIN_RUNS: usize = 5;

/// Compares texts as people read them: numbers by value where both are numbers.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        _ => a.cmp(b),
    }
}

/// The axis of `key` from each run's value as text.
pub fn axis(key: &str, values: &[Option<String>]) -> Axis {
    let numbers: Option<Vec<Option<f64>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(t) => t
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some),
        })
        .collect();
    let (kind, values, categories) = match numbers {
        Some(n) => ("numeric", n, Vec::new()),
        None => {
            let mut categories: Vec<String> = values.iter().flatten().cloned().collect();
            categories.sort_by(|a, b| natural(a, b));
            categories.dedup();
            let index = values
                .iter()
                .map(|v| {
                    v.as_ref()
                        .and_then(|t| categories.iter().position(|c| c == t))
                        .map(|i| i as f64)
                })
                .collect();
            ("categorical", index, categories)
        }
    };
    let present = values.iter().flatten();
    let min = present.clone().copied().reduce(f64::min);
    let max = present.copied().reduce(f64::max);
    Axis {
        key: key.to_string(),
        kind,
        values,
        categories,
        min,
        max,
    }
}

/// Pearson's r of the pairs where both are there; `None` with fewer than 3 or a constant side.
pub fn correlation(x: &[Option<f64>], y: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (a, b)| (sx + a / n, sy + b / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let r = sxy / (sxx * syy).sqrt();
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// A small seeded generator for the shuffles (xorshift64*): the same importances every time.
struct Shuffler(u64);

impl Shuffler {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn mse(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len().max(1) as f64
}

/// The importance of each of `params` for `metric` (one value per run on every axis).
pub fn importance(params: &[Axis], metric: &[Option<f64>]) -> Vec<Importance> {
    let forest = forest_importance(params, metric);
    params
        .iter()
        .enumerate()
        .map(|(j, a)| Importance {
            key: a.key.clone(),
            correlation: (a.kind == "numeric")
                .then(|| correlation(&a.values, metric))
                .flatten(),
            importance: forest.as_ref().map(|f| f[j]),
        })
        .collect()
}

/// The permutation importance of each param, or `None` when there is too little to fit.
fn forest_importance(params: &[Axis], metric: &[Option<f64>]) -> Option<Vec<f64>> {
    let rows: Vec<usize> = (0..metric.len())
        .filter(|&i| metric[i].is_some_and(f64::is_finite))
        .collect();
    if rows.len() < MIN_RUNS || params.is_empty() {
        return None;
    }
    let y: Vec<f64> = rows.iter().map(|&i| metric[i].unwrap_or(0.0)).collect();
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let variance = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / y.len() as f64;
    if variance <= 0.0 || !variance.is_finite() {
        return None;
    }
    // A run without the param sits below every value the param has, where a split can find it.
    let columns: Vec<Vec<f64>> = params
        .iter()
        .map(|a| {
            let missing =
                a.min.unwrap_or(0.0) - (a.max.unwrap_or(0.0) - a.min.unwrap_or(0.0)) - 1.0;
            rows.iter()
                .map(|&i| a.values.get(i).copied().flatten().unwrap_or(missing))
                .collect()
        })
        .collect();
    let matrix = |cols: &[Vec<f64>]| {
        let table: Vec<Vec<f64>> = (0..rows.len())
            .map(|r| cols.iter().map(|c| c[r]).collect())
            .collect();
        DenseMatrix::from_2d_vec(&table).ok()
    };
    let parameters = RandomForestRegressorParameters::default()
        .with_n_trees(100)
        .with_min_samples_leaf(1)
        .with_min_samples_split(2)
        // Every param is a split candidate (bagged trees): smartcore's default candidate count
        // left the forest splitting on one param only (measured here with 0.4.10).
        .with_m(params.len())
        .with_seed(42);
    let x = matrix(&columns)?;
    let model = RandomForestRegressor::fit(&x, &y, parameters).ok()?;
    let base = mse(&model.predict(&x).ok()?, &y);
    let mut out = Vec::with_capacity(params.len());
    for j in 0..params.len() {
        let mut growth = 0.0;
        const REPEATS: u64 = 5;
        for k in 0..REPEATS {
            let mut shuffled = columns.clone();
            Shuffler(0x9E37_79B9_7F4A_7C15 ^ ((j as u64) << 8 | k)).shuffle(&mut shuffled[j]);
            let predicted = model.predict(&matrix(&shuffled)?).ok()?;
            growth += (mse(&predicted, &y) - base) / REPEATS as f64;
        }
        out.push((growth / variance).max(0.0));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[&str]) -> Vec<Option<String>> {
        v.iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect()
    }

    #[test]
    fn axes_are_numeric_when_every_value_is_a_number_else_categories_in_natural_order() {
        let lr = axis("params.lr", &texts(&["0.1", "", "0.01"]));
        assert_eq!(lr.kind, "numeric");
        assert_eq!(lr.values, [Some(0.1), None, Some(0.01)]);
        assert_eq!((lr.min, lr.max), (Some(0.01), Some(0.1)));
        let depth = axis("params.depth", &texts(&["16", "8", "auto", "8"]));
        assert_eq!(depth.kind, "categorical");
        assert_eq!(depth.categories, ["8", "16", "auto"]);
        assert_eq!(depth.values, [Some(1.0), Some(0.0), Some(2.0), Some(0.0)]);
        assert_eq!(axis("params.x", &texts(&["nan"])).kind, "categorical");
    }

    #[test]
    fn correlation_is_pearsons_r_over_the_runs_having_both() {
        let x = [Some(1.0), Some(2.0), Some(3.0), None, Some(4.0)];
        let y = [Some(2.0), Some(4.0), Some(6.0), Some(100.0), Some(8.0)];
        assert!((correlation(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let down = [Some(8.0), Some(6.0), Some(4.0), None, Some(2.0)];
        assert!((correlation(&x, &down).unwrap() + 1.0).abs() < 1e-12);
        // numpy.corrcoef([1, 2, 3, 4], [1, 3, 2, 5])[0, 1]
        let r = correlation(
            &[Some(1.0), Some(2.0), Some(3.0), Some(4.0)],
            &[Some(1.0), Some(3.0), Some(2.0), Some(5.0)],
        )
        .unwrap();
        assert!((r - 0.8315218406202999).abs() < 1e-12, "{r}");
        assert_eq!(correlation(&x[..2], &y[..2]), None);
        assert_eq!(correlation(&[Some(1.0); 4], &y[..4]), None);
    }

    #[test]
    fn the_forest_finds_the_param_the_metric_depends_on() {
        // auc = lr-driven, plus a param that is noise and a categorical one that matters a bit.
        let n = 40;
        let mut shuffle = Shuffler(7);
        let lr: Vec<Option<String>> = (0..n)
            .map(|i| Some(format!("{}", i as f64 / 100.0)))
            .collect();
        let mut noise: Vec<usize> = (0..n).collect();
        shuffle.shuffle(&mut noise);
        let noise: Vec<Option<String>> = noise.iter().map(|v| Some(v.to_string())).collect();
        let opt: Vec<Option<String>> = (0..n)
            .map(|i| Some(if i % 2 == 0 { "adam" } else { "sgd" }.to_string()))
            .collect();
        let metric: Vec<Option<f64>> = (0..n)
            .map(|i| Some(0.5 + i as f64 / 100.0 + if i % 2 == 0 { 0.2 } else { 0.0 }))
            .collect();
        let axes = [
            axis("params.lr", &lr),
            axis("params.seed", &noise),
            axis("params.optimizer", &opt),
        ];
        let found = importance(&axes, &metric);
        let imp: Vec<f64> = found.iter().map(|f| f.importance.unwrap()).collect();
        assert!(imp[0] > imp[1] && imp[0] > imp[2], "{imp:?}");
        assert!(
            imp[2] > imp[1],
            "the optimizer matters more than noise: {imp:?}"
        );
        assert!(found[0].correlation.unwrap() > 0.7, "{found:?}");
        assert_eq!(found[2].correlation, None, "no correlation of categories");
        assert_eq!(
            importance(&axes, &metric),
            found,
            "seeded: the same every time"
        );
        // Too few runs: no forest.
        let few = importance(&[axis("params.lr", &lr[..4])], &metric[..4]);
        assert_eq!(few[0].importance, None);
    }
}
