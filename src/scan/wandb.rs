//! The `wandb` reader: Weights & Biases runs from the run folders W&B keeps on disk.
//!
//! W&B writes every run, offline or not, to `wandb/offline-run-<date>_<time>-<id>/` (or
//! `wandb/run-<date>_<time>-<id>/` when online), and inside it `run-<id>.wandb`: the run's
//! complete record stream (see `wandb/log.rs` for the framing and `wandb/proto.rs` for the
//! records). Offline runs keep config, history and summary *only* there. A unit is such a
//! folder with its `.wandb` file and, when present, `files/config.yaml` and
//! `files/wandb-summary.json`, which fill in what a cut-off `.wandb` file lacks (records win
//! where both have a key). The folder also holds symlinks, some dangling; the walk never
//! follows them, so they never reach here.
//!
//! One [`Run`] per folder:
//! - external id: the W&B run id; name: the display name; experiment id: the W&B project;
//! - params: the config, nested keys flattened with `.` (`optimizer.lr`); strings as they are,
//!   other values as JSON (`0.003`, `true`, `[1,2]`); W&B's own `_wandb` entry is left out;
//! - tags: each W&B tag as a tag of that name with an empty value (W&B tags are labels, and a
//!   key per label keeps "has tag X" a plain lookup), plus `wandb.notes`, `wandb.job_type`,
//!   `wandb.group`, `wandb.sweep_id`, `wandb.entity` and `wandb.host` when set;
//! - metrics: the full history by `_step`, `_timestamp` as the time. Keys starting with `_`
//!   (`_step`, `_runtime`, `_timestamp`, ...) are W&B's and not metrics; nested values are
//!   flattened like params; media and histograms (objects with a `_type`) are skipped. A
//!   numeric summary value never logged to history (`run.summary["best"] = ...`) becomes a
//!   single point at the run's last step, so it is not lost;
//! - status: FINISHED or FAILED from the exit record's code; RUNNING when the `.wandb` file has
//!   no exit record (still running, or killed); start from the run record, end at exit.

mod log;
mod proto;

use std::collections::{BTreeMap, HashSet};
use std::fs::File;

use prost::Message;
use serde_json::{Map, Value as Json};

use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{MetricPoint, Problem, Run, source};
use log::LogReader;

pub struct WandbOffline;

const CONFIG_FILE: &str = "config.yaml";
const SUMMARY_FILE: &str = "wandb-summary.json";
/// The folder inside a run folder that holds [`CONFIG_FILE`] and [`SUMMARY_FILE`].
const FILES_DIR: &str = "files";
/// W&B's own entry in the config.
const WANDB_CONFIG_KEY: &str = "_wandb";
/// Nesting followed when building and flattening values: deeper paths are kept as one key, so
/// a hostile file cannot recurse the reader's stack away.
const MAX_DEPTH: usize = 32;

impl Reader for WandbOffline {
    fn name(&self) -> &'static str {
        "wandb"
    }

    fn unit_of(&self, file: &WalkedFile, _project: &FileSet) -> Option<String> {
        let (dir, name) = split_parent(&file.path);
        if is_wandb_file(name) && run_id_of_folder(split_parent(dir).1).is_some() {
            return Some(dir.to_string());
        }
        let (run_dir, files) = split_parent(dir);
        let wanted = files == FILES_DIR && (name == CONFIG_FILE || name == SUMMARY_FILE);
        (wanted && run_id_of_folder(split_parent(run_dir).1).is_some()).then(|| run_dir.to_string())
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        let mut data = RunData::default();
        let mut problems = Vec::new();
        for file in unit.files {
            let (_, name) = split_parent(&file.path);
            if is_wandb_file(name) {
                read_wandb_file(unit, file, &mut data, &mut problems);
            }
        }
        // The side files only fill in what the records lack, so they are read after them.
        for file in unit.files {
            let (_, name) = split_parent(&file.path);
            let result = match name {
                CONFIG_FILE => read_config_yaml(unit, file, &mut data),
                SUMMARY_FILE => read_summary_json(unit, file, &mut data),
                _ => Ok(()),
            };
            if let Err(message) = result {
                problems.push(Problem {
                    path: file.path.clone(),
                    message,
                });
            }
        }
        Records {
            runs: vec![data.into_run(unit.key)],
            problems,
            ..Records::default()
        }
    }
}

fn is_wandb_file(name: &str) -> bool {
    name.starts_with("run-") && name.ends_with(".wandb")
}

/// The run id in a run folder's name (`offline-run-20261125_212200-sjasn7sc`,
/// `run-20261125_212200-sjasn7sc`), or `None` if it is not one.
fn run_id_of_folder(name: &str) -> Option<&str> {
    let rest = name
        .strip_prefix("offline-run-")
        .or_else(|| name.strip_prefix("run-"))?;
    let (stamp, id) = rest.split_once('-')?;
    let (date, time) = stamp.split_once('_')?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(date, 8) && digits(time, 6) && !id.is_empty()).then_some(id)
}

/// What one run folder holds, accumulated record by record.
#[derive(Default)]
struct RunData {
    info: proto::RunRecord,
    /// Config and summary as W&B builds them: nested objects, updated and removed by key path.
    config: Map<String, Json>,
    summary: Map<String, Json>,
    metrics: Vec<MetricPoint>,
    last_step: Option<i64>,
    last_ms: Option<i64>,
    exit: Option<proto::RunExitRecord>,
    /// A `.wandb` file was read: without an exit record the run has not ended.
    read_log: bool,
}

impl RunData {
    fn absorb(&mut self, record: proto::Record) {
        if let Some(run) = record.run {
            self.absorb_run(run);
        }
        if let Some(config) = record.config {
            apply(&mut self.config, config.update, config.remove);
        }
        if let Some(summary) = record.summary {
            apply(&mut self.summary, summary.update, summary.remove);
        }
        if let Some(history) = record.history {
            self.absorb_history(history);
        }
        if let Some(exit) = record.exit {
            self.exit = Some(exit);
        }
    }

    /// The run record comes once, and again on resume: later non-empty fields win, and the
    /// first start time stays.
    fn absorb_run(&mut self, run: proto::RunRecord) {
        let info = &mut self.info;
        for (old, new) in [
            (&mut info.run_id, run.run_id),
            (&mut info.entity, run.entity),
            (&mut info.project, run.project),
            (&mut info.run_group, run.run_group),
            (&mut info.job_type, run.job_type),
            (&mut info.display_name, run.display_name),
            (&mut info.notes, run.notes),
            (&mut info.sweep_id, run.sweep_id),
            (&mut info.host, run.host),
        ] {
            if !new.is_empty() {
                *old = new;
            }
        }
        if !run.tags.is_empty() {
            info.tags = run.tags;
        }
        if info.start_time.is_none() {
            info.start_time = run.start_time;
        }
        if let Some(config) = run.config {
            apply(&mut self.config, config.update, config.remove);
        }
        if let Some(summary) = run.summary {
            apply(&mut self.summary, summary.update, summary.remove);
        }
    }

    fn absorb_history(&mut self, history: proto::HistoryRecord) {
        let mut step = history.step.map(|s| s.num);
        let mut ts_ms = None;
        let mut values = Vec::new();
        for item in &history.item {
            let key = item.full_key();
            let value = parse_json(&item.value_json);
            match key.as_str() {
                "_step" => step = as_i64(&value).or(step),
                "_timestamp" => ts_ms = value.as_f64().and_then(seconds_to_ms),
                k if k.starts_with('_') => {}
                _ => numbers(key, &value, 0, &mut values),
            }
        }
        let step = step.unwrap_or_else(|| self.last_step.map_or(0, |s| s.saturating_add(1)));
        let ts_ms = ts_ms
            .or(self.last_ms)
            .or_else(|| self.start_ms())
            .unwrap_or(0);
        self.last_step = Some(self.last_step.map_or(step, |s| s.max(step)));
        self.last_ms = Some(self.last_ms.map_or(ts_ms, |t| t.max(ts_ms)));
        for (key, value) in values {
            self.metrics.push(MetricPoint {
                key,
                step,
                ts_ms,
                value,
            });
        }
    }

    fn start_ms(&self) -> Option<i64> {
        let t = self.info.start_time.as_ref()?;
        Some(
            t.seconds
                .saturating_mul(1000)
                .saturating_add(i64::from(t.nanos) / 1_000_000),
        )
    }

    fn into_run(mut self, key: &str) -> Run {
        let folder_id = run_id_of_folder(split_parent(key).1).unwrap_or(key);
        let id = if self.info.run_id.is_empty() {
            folder_id.to_string()
        } else {
            std::mem::take(&mut self.info.run_id)
        };
        let start_ms = self.start_ms();
        let mut run = Run::new(source::WANDB, id);
        run.path = Some(key.to_string());
        run.name = non_empty(&self.info.display_name);
        run.experiment_id = non_empty(&self.info.project);
        run.start_ms = start_ms;
        run.status = match (&self.exit, self.read_log) {
            (Some(exit), _) if exit.exit_code == 0 => Some("FINISHED".into()),
            (Some(_), _) => Some("FAILED".into()),
            (None, true) => Some("RUNNING".into()),
            (None, false) => None,
        };
        run.end_ms = self.exit.as_ref().and_then(|exit| {
            let by_runtime = start_ms.map(|s| s.saturating_add(i64::from(exit.runtime) * 1000));
            by_runtime.max(self.last_ms)
        });
        run.tags = self.tags();
        run.params = self.params();
        run.metrics = self.metrics_with_summary();
        run
    }

    fn tags(&self) -> Vec<(String, String)> {
        let info = &self.info;
        let mut tags: BTreeMap<String, String> = info
            .tags
            .iter()
            .map(|t| (t.clone(), String::new()))
            .collect();
        for (key, value) in [
            ("wandb.notes", &info.notes),
            ("wandb.job_type", &info.job_type),
            ("wandb.group", &info.run_group),
            ("wandb.sweep_id", &info.sweep_id),
            ("wandb.entity", &info.entity),
            ("wandb.host", &info.host),
        ] {
            if !value.is_empty() {
                tags.insert(key.to_string(), value.clone());
            }
        }
        tags.into_iter().collect()
    }

    fn params(&self) -> Vec<(String, String)> {
        let mut params = BTreeMap::new();
        for (key, value) in &self.config {
            if key != WANDB_CONFIG_KEY {
                flatten(key.clone(), value, 0, &mut params);
            }
        }
        params.into_iter().collect()
    }

    /// The history, plus one point for each numeric summary value never logged to history.
    fn metrics_with_summary(&mut self) -> Vec<MetricPoint> {
        let mut metrics = std::mem::take(&mut self.metrics);
        let logged: HashSet<String> = metrics.iter().map(|p| p.key.clone()).collect();
        let step = self
            .last_step
            .or_else(|| self.summary.get("_step").and_then(as_i64))
            .unwrap_or(0);
        let ts_ms = self
            .last_ms
            .or_else(|| {
                self.summary
                    .get("_timestamp")
                    .and_then(Json::as_f64)
                    .and_then(seconds_to_ms)
            })
            .or_else(|| self.start_ms())
            .unwrap_or(0);
        let mut values = Vec::new();
        for (key, value) in &self.summary {
            if !key.starts_with('_') {
                numbers(key.clone(), value, 0, &mut values);
            }
        }
        for (key, value) in values {
            if !logged.contains(&key) {
                metrics.push(MetricPoint {
                    key,
                    step,
                    ts_ms,
                    value,
                });
            }
        }
        metrics
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Records that framed correctly but did not decode.
#[derive(Default)]
struct Undecodable {
    count: usize,
    first: Option<(u64, prost::DecodeError)>,
}

/// Reads one `.wandb` file into `data`; what cannot be read becomes a problem.
fn read_wandb_file(
    unit: &UnitInput<'_>,
    file: &WalkedFile,
    data: &mut RunData,
    problems: &mut Vec<Problem>,
) {
    let mut problem = |message: String| {
        problems.push(Problem {
            path: file.path.clone(),
            message,
        })
    };
    let mut reader = match File::open(unit.abs(&file.path))
        .map_err(log::OpenError::from)
        .and_then(LogReader::open)
    {
        Ok(reader) => reader,
        Err(err) => return problem(err.to_string()),
    };
    data.read_log = true;
    let mut undecodable = Undecodable::default();
    loop {
        match reader.next_record() {
            Ok(Some((offset, bytes))) => match proto::Record::decode(bytes) {
                Ok(record) => data.absorb(record),
                Err(err) => {
                    undecodable.count += 1;
                    undecodable.first.get_or_insert((offset, err));
                }
            },
            Ok(None) => break,
            Err(err) => {
                problem(format!("cannot read the file to its end: {err}"));
                break;
            }
        }
    }
    if let Some(damage) = reader.damage() {
        problem(format!(
            "damaged W&B run file: {} at byte {}; {} damaged place(s) were skipped and the records around them were read",
            damage.reason, damage.offset, damage.count
        ));
    }
    if let Some((offset, err)) = undecodable.first {
        problem(format!(
            "{} records are not W&B records and were skipped (the first at byte {offset}: {err})",
            undecodable.count
        ));
    }
}

/// `files/config.yaml`: `key: {value: ..., desc: ...}` per config key (older versions also
/// have `wandb_version: 1`). Fills in keys the records did not set.
fn read_config_yaml(
    unit: &UnitInput<'_>,
    file: &WalkedFile,
    data: &mut RunData,
) -> Result<(), String> {
    use yaml_rust2::Yaml;
    let text = std::fs::read_to_string(unit.abs(&file.path))
        .map_err(|err| format!("cannot read {CONFIG_FILE}: {err}"))?;
    let docs = yaml_rust2::YamlLoader::load_from_str(&text)
        .map_err(|err| format!("invalid YAML: {err}"))?;
    let Some(Yaml::Hash(entries)) = docs.first() else {
        return if docs.is_empty() {
            Ok(())
        } else {
            Err(format!("{CONFIG_FILE} is not a mapping of config keys"))
        };
    };
    for (key, entry) in entries {
        let Some(key) = key.as_str() else { continue };
        if key == WANDB_CONFIG_KEY || key == "wandb_version" || data.config.contains_key(key) {
            continue;
        }
        let value = match entry {
            Yaml::Hash(h) => h.get(&Yaml::String("value".into())).unwrap_or(entry),
            _ => entry,
        };
        data.config.insert(key.to_string(), yaml_to_json(value, 0));
    }
    Ok(())
}

/// `files/wandb-summary.json`: the final summary. Fills in keys the records did not set.
fn read_summary_json(
    unit: &UnitInput<'_>,
    file: &WalkedFile,
    data: &mut RunData,
) -> Result<(), String> {
    let text = std::fs::read(unit.abs(&file.path))
        .map_err(|err| format!("cannot read {SUMMARY_FILE}: {err}"))?;
    let Json::Object(summary) =
        serde_json::from_slice(&text).map_err(|err| format!("invalid JSON: {err}"))?
    else {
        return Err(format!("{SUMMARY_FILE} is not a JSON object"));
    };
    for (key, value) in summary {
        data.summary.entry(key).or_insert(value);
    }
    Ok(())
}

fn yaml_to_json(y: &yaml_rust2::Yaml, depth: usize) -> Json {
    use yaml_rust2::Yaml;
    if depth > MAX_DEPTH {
        return Json::Null;
    }
    match y {
        Yaml::Real(s) => y
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Json::String(s.clone()), Json::Number),
        Yaml::Integer(i) => Json::from(*i),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Boolean(b) => Json::Bool(*b),
        Yaml::Array(items) => {
            Json::Array(items.iter().map(|v| yaml_to_json(v, depth + 1)).collect())
        }
        Yaml::Hash(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v, depth + 1)))
                .collect(),
        ),
        Yaml::Null | Yaml::Alias(_) | Yaml::BadValue => Json::Null,
    }
}

fn yaml_key(k: &yaml_rust2::Yaml) -> String {
    use yaml_rust2::Yaml;
    match k {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Applies config or summary changes: set the value at each updated key path, drop each
/// removed one.
fn apply(map: &mut Map<String, Json>, update: Vec<proto::Item>, remove: Vec<proto::Item>) {
    for item in update {
        let value = parse_json(&item.value_json);
        let path = item_path(&item);
        set_path(map, &path, value);
    }
    for item in remove {
        let path = item_path(&item);
        remove_path(map, &path);
    }
}

/// An item's key as a path; paths deeper than [`MAX_DEPTH`] keep their tail as one key.
fn item_path(item: &proto::Item) -> Vec<String> {
    if !item.key.is_empty() || item.nested_key.is_empty() {
        return vec![item.key.clone()];
    }
    let mut path: Vec<String> = item.nested_key.iter().take(MAX_DEPTH).cloned().collect();
    if item.nested_key.len() > MAX_DEPTH
        && let Some(last) = path.last_mut()
    {
        *last = item.nested_key[MAX_DEPTH - 1..].join(".");
    }
    path
}

fn set_path(map: &mut Map<String, Json>, path: &[String], value: Json) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = map;
    for key in parents {
        let entry = node
            .entry(key.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        if !entry.is_object() {
            *entry = Json::Object(Map::new());
        }
        let Json::Object(child) = entry else {
            return;
        };
        node = child;
    }
    node.insert(last.clone(), value);
}

fn remove_path(map: &mut Map<String, Json>, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = map;
    for key in parents {
        match node.get_mut(key) {
            Some(Json::Object(child)) => node = child,
            _ => return,
        }
    }
    node.remove(last);
}

/// A `value_json` as JSON; what is not valid JSON (Python writes `NaN` and `Infinity` bare)
/// is kept as a string. A plain float is parsed again by Rust, whose parsing is exact:
/// serde_json's default float parsing can be one ulp off on 17-digit values (numbers inside
/// objects keep serde_json's value).
fn parse_json(text: &str) -> Json {
    match serde_json::from_str(text) {
        Ok(Json::Number(n)) if n.is_f64() => {
            let exact = text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64);
            Json::Number(exact.unwrap_or(n))
        }
        Ok(value) => value,
        Err(_) => Json::String(text.to_string()),
    }
}

fn as_i64(value: &Json) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| f as i64)
    })
}

/// Non-finite numbers as W&B's writers spell them, bare or quoted.
fn non_finite(text: &str) -> Option<f64> {
    match text {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// The numbers in a history or summary value: itself, or the leaves of a nested object (keys
/// joined with `.`); media and histograms (objects with a `_type`) have none.
fn numbers(key: String, value: &Json, depth: usize, out: &mut Vec<(String, f64)>) {
    match value {
        Json::Number(n) => out.extend(n.as_f64().map(|v| (key, v))),
        Json::String(s) => out.extend(non_finite(s).map(|v| (key, v))),
        Json::Object(map) if depth < MAX_DEPTH && !map.contains_key("_type") => {
            for (k, v) in map {
                numbers(format!("{key}.{k}"), v, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// A config value as params: nested objects flattened with `.`, strings as they are, anything
/// else as JSON.
fn flatten(key: String, value: &Json, depth: usize, out: &mut BTreeMap<String, String>) {
    match value {
        Json::Object(map) if !map.is_empty() && depth < MAX_DEPTH => {
            for (k, v) in map {
                flatten(format!("{key}.{k}"), v, depth + 1, out);
            }
        }
        Json::String(s) => {
            out.insert(key, s.clone());
        }
        other => {
            out.insert(key, other.to_string());
        }
    }
}

/// Unix seconds to milliseconds; `None` for a missing (zero) or impossible time.
fn seconds_to_ms(secs: f64) -> Option<i64> {
    (secs.is_finite() && secs > 0.0).then(|| (secs * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::scan::testing::{self, Framed, history, metric, project_root, same};

    fn manifest() -> Json {
        testing::fixture_manifest()["projects"]["wandb-offline-project"].clone()
    }

    fn tag<'a>(run: &'a Run, key: &str) -> Option<&'a str> {
        testing::value_of(&run.tags, key)
    }

    #[test]
    fn runs_match_the_manifest() {
        let m = manifest();
        let runs = testing::read_runs(&WandbOffline, &m);

        for expected in m["runs"].as_array().unwrap() {
            let id = expected["run_id"].as_str().unwrap();
            let run = runs
                .iter()
                .find(|r| r.external_id == id)
                .unwrap_or_else(|| panic!("no run {id}"));
            assert_eq!(run.source, "wandb");
            assert_eq!(run.path.as_deref(), expected["dir"].as_str());
            assert_eq!(run.name.as_deref(), expected["name"].as_str());
            assert_eq!(run.experiment_id.as_deref(), expected["project"].as_str());
            // train.py ends every run with run.finish(): the exit record says success.
            assert!(expected["record_counts"]["exit"].as_u64().unwrap() > 0);
            assert_eq!(run.status.as_deref(), Some("FINISHED"), "{id}");

            for t in expected["tags"].as_array().unwrap() {
                assert_eq!(tag(run, t.as_str().unwrap()), Some(""), "{id}: tag {t}");
            }
            assert_eq!(tag(run, "wandb.notes"), expected["notes"].as_str());
            assert_eq!(tag(run, "wandb.job_type"), expected["job_type"].as_str());

            let config = expected["config"].as_object().unwrap();
            testing::check_params(run, config.iter().map(|(k, v)| (k.as_str(), v)), id);

            let logged = expected["metrics"].as_object().unwrap();
            for (key, e) in logged {
                testing::check_history(run, key, e, id);
            }
            // Summary values never logged to history are single points; the rest are history.
            let summary = expected["summary"].as_object().unwrap();
            for (key, value) in summary.iter().filter(|(k, _)| !logged.contains_key(*k)) {
                let points = metric(run, key);
                assert_eq!(points.len(), 1, "{id} {key}");
                let got = points[0].value;
                assert!(
                    same(got, value.as_f64().unwrap()),
                    "{id} {key}: {got} is not {value}"
                );
            }
            let keys: BTreeSet<&str> = run.metrics.iter().map(|p| p.key.as_str()).collect();
            let expected_keys: BTreeSet<&str> = logged
                .keys()
                .chain(summary.keys())
                .map(String::as_str)
                .collect();
            assert_eq!(keys, expected_keys, "{id}: metric keys");
            testing::check_times(run, id);
        }
    }

    #[test]
    fn the_file_header_is_what_the_manifest_says() {
        let m = manifest();
        for expected in m["runs"].as_array().unwrap() {
            let path = project_root(&m).join(expected["wandb_file"].as_str().unwrap());
            let bytes = std::fs::read(path).unwrap();
            let header = log::check_header(&bytes).unwrap().expect("a whole header");
            assert_eq!(
                u64::from(header.magic),
                expected["wandb_file_header"]["magic"].as_u64().unwrap()
            );
            assert_eq!(
                u64::from(header.version),
                expected["wandb_file_header"]["version"].as_u64().unwrap()
            );
        }
    }

    #[test]
    fn the_record_counts_are_what_the_manifest_says() {
        let m = manifest();
        for expected in m["runs"].as_array().unwrap() {
            let path = project_root(&m).join(expected["wandb_file"].as_str().unwrap());
            let mut reader = LogReader::open(File::open(path).unwrap()).unwrap();
            let (mut history, mut summary, mut total) = (0u64, 0u64, 0u64);
            while let Some((_, bytes)) = reader.next_record().unwrap() {
                let record = proto::Record::decode(bytes).unwrap();
                history += u64::from(record.history.is_some());
                summary += u64::from(record.summary.is_some());
                total += 1;
            }
            let counts = &expected["record_counts"];
            assert_eq!(history, counts["history"].as_u64().unwrap());
            assert_eq!(summary, counts["summary"].as_u64().unwrap());
            let all: u64 = counts
                .as_object()
                .unwrap()
                .values()
                .filter_map(Json::as_u64)
                .sum();
            assert_eq!(total, all, "every record is read");
        }
    }

    #[test]
    fn only_the_wandb_files_are_claimed_not_logs_or_symlinks() {
        let m = manifest();
        let project = testing::walked(&project_root(&m));
        let claimed: BTreeSet<&str> = project
            .iter()
            .filter(|f| WandbOffline.unit_of(f, &project).is_some())
            .map(|f| f.path.as_str())
            .collect();
        let expected: BTreeSet<&str> = m["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["wandb_file"].as_str().unwrap())
            .collect();
        assert_eq!(claimed, expected);
        for link in m["symlinks"].as_array().unwrap() {
            assert!(
                project.get(link["path"].as_str().unwrap()).is_none(),
                "symlinks are not walked"
            );
        }
    }

    #[test]
    fn unit_of_knows_run_folders() {
        let check = |path: &str, expect: Option<&str>| {
            let file = WalkedFile {
                path: path.into(),
                size: 1,
                mtime_ns: 0,
            };
            assert_eq!(
                WandbOffline.unit_of(&file, &FileSet::default()).as_deref(),
                expect,
                "{path}"
            );
        };
        let run = "wandb/offline-run-20261125_212200-sjasn7sc";
        check(&format!("{run}/run-sjasn7sc.wandb"), Some(run));
        check(&format!("{run}/files/config.yaml"), Some(run));
        check(&format!("{run}/files/wandb-summary.json"), Some(run));
        check(&format!("{run}/files/requirements.txt"), None);
        check(&format!("{run}/logs/debug.log"), None);
        check(
            "exp/wandb/run-20260101_000000-abc123/run-abc123.wandb",
            Some("exp/wandb/run-20260101_000000-abc123"),
        );
        check("wandb/offline-run-2026_1-x/run-x.wandb", None);
        check("notes/run-x.wandb", None);
        check("run-x.wandb", None);
    }

    // Hand-made damage, on a copy of one real run file.

    const RUN_DIR: &str = "wandb/offline-run-20260101_120000-abcd1234";

    fn read_dir(files: &[(&str, &[u8])]) -> Records {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(RUN_DIR).join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        testing::read_merged(&WandbOffline, dir.path())
    }

    fn read_file(bytes: &[u8]) -> Records {
        read_dir(&[("run-abcd1234.wandb", bytes)])
    }

    /// The longer real run file and where its records start (walked by their chunk lengths
    /// alone, without the reader: the file is a single block of FULL chunks).
    fn real_run_file() -> Framed {
        let m = manifest();
        let biggest = m["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                std::fs::read(project_root(&m).join(r["wandb_file"].as_str().unwrap())).unwrap()
            })
            .max_by_key(Vec::len)
            .unwrap();
        assert!(biggest.len() < log::BLOCK, "one block");
        let mut starts = Vec::new();
        let mut at = 7;
        while at + 7 <= biggest.len() {
            starts.push(at);
            at += 7 + usize::from(u16::from_le_bytes([biggest[at + 4], biggest[at + 5]]));
        }
        assert_eq!(at, biggest.len(), "the real file is whole");
        Framed {
            bytes: biggest,
            starts,
            read: read_file,
        }
    }

    #[test]
    fn a_file_cut_inside_a_record_reads_like_one_cut_before_it() {
        let file = real_run_file();
        let k = file.starts.len() / 2;
        let (before, _) = file.check_cuts(k, &[2, 7, 9, file.record_len(k) - 1]);
        assert_eq!(
            before.runs[0].status.as_deref(),
            Some("RUNNING"),
            "no exit record yet"
        );
    }

    #[test]
    fn a_flipped_byte_is_a_problem_at_its_record_and_keeps_what_came_before() {
        let file = real_run_file();
        let k = file.starts.len() / 3;
        let at_record = format!("at byte {};", file.starts[k]);
        file.check_flips(k, &[1, 5, 8, file.record_len(k) - 1], |at, problem| {
            assert!(problem.path.ends_with(".wandb"), "flip at {at}");
            assert!(problem.message.contains(&at_record), "{}", problem.message);
        });
    }

    #[test]
    fn an_empty_run_file_is_a_running_run_named_after_its_folder() {
        let got = read_file(&[]);
        assert!(got.problems.is_empty());
        let run = &got.runs[0];
        assert_eq!(
            (run.external_id.as_str(), run.path.as_deref()),
            ("abcd1234", Some(RUN_DIR))
        );
        assert_eq!(run.status.as_deref(), Some("RUNNING"));
        assert!(run.metrics.is_empty() && run.params.is_empty() && run.start_ms.is_none());
    }

    #[test]
    fn a_file_that_is_not_a_run_file_is_a_problem() {
        let got = read_file(b"this is not a W&B file");
        assert_eq!(got.problems.len(), 1);
        assert!(got.problems[0].message.contains("not a W&B run file"));
        assert_eq!(got.runs[0].external_id, "abcd1234");
        assert_eq!(got.runs[0].status, None);
    }

    // Files built by hand: many blocks, nested config, removals, a failed exit.

    fn item(path: &[&str], value_json: &str) -> proto::Item {
        proto::Item {
            key: String::new(),
            nested_key: path.iter().map(|s| s.to_string()).collect(),
            value_json: value_json.into(),
        }
    }

    fn keyed(key: &str, value_json: &str) -> proto::Item {
        proto::Item {
            key: key.into(),
            nested_key: Vec::new(),
            value_json: value_json.into(),
        }
    }

    fn history_record(step: i64, loss: f64) -> proto::Record {
        proto::Record {
            history: Some(proto::HistoryRecord {
                item: vec![
                    item(&["_step"], &step.to_string()),
                    item(
                        &["_timestamp"],
                        &format!("{}", 1_700_000_000.0 + step as f64),
                    ),
                    item(&["_runtime"], "1.5"),
                    item(&["loss"], &loss.to_string()),
                    item(&["eval"], r#"{"acc": 0.5, "f1": "NaN"}"#),
                    item(&["weights"], r#"{"_type": "histogram", "values": [1, 2]}"#),
                    // Large and not a number: spreads the history over many blocks.
                    item(&["sample"], &format!("\"{}\"", "x".repeat(700))),
                ],
                step: None,
            }),
            ..Default::default()
        }
    }

    fn built_file(steps: i64) -> (Vec<u8>, Vec<u64>) {
        let run = proto::Record {
            run: Some(proto::RunRecord {
                run_id: "abcd1234".into(),
                project: "proj".into(),
                display_name: "built".into(),
                tags: vec!["a".into(), "b".into()],
                start_time: Some(proto::Timestamp {
                    seconds: 1_699_999_999,
                    nanos: 500_000_000,
                }),
                config: Some(proto::ConfigRecord {
                    update: vec![
                        keyed("_wandb", "{}"),
                        keyed("optimizer", r#"{"name": "adam", "betas": [0.9, 0.99]}"#),
                        keyed("seed", "1"),
                        keyed("blob", &format!("\"{}\"", "y".repeat(3 * log::BLOCK))),
                    ],
                    remove: Vec::new(),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let config = proto::Record {
            config: Some(proto::ConfigRecord {
                update: vec![item(&["optimizer", "lr"], "0.01")],
                remove: vec![keyed("seed", "")],
            }),
            ..Default::default()
        };
        let summary = proto::Record {
            summary: Some(proto::SummaryRecord {
                update: vec![keyed("best", "0.75"), item(&["_wandb", "runtime"], "3")],
                remove: Vec::new(),
            }),
            ..Default::default()
        };
        let exit = proto::Record {
            exit: Some(proto::RunExitRecord {
                exit_code: 1,
                runtime: 60,
            }),
            ..Default::default()
        };
        let mut records = vec![run, config];
        records.extend((0..steps).map(|s| history_record(s, 1.0 / (s + 1) as f64)));
        records.extend([summary, exit]);
        log::frame(
            &records
                .iter()
                .map(|r| r.encode_to_vec())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn a_built_file_reads_back_whole() {
        let (bytes, _) = built_file(150);
        assert!(bytes.len() > 4 * log::BLOCK);
        let got = read_file(&bytes);
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        let run = &got.runs[0];
        assert_eq!(
            (run.name.as_deref(), run.experiment_id.as_deref()),
            (Some("built"), Some("proj"))
        );
        assert_eq!(run.status.as_deref(), Some("FAILED"));
        assert_eq!(
            run.tags,
            [
                ("a".to_string(), String::new()),
                ("b".to_string(), String::new())
            ]
        );
        let params: Vec<(&str, &str)> = run
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), if k == "blob" { "…" } else { v.as_str() }))
            .collect();
        assert_eq!(
            params,
            [
                ("blob", "…"),
                ("optimizer.betas", "[0.9,0.99]"),
                ("optimizer.lr", "0.01"),
                ("optimizer.name", "adam")
            ]
        );
        assert_eq!(run.params[0].1.len(), 3 * log::BLOCK);
        let keys: BTreeSet<&str> = run.metrics.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["best", "eval.acc", "eval.f1", "loss"])
        );
        assert_eq!(history(&metric(run, "loss")), (150, 0, 149, 1.0 / 150.0));
        assert!(metric(run, "eval.f1").iter().all(|p| p.value.is_nan()));
        let best = metric(run, "best");
        assert_eq!((best.len(), best[0].step, best[0].value), (1, 149, 0.75));
        assert_eq!(metric(run, "loss")[3].ts_ms, 1_700_000_003_000);
        assert_eq!(run.start_ms, Some(1_699_999_999_500));
        assert_eq!(
            run.end_ms,
            Some(1_700_000_149_000),
            "the last history time is after start + runtime"
        );
    }

    #[test]
    fn damage_in_one_block_loses_only_the_records_in_its_rest() {
        let (bytes, starts) = built_file(150);
        let block = |offset: u64| offset as usize / log::BLOCK;
        // A history record in a block of history, not the first record of its block.
        let b = block(starts[starts.len() / 2]);
        let k = (3..starts.len())
            .find(|&i| block(starts[i]) == b && block(starts[i - 1]) == b)
            .unwrap();
        let mut damaged = bytes.clone();
        damaged[starts[k] as usize + 20] ^= 0x04;
        let got = read_file(&damaged);
        assert_eq!(got.problems.len(), 1);
        assert!(
            got.problems[0]
                .message
                .contains(&format!("at byte {};", starts[k])),
            "{}",
            got.problems[0].message
        );
        let run = &got.runs[0];
        let steps: BTreeSet<i64> = metric(run, "loss").iter().map(|p| p.step).collect();
        for (i, start) in starts
            .iter()
            .enumerate()
            .filter(|(i, _)| (2..152).contains(i))
        {
            let step = i as i64 - 2;
            let lost = *start >= starts[k] && block(*start) == block(starts[k]);
            assert_eq!(steps.contains(&step), !lost, "step {step} at byte {start}");
        }
        assert_eq!(
            run.status.as_deref(),
            Some("FAILED"),
            "the exit record after the damage is read"
        );
    }

    #[test]
    fn side_files_fill_in_a_run_without_records() {
        let config = b"wandb_version: 1\n_wandb:\n  value:\n    cli_version: 0.31.0\nlr:\n  desc: null\n  value: 0.01\nmodel:\n  value:\n    layers: 3\n    act: relu\n";
        let summary = br#"{"acc": 0.5, "_step": 9, "_timestamp": 1700000000.5, "_wandb": {"runtime": 3}, "nested": {"x": 1}, "hist": {"_type": "histogram", "bins": [1]}, "name": "text"}"#;
        let got = read_dir(&[
            ("files/config.yaml", config),
            ("files/wandb-summary.json", summary),
        ]);
        assert!(got.problems.is_empty(), "{:?}", got.problems);
        let run = &got.runs[0];
        assert_eq!(
            (run.external_id.as_str(), run.status.as_deref()),
            ("abcd1234", None)
        );
        assert_eq!(
            testing::params(run),
            [("lr", "0.01"), ("model.act", "relu"), ("model.layers", "3")]
        );
        assert_eq!(
            testing::points(run),
            [
                ("acc", 9, 1_700_000_000_500, 0.5),
                ("nested.x", 9, 1_700_000_000_500, 1.0)
            ]
        );
    }

    #[test]
    fn broken_side_files_are_problems_and_the_records_still_count() {
        let bytes = real_run_file().bytes;
        let got = read_dir(&[
            ("run-abcd1234.wandb", &bytes),
            ("files/config.yaml", b"a: [unclosed"),
            ("files/wandb-summary.json", b"[1, 2]"),
        ]);
        let paths: BTreeSet<&str> = got.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            BTreeSet::from([
                format!("{RUN_DIR}/files/config.yaml").as_str(),
                format!("{RUN_DIR}/files/wandb-summary.json").as_str(),
            ])
        );
        assert!(!got.runs[0].metrics.is_empty() && !got.runs[0].params.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_recurse_without_bound() {
        let path: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
        let record = proto::Record {
            config: Some(proto::ConfigRecord {
                update: vec![proto::Item {
                    key: String::new(),
                    nested_key: path,
                    value_json: "1".into(),
                }],
                remove: Vec::new(),
            }),
            ..Default::default()
        };
        let (bytes, _) = log::frame(&[record.encode_to_vec()]);
        let got = read_file(&bytes);
        assert_eq!(got.runs[0].params.len(), 1);
        assert!(got.runs[0].params[0].0.ends_with("9998.9999"));
    }
}
