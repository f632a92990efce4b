//! A sweep of the catalog's runs: the params that vary among the runs a filter keeps (or those
//! chosen) and one metric's final value, as axes for parallel coordinates and scatter plots, with
//! each param's importance for that metric (see `crate::sweep`). What `driftdeck runs sweep`
//! prints and the Charts view's sweep panel draws.

use serde::{Deserialize, Serialize};

use super::views::RunQuery;
use super::{Catalog, CatalogError};
use crate::sweep::{Axis, Importance, axis, importance};

/// At most this many params are chosen when none are asked for (those that vary, by name).
pub const MAX_DEFAULT_PARAMS: usize = 16;

/// Which runs, which params, which metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SweepRequest {
    #[cfg_attr(feature = "specta", specta(optional))]
    pub project: Option<i64>,
    #[cfg_attr(feature = "specta", specta(optional))]
    pub filter: Option<String>,
    /// Only these runs (catalog ids) of those the filter keeps; all of them when empty.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub run_ids: Vec<i64>,
    /// Param names (`lr` or `params.lr`); every param that varies among the runs when empty.
    #[cfg_attr(feature = "specta", specta(optional))]
    pub params: Vec<String>,
    /// The metric (`auc` or `metrics.auc`): its final value per run.
    pub metric: String,
}

/// The runs of a sweep on their axes: the params, then the metric last.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sweep {
    /// `metrics.KEY`.
    pub metric: String,
    /// The runs, in the filter's order (catalog ids), and their names (else their run ids).
    pub run_ids: Vec<i64>,
    pub names: Vec<String>,
    /// One per param, then the metric; each holds a value per run.
    pub axes: Vec<Axis>,
    /// Each param's importance for the metric, most important first.
    pub importance: Vec<Importance>,
}

impl Catalog {
    /// The sweep `request` asks for; a metric no run has is a not-found error naming the ones
    /// they have.
    pub fn sweep(&self, request: &SweepRequest) -> Result<Sweep, CatalogError> {
        let mut runs = self.query_runs(&RunQuery {
            project: request.project,
            filter: request.filter.clone(),
            sort: None,
            limit: None,
        })?;
        if !request.run_ids.is_empty() {
            runs.retain(|r| request.run_ids.contains(&r.id));
        }
        let metric = request.metric.trim();
        let metric = metric
            .strip_prefix("metrics.")
            .unwrap_or(metric)
            .to_string();
        if !runs.iter().any(|r| r.metrics.contains_key(&metric)) {
            let mut known: Vec<&str> = runs
                .iter()
                .flat_map(|r| r.metrics.keys().map(String::as_str))
                .collect();
            known.sort_unstable();
            known.dedup();
            return Err(CatalogError::NoSuchMetric {
                run: format!("of the {} runs swept", runs.len()),
                key: metric,
                known: if known.is_empty() {
                    "no metrics".into()
                } else {
                    known.join(", ")
                },
            });
        }
        let params: Vec<String> = if request.params.is_empty() {
            let mut names: Vec<&String> = runs.iter().flat_map(|r| r.params.keys()).collect();
            names.sort_unstable();
            names.dedup();
            names
                .into_iter()
                .filter(|k| {
                    let first = runs[0].params.get(*k);
                    runs.iter().any(|r| r.params.get(*k) != first)
                })
                .take(MAX_DEFAULT_PARAMS)
                .cloned()
                .collect()
        } else {
            request
                .params
                .iter()
                .map(|p| {
                    p.trim()
                        .strip_prefix("params.")
                        .unwrap_or(p.trim())
                        .to_string()
                })
                .collect()
        };
        let mut axes: Vec<Axis> = params
            .iter()
            .map(|p| {
                let values: Vec<Option<String>> =
                    runs.iter().map(|r| r.params.get(p).cloned()).collect();
                axis(&format!("params.{p}"), &values)
            })
            .collect();
        let values: Vec<Option<f64>> = runs
            .iter()
            .map(|r| r.metrics.get(&metric).copied().filter(|v| v.is_finite()))
            .collect();
        let mut ranked = importance(&axes, &values);
        ranked.sort_by(|a, b| {
            let key = |i: &Importance| i.importance.or(i.correlation.map(f64::abs));
            key(b)
                .unwrap_or(-1.0)
                .total_cmp(&key(a).unwrap_or(-1.0))
                .then_with(|| a.key.cmp(&b.key))
        });
        let metric_key = format!("metrics.{metric}");
        let mut metric_axis = axis(&metric_key, &[]);
        metric_axis.values = values.clone();
        metric_axis.min = values.iter().flatten().copied().reduce(f64::min);
        metric_axis.max = values.iter().flatten().copied().reduce(f64::max);
        axes.push(metric_axis);
        Ok(Sweep {
            metric: metric_key,
            run_ids: runs.iter().map(|r| r.id).collect(),
            names: runs
                .iter()
                .map(|r| r.name.clone().unwrap_or_else(|| r.run_id.clone()))
                .collect(),
            axes,
            importance: ranked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::UnitWrite;
    use crate::record::{MetricPoint, Records, Run};

    #[test]
    fn a_sweep_has_the_params_that_vary_and_the_metric_last() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let project = c.add_project(dir.path(), 0).unwrap();
        let units: Vec<UnitWrite> = (0..8)
            .map(|i| {
                let mut run = Run::new("test", format!("r{i}"));
                run.params = vec![
                    ("lr".into(), format!("{}", (i + 1) as f64 / 10.0)),
                    ("opt".into(), if i % 2 == 0 { "adam" } else { "sgd" }.into()),
                    ("seed".into(), "1".into()),
                ];
                run.metrics = vec![MetricPoint {
                    key: "auc".into(),
                    step: 0,
                    ts_ms: 0,
                    value: 0.5 + i as f64 / 20.0,
                }];
                UnitWrite {
                    reader: "test",
                    key: format!("r{i}"),
                    fingerprint: "f".into(),
                    records: Records {
                        runs: vec![run],
                        ..Records::default()
                    },
                }
            })
            .collect();
        c.write_units(project.id, &units, &std::collections::HashMap::new(), 0)
            .unwrap();
        let sweep = c
            .sweep(&SweepRequest {
                metric: "auc".into(),
                ..SweepRequest::default()
            })
            .unwrap();
        let keys: Vec<&str> = sweep.axes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            ["params.lr", "params.opt", "metrics.auc"],
            "seed is constant"
        );
        assert_eq!(sweep.run_ids.len(), 8);
        assert_eq!(sweep.axes[1].kind, "categorical");
        assert_eq!(sweep.importance[0].key, "params.lr");
        assert!((sweep.importance[0].correlation.unwrap() - 1.0).abs() < 1e-9);

        let chosen = c
            .sweep(&SweepRequest {
                metric: "metrics.auc".into(),
                params: vec!["params.seed".into()],
                filter: Some("params.opt = 'adam'".into()),
                ..SweepRequest::default()
            })
            .unwrap();
        assert_eq!(chosen.run_ids.len(), 4);
        assert_eq!(chosen.axes[0].key, "params.seed");
        let missing = c
            .sweep(&SweepRequest {
                metric: "rmse".into(),
                ..SweepRequest::default()
            })
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("`rmse`") && missing.contains("auc"),
            "{missing}"
        );
    }
}
