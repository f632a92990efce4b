//! Metric histories as `driftdeck runs history` prints them and the app's charts draw them: the
//! catalog's points through [`crate::series`] (the x axis, the smoothing), so that both show the
//! same numbers.
//!
//! The JSON is part of the CLI's stable contract: `{"run", "key", "x", "smoothing", "points":
//! [{"step", "timestamp", "x", "value", "smoothed"}]}` in history order (step, then timestamp);
//! `timestamp` is Unix milliseconds, non-finite numbers are the strings `"NaN"`, `"Infinity"`
//! and `"-Infinity"`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use super::filter::{Field, Key, field};
use super::{Catalog, CatalogError};
use crate::json::JsonNumber;
use crate::report;
use crate::series::{self, Band, Center, History, Smoothing, Spread, Trace, XAxis};

/// One run's history of one metric on an x axis, smoothed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryJson {
    /// The run's id in its tool.
    pub run: String,
    pub key: String,
    /// The axis (`step`, `relative_step`, `time`, `relative`, `epoch`, `metric:KEY`).
    pub x: String,
    /// The smoothing (`none`, `ema:W`, `twema:W`, `mean:N`, `gauss:S`).
    pub smoothing: String,
    pub points: Vec<HistoryPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryPoint {
    pub step: i64,
    /// Unix milliseconds.
    pub timestamp: i64,
    pub x: JsonNumber,
    pub value: JsonNumber,
    pub smoothed: JsonNumber,
}

/// What a chart of the window asks for: one metric of some runs on an axis, smoothed, and
/// optionally the runs grouped by a key into lines with bands.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChartRequest {
    pub run_ids: Vec<i64>,
    pub key: String,
    /// See [`XAxis::parse`].
    pub x: String,
    /// See [`Smoothing::parse`].
    pub smoothing: String,
    /// Group the runs by this key (`params.optimizer`, `experiment`, ...): only the groups'
    /// lines and bands are sent.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub group_by: Option<String>,
    /// `mean` (default), `median`, `min`, `max`.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub center: Option<String>,
    /// `std` (default), `sem`, `minmax`, `ci95`, `none`.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub band: Option<String>,
}

/// The header of a chart's binary data ([`series::pack`]): what each array is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChartHeader {
    pub key: String,
    pub x: String,
    pub smoothing: String,
    /// One per run asked for, in that order (none when grouped).
    pub series: Vec<SeriesHeader>,
    /// One per group, in label order (none unless grouped).
    pub groups: Vec<GroupHeader>,
}

/// One run's arrays: `x`, `value`, then `smoothed` when smoothing, `step` when the axis is not
/// the step, each `points` long.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SeriesHeader {
    pub run_id: i64,
    /// The run's name, else its id in its tool.
    pub name: String,
    pub points: u32,
    pub arrays: Vec<String>,
    /// The finite values' range (of the smoothed ones when smoothing).
    pub spread: Option<Spread>,
    /// Why the run has no points (it lacks the metric, or the axis' metric).
    pub missing: Option<String>,
}

/// One group's arrays: `x`, `center`, `low`, `high`, `runs` (how many count at each x).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GroupHeader {
    /// The key's value the group's runs share (`(none)` for runs without it).
    pub label: String,
    pub run_ids: Vec<i64>,
    pub points: u32,
    pub arrays: Vec<String>,
    pub spread: Option<Spread>,
}

/// A chart to write to a file: what it shows, as the window asked for it, and how it looks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChartExport {
    pub request: ChartRequest,
    /// `svg`, `png`, or `csv` (the data).
    pub format: String,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub log_y: bool,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub ignore_outliers: bool,
    /// Colours the user chose (CSS hex), by run id.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub colors: BTreeMap<String, String>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub dark: bool,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub width: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub height: Option<u32>,
}

/// The label of runs without the group key.
pub const NO_GROUP: &str = "(none)";

/// The CSV of `driftdeck runs history --csv`: a header, then one row per point of each history
/// (`run,key,step,timestamp,x,value,smoothed`), non-finite numbers spelled as in the JSON.
pub fn write_csv(histories: &[HistoryJson], out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "run,key,step,timestamp,x,value,smoothed")?;
    let number = |v: JsonNumber| match v.0 {
        x if x.is_nan() => "NaN".to_string(),
        x if x.is_infinite() => if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string(),
        x => x.to_string(),
    };
    for h in histories {
        let (run, key) = (csv_field(&h.run), csv_field(&h.key));
        for p in &h.points {
            writeln!(
                out,
                "{run},{key},{},{},{},{},{}",
                p.step,
                p.timestamp,
                number(p.x),
                number(p.value),
                number(p.smoothed)
            )?;
        }
    }
    Ok(())
}

/// A trace as `driftdeck runs history` prints it.
fn history_json(
    run: &str,
    key: &str,
    axis: &XAxis,
    smoothing: &Smoothing,
    t: &Trace,
) -> HistoryJson {
    HistoryJson {
        run: run.to_string(),
        key: key.to_string(),
        x: axis.to_string(),
        smoothing: smoothing.to_string(),
        points: (0..t.len())
            .map(|i| HistoryPoint {
                step: t.steps[i],
                timestamp: t.timestamps[i],
                x: JsonNumber(t.x[i]),
                value: JsonNumber(t.values[i]),
                smoothed: JsonNumber(t.smoothed[i]),
            })
            .collect(),
    }
}

fn parse_or<T: Default>(
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> Result<T, CatalogError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(T::default()),
        Some(t) => parse(t).ok_or_else(|| CatalogError::BadView {
            message: format!("`{t}` is not a {what}"),
        }),
    }
}

/// The value of the group key a run has, as a label.
fn group_label(run: &super::query::RunRow, key: &Key) -> String {
    match field(key, &run.view()) {
        Some(Field::Text(t)) => t.to_string(),
        Some(Field::Number(n)) => n.to_string(),
        None => NO_GROUP.to_string(),
    }
}

/// Labels in order: numerically when they all are numbers, else as text; `(none)` last.
fn sort_labels(labels: &mut [String]) {
    let numbers: Option<Vec<f64>> = labels
        .iter()
        .filter(|l| l.as_str() != NO_GROUP)
        .map(|l| l.parse::<f64>().ok())
        .collect();
    let none_last = |l: &String| l.as_str() == NO_GROUP;
    if numbers.is_some() {
        labels.sort_by(|a, b| {
            none_last(a).cmp(&none_last(b)).then_with(|| {
                let (x, y) = (a.parse::<f64>(), b.parse::<f64>());
                match (x, y) {
                    (Ok(x), Ok(y)) => x.total_cmp(&y),
                    _ => a.cmp(b),
                }
            })
        });
    } else {
        labels.sort_by(|a, b| none_last(a).cmp(&none_last(b)).then_with(|| a.cmp(b)));
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl Catalog {
    /// The history of metric `key` of run `run_id` (a catalog id).
    pub fn history_of(&self, run_id: i64, key: &str) -> Result<History, CatalogError> {
        let points = self.metric_history(run_id, key)?;
        Ok(History::new(
            points.iter().map(|p| (p.step, p.ts_ms, p.value)),
        ))
    }

    /// The trace of metric `key` of run `run_id` on `axis`, smoothed; an error names a metric
    /// the run does not have (the key, or the axis' metric) and the ones it has.
    pub fn trace(
        &self,
        run_id: i64,
        key: &str,
        axis: &XAxis,
        smoothing: &Smoothing,
    ) -> Result<Trace, CatalogError> {
        let history = self.history_of(run_id, key)?;
        if history.is_empty() {
            return Err(self.no_such_metric(run_id, key)?);
        }
        let source = match axis.source_key() {
            Some(k) => {
                let h = self.history_of(run_id, k)?;
                if h.is_empty() {
                    return Err(self.no_such_metric(run_id, k)?);
                }
                Some(h)
            }
            None => None,
        };
        Ok(series::trace(&history, axis, source.as_ref(), smoothing))
    }

    fn no_such_metric(&self, run_id: i64, key: &str) -> Result<CatalogError, CatalogError> {
        let run = self.run(run_id)?;
        let mut known: Vec<String> = self.metric_keys(run_id)?;
        let more = known.len().saturating_sub(12);
        known.truncate(12);
        let mut list = known.join(", ");
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        Ok(CatalogError::NoSuchMetric {
            run: run.run_id,
            key: key.to_string(),
            known: if list.is_empty() {
                "none".to_string()
            } else {
                list
            },
        })
    }

    /// `driftdeck runs history RUN KEY...`: the run (a catalog id, its tool's id or a unique
    /// prefix of it) and one history per key, in the order asked.
    pub fn histories(
        &self,
        run: &str,
        keys: &[String],
        axis: &XAxis,
        smoothing: &Smoothing,
    ) -> Result<Vec<HistoryJson>, CatalogError> {
        let row = self.find_run(run)?;
        keys.iter()
            .map(|key| {
                let t = self.trace(row.id, key, axis, smoothing)?;
                Ok(history_json(&row.run_id, key, axis, smoothing, &t))
            })
            .collect()
    }

    /// A chart's data as one binary buffer ([`ChartHeader`], then the arrays).
    pub fn chart_data(&self, request: &ChartRequest) -> Result<Vec<u8>, CatalogError> {
        let (header, arrays) = self.chart_parts(request)?;
        let views: Vec<&[f64]> = arrays.iter().map(Vec::as_slice).collect();
        Ok(series::pack::pack(&header, &views))
    }

    /// A chart as a file: an SVG or PNG image drawn as the window draws it, or its data as CSV
    /// (a run's points as `driftdeck runs history --csv` prints them, or the groups' lines).
    pub fn export_chart(&self, export: &ChartExport) -> Result<Vec<u8>, CatalogError> {
        let (header, arrays) = self.chart_parts(&export.request)?;
        let mut columns = arrays.into_iter();
        let mut take = |names: &[String]| -> std::collections::HashMap<String, Vec<f64>> {
            names
                .iter()
                .map(|n| (n.clone(), columns.next().unwrap_or_default()))
                .collect()
        };
        let color = |id: i64| {
            export
                .colors
                .get(&id.to_string())
                .cloned()
                .unwrap_or_else(|| series::run_color(id).to_string())
        };
        let zip =
            |x: &[f64], y: &[f64]| x.iter().copied().zip(y.iter().copied()).collect::<Vec<_>>();
        let format = export.format.trim().to_ascii_lowercase();
        let mut lines = Vec::new();
        let mut bands = Vec::new();
        let mut csv = String::new();
        if format == "csv" && header.groups.is_empty() {
            let axis = XAxis::parse(&header.x).expect("the header's axis parses");
            let smoothing =
                Smoothing::parse(&header.smoothing).expect("the header's smoothing parses");
            let mut rows = Vec::new();
            for s in header.series.iter().filter(|s| s.missing.is_none()) {
                let run = self.run(s.run_id)?;
                let t = self.trace(s.run_id, &header.key, &axis, &smoothing)?;
                rows.push(history_json(
                    &run.run_id,
                    &header.key,
                    &axis,
                    &smoothing,
                    &t,
                ));
            }
            let mut out = Vec::new();
            write_csv(&rows, &mut out).expect("writing to memory");
            return Ok(out);
        }
        if format == "csv" {
            csv.push_str("group,key,x,center,low,high,runs\n");
        }
        for g in &header.groups {
            let a = take(&g.arrays);
            let c = color(g.run_ids.first().copied().unwrap_or(0));
            if format == "csv" {
                let column = |name: &str| a.get(name).map(Vec::as_slice).unwrap_or_default();
                let rows = column("x")
                    .iter()
                    .zip(column("center"))
                    .zip(column("low"))
                    .zip(column("high"))
                    .zip(column("runs"))
                    .take(g.points as usize);
                for ((((x, center), low), high), runs) in rows {
                    csv.push_str(&format!(
                        "{},{},{x},{center},{low},{high},{runs}\n",
                        csv_field(&g.label),
                        csv_field(&header.key),
                    ));
                }
                continue;
            }
            let band: Vec<(f64, f64, f64)> = (0..g.points as usize)
                .map(|i| (a["x"][i], a["low"][i], a["high"][i]))
                .collect();
            bands.push(report::lines::Band {
                color: c.clone(),
                points: band,
            });
            lines.push(report::lines::Line {
                label: format!("{} ({})", g.label, g.run_ids.len()),
                color: c,
                points: zip(&a["x"], &a["center"]),
                faint: false,
            });
        }
        if format == "csv" {
            return Ok(csv.into_bytes());
        }
        for s in &header.series {
            let a = take(&s.arrays);
            let c = color(s.run_id);
            if let Some(smoothed) = a.get("smoothed") {
                lines.push(report::lines::Line {
                    label: s.name.clone(),
                    color: c.clone(),
                    points: zip(&a["x"], &a["value"]),
                    faint: true,
                });
                lines.push(report::lines::Line {
                    label: s.name.clone(),
                    color: c,
                    points: zip(&a["x"], smoothed),
                    faint: false,
                });
            } else {
                lines.push(report::lines::Line {
                    label: s.name.clone(),
                    color: c,
                    points: zip(&a["x"], &a["value"]),
                    faint: false,
                });
            }
        }
        let spreads: Vec<Spread> = header
            .series
            .iter()
            .filter_map(|s| s.spread)
            .chain(header.groups.iter().filter_map(|g| g.spread))
            .collect();
        let y_range = (export.ignore_outliers && !spreads.is_empty()).then(|| {
            let lo = spreads.iter().map(|s| s.p5).fold(f64::INFINITY, f64::min);
            let hi = spreads
                .iter()
                .map(|s| s.p95)
                .fold(f64::NEG_INFINITY, f64::max);
            (lo, hi)
        });
        let (x_label, x_format) = match header.x.as_str() {
            "time" => ("wall time (UTC)".to_string(), report::lines::XFormat::Time),
            "relative" => ("relative time".to_string(), report::lines::XFormat::Seconds),
            other => (
                other.trim_start_matches("metric:").replace('_', " "),
                report::lines::XFormat::Number,
            ),
        };
        let chart = report::lines::LinesChart {
            title: if header.smoothing == "none" {
                header.key.clone()
            } else {
                format!("{} ({})", header.key, header.smoothing)
            },
            x_label,
            x_format,
            lines,
            bands,
            log_y: export.log_y,
            y_range,
            dark: export.dark,
            width: export.width.unwrap_or(960).clamp(200, 4000),
            height: export.height.unwrap_or(480).clamp(120, 3000),
        };
        match format.as_str() {
            "svg" => Ok(report::lines::svg(&chart).into_bytes()),
            "png" => {
                report::lines::png(&chart).map_err(|message| CatalogError::BadView { message })
            }
            other => Err(CatalogError::BadView {
                message: format!("`{other}` is not a chart format: expected svg, png or csv"),
            }),
        }
    }

    fn chart_parts(
        &self,
        request: &ChartRequest,
    ) -> Result<(ChartHeader, Vec<Vec<f64>>), CatalogError> {
        let bad = |e: series::SeriesError| CatalogError::BadView {
            message: e.to_string(),
        };
        let axis = XAxis::parse(&request.x).map_err(bad)?;
        let smoothing = Smoothing::parse(&request.smoothing).map_err(bad)?;
        let mut header = ChartHeader {
            key: request.key.clone(),
            x: axis.to_string(),
            smoothing: smoothing.to_string(),
            series: Vec::new(),
            groups: Vec::new(),
        };
        let mut traces = Vec::with_capacity(request.run_ids.len());
        for &id in &request.run_ids {
            let run = self.run(id)?;
            let name = run.name.clone().unwrap_or_else(|| run.run_id.clone());
            match self.trace(id, &request.key, &axis, &smoothing) {
                Ok(t) => traces.push((run, name, Ok(t))),
                Err(e @ CatalogError::NoSuchMetric { .. }) => {
                    traces.push((run, name, Err(e.to_string())))
                }
                Err(e) => return Err(e),
            }
        }
        let mut arrays: Vec<Vec<f64>> = Vec::new();
        if let Some(group_by) = request.group_by.as_deref().filter(|g| !g.trim().is_empty()) {
            let key = Key::parse(group_by.trim()).ok_or_else(|| CatalogError::BadView {
                message: format!("`{group_by}` is not a key to group by"),
            })?;
            let center = parse_or(request.center.as_deref(), Center::parse, "group line")?;
            let band = parse_or(request.band.as_deref(), Band::parse, "group band")?;
            let mut groups: BTreeMap<String, Vec<(i64, &Trace)>> = BTreeMap::new();
            for (run, _, t) in &traces {
                if let Ok(t) = t {
                    groups
                        .entry(group_label(run, &key))
                        .or_default()
                        .push((run.id, t));
                }
            }
            let mut labels: Vec<String> = groups.keys().cloned().collect();
            sort_labels(&mut labels);
            for label in labels {
                let members = &groups[&label];
                let xy: Vec<(&[f64], &[f64])> = members
                    .iter()
                    .map(|(_, t)| (t.x.as_slice(), t.smoothed.as_slice()))
                    .collect();
                let g = series::aggregate(&xy, center, band);
                header.groups.push(GroupHeader {
                    label,
                    run_ids: members.iter().map(|(id, _)| *id).collect(),
                    points: g.x.len() as u32,
                    arrays: ["x", "center", "low", "high", "runs"]
                        .map(String::from)
                        .to_vec(),
                    spread: series::spread(&g.center),
                });
                let runs: Vec<f64> = g.runs.iter().map(|&n| f64::from(n)).collect();
                arrays.extend([g.x, g.center, g.low, g.high, runs]);
            }
        } else {
            for (run, name, t) in traces {
                let (t, missing) = match t {
                    Ok(t) => (t, None),
                    Err(why) => (Trace::default(), Some(why)),
                };
                let mut names = vec!["x", "value"];
                let smoothed = smoothing != Smoothing::None;
                if smoothed {
                    names.push("smoothed");
                }
                let steps = axis != XAxis::Step;
                if steps {
                    names.push("step");
                }
                header.series.push(SeriesHeader {
                    run_id: run.id,
                    name,
                    points: t.len() as u32,
                    arrays: names.into_iter().map(String::from).collect(),
                    spread: series::spread(&t.smoothed),
                    missing,
                });
                let step: Vec<f64> = t.steps.iter().map(|&s| s as f64).collect();
                arrays.push(t.x);
                arrays.push(t.values);
                if smoothed {
                    arrays.push(t.smoothed);
                }
                if steps {
                    arrays.push(step);
                }
            }
        }
        Ok((header, arrays))
    }

    /// The metric keys a run has points of, sorted.
    pub fn metric_keys(&self, run_id: i64) -> Result<Vec<String>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM metric_finals WHERE run_id = ?1 ORDER BY key")?;
        let keys = stmt.query_map([run_id], |r| r.get(0))?;
        Ok(keys.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::catalog::UnitWrite;
    use crate::record::{MetricPoint, Records, Run};
    use crate::series::pack::unpack;

    /// A catalog with runs `a` (lr 0.1), `b` (lr 0.1) and `c` (lr 0.01, no `acc`), each logging
    /// `loss` at steps 0..4 and `epoch` at steps 0 and 2.
    fn catalog() -> (tempfile::TempDir, Catalog, Vec<i64>) {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let project = c.add_project(dir.path(), 0).unwrap();
        let mut units = Vec::new();
        for (i, (id, lr)) in [("a", "0.1"), ("b", "0.1"), ("c", "0.01")]
            .into_iter()
            .enumerate()
        {
            let mut run = Run::new("test", id);
            run.name = Some(format!("run {id}"));
            run.params = vec![("lr".into(), lr.into())];
            for step in 0..5 {
                let value = (step as f64 + 1.0) * (i as f64 + 1.0);
                run.metrics.push(MetricPoint {
                    key: "loss".into(),
                    step,
                    ts_ms: 1_000 * step,
                    value,
                });
                if id != "c" {
                    run.metrics.push(MetricPoint {
                        key: "acc".into(),
                        step,
                        ts_ms: 1_000 * step,
                        value: 0.5,
                    });
                }
            }
            for step in [0, 2] {
                run.metrics.push(MetricPoint {
                    key: "epoch".into(),
                    step,
                    ts_ms: 0,
                    value: step as f64 / 2.0,
                });
            }
            let records = Records {
                runs: vec![run],
                ..Records::default()
            };
            units.push(UnitWrite {
                reader: "test",
                key: id.into(),
                fingerprint: id.into(),
                records,
            });
        }
        c.write_units(project.id, &units, &HashMap::new(), 0)
            .unwrap();
        let mut ids: Vec<i64> = c.runs(None).unwrap().iter().map(|r| r.id).collect();
        ids.sort();
        (dir, c, ids)
    }

    fn request(ids: &[i64], key: &str) -> ChartRequest {
        ChartRequest {
            run_ids: ids.to_vec(),
            key: key.into(),
            x: "step".into(),
            smoothing: "none".into(),
            group_by: None,
            center: None,
            band: None,
        }
    }

    fn lengths(header: &serde_json::Value, list: &str) -> Vec<usize> {
        header[list]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| {
                let n = s["points"].as_u64().unwrap() as usize;
                vec![n; s["arrays"].as_array().unwrap().len()]
            })
            .collect()
    }

    fn header(buffer: &[u8]) -> serde_json::Value {
        let len = u32::from_le_bytes(buffer[4..8].try_into().unwrap()) as usize;
        serde_json::from_slice(&buffer[8..8 + len]).unwrap()
    }

    #[test]
    fn a_chart_gets_every_point_of_every_run_and_names_what_a_run_lacks() {
        let (_dir, c, ids) = catalog();
        let buf = c.chart_data(&request(&ids, "acc")).unwrap();
        let h = header(&buf);
        let (h2, arrays) = unpack(&buf, &lengths(&h, "series")).unwrap();
        assert_eq!(h, h2);
        assert_eq!(h["series"][0]["arrays"], serde_json::json!(["x", "value"]));
        assert_eq!(arrays[0], [0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(arrays[1], [0.5; 5]);
        let missing = h["series"][2]["missing"].as_str().unwrap();
        assert!(
            missing.contains("`acc`") && missing.contains("loss"),
            "{missing}"
        );
        assert_eq!(h["series"][2]["points"], 0);

        // On the epoch axis with smoothing: the steps with an epoch, smoothed values and steps.
        let mut r = request(&ids[..1], "loss");
        r.x = "epoch".into();
        r.smoothing = "ema:0.5".into();
        let buf = c.chart_data(&r).unwrap();
        let h = header(&buf);
        assert_eq!(
            h["series"][0]["arrays"],
            serde_json::json!(["x", "value", "smoothed", "step"])
        );
        let (_, arrays) = unpack(&buf, &lengths(&h, "series")).unwrap();
        assert_eq!(arrays[0], [0.0, 1.0]);
        assert_eq!(arrays[1], [1.0, 3.0]);
        assert_eq!(
            arrays[2],
            Smoothing::Ema(0.5).apply(&[0.0, 1.0], &[1.0, 3.0])
        );
        assert_eq!(arrays[3], [0.0, 2.0]);
    }

    #[test]
    fn a_chart_exports_as_the_image_the_window_draws_or_as_its_data() {
        let (_dir, c, ids) = catalog();
        let mut export = ChartExport {
            request: request(&ids[..2], "loss"),
            format: "svg".into(),
            log_y: false,
            ignore_outliers: false,
            colors: [(ids[1].to_string(), "#123456".to_string())].into(),
            dark: false,
            width: None,
            height: None,
        };
        let svg = String::from_utf8(c.export_chart(&export).unwrap()).unwrap();
        assert!(svg.starts_with("<svg"));
        let lower = svg.to_ascii_lowercase();
        assert!(
            lower.contains(&series::run_color(ids[0]).to_ascii_lowercase()),
            "the palette colour of the first run"
        );
        assert!(
            lower.contains("#123456"),
            "the colour the user chose for the second"
        );
        let texts = crate::report::lines::tests::texts(&svg);
        assert!(
            texts.contains(&"run a".to_string()) && texts.contains(&"run b".to_string()),
            "{texts:?}"
        );
        export.format = "png".into();
        assert_eq!(&c.export_chart(&export).unwrap()[..4], b"\x89PNG");

        // CSV: what `runs history --csv` prints for the same runs and settings.
        export.format = "csv".into();
        export.request.smoothing = "ema:0.5".into();
        let csv = String::from_utf8(c.export_chart(&export).unwrap()).unwrap();
        let histories = [
            c.histories("a", &["loss".into()], &XAxis::Step, &Smoothing::Ema(0.5))
                .unwrap(),
            c.histories("b", &["loss".into()], &XAxis::Step, &Smoothing::Ema(0.5))
                .unwrap(),
        ]
        .concat();
        let mut want = Vec::new();
        write_csv(&histories, &mut want).unwrap();
        assert_eq!(csv, String::from_utf8(want).unwrap());

        export.request.group_by = Some("params.lr".into());
        let groups = String::from_utf8(c.export_chart(&export).unwrap()).unwrap();
        assert_eq!(
            groups.lines().next(),
            Some("group,key,x,center,low,high,runs")
        );
        assert_eq!(
            groups.lines().count(),
            1 + 5,
            "one group (both runs have lr 0.1), five steps"
        );
        export.format = "gif".into();
        assert!(
            c.export_chart(&export)
                .unwrap_err()
                .to_string()
                .contains("`gif`")
        );
    }

    #[test]
    fn grouped_runs_come_as_lines_with_bands_in_label_order() {
        let (_dir, c, ids) = catalog();
        let mut r = request(&ids, "loss");
        r.group_by = Some("params.lr".into());
        r.band = Some("minmax".into());
        let buf = c.chart_data(&r).unwrap();
        let h = header(&buf);
        assert!(h["series"].as_array().unwrap().is_empty());
        let labels: Vec<&str> = h["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, ["0.01", "0.1"], "numeric order");
        assert_eq!(
            h["groups"][1]["run_ids"],
            serde_json::json!([ids[0], ids[1]])
        );
        let (_, arrays) = unpack(&buf, &lengths(&h, "groups")).unwrap();
        // Group 0.1 is runs a (1..5) and b (2..10): mean 1.5 at step 0, band 1 to 2.
        let (x, center, low, high, runs) =
            (&arrays[5], &arrays[6], &arrays[7], &arrays[8], &arrays[9]);
        assert_eq!(x[0], 0.0);
        assert_eq!((center[0], low[0], high[0], runs[0]), (1.5, 1.0, 2.0, 2.0));
        r.band = Some("iqr".into());
        let err = c.chart_data(&r).unwrap_err().to_string();
        assert!(err.contains("`iqr`"), "{err}");
        r.band = None;
        r.group_by = Some("nonsense.".into());
        assert!(c.chart_data(&r).is_err());
    }

    #[test]
    fn csv_quotes_only_what_needs_it_and_spells_non_finite_numbers() {
        assert_eq!(csv_field("val/loss"), "val/loss");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let h = HistoryJson {
            run: "r1".into(),
            key: "loss, train".into(),
            x: "step".into(),
            smoothing: "none".into(),
            points: vec![HistoryPoint {
                step: 3,
                timestamp: 1_000,
                x: JsonNumber(3.0),
                value: JsonNumber(f64::NAN),
                smoothed: JsonNumber(f64::NEG_INFINITY),
            }],
        };
        let mut out = Vec::new();
        write_csv(&[h], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "run,key,step,timestamp,x,value,smoothed\nr1,\"loss, train\",3,1000,3,NaN,-Infinity\n"
        );
    }
}
