//! The params and metrics files of a run: `params.yaml`/`params.json`, `metrics.json` and
//! DVCLive's `.tsv` histories, and YAML/JSON documents. Shared by the run-folder, DVC and model
//! readers, which differ only in how they find these files.
//!
//! Conventions (both readers document them for their users too):
//! - params are flattened with `.` (`train.learning_rate`); lists become their JSON text;
//! - metrics are flattened with `/` (`val/accuracy`), the separator DVCLive and MLflow use in
//!   metric names, so that a final value from `metrics.json` and its DVCLive history share a key;
//! - the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (and Python's bare `NaN`/`Infinity`
//!   tokens, which `json.dump` writes although they are not JSON) are non-finite numbers;
//! - other non-numeric metric values (strings, booleans, lists) are kept as run tags under the
//!   metric's key, `null` is dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Params and metrics files are small; a bigger one is not what its name says.
const MAX_TEXT_FILE: u64 = 16 << 20;

/// Extensions of the data files the dataset reader catalogues (lineage points at them).
const DATA_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "parquet", "pq", "arrow", "feather", "ipc", "ndjson", "jsonl",
];

/// Why a params or metrics file could not be read. Messages name what was expected; the file
/// itself is named by the problem that carries the message.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("file is {size} bytes; {expected} is expected to be under {max} bytes")]
    TooLarge {
        size: u64,
        max: u64,
        expected: &'static str,
    },
    #[error("not UTF-8 text (invalid byte at offset {offset}); expected {expected}")]
    NotText {
        offset: usize,
        expected: &'static str,
    },
    #[error("invalid YAML at line {line}, column {column}: {message}")]
    Yaml {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("expected a mapping of {expected} at the top level, found {found}")]
    NotAMapping {
        expected: &'static str,
        found: &'static str,
    },
    #[error("{0} files are not read; only YAML and JSON are")]
    Unsupported(&'static str),
}

/// A file's text, refusing binary content and files too large to be what their name says.
pub fn read_text(path: &Path, expected: &'static str) -> Result<String, FileError> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_TEXT_FILE {
        return Err(FileError::TooLarge {
            size,
            max: MAX_TEXT_FILE,
            expected,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_TEXT_FILE).read_to_end(&mut bytes)?;
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(err) => Err(FileError::NotText {
            offset: err.utf8_error().valid_up_to(),
            expected,
        }),
    }
}

/// Parses YAML text into JSON values (the first document; `Null` for an empty file).
pub fn parse_yaml(text: &str) -> Result<Value, FileError> {
    let docs = YamlLoader::load_from_str(text).map_err(|err| FileError::Yaml {
        line: err.marker().line(),
        column: err.marker().col() + 1,
        message: err.info().to_string(),
    })?;
    Ok(docs.first().map(yaml_to_json).unwrap_or(Value::Null))
}

/// Parses JSON text, accepting the bare `NaN`/`Infinity`/`-Infinity` tokens Python writes.
pub fn parse_json(text: &str) -> Result<Value, FileError> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(strict) => serde_json::from_str(&quote_non_finite(text)).map_err(|_| FileError::Json {
            line: strict.line(),
            column: strict.column(),
            message: strict.to_string(),
        }),
    }
}

/// Reads a YAML or JSON file (by extension) as JSON values.
pub fn read_structured(path: &Path, expected: &'static str) -> Result<Value, FileError> {
    match extension(&path.to_string_lossy()) {
        "json" => parse_json(&read_text(path, expected)?),
        "yaml" | "yml" => parse_yaml(&read_text(path, expected)?),
        "toml" => Err(FileError::Unsupported("TOML")),
        "py" => Err(FileError::Unsupported("Python")),
        _ => parse_yaml(&read_text(path, expected)?),
    }
}

/// The params of a YAML or JSON params file, flattened with `.`.
pub fn read_params(path: &Path) -> Result<Vec<(String, String)>, FileError> {
    let value = read_structured(path, "a YAML or JSON params file")?;
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Object(_) => Ok(flatten_params(&value)),
        other => Err(FileError::NotAMapping {
            expected: "params",
            found: kind(&other),
        }),
    }
}

/// The values of a metrics file (JSON, or YAML as DVC allows), flattened with `/`.
pub fn read_metrics(path: &Path) -> Result<MetricValues, FileError> {
    let value = read_structured(path, "a JSON object of metrics")?;
    let mut out = MetricValues::default();
    match value {
        Value::Null => {}
        Value::Object(_) => flatten_metrics("", &value, &mut out),
        other => {
            return Err(FileError::NotAMapping {
                expected: "metrics",
                found: kind(&other),
            });
        }
    }
    Ok(out)
}

/// A metrics file's values: numbers are metrics, everything else is kept as a tag.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MetricValues {
    pub numbers: Vec<(String, f64)>,
    pub others: Vec<(String, String)>,
}

/// Flattens nested params with `.`; lists become their JSON text, `null` becomes `null`.
pub fn flatten_params(value: &Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(&join_key(prefix, k, '.'), v, out);
                }
            }
            Value::String(s) => out.push((prefix.to_string(), s.clone())),
            other => out.push((prefix.to_string(), other.to_string())),
        }
    }
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

/// Flattens nested metrics with `/` into `out` (see [`MetricValues`]).
pub fn flatten_metrics(prefix: &str, value: &Value, out: &mut MetricValues) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten_metrics(&join_key(prefix, k, '/'), v, out);
            }
        }
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                out.numbers.push((prefix.to_string(), f));
            }
        }
        Value::String(s) => match non_finite(s) {
            Some(f) => out.numbers.push((prefix.to_string(), f)),
            None => out.others.push((prefix.to_string(), s.clone())),
        },
        Value::Null => {}
        other => out.others.push((prefix.to_string(), other.to_string())),
    }
}

/// Adds the params of `file` to `params`. A key already there keeps its value; a different
/// value from this file is kept under `file:key` so that nothing is lost.
pub fn merge_params(params: &mut Vec<(String, String)>, file: &str, new: Vec<(String, String)>) {
    for (k, v) in new {
        match params.iter().find(|(pk, _)| *pk == k) {
            None => params.push((k, v)),
            Some((_, pv)) if *pv == v => {}
            Some(_) => params.push((format!("{file}:{k}"), v)),
        }
    }
}

/// One DVCLive history file (`step`, the metric's column, optionally `timestamp`).
#[derive(Debug, Default)]
pub struct History {
    /// (step, timestamp in ms or 0, value).
    pub points: Vec<(i64, i64, f64)>,
    /// Rows that could not be parsed, and the line of the first.
    pub bad_rows: usize,
    pub first_bad_line: usize,
}

/// Reads a DVCLive `.tsv` history, streaming (histories can be long).
pub fn read_history(path: &Path) -> Result<History, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read file: {e}"))?;
    let mut lines = BufReader::new(file).lines();
    let header = match lines.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(format!("not a DVCLive history (tab-separated text): {e}")),
        None => return Err("empty file; expected a DVCLive history with a `step` column".into()),
    };
    let columns: Vec<&str> = header.trim_end_matches('\r').split('\t').collect();
    let step_col = columns.iter().position(|c| *c == "step");
    let ts_col = columns.iter().position(|c| *c == "timestamp");
    let value_col = columns
        .iter()
        .position(|c| *c != "step" && *c != "timestamp");
    let (Some(step_col), Some(value_col)) = (step_col, value_col) else {
        return Err(format!(
            "expected a DVCLive history header with `step` and a metric column, found {header:?}"
        ));
    };
    let mut history = History::default();
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let Ok(line) = line else {
            history.note_bad(line_no);
            continue;
        };
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let step = fields.get(step_col).and_then(|s| parse_step(s));
        let value = fields
            .get(value_col)
            .and_then(|s| s.trim().parse::<f64>().ok());
        let ts = match ts_col {
            Some(c) => fields.get(c).and_then(|s| parse_step(s)),
            None => Some(0),
        };
        match (step, value, ts) {
            (Some(step), Some(value), Some(ts)) => history.points.push((step, ts, value)),
            _ => history.note_bad(line_no),
        }
    }
    Ok(history)
}

impl History {
    fn note_bad(&mut self, line: usize) {
        if self.bad_rows == 0 {
            self.first_bad_line = line;
        }
        self.bad_rows += 1;
    }
}

/// An integer written as `3` or `3.0`.
fn parse_step(s: &str) -> Option<i64> {
    let s = s.trim();
    s.parse::<i64>().ok().or_else(|| {
        let f = s.parse::<f64>().ok()?;
        (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
    })
}

/// Joins `rel` (a path as a config file writes it) to the project-relative folder `dir`, and
/// resolves `.` and `..`. `None` when the result leaves the project.
pub fn resolve(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` names a data file the dataset reader reads (by extension).
pub fn is_data_file(path: &str) -> bool {
    DATA_EXTENSIONS.contains(&extension(path).to_ascii_lowercase().as_str())
}

/// The extension of the last component of `path` (without the dot), or "".
pub fn extension(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[i + 1..],
        _ => "",
    }
}

fn join_key(prefix: &str, key: &str, sep: char) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}{sep}{key}")
    }
}

fn non_finite(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Quotes the bare `NaN`, `Infinity` and `-Infinity` tokens outside strings.
fn quote_non_finite(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        match token {
            Some(t) => {
                out.push('"');
                out.push_str(t);
                out.push('"');
                rest = &rest[t.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// A YAML value as JSON: reals become numbers (non-finite ones the strings JSON uses), keys
/// become strings.
pub fn yaml_to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => match y.as_f64() {
            Some(f) => Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(non_finite_name(f).to_string())),
            None => Value::String(s.clone()),
        },
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(yaml_key(k), yaml_to_json(v));
            }
            Value::Object(out)
        }
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

fn yaml_key(k: &Yaml) -> String {
    match k {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".into(),
        other => yaml_to_json(other).to_string(),
    }
}

fn non_finite_name(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_flatten_with_dots_and_lists_become_json() {
        let v = parse_yaml("train:\n  lr: 0.3\n  layers: [64, 32]\n  opt: {name: adam}\nseed: 1\n")
            .unwrap();
        let mut params = flatten_params(&v);
        params.sort();
        assert_eq!(
            params,
            [
                ("seed".to_string(), "1".to_string()),
                ("train.layers".into(), "[64,32]".into()),
                ("train.lr".into(), "0.3".into()),
                ("train.opt.name".into(), "adam".into()),
            ]
        );
    }

    #[test]
    fn metrics_flatten_with_slashes_and_keep_non_numbers_as_tags() {
        let v = parse_json(r#"{"val": {"acc": 0.5, "loss": NaN}, "best": "Infinity", "model": "rf", "ok": true, "x": null}"#)
            .unwrap();
        let mut m = MetricValues::default();
        flatten_metrics("", &v, &mut m);
        m.numbers.sort_by(|a, b| a.0.cmp(&b.0));
        m.others.sort();
        let keys: Vec<&str> = m.numbers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["best", "val/acc", "val/loss"]);
        assert_eq!(m.numbers[0].1, f64::INFINITY);
        assert_eq!(m.numbers[1].1, 0.5);
        assert!(m.numbers[2].1.is_nan());
        assert_eq!(
            m.others,
            [
                ("model".to_string(), "rf".to_string()),
                ("ok".into(), "true".into())
            ]
        );
    }

    #[test]
    fn bare_non_finite_tokens_inside_strings_are_left_alone() {
        let v = parse_json(r#"{"note": "NaN here", "v": -Infinity}"#).unwrap();
        assert_eq!(v, json!({"note": "NaN here", "v": "-Infinity"}));
    }

    #[test]
    fn yaml_errors_name_the_line() {
        let err = parse_yaml("a:\n  b: [1, 2\n c: 3\n").unwrap_err();
        let FileError::Yaml { line, .. } = err else {
            panic!("{err}")
        };
        assert!((2..=4).contains(&line), "{line}");
    }

    #[test]
    fn merge_keeps_conflicting_values_under_the_file_name() {
        let mut p = vec![("lr".to_string(), "0.1".to_string())];
        merge_params(
            &mut p,
            "b.yaml",
            vec![("lr".into(), "0.1".into()), ("lr2".into(), "1".into())],
        );
        merge_params(&mut p, "c.yaml", vec![("lr".into(), "0.2".into())]);
        assert_eq!(
            p,
            [
                ("lr".to_string(), "0.1".to_string()),
                ("lr2".into(), "1".into()),
                ("c.yaml:lr".into(), "0.2".into())
            ]
        );
    }

    #[test]
    fn resolve_stays_inside_the_project() {
        assert_eq!(
            resolve("runs/run-001", "../../train.csv").as_deref(),
            Some("train.csv")
        );
        assert_eq!(resolve("", "./data/x.csv").as_deref(), Some("data/x.csv"));
        assert_eq!(resolve("runs", "../../x.csv"), None);
        assert_eq!(resolve("runs", "/abs/x.csv"), None);
        assert_eq!(resolve("runs", "s3://bucket/x.csv"), None);
    }
}
