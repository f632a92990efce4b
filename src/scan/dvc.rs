//! DVC projects and their DVCLive output: one run per DVC project root, the *workspace*.
//!
//! A DVC project root is a folder holding `dvc.yaml`. Its unit (keyed by that `dvc.yaml`) holds
//! the files DVC reads around it: `dvc.yaml`, `dvc.lock`, the `*.dvc` files, the YAML and JSON
//! files below it (params and metrics files are named inside `dvc.yaml`, which `unit_of` may not
//! read, so every YAML/JSON file outside tool stores is a member: a change to any of them re-reads
//! this cheap unit), and DVCLive histories (`<dir>/plots/metrics/**/*.tsv`). Files below a nested
//! `dvc.yaml` belong to that nested root.
//!
//! What the unit yields: one [`Run`] (source `dvc`, external id `workspace`, or
//! `workspace@<root>` for a root below the project folder; name `workspace`; path the
//! `dvc.yaml`) with
//! - params: `params.yaml` (DVC's default), then the params files `dvc.yaml` names (top-level
//!   `params:` and stage `params:` entries that name a file), then each DVCLive folder's
//!   `params.yaml`; flattened with `.` (`train.learning_rate`). A key two files disagree on is
//!   kept from the first, the other value as `<file>:<key>`. TOML and Python params files are
//!   not read (a problem says so);
//! - metrics: the full DVCLive history from `plots/metrics/**/*.tsv` (key = the path below
//!   `plots/metrics` without `.tsv`, e.g. `val/accuracy`; `timestamp` in ms when the file has
//!   that column, else 0), and the final values of the metrics files `dvc.yaml` names and of
//!   DVCLive's `metrics.json`, flattened with `/` so that they share keys with the histories.
//!   Their step is the DVCLive step (`step` in DVCLive's `metrics.json`, which is not itself a
//!   metric) when known, else 0; a final value whose history already has a point at that step
//!   is not repeated. With several DVCLive folders, their keys are prefixed with the folder;
//! - non-numeric metric values as tags under their key, and the data version of every DVC
//!   output as a tag `dvc.md5:<path>` (from `*.dvc` files and `dvc.lock`);
//! - start and end times from the DVCLive timestamps, when there are any.
//!
//! Lineage, from the stages of `dvc.yaml` (and the body of `foreach` stages; paths with `${`
//! templating are skipped, resolving them means re-implementing DVC's interpolation):
//! - run `used` dataset: a dep that is a data file (by extension) or a DVC-tracked output (a
//!   `*.dvc` output or a stage's `outs`) that is not a model; a folder stands for the data files
//!   below it (or for itself when it holds none);
//! - run `produced` model: an out that is a model file (by extension), an MLflow model folder, or
//!   a folder holding model files; and the `artifacts:` entries of type `model`;
//! - dataset `derived` dataset: each data out of a stage from each data dep of the same stage.
//!
//! Not read: experiments of `dvc exp run` live in git refs (`refs/exps/...`) and git objects,
//! which cannot be read without git (and the walk skips `.git` and `.dvc`). After `dvc exp run`
//! the workspace holds the files of the last experiment, and that is what is indexed. A `*.dvc`
//! file in a repository without any `dvc.yaml` yields nothing (there is no run to tag).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::model_file;
use super::run_files::{
    MetricValues, extension, is_data_file, merge_params, read_history, read_metrics, read_params,
    read_structured, resolve,
};
use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{Entity, Lineage, MetricPoint, Problem, Run, source};

const DVC_YAML: &str = "dvc.yaml";
const DVC_LOCK: &str = "dvc.lock";
/// DVC's default params file, read whether or not `dvc.yaml` names it.
const DEFAULT_PARAMS: &str = "params.yaml";
/// DVCLive's default folder name; any folder with `plots/metrics/` is a DVCLive folder too.
const DVCLIVE_DIR: &str = "dvclive";
/// Folders of other tools inside a DVC project: their YAML/JSON files are not DVC's.
const FOREIGN_STORES: &[&str] = &["mlruns", "mlartifacts", "wandb"];
/// The run id of a DVC project's workspace.
const WORKSPACE: &str = "workspace";

pub struct Dvc;

impl Reader for Dvc {
    fn name(&self) -> &'static str {
        "dvc"
    }

    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String> {
        let root = dvc_root(&file.path, project)?;
        is_member(rel_to(root, &file.path)).then(|| join(root, DVC_YAML))
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        read_project(unit)
    }
}

/// The nearest folder at or above `path`'s folder that holds a `dvc.yaml`.
fn dvc_root<'p>(path: &'p str, project: &FileSet) -> Option<&'p str> {
    let mut dir = split_parent(path).0;
    loop {
        if project.contains(&join(dir, DVC_YAML)) {
            return Some(dir);
        }
        if dir.is_empty() {
            return None;
        }
        dir = split_parent(dir).0;
    }
}

/// Whether a file at `rel` (relative to its DVC root) belongs to the root's unit.
fn is_member(rel: &str) -> bool {
    let (dir, name) = split_parent(rel);
    let ext = extension(name);
    if name == DVC_YAML || name == DVC_LOCK || ext == "dvc" {
        return true;
    }
    if dir.split('/').any(|c| FOREIGN_STORES.contains(&c)) {
        return false;
    }
    matches!(ext, "yaml" | "yml" | "json") || ext == "tsv" && history_key(rel).is_some()
}

/// For a DVCLive history file, its DVCLive folder and metric key:
/// `dvclive/plots/metrics/val/acc.tsv` -> (`dvclive`, `val/acc`).
fn history_key(rel: &str) -> Option<(&str, &str)> {
    let stem = rel.strip_suffix(".tsv")?;
    let (dir, key) = if let Some(key) = stem.strip_prefix("plots/metrics/") {
        ("", key)
    } else {
        let i = stem.find("/plots/metrics/")?;
        (&stem[..i], &stem[i + "/plots/metrics/".len()..])
    };
    (!key.is_empty()).then_some((dir, key))
}

/// `path` relative to the folder `root` it is in (or is): "" for `root` itself.
fn rel_to<'a>(root: &str, path: &'a str) -> &'a str {
    if root.is_empty() {
        return path;
    }
    match path.strip_prefix(root) {
        Some(rest) => rest.strip_prefix('/').unwrap_or(rest),
        None => path,
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The workspace run's id for a DVC root.
fn workspace_id(root: &str) -> String {
    if root.is_empty() {
        WORKSPACE.to_string()
    } else {
        format!("{WORKSPACE}@{root}")
    }
}

/// What `dvc.yaml` declares, with paths resolved to project-relative ones.
#[derive(Debug, Default)]
struct Pipeline {
    stages: Vec<Stage>,
    /// Params files named at the top level or by stages.
    params_files: Vec<String>,
    metrics_files: Vec<String>,
    /// `artifacts:` of type `model`.
    model_artifacts: Vec<String>,
}

#[derive(Debug, Default)]
struct Stage {
    deps: Vec<String>,
    outs: Vec<String>,
}

fn read_project(unit: &UnitInput<'_>) -> Records {
    let (root, _) = split_parent(unit.key);
    let mut problems = Vec::new();
    let mut run = Run::new(source::DVC, workspace_id(root));
    run.name = Some(WORKSPACE.to_string());
    run.path = Some(unit.key.to_string());

    let pipeline = match read_structured(&unit.abs(unit.key), "a dvc.yaml pipeline") {
        Ok(v) => parse_pipeline(&v, root),
        Err(err) => {
            problems.push(problem(unit.key, err));
            Pipeline::default()
        }
    };
    let (versions, mut tracked) = data_versions(unit, root, &mut problems);
    // What DVC tracks as data: `*.dvc` outputs and stage `outs` (not metrics files, which
    // dvc.lock lists among the outputs too).
    tracked.extend(pipeline.stages.iter().flat_map(|s| s.outs.iter().cloned()));
    run.tags.extend(
        versions
            .into_iter()
            .map(|(path, md5)| (format!("dvc.md5:{path}"), md5)),
    );
    let live = Dvclive::find(unit, root);
    run.params = read_all_params(unit, root, &pipeline, &live, &mut problems);
    let logged = read_histories(unit, &live, &mut run, &mut problems);
    read_final_values(
        unit,
        root,
        &pipeline,
        &live,
        &logged,
        &mut run,
        &mut problems,
    );
    let lineage = pipeline_lineage(&run, &pipeline, &tracked, unit.project);
    Records {
        runs: vec![run],
        lineage,
        problems,
        ..Records::default()
    }
}

/// The data version (md5) of every DVC output, by project-relative path: from the `*.dvc` files
/// of the unit, then from `dvc.lock` for what they do not cover. Also returns the outputs of the
/// `*.dvc` files.
fn data_versions(
    unit: &UnitInput<'_>,
    root: &str,
    problems: &mut Vec<Problem>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut versions = BTreeMap::new();
    let mut dvc_outs = Vec::new();
    for f in unit.files {
        if extension(&f.path) != "dvc" {
            continue;
        }
        match dvc_file_outs(unit, &f.path) {
            Ok(outs) => {
                dvc_outs.extend(outs.iter().map(|(path, _)| path.clone()));
                versions.extend(outs);
            }
            Err(message) => problems.push(Problem {
                path: f.path.clone(),
                message,
            }),
        }
    }
    let lock = join(root, DVC_LOCK);
    if unit.project.contains(&lock) {
        match read_structured(&unit.abs(&lock), "a dvc.lock file") {
            Ok(v) => {
                for (path, md5) in lock_outs(&v, root) {
                    versions.entry(path).or_insert(md5);
                }
            }
            Err(err) => problems.push(problem(&lock, err)),
        }
    }
    (versions, dvc_outs)
}

/// The DVCLive folders of a DVC root (relative to the root) and their history files.
struct Dvclive<'u> {
    dirs: Vec<String>,
    /// (project-relative path, metric key with the folder's prefix) of each `.tsv` history.
    histories: Vec<(&'u str, String)>,
}

impl<'u> Dvclive<'u> {
    fn find(unit: &UnitInput<'u>, root: &str) -> Dvclive<'u> {
        let mut dirs: Vec<String> = Vec::new();
        let mut histories = Vec::new();
        for f in unit.files {
            let rel = rel_to(root, &f.path);
            if let Some((dir, key)) = history_key(rel) {
                if !dirs.iter().any(|d| d == dir) {
                    dirs.push(dir.to_string());
                }
                histories.push((f.path.as_str(), dir, key));
            } else {
                let (dir, name) = split_parent(rel);
                if (name == "metrics.json" || name == DEFAULT_PARAMS)
                    && split_parent(dir).1 == DVCLIVE_DIR
                    && !dirs.iter().any(|d| d == dir)
                {
                    dirs.push(dir.to_string());
                }
            }
        }
        let several = dirs.len() > 1;
        let histories = histories
            .into_iter()
            .map(|(path, dir, key)| {
                let key = if several {
                    format!("{dir}/{key}")
                } else {
                    key.to_string()
                };
                (path, key)
            })
            .collect();
        Dvclive { dirs, histories }
    }

    /// What a DVCLive folder's metric keys are prefixed with: nothing when it is the only one.
    fn prefix(&self, dir: &str) -> String {
        if self.dirs.len() > 1 {
            format!("{dir}/")
        } else {
            String::new()
        }
    }
}

/// `params.yaml`, the params files `dvc.yaml` names, and DVCLive's `params.yaml`, merged.
fn read_all_params(
    unit: &UnitInput<'_>,
    root: &str,
    pipeline: &Pipeline,
    live: &Dvclive<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<(String, String)> {
    let mut files = vec![join(root, DEFAULT_PARAMS)];
    files.extend(pipeline.params_files.iter().cloned());
    files.extend(
        live.dirs
            .iter()
            .map(|d| join(root, &join(d, DEFAULT_PARAMS))),
    );
    let mut params = Vec::new();
    let mut seen = Vec::new();
    for file in files {
        if seen.contains(&file) || !unit.project.contains(&file) {
            continue;
        }
        match read_params(&unit.abs(&file)) {
            Ok(new) => merge_params(&mut params, &file, new),
            Err(err) => problems.push(problem(&file, err)),
        }
        seen.push(file);
    }
    params
}

/// Adds every DVCLive history to the run; returns the (key, step) pairs logged.
fn read_histories(
    unit: &UnitInput<'_>,
    live: &Dvclive<'_>,
    run: &mut Run,
    problems: &mut Vec<Problem>,
) -> HashSet<(String, i64)> {
    let mut logged = HashSet::new();
    let (mut first_ts, mut last_ts) = (i64::MAX, i64::MIN);
    for (path, key) in &live.histories {
        let history = match read_history(&unit.abs(path)) {
            Ok(history) => history,
            Err(message) => {
                problems.push(Problem {
                    path: path.to_string(),
                    message,
                });
                continue;
            }
        };
        if history.bad_rows > 0 {
            problems.push(Problem {
                path: path.to_string(),
                message: format!(
                    "{} malformed rows (first at line {}); expected a step, a number and an optional timestamp",
                    history.bad_rows, history.first_bad_line
                ),
            });
        }
        for (step, ts_ms, value) in history.points {
            if ts_ms != 0 {
                first_ts = first_ts.min(ts_ms);
                last_ts = last_ts.max(ts_ms);
            }
            logged.insert((key.clone(), step));
            run.metrics.push(MetricPoint {
                key: key.clone(),
                step,
                ts_ms,
                value,
            });
        }
    }
    if first_ts <= last_ts {
        run.start_ms = Some(first_ts);
        run.end_ms = Some(last_ts);
    }
    logged
}

/// Adds the final values of DVCLive's `metrics.json` and of the metrics files `dvc.yaml` names,
/// at the DVCLive step, unless a history already holds that point.
fn read_final_values(
    unit: &UnitInput<'_>,
    root: &str,
    pipeline: &Pipeline,
    live: &Dvclive<'_>,
    logged: &HashSet<(String, i64)>,
    run: &mut Run,
    problems: &mut Vec<Problem>,
) {
    // (file, key prefix, written by DVCLive)
    let mut files: Vec<(String, String, bool)> = live
        .dirs
        .iter()
        .map(|d| (join(root, &join(d, "metrics.json")), live.prefix(d), true))
        .collect();
    files.extend(
        pipeline
            .metrics_files
            .iter()
            .map(|f| (f.clone(), String::new(), false)),
    );
    let mut live_step: Option<i64> = None;
    let mut finals: Vec<(String, MetricValues, Option<i64>)> = Vec::new();
    for (file, prefix, by_dvclive) in files {
        if finals.iter().any(|(f, _, _)| *f == file) || !unit.project.contains(&file) {
            continue;
        }
        let mut values = match read_metrics(&unit.abs(&file)) {
            Ok(values) => values,
            Err(err) => {
                problems.push(problem(&file, err));
                continue;
            }
        };
        let mut step = None;
        if by_dvclive && let Some(i) = values.numbers.iter().position(|(k, _)| k == "step") {
            let (_, s) = values.numbers.remove(i);
            if s.is_finite() && s.fract() == 0.0 {
                step = Some(s as i64);
                live_step = live_step.max(step);
            }
        }
        for (k, _) in &mut values.numbers {
            k.insert_str(0, &prefix);
        }
        for (k, _) in &mut values.others {
            k.insert_str(0, &prefix);
        }
        finals.push((file, values, step));
    }
    for (_, values, step) in finals {
        let step = step.or(live_step).unwrap_or(0);
        for (key, value) in values.numbers {
            if !logged.contains(&(key.clone(), step)) {
                run.metrics.push(MetricPoint {
                    key,
                    step,
                    ts_ms: 0,
                    value,
                });
            }
        }
        run.tags.extend(values.others);
    }
}

/// What the stages used and produced (see the module docs), deduplicated.
fn pipeline_lineage(
    run: &Run,
    pipeline: &Pipeline,
    tracked: &[String],
    project: &FileSet,
) -> Vec<Lineage> {
    let run_entity = Entity::Run {
        source: source::DVC,
        id: run.external_id.clone(),
    };
    let mut edges: Vec<Lineage> = Vec::new();
    let mut push = |from: Entity, to: Entity, relation: &'static str| {
        let edge = Lineage { from, to, relation };
        if !edges.contains(&edge) {
            edges.push(edge);
        }
    };
    for stage in &pipeline.stages {
        let mut inputs = Vec::new();
        for dep in &stage.deps {
            for path in datasets_at(dep, project, Some(tracked)) {
                push(
                    run_entity.clone(),
                    Entity::Dataset { path: path.clone() },
                    "used",
                );
                inputs.push(path);
            }
        }
        for o in &stage.outs {
            for path in models_at(o, project) {
                push(run_entity.clone(), Entity::Model { path }, "produced");
            }
            for path in datasets_at(o, project, None) {
                for input in &inputs {
                    let from = Entity::Dataset { path: path.clone() };
                    push(
                        from,
                        Entity::Dataset {
                            path: input.clone(),
                        },
                        "derived",
                    );
                }
            }
        }
    }
    for path in &pipeline.model_artifacts {
        push(
            run_entity.clone(),
            Entity::Model { path: path.clone() },
            "produced",
        );
    }
    edges
}

fn problem(path: &str, err: impl std::fmt::Display) -> Problem {
    Problem {
        path: path.to_string(),
        message: err.to_string(),
    }
}

/// The datasets a dep or out at `path` stands for. `tracked` (for deps) also accepts DVC-tracked
/// paths without a data extension; model files are never datasets.
fn datasets_at(path: &str, project: &FileSet, tracked: Option<&[String]>) -> Vec<String> {
    if model_file::format_of(path).is_some() {
        return Vec::new();
    }
    let is_tracked = tracked.is_some_and(|t| t.iter().any(|p| p == path));
    if project.contains(path) {
        return if is_data_file(path) || is_tracked {
            vec![path.to_string()]
        } else {
            Vec::new()
        };
    }
    let below: Vec<&WalkedFile> = project.under(path).collect();
    if below.is_empty() {
        // Declared but absent (not produced yet, or not pulled): lineage as declared.
        return if is_data_file(path) || is_tracked {
            vec![path.to_string()]
        } else {
            Vec::new()
        };
    }
    let data: Vec<String> = below
        .iter()
        .filter(|f| is_data_file(&f.path))
        .map(|f| f.path.clone())
        .collect();
    if data.is_empty() && is_tracked {
        vec![path.to_string()]
    } else {
        data
    }
}

/// The models an out at `path` stands for: a model file, an MLflow model folder, or the model
/// files and MLflow model folders below a folder.
fn models_at(path: &str, project: &FileSet) -> Vec<String> {
    if model_file::format_of(path).is_some() || project.contains(&join(path, "MLmodel")) {
        return vec![path.to_string()];
    }
    if project.contains(path) {
        return Vec::new();
    }
    let mut models = Vec::new();
    for f in project.under(path) {
        let (dir, name) = split_parent(&f.path);
        if name == "MLmodel" {
            models.push(dir.to_string());
        } else if model_file::format_of(name).is_some() {
            models.push(f.path.clone());
        }
    }
    models
}

/// The paths of a `deps`/`outs`/`metrics` list, or of the top-level `params` list: strings, or
/// single-key mappings (`- metrics.json: {cache: false}`).
fn entries(list: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    for item in list.as_array().into_iter().flatten() {
        match item {
            Value::String(s) => out.push(s.as_str()),
            Value::Object(map) => out.extend(map.keys().map(String::as_str)),
            _ => {}
        }
    }
    out
}

/// Resolves a path from `dvc.yaml` against the stage's folder; `None` for templated paths,
/// URLs and paths that leave the project.
fn stage_path(base: &str, path: &str) -> Option<String> {
    if path.contains("${") {
        return None;
    }
    resolve(base, path)
}

fn parse_pipeline(doc: &Value, root: &str) -> Pipeline {
    let mut p = Pipeline::default();
    for file in entries(&doc["params"]) {
        p.params_files.extend(stage_path(root, file));
    }
    for file in entries(&doc["metrics"]) {
        p.metrics_files.extend(stage_path(root, file));
    }
    if let Some(artifacts) = doc["artifacts"].as_object() {
        for a in artifacts.values() {
            if a["type"].as_str() == Some("model") {
                p.model_artifacts
                    .extend(a["path"].as_str().and_then(|path| stage_path(root, path)));
            }
        }
    }
    let Some(stages) = doc["stages"].as_object() else {
        return p;
    };
    for stage in stages.values() {
        // A `foreach` stage keeps its body under `do`.
        let body = if stage["do"].is_object() {
            &stage["do"]
        } else {
            stage
        };
        let Some(base) = body["wdir"]
            .as_str()
            .map_or(Some(root.to_string()), |w| stage_path(root, w))
        else {
            continue;
        };
        let mut s = Stage::default();
        for dep in entries(&body["deps"]) {
            s.deps.extend(stage_path(&base, dep));
        }
        for o in entries(&body["outs"]) {
            s.outs.extend(stage_path(&base, o));
        }
        for m in entries(&body["metrics"]) {
            p.metrics_files.extend(stage_path(&base, m));
        }
        // `- prepare` is a key of params.yaml; `- file.yaml: [keys]` (a mapping) names a file.
        for item in body["params"].as_array().into_iter().flatten() {
            for file in item.as_object().into_iter().flat_map(|m| m.keys()) {
                p.params_files.extend(stage_path(&base, file));
            }
        }
        p.stages.push(s);
    }
    p.params_files.dedup();
    p
}

/// The (path, md5) of each output of a `*.dvc` file.
fn dvc_file_outs(unit: &UnitInput<'_>, rel: &str) -> Result<Vec<(String, String)>, String> {
    let doc = read_structured(&unit.abs(rel), "a .dvc file").map_err(|e| e.to_string())?;
    let (dir, _) = split_parent(rel);
    let outs = doc["outs"]
        .as_array()
        .filter(|o| !o.is_empty())
        .ok_or("expected an `outs` list with `path` and `md5` entries")?;
    let mut found = Vec::new();
    for (i, o) in outs.iter().enumerate() {
        let path = o["path"].as_str().and_then(|p| resolve(dir, p));
        let md5 = o["md5"]
            .as_str()
            .or_else(|| o["etag"].as_str())
            .or_else(|| o["checksum"].as_str());
        match (path, md5) {
            (Some(path), Some(md5)) => found.push((path, md5.to_string())),
            (None, _) => return Err(format!("output {} has no `path` inside the project", i + 1)),
            (Some(path), None) => {
                return Err(format!(
                    "output {path} has no `md5` (expected the data version hash)"
                ));
            }
        }
    }
    Ok(found)
}

/// The (path, md5) of every stage output in `dvc.lock`.
fn lock_outs(doc: &Value, root: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Some(stages) = doc["stages"].as_object() {
        for stage in stages.values() {
            for o in stage["outs"].as_array().into_iter().flatten() {
                if let (Some(path), Some(md5)) = (o["path"].as_str(), o["md5"].as_str()) {
                    found.extend(resolve(root, path).map(|p| (p, md5.to_string())));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::scan::run_folder::expected::{flatten, manifest};
    use crate::scan::testing;

    /// The final value of each metric as the catalog's writer picks it: the value at the largest
    /// step, ties broken by the latest timestamp.
    fn finals(run: &Run) -> BTreeMap<&str, (i64, f64)> {
        let mut out: BTreeMap<&str, (i64, i64, f64)> = BTreeMap::new();
        for p in &run.metrics {
            let e = out
                .entry(p.key.as_str())
                .or_insert((p.step, p.ts_ms, p.value));
            if (p.step, p.ts_ms) >= (e.0, e.1) {
                *e = (p.step, p.ts_ms, p.value);
            }
        }
        out.into_iter().map(|(k, (s, _, v))| (k, (s, v))).collect()
    }

    fn dvc_project() -> (Value, Records) {
        let all = testing::read_all(&Dvc, &testing::fixtures().join("dvc-project"));
        assert_eq!(all.len(), 1, "one DVC root");
        assert_eq!(all[0].0, "dvc.yaml");
        (
            manifest()["projects"]["dvc-project"].clone(),
            all.into_iter().next().unwrap().1,
        )
    }

    use crate::scan::testing::write;

    #[test]
    fn workspace_params_match_the_manifest() {
        let (m, records) = dvc_project();
        assert!(records.problems.is_empty(), "{:?}", records.problems);
        assert_eq!(records.runs.len(), 1);
        let run = &records.runs[0];
        assert_eq!(
            (run.source, run.external_id.as_str(), run.name.as_deref()),
            ("dvc", "workspace", Some("workspace"))
        );
        let want = flatten(&m["workspace_params"], '.');
        crate::scan::testing::check_params(
            run,
            want.iter().map(|(k, v)| (k.as_str(), v)),
            "workspace",
        );
    }

    #[test]
    fn workspace_final_metrics_match_the_manifest() {
        let (m, records) = dvc_project();
        let run = &records.runs[0];
        let got = finals(run);
        let files = m["workspace_metrics"][""]["data"].as_object().unwrap();
        let live_step = files["dvclive/metrics.json"]["data"]["step"]
            .as_i64()
            .unwrap();
        let mut want = BTreeMap::new();
        for (file, data) in files {
            let mut flat = flatten(&data["data"], '/');
            if file.starts_with("dvclive/") {
                flat.remove("step"); // the step of the values, not a metric
            }
            want.extend(flat);
        }
        assert_eq!(
            got.keys().copied().collect::<Vec<_>>(),
            want.keys().map(String::as_str).collect::<Vec<_>>()
        );
        for (k, v) in &want {
            assert_eq!(
                got[k.as_str()],
                (live_step, v.as_f64().unwrap()),
                "metric {k}"
            );
        }
    }

    #[test]
    fn dvclive_histories_are_complete() {
        let (m, records) = dvc_project();
        let run = &records.runs[0];
        let root = testing::fixtures().join("dvc-project");
        let live_step = m["workspace_metrics"][""]["data"]["dvclive/metrics.json"]["data"]["step"]
            .as_i64()
            .unwrap();
        let mut checked = 0;
        for file in m["dvclive_files"].as_array().unwrap() {
            let file = file.as_str().unwrap();
            let Some(key) = file
                .strip_prefix("dvclive/plots/metrics/")
                .and_then(|k| k.strip_suffix(".tsv"))
            else {
                continue;
            };
            let rows = std::fs::read_to_string(root.join(file))
                .unwrap()
                .lines()
                .skip(1)
                .filter(|l| !l.is_empty())
                .count();
            let points: Vec<&MetricPoint> = run.metrics.iter().filter(|p| p.key == key).collect();
            assert_eq!(points.len(), rows, "{key}");
            let steps: Vec<i64> = points.iter().map(|p| p.step).collect();
            assert_eq!(steps, (0..rows as i64).collect::<Vec<_>>(), "{key}");
            assert_eq!(
                steps.last(),
                Some(&live_step),
                "{key}: the last step is DVCLive's final step"
            );
            checked += 1;
        }
        assert_eq!(checked, 4);
    }

    #[test]
    fn lineage_and_data_versions_match_the_manifest() {
        let (m, records) = dvc_project();
        let run = &records.runs[0];
        let run_entity = Entity::Run {
            source: source::DVC,
            id: "workspace".into(),
        };
        for model in m["model_files"].as_array().unwrap() {
            let edge = Lineage {
                from: run_entity.clone(),
                to: Entity::Model {
                    path: model.as_str().unwrap().into(),
                },
                relation: "produced",
            };
            assert!(
                records.lineage.contains(&edge),
                "{edge:?} in {:?}",
                records.lineage
            );
        }
        // Every dataset of the project is an input of a stage here: the raw CSV of `prepare`, the
        // split CSVs of `train`.
        for path in m["datasets"].as_object().unwrap().keys() {
            let edge = Lineage {
                from: run_entity.clone(),
                to: Entity::Dataset { path: path.clone() },
                relation: "used",
            };
            assert!(
                records.lineage.contains(&edge),
                "{edge:?} in {:?}",
                records.lineage
            );
        }
        let derived: Vec<_> = records
            .lineage
            .iter()
            .filter(|l| l.relation == "derived")
            .collect();
        assert_eq!(derived.len(), 2, "{derived:?}");
        // The data version of every output, as `dvc exp show` reports it for the workspace.
        let workspace = m["experiments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["rev"] == "workspace")
            .unwrap();
        let outs = workspace["data"]["outs"].as_object().unwrap();
        for (path, out) in outs {
            let tag = run
                .tags
                .iter()
                .find(|(k, _)| *k == format!("dvc.md5:{path}"));
            assert_eq!(tag.map(|(_, v)| v.as_str()), out["hash"].as_str(), "{path}");
        }
    }

    #[test]
    fn the_unit_holds_what_dvc_reads() {
        let (m, _) = dvc_project();
        let root = testing::fixtures().join("dvc-project");
        let walk = crate::scan::walk::walk(&root, &Default::default()).unwrap();
        let files = FileSet::new(walk.files);
        let members: Vec<&str> = files
            .iter()
            .filter(|f| Dvc.unit_of(f, &files).is_some())
            .map(|f| f.path.as_str())
            .collect();
        let mut want = vec![
            "dvc.yaml",
            "dvc.lock",
            "params.yaml",
            "metrics.json",
            "data/train.csv.dvc",
        ];
        want.extend(
            m["dvclive_files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap()),
        );
        for w in &want {
            assert!(members.contains(w), "{w} not in {members:?}");
        }
        for f in &members {
            assert!(want.contains(f), "{f} is not a DVC file");
        }
    }

    #[test]
    fn bad_files_are_problems_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, text) in [
            (
                "dvc.yaml",
                "stages:\n  train:\n    deps: [data.csv\n    outs: [m.pkl]\n",
            ),
            ("params.yaml", "lr: 0.1\n"),
            ("data/a.csv.dvc", "outs:\n- path: a.csv\n"),
            ("data/b.csv.dvc", "outs: [\n"),
            (
                "dvclive/plots/metrics/loss.tsv",
                "step\tloss\ttimestamp\n0\t1.5\t1000\n1\toops\t2000\n2\t0.5\t3000\n",
            ),
        ] {
            write(root, rel, text);
        }
        let records = testing::read_merged(&Dvc, root);
        let problem = |path: &str| {
            records
                .problems
                .iter()
                .find(|p| p.path == path)
                .unwrap_or_else(|| panic!("no problem for {path}: {:?}", records.problems))
        };
        assert!(
            problem("dvc.yaml").message.contains("line"),
            "{:?}",
            problem("dvc.yaml")
        );
        assert!(problem("data/a.csv.dvc").message.contains("md5"));
        assert!(
            problem("data/b.csv.dvc").message.contains("line 2"),
            "{:?}",
            problem("data/b.csv.dvc")
        );
        assert!(
            problem("dvclive/plots/metrics/loss.tsv")
                .message
                .contains("line 3")
        );
        // What could be read still is.
        let run = &records.runs[0];
        assert_eq!(run.params, [("lr".to_string(), "0.1".to_string())]);
        let points: Vec<(i64, i64, f64)> = run
            .metrics
            .iter()
            .map(|p| (p.step, p.ts_ms, p.value))
            .collect();
        assert_eq!(points, [(0, 1000, 1.5), (2, 3000, 0.5)]);
        assert_eq!((run.start_ms, run.end_ms), (Some(1000), Some(3000)));
    }

    #[test]
    fn nested_roots_stages_with_wdir_artifacts_and_templates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "ml/dvc.yaml",
            "params: [conf/extra.json]\nstages:\n  featurize:\n    wdir: src\n    cmd: python f.py\n    deps: [../raw/, f.py]\n    outs: [../feats.parquet]\n    params:\n    - cfg.yaml: [k]\n  sweep:\n    foreach: [a, b]\n    do:\n      deps:\n      - data/${item}.csv\n      outs: [models/]\nartifacts:\n  clf:\n    path: models/clf.onnx\n    type: model\n",
        );
        write(root, "ml/params.yaml", "lr: 0.1\n");
        write(root, "ml/conf/extra.json", r#"{"lr": 0.2, "batch": 8}"#);
        write(root, "ml/src/cfg.yaml", "k: v\n");
        write(root, "ml/raw/x.csv", "a\n1\n");
        write(root, "ml/raw/readme.md", "");
        write(root, "ml/models/m.pt", "");
        write(root, "ml/models/export/MLmodel", "flavors: {}\n");
        write(root, "ml/metrics.json", "{}"); // not named by dvc.yaml: a member, but not read
        write(root, "other/dvc.yaml", "stages: {}\n");
        write(root, "dvc.yaml", "stages: {}\n");

        let all = testing::read_all(&Dvc, root);
        let keys: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["dvc.yaml", "ml/dvc.yaml", "other/dvc.yaml"]);
        let ml = &all[1].1;
        assert!(ml.problems.is_empty(), "{:?}", ml.problems);
        let run = &ml.runs[0];
        assert_eq!(run.external_id, "workspace@ml");
        let mut params = run.params.clone();
        params.sort();
        assert_eq!(
            params,
            [
                ("batch".to_string(), "8".to_string()),
                ("k".into(), "v".into()),
                ("lr".into(), "0.1".into()),
                ("ml/conf/extra.json:lr".into(), "0.2".into()),
            ]
        );
        let rel: Vec<(String, &str)> = ml
            .lineage
            .iter()
            .map(|l| {
                let end = |e: &Entity| match e {
                    Entity::Run { id, .. } => format!("run:{id}"),
                    Entity::Dataset { path } => format!("dataset:{path}"),
                    Entity::Model { path } => format!("model:{path}"),
                };
                (format!("{} -> {}", end(&l.from), end(&l.to)), l.relation)
            })
            .collect();
        assert_eq!(
            rel,
            [
                (
                    "run:workspace@ml -> dataset:ml/raw/x.csv".to_string(),
                    "used"
                ),
                (
                    "dataset:ml/feats.parquet -> dataset:ml/raw/x.csv".into(),
                    "derived"
                ),
                (
                    "run:workspace@ml -> model:ml/models/export".into(),
                    "produced"
                ),
                (
                    "run:workspace@ml -> model:ml/models/m.pt".into(),
                    "produced"
                ),
                (
                    "run:workspace@ml -> model:ml/models/clf.onnx".into(),
                    "produced"
                ),
            ]
        );
    }

    #[test]
    fn tracked_deps_are_datasets_whatever_their_extension_and_metrics_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "dvc.yaml",
            "stages:\n  train:\n    deps: [images, raw.bin, notes.txt]\n    outs: [model.pt]\n    metrics: [scores.json]\n  report:\n    deps: [scores.json, model.pt]\n    outs: [report.html]\n",
        );
        write(
            root,
            "images.dvc",
            "outs:\n- md5: aaa.dir\n  path: images\n",
        );
        write(root, "images/cat.png", "");
        write(root, "raw.bin.dvc", "outs:\n- md5: bbb\n  path: raw.bin\n");
        write(root, "raw.bin", "");
        write(root, "notes.txt", "");
        write(root, "scores.json", r#"{"f1": 0.5}"#);
        write(
            root,
            "dvc.lock",
            "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: scores.json\n      md5: ccc\n    - path: model.pt\n      md5: ddd\n",
        );
        let records = testing::read_merged(&Dvc, root);
        assert!(records.problems.is_empty(), "{:?}", records.problems);
        let used: Vec<&Entity> = records
            .lineage
            .iter()
            .filter(|l| l.relation == "used")
            .map(|l| &l.to)
            .collect();
        assert_eq!(
            used,
            [
                &Entity::Dataset {
                    path: "images".into()
                },
                &Entity::Dataset {
                    path: "raw.bin".into()
                }
            ]
        );
        let mut tags = records.runs[0].tags.clone();
        tags.sort();
        assert_eq!(
            tags,
            [
                ("dvc.md5:images".to_string(), "aaa.dir".to_string()),
                ("dvc.md5:model.pt".into(), "ddd".into()),
                ("dvc.md5:raw.bin".into(), "bbb".into()),
                ("dvc.md5:scores.json".into(), "ccc".into()),
            ]
        );
    }

    #[test]
    fn final_values_without_a_history_keep_the_dvclive_step() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "dvc.yaml",
            "metrics: [eval/scores.yaml]\nstages: {}\n",
        );
        write(root, "eval/scores.yaml", "auc: 0.8\nlabel: best\n");
        write(
            root,
            "dvclive/metrics.json",
            r#"{"loss": 0.25, "acc": 0.9, "step": 4}"#,
        );
        write(
            root,
            "dvclive/plots/metrics/loss.tsv",
            "step\tloss\n3\t0.3\n4\t0.25\n",
        );
        let records = testing::read_merged(&Dvc, root);
        assert!(records.problems.is_empty(), "{:?}", records.problems);
        let run = &records.runs[0];
        let mut points: Vec<(&str, i64, f64)> = run
            .metrics
            .iter()
            .map(|p| (p.key.as_str(), p.step, p.value))
            .collect();
        points.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        assert_eq!(
            points,
            [
                ("acc", 4, 0.9),
                ("auc", 4, 0.8),
                ("loss", 3, 0.3),
                ("loss", 4, 0.25)
            ]
        );
        assert_eq!(run.tags, [("label".to_string(), "best".to_string())]);
    }
}
