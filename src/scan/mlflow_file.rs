//! The MLflow file store (`mlruns/`): experiments, runs with their full metric histories, the
//! datasets runs used, the models they produced, and the file-based Model Registry.
//!
//! MLflow's `FileStore` keeps everything as small files (see `mlflow-rest-notes.md`, section 6):
//!
//! ```text
//! mlruns/
//! ├── 0/meta.yaml                                  the Default experiment: every store has it
//! ├── <exp>/meta.yaml, tags/<key>                  an experiment (its id is an integer)
//! ├── <exp>/datasets/<id>/meta.yaml                a dataset logged with mlflow.data
//! ├── <exp>/models/<m-id>/meta.yaml, artifacts/    a logged model (MLflow 3)
//! ├── <exp>/<run>/meta.yaml, params/, tags/, metrics/, inputs/<id>/meta.yaml, outputs/<m-id>/meta.yaml
//! └── models/<name>/meta.yaml, aliases/, tags/, version-<n>/   the Model Registry
//! ```
//!
//! Param, tag and metric keys may contain `/` (nested folders); param and tag files hold the raw
//! value without a trailing newline; metric files hold one `<ts> <value> [<step> ...]` line per
//! logged value, duplicates included.
//!
//! The units this reader reads as a whole:
//! - an experiment: its `meta.yaml`, `tags/` and `datasets/*/meta.yaml` -> an [`Experiment`];
//! - a run: its `meta.yaml`, `params/`, `tags/`, `metrics/` and `inputs/` -> a [`Run`] and its
//!   lineage to the datasets it used;
//! - a logged model: its `meta.yaml` and the `outputs/<m-id>/meta.yaml` of every run that points
//!   at it -> run --produced--> model lineage, once however many files say so. A run's
//!   `outputs/` stays in the run's unit only when the model's folder is missing. No `Model`
//!   record: the model file reader owns every folder holding an `MLmodel`;
//! - a registered model: its folder under the store's root `models/` -> a [`RegisteredModel`].
//!
//! Artifacts belong to no unit of this reader: the dataset and model file readers read them.
//!
//! MLflow writes absolute `file://` URIs of the machine it ran on; a store copied from a cluster or
//! unpacked from an archive keeps them, stale. Paths in them are resolved against the project
//! instead (see [`resolve_stale`]).
//!
//! **Architecture Invariant:** `unit_of` looks at paths and at the project's file set, never at
//! content, so grouping a project of 100,000 files costs no file reads.
//!
//! **Architecture Invariant:** a run unit reads one thing outside itself: the experiment's
//! `datasets/<id>/meta.yaml` its inputs point at. That file is written before any input that
//! refers to it and never changes (its id is derived from the dataset's name and digest), so the
//! run's own fingerprint is enough to know when to read the run again.

use std::collections::{BTreeMap, BTreeSet};

use yaml_rust2::{Yaml, YamlLoader};

use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{
    Entity, Experiment, Lineage, MetricPoint, ModelVersion, Problem, RegisteredModel, Run, source,
};

/// The folder name MLflow gives a file store by default.
const STORE_NAME: &str = "mlruns";

/// The Default experiment's metadata: every store has it, whatever its folder is called.
const DEFAULT_EXPERIMENT_META: &str = "0/meta.yaml";

/// The registry folder at a store's root (inside an experiment, `models/` holds logged models).
const REGISTRY_DIR: &str = "models";

/// Entries of an experiment folder that are not runs (`traces/` holds GenAI traces).
const EXPERIMENT_ENTRIES: &[&str] = &["meta.yaml", "tags", "datasets", "models", "traces"];

/// What MLflow writes in every run's `meta.yaml` (older versions say `run_uuid` for `run_id`).
const RUN_FIELDS: &[&str] = &[
    "experiment_id",
    "status",
    "start_time",
    "end_time",
    "lifecycle_stage",
    "user_id",
    "artifact_uri",
];

/// MLflow's `RunStatus` enum, by its integer value minus one.
const RUN_STATUSES: [&str; 5] = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"];

/// The stage MLflow gives a model version it deleted but keeps on disk.
pub(crate) const DELETED_VERSION_STAGE: &str = "Deleted_Internal";

/// Tags MLflow sets on runs that this reader turns into fields.
const TAG_RUN_NAME: &str = "mlflow.runName";
const TAG_PARENT: &str = "mlflow.parentRunId";
const TAG_USER: &str = "mlflow.user";

/// A metric line is shown in a problem up to this many characters (binary junk can be long).
const SNIPPET_CHARS: usize = 80;

pub struct MlflowFileStore;

impl Reader for MlflowFileStore {
    fn name(&self) -> &'static str {
        "mlflow"
    }

    fn unit_of(&self, file: &WalkedFile, project: &FileSet) -> Option<String> {
        locate(&file.path, project).map(|place| place.key)
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        let Some(place) = unit
            .files
            .first()
            .and_then(|f| locate(&f.path, unit.project))
        else {
            return Records::default();
        };
        match place.kind {
            UnitKind::Experiment => read_experiment(unit),
            UnitKind::Run => read_run(unit, place.store),
            UnitKind::LoggedModel => read_logged_model(unit, place.store),
            UnitKind::RegisteredModel => read_registered_model(unit),
        }
    }
}

/// What went wrong reading one file of a store.
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid YAML: {0}")]
    Yaml(#[from] yaml_rust2::ScanError),
    #[error("expected a YAML mapping of MLflow fields, found {found}")]
    NotAMapping { found: &'static str },
}

// ---------------------------------------------------------------------------------------------
// Where a file belongs

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Experiment,
    Run,
    LoggedModel,
    RegisteredModel,
}

/// A file's place in a store: the store folder and the unit the file belongs to.
#[derive(Debug, PartialEq, Eq)]
struct Place<'p> {
    /// The store folder, relative to the project ("" when the project is the store itself).
    store: &'p str,
    kind: UnitKind,
    key: String,
}

/// The unit of a store file, or `None` for files of no unit (artifacts, traces, other files).
///
/// The store is the outermost folder that holds the file under an experiment id or the registry
/// and that is called `mlruns` or holds the Default experiment. Checking only folders followed by
/// an all-digit name or `models` keeps this to a lookup or two per file.
fn locate<'p>(path: &'p str, project: &FileSet) -> Option<Place<'p>> {
    let mut start = 0;
    while let Some(len) = path[start..].find('/') {
        let first = &path[start..start + len];
        let store = if start == 0 { "" } else { &path[..start - 1] };
        if (is_experiment_id(first) || first == REGISTRY_DIR) && is_store(store, project) {
            return classify(store, &path[start..], project);
        }
        start += len + 1;
    }
    None
}

fn is_experiment_id(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

fn is_store(dir: &str, project: &FileSet) -> bool {
    split_parent(dir).1 == STORE_NAME || project.contains(&join(dir, DEFAULT_EXPERIMENT_META))
}

/// The unit of `rest`, a path inside `store`.
fn classify<'p>(store: &'p str, rest: &str, project: &FileSet) -> Option<Place<'p>> {
    let parts: Vec<&str> = rest.split('/').collect();
    let place = |kind, depth: usize| {
        Some(Place {
            store,
            kind,
            key: join(store, &parts[..depth].join("/")),
        })
    };
    match parts.as_slice() {
        [dir, _, tail @ ..] if *dir == REGISTRY_DIR => {
            if is_registry_member(tail) {
                place(UnitKind::RegisteredModel, 2)
            } else {
                None
            }
        }
        [exp, ..] if !is_experiment_id(exp) => None,
        [_, "meta.yaml"] | [_, "tags", _, ..] | [_, "datasets", _, "meta.yaml"] => {
            place(UnitKind::Experiment, 1)
        }
        [_, "models", _, "meta.yaml"] => place(UnitKind::LoggedModel, 3),
        [_, entry, ..] if EXPERIMENT_ENTRIES.contains(entry) => None,
        [exp, _, "outputs", model, "meta.yaml"] => {
            // With the model it points at when that model is here, so that the model's unit
            // writes each run -> model edge once (see the module docs).
            let model_dir = join(store, &format!("{exp}/models/{model}"));
            if project.contains(&format!("{model_dir}/meta.yaml")) {
                Some(Place {
                    store,
                    kind: UnitKind::LoggedModel,
                    key: model_dir,
                })
            } else {
                place(UnitKind::Run, 2)
            }
        }
        [_, _, "meta.yaml"]
        | [_, _, "params" | "tags" | "metrics", _, ..]
        | [_, _, "inputs", _, "meta.yaml"] => place(UnitKind::Run, 2),
        _ => None,
    }
}

/// Whether `tail`, a path inside a registered model's folder, is one of its metadata files.
fn is_registry_member(tail: &[&str]) -> bool {
    match tail {
        ["meta.yaml"] | ["aliases", _] | ["tags", _, ..] => true,
        [version, "meta.yaml"] | [version, "tags", _, ..] => version.starts_with("version-"),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Experiments

fn read_experiment(unit: &UnitInput<'_>) -> Records {
    let dir = unit.key;
    let mut out = Records::default();
    let mut experiment = Experiment {
        source: source::MLFLOW,
        external_id: split_parent(dir).1.to_string(),
        name: None,
        lifecycle: None,
        tags: Vec::new(),
    };
    let mut has_meta = false;
    for (path, rel) in members(unit) {
        if rel == "meta.yaml" {
            has_meta = true;
            let Some(doc) = yaml_file(unit, path, &mut out.problems) else {
                continue;
            };
            if let Some(id) = text_at(&doc, "experiment_id") {
                experiment.external_id = id;
            }
            experiment.name = text_at(&doc, "name");
            experiment.lifecycle = text_at(&doc, "lifecycle_stage");
            if experiment.name.is_none() {
                out.problems.push(problem(
                    path,
                    "experiment meta.yaml has no name: expected the fields MLflow writes (name, experiment_id, lifecycle_stage)",
                ));
            }
        } else if let Some(key) = rel.strip_prefix("tags/") {
            if let Some(value) = text_file(unit, path, &mut out.problems) {
                experiment.tags.push((key.to_string(), value));
            }
        } else if rel.starts_with("datasets/") {
            // Runs read these for their lineage; a broken one is reported here, once.
            if let Some(doc) = yaml_file(unit, path, &mut out.problems)
                && let Err(message) = dataset_source(&doc)
            {
                out.problems.push(problem(path, message));
            }
        }
    }
    if !has_meta {
        out.problems.push(problem(
            dir,
            "experiment folder has no meta.yaml: expected MLflow's experiment metadata (name, experiment_id, lifecycle_stage)",
        ));
    }
    out.experiments.push(experiment);
    out
}

// ---------------------------------------------------------------------------------------------
// Runs

fn read_run(unit: &UnitInput<'_>, store: &str) -> Records {
    let dir = unit.key;
    let (exp_dir, folder) = split_parent(dir);
    let mut out = Records::default();
    let mut run = Run::new(source::MLFLOW, folder);
    run.path = Some(dir.to_string());
    run.experiment_id = Some(split_parent(exp_dir).1.to_string());

    let mut meta = None;
    let mut datasets = Vec::new();
    let mut models = Vec::new();
    for (path, rel) in members(unit) {
        if rel == "meta.yaml" {
            meta = Some(yaml_file(unit, path, &mut out.problems));
        } else if let Some(key) = rel.strip_prefix("params/") {
            if let Some(value) = text_file(unit, path, &mut out.problems) {
                run.params.push((key.to_string(), value));
            }
        } else if let Some(key) = rel.strip_prefix("tags/") {
            if let Some(value) = text_file(unit, path, &mut out.problems) {
                run.tags.push((key.to_string(), value));
            }
        } else if let Some(key) = rel.strip_prefix("metrics/") {
            if let Some(text) = text_file(unit, path, &mut out.problems) {
                let bad = parse_metric_history(key, &text, &mut run.metrics);
                if let Some(message) = bad.message() {
                    out.problems.push(problem(path, message));
                }
            }
        } else if rel.starts_with("inputs/") {
            if let Some(doc) = yaml_file(unit, path, &mut out.problems)
                && let Some(id) = input_dataset_id(&doc)
            {
                datasets.push((path, id));
            }
        } else if let Some(rest) = rel.strip_prefix("outputs/") {
            models.push(split_parent(rest).0.to_string());
        }
    }

    match meta {
        Some(Some(doc)) => apply_run_meta(&mut run, &doc, &format!("{dir}/meta.yaml"), &mut out.problems),
        Some(None) => {} // unreadable: already a problem
        None => out.problems.push(problem(
            dir,
            "run folder has no meta.yaml: expected MLflow's run metadata (run_id, experiment_id, status, times, user); \
             only its params, tags and metrics were read",
        )),
    }
    if run.name.is_none() {
        run.name = tag(&run, TAG_RUN_NAME).map(str::to_string);
    }
    run.parent_id = tag(&run, TAG_PARENT)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if let Some(user) = tag(&run, TAG_USER) {
        run.user = Some(user.to_string());
    }

    let me = Entity::Run {
        source: source::MLFLOW,
        id: run.external_id.clone(),
    };
    let anchors = anchors(split_parent(store).0);
    let mut used = BTreeSet::new();
    for (input, id) in datasets {
        let meta_path = format!("{exp_dir}/datasets/{id}/meta.yaml");
        if !unit.project.contains(&meta_path) {
            out.problems.push(problem(
                input,
                format!("the run used dataset {id}, but {meta_path} is missing: expected MLflow's record of the dataset"),
            ));
            continue;
        }
        // A dataset meta.yaml that cannot be read is reported by the experiment's unit.
        let Ok(doc) = read_yaml(unit, &meta_path) else {
            continue;
        };
        let Ok(Some(uri)) = dataset_source(&doc) else {
            continue;
        };
        if let Some(path) = resolve_stale(&uri, &anchors, |p| exists(unit.project, p)) {
            used.insert(path);
        }
    }
    for path in used {
        out.lineage.push(Lineage {
            from: me.clone(),
            to: Entity::Dataset { path },
            relation: "used",
        });
    }
    let produced: BTreeSet<String> = models
        .into_iter()
        .map(|m| format!("{exp_dir}/models/{m}/artifacts"))
        .collect();
    for path in produced {
        out.lineage.push(Lineage {
            from: me.clone(),
            to: Entity::Model { path },
            relation: "produced",
        });
    }
    out.runs.push(run);
    out
}

/// Sets what a run's `meta.yaml` says, and files a problem for each field it lacks.
fn apply_run_meta(run: &mut Run, doc: &Yaml, path: &str, problems: &mut Vec<Problem>) {
    let mut missing: Vec<&str> = RUN_FIELDS
        .iter()
        .copied()
        .filter(|k| field(doc, k).is_none())
        .collect();
    match field(doc, "run_id")
        .or_else(|| field(doc, "run_uuid"))
        .and_then(text)
    {
        Some(id) => {
            if id != run.external_id {
                problems.push(problem(
                    path,
                    format!("run_id {id} differs from the run's folder name {}: MLflow names the folder after the run", run.external_id),
                ));
            }
            run.external_id = id;
        }
        None => missing.insert(0, "run_id"),
    }
    if !missing.is_empty() {
        problems.push(problem(
            path,
            format!(
                "run meta.yaml lacks {}: expected every field MLflow writes for a run (run_id, {})",
                missing.join(", "),
                RUN_FIELDS.join(", ")
            ),
        ));
    }
    if let Some(id) = text_at(doc, "experiment_id") {
        run.experiment_id = Some(id);
    }
    if let Some(status) = field(doc, "status").filter(|v| !v.is_null()) {
        run.status = run_status(status);
        if run.status.is_none() {
            problems.push(problem(
                path,
                format!(
                    "unknown run status {}: expected 1-5 (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)",
                    text(status).unwrap_or_default()
                ),
            ));
        }
    }
    run.start_ms = field(doc, "start_time").and_then(int);
    run.end_ms = field(doc, "end_time").and_then(int);
    run.lifecycle = text_at(doc, "lifecycle_stage");
    run.user = text_at(doc, "user_id").filter(|u| !u.is_empty());
    run.name = text_at(doc, "run_name").filter(|n| !n.is_empty());
}

fn run_status(value: &Yaml) -> Option<String> {
    match value {
        Yaml::Integer(n) => usize::try_from(*n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| RUN_STATUSES.get(i))
            .map(|s| s.to_string()),
        Yaml::String(s) => RUN_STATUSES
            .iter()
            .find(|known| known.eq_ignore_ascii_case(s))
            .map(|s| s.to_string()),
        _ => None,
    }
}

fn tag<'r>(run: &'r Run, key: &str) -> Option<&'r str> {
    run.tags
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The dataset id an `inputs/<id>/meta.yaml` points at, if it is a dataset input.
fn input_dataset_id(doc: &Yaml) -> Option<String> {
    let source_type = text_at(doc, "source_type");
    if source_type.as_deref().is_some_and(|t| t != "DATASET") {
        return None;
    }
    field(doc, "source_id")
        .or_else(|| field(doc, "destination_id"))
        .and_then(text)
}

/// The location in a dataset's `source` (a JSON string such as `{"uri": "/data/train.csv"}`):
/// `Ok(None)` for sources without one (code, a table name), `Err` when it is not JSON.
fn dataset_source(doc: &Yaml) -> Result<Option<String>, String> {
    let Some(raw) = text_at(doc, "source") else {
        return Ok(None);
    };
    location_in_source(&raw)
}

/// The `uri` (or `path`) of an MLflow dataset source JSON.
pub(crate) fn location_in_source(raw: &str) -> Result<Option<String>, String> {
    let json: serde_json::Value = serde_json::from_str(raw)
        .map_err(|err| format!("dataset source is not JSON ({err}): expected an object such as {{\"uri\": \"/data/train.csv\"}}"))?;
    Ok(["uri", "path"]
        .iter()
        .find_map(|k| json.get(k).and_then(|v| v.as_str()))
        .map(str::to_string))
}

// ---------------------------------------------------------------------------------------------
// Metric histories

/// The lines of a metric file that could not be read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct BadLines {
    pub count: usize,
    /// The first one: its line number (1-based) and its start.
    pub first: Option<(usize, String)>,
}

impl BadLines {
    fn message(&self) -> Option<String> {
        let (line, snippet) = self.first.as_ref()?;
        let more = match self.count {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        Some(format!(
            "malformed metric line {line} (`{snippet}`){more}, skipped: expected `<timestamp_ms> <value> [<step>]` \
             with an integer timestamp and step and a float value"
        ))
    }
}

/// Appends the points of a metric file to `out`, and returns the lines it skipped.
///
/// Lines are `<ts> <value> <step>`, legacy `<ts> <value>` (step 0), or with more fields after the
/// step (dataset name and digest; a run id in logged-model metrics), which are ignored. Values use
/// Python's float repr, and `str::parse::<f64>` reads all of it: `nan`, `inf`, `-inf`, `1e-05`.
/// Duplicate lines are kept: the catalog writer deduplicates on (key, step, timestamp).
pub(crate) fn parse_metric_history(key: &str, text: &str, out: &mut Vec<MetricPoint>) -> BadLines {
    let mut bad = BadLines::default();
    // A line is about 28 bytes ("1795641649165 0.857909 0\n" plus a longer step).
    out.reserve(text.len() / 24);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_metric_line(line) {
            Some((ts_ms, value, step)) => out.push(MetricPoint {
                key: key.to_string(),
                step,
                ts_ms,
                value,
            }),
            None => {
                bad.count += 1;
                if bad.first.is_none() {
                    bad.first = Some((i + 1, line.chars().take(SNIPPET_CHARS).collect()));
                }
            }
        }
    }
    bad
}

fn parse_metric_line(line: &str) -> Option<(i64, f64, i64)> {
    let mut fields = line.split_ascii_whitespace();
    let ts = fields.next()?.parse().ok()?;
    let value = fields.next()?.parse().ok()?;
    let step = match fields.next() {
        Some(step) => step.parse().ok()?,
        None => 0,
    };
    Some((ts, value, step))
}

// ---------------------------------------------------------------------------------------------
// Logged models

fn read_logged_model(unit: &UnitInput<'_>, store: &str) -> Records {
    let dir = unit.key;
    let model_id = split_parent(dir).1;
    let meta_path = format!("{dir}/meta.yaml");
    let mut out = Records::default();
    let mut model_path = format!("{dir}/artifacts");
    let mut runs = BTreeSet::new();
    for f in unit.files {
        let path = f.path.as_str();
        if path == meta_path {
            let Some(doc) = yaml_file(unit, path, &mut out.problems) else {
                continue;
            };
            // Null for a model that no run logged (`mlflow.create_external_model`).
            if let Some(run) = text_at(&doc, "source_run_id").filter(|r| !r.is_empty()) {
                runs.insert(run);
            }
            let anchors = anchors(split_parent(store).0);
            if let Some(found) = text_at(&doc, "artifact_location")
                .and_then(|uri| resolve_stale(&uri, &anchors, |p| holds_mlmodel(unit.project, p)))
            {
                model_path = found;
            }
        } else if let Some(run_dir) = path.strip_suffix(&format!("/outputs/{model_id}/meta.yaml")) {
            // Its path says all that is needed: this run produced this model.
            runs.insert(split_parent(run_dir).1.to_string());
        }
    }
    for run in runs {
        out.lineage.push(Lineage {
            from: Entity::Run {
                source: source::MLFLOW,
                id: run,
            },
            to: Entity::Model {
                path: model_path.clone(),
            },
            relation: "produced",
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The Model Registry

fn read_registered_model(unit: &UnitInput<'_>) -> Records {
    let dir = unit.key;
    let mut out = Records::default();
    let mut model = RegisteredModel {
        source: source::MLFLOW,
        name: split_parent(dir).1.to_string(),
        description: None,
        tags: Vec::new(),
        aliases: Vec::new(),
        versions: Vec::new(),
    };
    let mut aliases = BTreeMap::new();
    let mut versions: BTreeMap<&str, ModelVersion> = BTreeMap::new();
    let mut deleted = BTreeSet::new();
    for (path, rel) in members(unit) {
        match rel.split_once('/') {
            None => {
                let Some(doc) = yaml_file(unit, path, &mut out.problems) else {
                    continue;
                };
                if let Some(name) = text_at(&doc, "name") {
                    model.name = name;
                }
                model.description = text_at(&doc, "description").filter(|d| !d.is_empty());
                // Its `aliases` copy what `aliases/` holds; MLflow reads the folder.
            }
            Some(("aliases", alias)) => {
                if let Some(version) = text_file(unit, path, &mut out.problems) {
                    aliases.insert(alias.to_string(), version.trim().to_string());
                }
            }
            Some(("tags", key)) => {
                if let Some(value) = text_file(unit, path, &mut out.problems) {
                    model.tags.push((key.to_string(), value));
                }
            }
            Some((folder, rest)) => {
                let version = versions.entry(folder).or_insert_with(|| ModelVersion {
                    version: folder.trim_start_matches("version-").to_string(),
                    run_id: None,
                    model_id: None,
                    source_uri: None,
                    status: None,
                    tags: Vec::new(),
                });
                if rest == "meta.yaml" {
                    let Some(doc) = yaml_file(unit, path, &mut out.problems) else {
                        continue;
                    };
                    if let Some(v) = text_at(&doc, "version") {
                        version.version = v;
                    }
                    version.run_id = text_at(&doc, "run_id").filter(|r| !r.is_empty());
                    version.source_uri = text_at(&doc, "source");
                    version.model_id = text_at(&doc, "model_id")
                        .or_else(|| version.source_uri.as_deref().and_then(logged_model_id));
                    version.status = text_at(&doc, "status");
                    if text_at(&doc, "current_stage").as_deref() == Some(DELETED_VERSION_STAGE) {
                        deleted.insert(folder);
                    }
                } else if let Some(key) = rest.strip_prefix("tags/")
                    && let Some(value) = text_file(unit, path, &mut out.problems)
                {
                    version.tags.push((key.to_string(), value));
                }
            }
        }
    }
    model.aliases = aliases.into_iter().collect();
    model.versions = versions
        .into_iter()
        .filter(|(folder, _)| !deleted.contains(folder))
        .map(|(_, v)| v)
        .collect();
    model.versions.sort_by_key(|v| {
        (
            v.version.parse::<i64>().unwrap_or(i64::MAX),
            v.version.clone(),
        )
    });
    out.registered_models.push(model);
    out
}

/// The logged model id in a model version's `models:/<m-id>` source, if it is one.
pub(crate) fn logged_model_id(source: &str) -> Option<String> {
    let id = source.strip_prefix("models:/")?;
    (id.starts_with("m-") && !id.contains('/')).then(|| id.to_string())
}

// ---------------------------------------------------------------------------------------------
// Stale absolute paths

/// The folders paths are resolved under: the store's parent (the project folder MLflow ran in),
/// then the project itself.
pub(crate) fn anchors(base: &str) -> Vec<&str> {
    if base.is_empty() {
        vec![""]
    } else {
        vec![base, ""]
    }
}

/// Resolves a path or `file:` URI written on another machine to a project-relative path: the
/// longest suffix of it that `exists` under one of `anchors` (project-relative folders, "" for
/// the project itself). `None` for URIs of other schemes (`s3://`, `http://`) and for paths the
/// project does not hold.
///
/// `/home/dana/projects/public/fraud/data/train.csv` with the store's parent as the anchor
/// resolves to `data/train.csv` when the project has that file.
pub(crate) fn resolve_stale(
    uri: &str,
    anchors: &[&str],
    exists: impl Fn(&str) -> bool,
) -> Option<String> {
    let path = local_path(uri)?;
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    // Only what follows the last `..` can be matched without knowing where the path started.
    let first = parts.iter().rposition(|p| *p == "..").map_or(0, |i| i + 1);
    for i in first..parts.len() {
        let suffix = parts[i..].join("/");
        for anchor in anchors {
            let candidate = join(anchor, &suffix);
            if exists(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// The path in a `file:` URI or a plain path, with `/` separators; `None` for other schemes.
fn local_path(uri: &str) -> Option<String> {
    let path = if let Some(rest) = uri.strip_prefix("file://") {
        // `file:///abs`, `file://localhost/abs`; MLflow also writes `file://mlruns/1` for
        // relative paths, whose "host" is the first folder, so it is kept as part of the path.
        percent_decode(rest.strip_prefix("localhost/").unwrap_or(rest))
    } else if let Some(rest) = uri.strip_prefix("file:") {
        percent_decode(rest)
    } else if has_scheme(uri) {
        return None;
    } else {
        uri.to_string()
    };
    Some(path.replace('\\', "/"))
}

/// Whether `s` starts with a URI scheme (`s3:`, `mlflow-artifacts:`), not a drive letter (`C:`).
fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) if i > 1 => {
            let scheme = &s[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the project has a file or a folder at `path`.
pub(crate) fn exists(project: &FileSet, path: &str) -> bool {
    project.contains(path) || project.under(path).next().is_some()
}

/// Whether `dir` is an MLflow model folder of the project.
pub(crate) fn holds_mlmodel(project: &FileSet, dir: &str) -> bool {
    project.contains(&join(dir, "MLmodel"))
}

// ---------------------------------------------------------------------------------------------
// Files and YAML

/// The unit's files with their paths relative to the unit's folder.
fn members<'u>(unit: &'u UnitInput<'_>) -> impl Iterator<Item = (&'u str, &'u str)> + 'u {
    let prefix_len = unit.key.len() + 1;
    unit.files
        .iter()
        .filter_map(move |f| Some((f.path.as_str(), f.path.get(prefix_len..)?)))
}

/// A param, tag or alias file: the raw value (MLflow writes no trailing newline, and a value may
/// span lines). Text that is not UTF-8 is read with replacement characters, and reported.
fn text_file(unit: &UnitInput<'_>, path: &str, problems: &mut Vec<Problem>) -> Option<String> {
    match std::fs::read(unit.abs(path)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(err) => {
                problems.push(problem(
                    path,
                    "not UTF-8 text (MLflow writes UTF-8): read with replacement characters",
                ));
                Some(String::from_utf8_lossy(err.as_bytes()).into_owned())
            }
        },
        Err(err) => {
            problems.push(problem(path, FileError::from(err).to_string()));
            None
        }
    }
}

/// A YAML mapping file, or `None` with a problem filed.
fn yaml_file(unit: &UnitInput<'_>, path: &str, problems: &mut Vec<Problem>) -> Option<Yaml> {
    match read_yaml(unit, path) {
        Ok(doc) => Some(doc),
        Err(err) => {
            problems.push(problem(path, err.to_string()));
            None
        }
    }
}

fn read_yaml(unit: &UnitInput<'_>, path: &str) -> Result<Yaml, FileError> {
    let bytes = std::fs::read(unit.abs(path))?;
    parse_yaml(&String::from_utf8_lossy(&bytes))
}

fn parse_yaml(text: &str) -> Result<Yaml, FileError> {
    let doc = YamlLoader::load_from_str(text)?
        .into_iter()
        .next()
        .unwrap_or(Yaml::Null);
    match doc {
        Yaml::Hash(_) => Ok(doc),
        other => Err(FileError::NotAMapping {
            found: yaml_kind(&other),
        }),
    }
}

fn yaml_kind(v: &Yaml) -> &'static str {
    match v {
        Yaml::Null => "an empty document",
        Yaml::Array(_) => "a list",
        Yaml::Hash(_) => "a mapping",
        Yaml::String(_) | Yaml::Integer(_) | Yaml::Real(_) | Yaml::Boolean(_) => "a single value",
        Yaml::Alias(_) | Yaml::BadValue => "something unreadable",
    }
}

/// A field that is present (possibly null).
fn field<'y>(doc: &'y Yaml, key: &str) -> Option<&'y Yaml> {
    match &doc[key] {
        Yaml::BadValue => None,
        v => Some(v),
    }
}

/// The scalar at `key` as text ([`text`]).
fn text_at(doc: &Yaml, key: &str) -> Option<String> {
    field(doc, key).and_then(text)
}

/// A scalar as text (MLflow quotes ids, but older stores and hand edits may not).
fn text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(n) => Some(n.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn int(v: &Yaml) -> Option<i64> {
    match v {
        Yaml::Integer(n) => Some(*n),
        Yaml::String(s) => s.trim().parse().ok(),
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| x as i64),
        _ => None,
    }
}

pub(crate) fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else {
        format!("{dir}/{rel}")
    }
}

fn problem(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------

/// Test support shared with the SQLite store's tests: the ground truth of the manifests, in one
/// shape for both stores, and one check of a reader's records against it.
#[cfg(test)]
pub(crate) mod manifest {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use serde_json::Value;

    use crate::record::{Entity, MetricPoint, Records};

    pub fn load(path: &Path) -> Value {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    /// The value at the largest step of each metric, ties broken by the latest timestamp (and
    /// then by the later line, as the catalog writer does).
    pub fn final_values(points: &[MetricPoint]) -> BTreeMap<&str, f64> {
        let mut finals: BTreeMap<&str, &MetricPoint> = BTreeMap::new();
        for p in points {
            let entry = finals.entry(p.key.as_str()).or_insert(p);
            if (p.step, p.ts_ms) >= (entry.step, entry.ts_ms) {
                *entry = p;
            }
        }
        finals.into_iter().map(|(k, p)| (k, p.value)).collect()
    }

    #[derive(Debug)]
    pub struct ExpectedStore {
        pub experiments: BTreeMap<String, ExpectedExperiment>,
        pub runs: BTreeMap<String, ExpectedRun>,
        pub registered: BTreeMap<String, ExpectedRegistered>,
        pub summary: Value,
    }

    #[derive(Debug, PartialEq)]
    pub struct ExpectedExperiment {
        pub name: Option<String>,
        pub lifecycle: Option<String>,
        pub tags: BTreeMap<String, String>,
    }

    #[derive(Debug)]
    pub struct ExpectedRun {
        pub name: Option<String>,
        pub experiment_id: Option<String>,
        pub status: Option<String>,
        pub lifecycle: Option<String>,
        pub parent: Option<String>,
        pub start_ms: Option<i64>,
        pub end_ms: Option<i64>,
        pub params: BTreeMap<String, String>,
        pub tags: BTreeMap<String, String>,
        pub finals: BTreeMap<String, f64>,
        /// Per metric: lines logged (duplicates included) and distinct steps.
        pub counts: BTreeMap<String, (usize, usize)>,
        pub datasets: BTreeSet<String>,
        pub models: BTreeSet<String>,
    }

    #[derive(Debug, PartialEq)]
    pub struct ExpectedRegistered {
        pub description: Option<String>,
        pub tags: BTreeMap<String, String>,
        pub aliases: BTreeMap<String, String>,
        /// version -> (run id, logged model id, source, status, tags)
        pub versions: BTreeMap<String, ExpectedVersion>,
    }

    #[derive(Debug, PartialEq)]
    pub struct ExpectedVersion {
        pub run_id: Option<String>,
        pub model_id: Option<String>,
        pub source_uri: Option<String>,
        pub status: Option<String>,
        pub tags: BTreeMap<String, String>,
    }

    impl ExpectedStore {
        /// A project of `fixtures-public` (`MANIFEST.json` -> `projects.<name>`). Dataset inputs
        /// name a logged dataset by name and digest; its source URI ends with the dataset's
        /// project path, one of the keys of the project's `datasets`.
        pub fn from_fixture(project: &Value) -> ExpectedStore {
            let logged = project["mlflow_datasets"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let paths: Vec<&String> = project["datasets"]
                .as_object()
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            let dataset_path = |input: &Value| -> String {
                let ds = logged
                    .iter()
                    .find(|d| d["name"] == input["name"] && d["digest"] == input["digest"])
                    .unwrap_or_else(|| panic!("no logged dataset for input {input}"));
                let uri = ds["source"]["uri"].as_str().unwrap();
                paths
                    .iter()
                    .find(|p| uri.ends_with(&format!("/{p}")))
                    .unwrap_or_else(|| panic!("no project dataset at the end of {uri}"))
                    .to_string()
            };
            let model_path = |id: &str| -> String {
                let model = find_model(&project["logged_models"], id);
                let mlmodel = model["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|f| f.ends_with("/MLmodel"))
                    .unwrap();
                mlmodel.trim_end_matches("/MLmodel").to_string()
            };
            ExpectedStore::build(
                project,
                &project["registered_models"],
                dataset_path,
                model_path,
            )
        }

        /// The demo workspace (`assets/demo/MANIFEST.json` -> `mlflow`): inputs name the dataset
        /// by id, and each dataset has its `local_path`.
        pub fn from_demo(mlflow: &Value) -> ExpectedStore {
            let dataset_path = |input: &Value| -> String {
                let ds = mlflow["datasets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["dataset_id"] == input["dataset_id"])
                    .unwrap();
                ds["local_path"].as_str().unwrap().to_string()
            };
            let model_path = |id: &str| -> String {
                let file = find_model(&mlflow["logged_models"], id)["model_file"]
                    .as_str()
                    .unwrap();
                crate::scan::split_parent(file).0.to_string()
            };
            let registry = Value::Array(vec![mlflow["registry"].clone()]);
            ExpectedStore::build(mlflow, &registry, dataset_path, model_path)
        }

        fn build(
            store: &Value,
            registry: &Value,
            dataset_path: impl Fn(&Value) -> String,
            model_path: impl Fn(&str) -> String,
        ) -> ExpectedStore {
            let experiments = array(&store["experiments"])
                .map(|e| {
                    (
                        string(&e["experiment_id"]).unwrap(),
                        ExpectedExperiment {
                            name: string(&e["name"]),
                            lifecycle: string(&e["lifecycle_stage"]),
                            tags: strings(&e["tags"]),
                        },
                    )
                })
                .collect();
            let runs = array(&store["runs"])
                .map(|r| {
                    let mut tags = strings(&r["tags"]);
                    tags.extend(strings(&r["system_tags"]));
                    let metrics = r["metrics"].as_object().cloned().unwrap_or_default();
                    let run = ExpectedRun {
                        name: string(&r["run_name"]),
                        experiment_id: string(&r["experiment_id"]),
                        status: string(&r["status"]),
                        lifecycle: string(&r["lifecycle_stage"]),
                        parent: string(&r["parent_run_id"]),
                        start_ms: r["start_time"].as_i64(),
                        end_ms: r["end_time"].as_i64(),
                        params: strings(&r["params"]),
                        tags,
                        finals: r["final_metrics"]
                            .as_object()
                            .unwrap()
                            .iter()
                            .map(|(k, v)| (k.clone(), number(v)))
                            .collect(),
                        counts: metrics
                            .iter()
                            .map(|(k, m)| {
                                let n = |f: &str| m[f].as_u64().unwrap() as usize;
                                (k.clone(), (n("num_values"), n("num_steps")))
                            })
                            .collect(),
                        datasets: array(&r["dataset_inputs"]).map(&dataset_path).collect(),
                        models: array(&r["logged_model_ids"])
                            .map(|id| model_path(id.as_str().unwrap()))
                            .collect(),
                    };
                    (string(&r["run_id"]).unwrap(), run)
                })
                .collect();
            let registered = array(registry)
                .map(|m| {
                    let versions = array(&m["versions"])
                        .map(|v| {
                            (
                                string(&v["version"]).unwrap(),
                                ExpectedVersion {
                                    run_id: string(&v["run_id"]),
                                    model_id: string(&v["model_id"])
                                        .or_else(|| string(&v["source_model_id"])),
                                    source_uri: string(&v["source"]),
                                    status: string(&v["status"]),
                                    tags: strings(&v["tags"]),
                                },
                            )
                        })
                        .collect();
                    (
                        string(&m["name"]).unwrap(),
                        ExpectedRegistered {
                            description: string(&m["description"]),
                            tags: strings(&m["tags"]),
                            aliases: strings(&m["aliases"]),
                            versions,
                        },
                    )
                })
                .collect();
            ExpectedStore {
                experiments,
                runs,
                registered,
                summary: store["summary"].clone(),
            }
        }
    }

    fn find_model<'v>(models: &'v Value, id: &str) -> &'v Value {
        array(models)
            .find(|m| m["model_id"] == id)
            .unwrap_or_else(|| panic!("logged model {id} is not in the manifest"))
    }

    fn array(v: &Value) -> impl Iterator<Item = &Value> {
        v.as_array().into_iter().flatten()
    }

    /// A string, or a number as text (versions and aliases are numbers in the manifests).
    fn string(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn strings(v: &Value) -> BTreeMap<String, String> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), string(v).unwrap()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A metric value: a number, or "NaN" / "Infinity" / "-Infinity" (strict JSON).
    fn number(v: &Value) -> f64 {
        match v {
            Value::Number(n) => n.as_f64().unwrap(),
            Value::String(s) => s.parse().unwrap_or_else(|_| panic!("not a number: {s}")),
            other => panic!("not a metric value: {other}"),
        }
    }

    fn same_value(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9
    }

    /// Compares everything a reader found in a store with the ground truth.
    pub fn check_store(records: &Records, expected: &ExpectedStore) {
        assert!(
            records.problems.is_empty(),
            "problems in a clean store: {:#?}",
            records.problems
        );
        let summary = &expected.summary;
        let count = |key: &str| summary[key].as_u64().map(|n| n as usize);

        // Experiments.
        assert_eq!(Some(records.experiments.len()), count("num_experiments"));
        assert_eq!(records.experiments.len(), expected.experiments.len());
        for e in &records.experiments {
            let want = expected
                .experiments
                .get(&e.external_id)
                .unwrap_or_else(|| panic!("unexpected experiment {}", e.external_id));
            let got = ExpectedExperiment {
                name: e.name.clone(),
                lifecycle: e.lifecycle.clone(),
                tags: e.tags.iter().cloned().collect(),
            };
            assert_eq!(&got, want, "experiment {}", e.external_id);
        }

        // Runs, by status and lifecycle.
        assert_eq!(Some(records.runs.len()), count("num_runs"));
        let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
        for r in &records.runs {
            *by_status
                .entry(r.status.clone().unwrap_or_default())
                .or_default() += 1;
        }
        let want_status: BTreeMap<String, u64> = summary["runs_by_status"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        assert_eq!(by_status, want_status);
        let deleted = records
            .runs
            .iter()
            .filter(|r| r.lifecycle.as_deref() == Some("deleted"))
            .count();
        if let Some(n) = count("num_runs_deleted") {
            assert_eq!(deleted, n, "deleted runs");
        }
        let nested = records
            .runs
            .iter()
            .filter(|r| r.parent_id.is_some())
            .count();
        if let Some(n) = count("num_nested_runs") {
            assert_eq!(nested, n, "nested runs");
        }

        // Every run in detail.
        let ids: BTreeSet<&str> = records
            .runs
            .iter()
            .map(|r| r.external_id.as_str())
            .collect();
        assert_eq!(ids, expected.runs.keys().map(String::as_str).collect());
        for r in &records.runs {
            let id = &r.external_id;
            let want = &expected.runs[id];
            assert_eq!(r.name, want.name, "run {id} name");
            assert_eq!(r.experiment_id, want.experiment_id, "run {id} experiment");
            assert_eq!(r.status, want.status, "run {id} status");
            assert_eq!(r.lifecycle, want.lifecycle, "run {id} lifecycle");
            assert_eq!(r.parent_id, want.parent, "run {id} parent");
            assert_eq!(
                (r.start_ms, r.end_ms),
                (want.start_ms, want.end_ms),
                "run {id} times"
            );
            let params: BTreeMap<String, String> = r.params.iter().cloned().collect();
            assert_eq!(params.len(), r.params.len(), "run {id}: a param twice");
            assert_eq!(params, want.params, "run {id} params");
            let tags: BTreeMap<String, String> = r.tags.iter().cloned().collect();
            assert_eq!(tags, want.tags, "run {id} tags");

            let finals = final_values(&r.metrics);
            assert_eq!(
                finals.keys().copied().collect::<Vec<_>>(),
                want.finals.keys().map(String::as_str).collect::<Vec<_>>(),
                "run {id} metric keys"
            );
            for (key, value) in &finals {
                let w = want.finals[*key];
                assert!(
                    same_value(*value, w),
                    "run {id} final {key}: got {value}, want {w}"
                );
            }
            for (key, (values, steps)) in &want.counts {
                let points: Vec<&MetricPoint> =
                    r.metrics.iter().filter(|p| &p.key == key).collect();
                let distinct: BTreeSet<i64> = points.iter().map(|p| p.step).collect();
                assert_eq!(
                    (points.len(), distinct.len()),
                    (*values, *steps),
                    "run {id} {key}: points and steps"
                );
            }

            let mine = Entity::Run {
                source: "mlflow",
                id: id.clone(),
            };
            let ends = |relation: &str| -> BTreeSet<String> {
                records
                    .lineage
                    .iter()
                    .filter(|l| l.from == mine && l.relation == relation)
                    .map(|l| match &l.to {
                        Entity::Dataset { path } | Entity::Model { path } => path.clone(),
                        Entity::Run { id, .. } => format!("run {id}"),
                    })
                    .collect()
            };
            assert_eq!(ends("used"), want.datasets, "run {id} datasets");
            assert_eq!(ends("produced"), want.models, "run {id} models");
        }
        let edges: Vec<_> = records
            .lineage
            .iter()
            .map(|l| format!("{:?}", (&l.from, &l.to, l.relation)))
            .collect();
        let distinct: BTreeSet<_> = edges.iter().collect();
        assert_eq!(
            edges.len(),
            distinct.len(),
            "an edge written twice: {edges:#?}"
        );

        // The registry.
        assert_eq!(
            Some(records.registered_models.len()),
            count("num_registered_models")
        );
        assert_eq!(
            Some(
                records
                    .registered_models
                    .iter()
                    .map(|m| m.versions.len())
                    .sum::<usize>()
            ),
            count("num_model_versions")
        );
        for m in &records.registered_models {
            let want = expected
                .registered
                .get(&m.name)
                .unwrap_or_else(|| panic!("unexpected registered model {}", m.name));
            let got = ExpectedRegistered {
                description: m.description.clone(),
                tags: m.tags.iter().cloned().collect(),
                aliases: m.aliases.iter().cloned().collect(),
                versions: m
                    .versions
                    .iter()
                    .map(|v| {
                        (
                            v.version.clone(),
                            ExpectedVersion {
                                run_id: v.run_id.clone(),
                                model_id: v.model_id.clone(),
                                source_uri: v.source_uri.clone(),
                                status: v.status.clone(),
                                tags: v.tags.iter().cloned().collect(),
                            },
                        )
                    })
                    .collect(),
            };
            assert_eq!(&got, want, "registered model {}", m.name);
        }
        assert!(
            records.models.is_empty(),
            "MLflow models are the model file reader's"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use super::manifest::{ExpectedStore, check_store, final_values, load};
    use super::*;
    use crate::scan::testing::{fixtures, read_all, read_merged};

    use crate::scan::testing::write;

    const RUN: &str = "0123456789abcdef0123456789abcdef";

    fn run_meta(status: u8) -> String {
        format!(
            "artifact_uri: file:///elsewhere/mlruns/1/{RUN}/artifacts\nend_time: 2000\nentry_point_name: ''\n\
             experiment_id: '1'\nlifecycle_stage: active\nrun_id: {RUN}\nrun_name: r\nsource_type: 4\n\
             start_time: 1000\nstatus: {status}\ntags: []\nuser_id: ana\n"
        )
    }

    /// Writes `files` into a fresh store and reads it with this reader.
    fn check(files: &[(&str, &str)], expect: impl FnOnce(&Records)) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        expect(&read_merged(&MlflowFileStore, dir.path()));
    }

    fn fixture_project(name: &str) -> (std::path::PathBuf, ExpectedStore) {
        let manifest = load(&fixtures().join("MANIFEST.json"));
        (
            fixtures().join(name),
            ExpectedStore::from_fixture(&manifest["projects"][name]),
        )
    }

    #[test]
    fn the_fixture_file_store_matches_its_manifest() {
        let (root, expected) = fixture_project("mlflow-filestore-project");
        check_store(&read_merged(&MlflowFileStore, &root), &expected);
    }

    #[test]
    fn the_demo_store_matches_its_manifest() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
        let manifest = load(&root.join("MANIFEST.json"));
        check_store(
            &read_merged(&MlflowFileStore, &root),
            &ExpectedStore::from_demo(&manifest["mlflow"]),
        );
    }

    #[test]
    fn units_are_experiments_runs_logged_models_and_registered_models() {
        let manifest = load(&fixtures().join("MANIFEST.json"));
        let project = &manifest["projects"]["mlflow-filestore-project"];
        let count = |key: &str| project["summary"][key].as_u64().unwrap() as usize;
        let units = read_all(
            &MlflowFileStore,
            &fixtures().join("mlflow-filestore-project"),
        );
        let keys: Vec<&str> = units.iter().map(|(k, _)| k.as_str()).collect();
        let store = project["store_dir"].as_str().unwrap();
        let registry = project["registry_dir"].as_str().unwrap();
        let in_store = |k: &&&str| split_parent(k).0 == store;
        assert_eq!(
            keys.iter().filter(in_store).count(),
            count("num_experiments"),
            "{keys:#?}"
        );
        let runs = keys.iter().filter(|k| {
            project["runs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["run_dir"] == **k)
        });
        assert_eq!(runs.count(), count("num_runs"), "{keys:#?}");
        let logged = keys
            .iter()
            .filter(|k| split_parent(split_parent(k).0).1 == "models" && !k.starts_with(registry));
        assert_eq!(logged.count(), count("num_logged_models"), "{keys:#?}");
        let registered = keys.iter().filter(|k| split_parent(k).0 == registry);
        assert_eq!(
            registered.count(),
            count("num_registered_models"),
            "{keys:#?}"
        );
        assert_eq!(
            keys.len(),
            count("num_experiments")
                + count("num_runs")
                + count("num_logged_models")
                + count("num_registered_models"),
            "{keys:#?}"
        );
        for (key, records) in &units {
            let total = records.experiments.len()
                + records.runs.len()
                + records.registered_models.len()
                + records.lineage.len();
            assert!(total > 0, "unit {key} yields nothing");
        }
    }

    #[test]
    fn a_broken_run_yields_what_it_can_and_names_each_problem() {
        let manifest = load(&fixtures().join("MANIFEST.json"));
        let project = &manifest["projects"]["plain-project"];
        let records = read_merged(&MlflowFileStore, &fixtures().join("plain-project"));
        let broken: Vec<&str> = project["broken_files"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["path"].as_str())
            .filter(|p| p.contains("/mlruns/"))
            .collect();
        assert!(!broken.is_empty());
        for path in &broken {
            assert!(
                records.problems.iter().any(|p| &p.path == path),
                "no problem for {path}: {:#?}",
                records.problems
            );
        }
        let meta = project["broken_files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with("meta.yaml")))
            .unwrap();
        let message = &records
            .problems
            .iter()
            .find(|p| p.path == meta["path"])
            .unwrap()
            .message;
        for missing in meta["fields_missing"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
        {
            if RUN_FIELDS.contains(&missing) {
                assert!(
                    message.contains(missing),
                    "{message} does not name {missing}"
                );
            }
        }
        // The run is still there, with the valid lines of its metric file.
        assert_eq!(records.runs.len(), 1);
        let run = &records.runs[0];
        assert_eq!(run.status.as_deref(), Some("FINISHED"));
        assert!(!run.metrics.is_empty());
        assert!(run.metrics.iter().all(|p| p.value.is_finite()));
    }

    #[test]
    fn metric_lines_in_every_form_mlflow_writes() {
        let text = "1000 0.5 0\n1001 nan 1\n1002 inf 2\n1003 -inf 3\n1004 0.25\n\
                    1005 1e-05 4 train 3511497a\n1006 0.6699999999999999 5 m-1\n1006 0.6699999999999999 5 m-1\n";
        let mut points = Vec::new();
        let bad = parse_metric_history("val/loss", text, &mut points);
        assert_eq!(bad, BadLines::default());
        let got: Vec<(i64, i64)> = points.iter().map(|p| (p.ts_ms, p.step)).collect();
        assert_eq!(
            got,
            [
                (1000, 0),
                (1001, 1),
                (1002, 2),
                (1003, 3),
                (1004, 0),
                (1005, 4),
                (1006, 5),
                (1006, 5)
            ]
        );
        assert!(points[1].value.is_nan());
        assert_eq!(points[2].value, f64::INFINITY);
        assert_eq!(points[3].value, f64::NEG_INFINITY);
        assert_eq!(points[5].value, 1e-5);
        assert_eq!(points[6].value, 0.6699999999999999);
        assert!(points.iter().all(|p| p.key == "val/loss"));
    }

    #[test]
    fn a_malformed_metric_line_is_skipped_and_named() {
        let mut points = Vec::new();
        let bad = parse_metric_history(
            "loss",
            "1 0.5 0\nnot-a-number oops\n2 0.4\n3 x 1\n\n",
            &mut points,
        );
        assert_eq!(points.len(), 2);
        assert_eq!(bad.count, 2);
        assert_eq!(bad.first, Some((2, "not-a-number oops".to_string())));
        let message = bad.message().unwrap();
        assert!(
            message.contains("line 2")
                && message.contains("1 more")
                && message.contains("<timestamp_ms>"),
            "{message}"
        );
    }

    #[test]
    fn the_final_value_is_at_the_largest_step_then_the_latest_timestamp() {
        let p = |step, ts_ms, value| MetricPoint {
            key: "m".into(),
            step,
            ts_ms,
            value,
        };
        assert_eq!(
            final_values(&[p(2, 10, 1.0), p(3, 5, 2.0), p(1, 99, 3.0)])["m"],
            2.0
        );
        assert_eq!(
            final_values(&[p(3, 10, 1.0), p(3, 12, 2.0), p(3, 11, 3.0)])["m"],
            2.0
        );
    }

    #[test]
    fn a_hand_written_run_with_nested_keys_multiline_tags_and_odd_metrics() {
        let run_dir = format!("mlruns/1/{RUN}");
        check(
            &[
                (
                    "mlruns/0/meta.yaml",
                    "experiment_id: '0'\nname: Default\nlifecycle_stage: active\n",
                ),
                (
                    "mlruns/1/meta.yaml",
                    "experiment_id: '1'\nname: e\nlifecycle_stage: deleted\n",
                ),
                ("mlruns/1/tags/team/sub", "core"),
                (&format!("{run_dir}/meta.yaml"), &run_meta(5)),
                (&format!("{run_dir}/params/model/depth"), "3"),
                (&format!("{run_dir}/params/empty"), ""),
                (&format!("{run_dir}/tags/notes"), "line one\nline two\n"),
                (
                    &format!("{run_dir}/tags/mlflow.parentRunId"),
                    "fedcba9876543210fedcba9876543210",
                ),
                (&format!("{run_dir}/tags/mlflow.user"), "ana.b"),
                (
                    &format!("{run_dir}/metrics/train/loss"),
                    "1000 nan 0\n1001 inf 1\n1002 0.25\n",
                ),
                (
                    &format!("{run_dir}/artifacts/model/MLmodel"),
                    "flavors: {}\n",
                ),
            ],
            |r| {
                assert!(r.problems.is_empty(), "{:#?}", r.problems);
                let exp = r.experiments.iter().find(|e| e.external_id == "1").unwrap();
                assert_eq!(exp.lifecycle.as_deref(), Some("deleted"));
                assert_eq!(exp.tags, [("team/sub".to_string(), "core".to_string())]);
                let [run] = r.runs.as_slice() else {
                    panic!("{:#?}", r.runs)
                };
                assert_eq!(run.external_id, RUN);
                assert_eq!(run.status.as_deref(), Some("KILLED"));
                assert_eq!((run.start_ms, run.end_ms), (Some(1000), Some(2000)));
                assert_eq!(
                    run.user.as_deref(),
                    Some("ana.b"),
                    "the mlflow.user tag wins over user_id"
                );
                assert_eq!(
                    run.parent_id.as_deref(),
                    Some("fedcba9876543210fedcba9876543210")
                );
                assert_eq!(run.path.as_deref(), Some(run_dir.as_str()));
                let params: BTreeMap<_, _> = run.params.iter().cloned().collect();
                assert_eq!(params["model/depth"], "3");
                assert_eq!(params["empty"], "");
                let tags: BTreeMap<_, _> = run.tags.iter().cloned().collect();
                assert_eq!(
                    tags["notes"], "line one\nline two\n",
                    "values are kept byte for byte"
                );
                let finals = final_values(&run.metrics);
                assert_eq!(
                    finals["train/loss"],
                    f64::INFINITY,
                    "step 1 beats the legacy line's step 0"
                );
                assert_eq!(run.metrics.len(), 3);
            },
        );
    }

    #[test]
    fn broken_files_become_problems_and_the_rest_is_read() {
        let run_dir = format!("mlruns/1/{RUN}");
        check(
            &[
                ("mlruns/0/meta.yaml", "experiment_id: '0'\nname: Default\n"),
                ("mlruns/1/meta.yaml", "name: [unclosed\n"),
                (&format!("{run_dir}/meta.yaml"), &run_meta(9)),
                (&format!("{run_dir}/params/lr"), "0.1"),
                (&format!("{run_dir}/metrics/loss"), "1 0.5 0\n1 oops\n"),
                (
                    &format!("{run_dir}/inputs/abc/meta.yaml"),
                    "source_id: d1\nsource_type: DATASET\n",
                ),
                ("mlruns/2/7777/metrics/acc", "5 0.9 0\n"),
            ],
            |r| {
                let about = |path: &str| -> Vec<&str> {
                    r.problems
                        .iter()
                        .filter(|p| p.path == path)
                        .map(|p| p.message.as_str())
                        .collect()
                };
                assert!(
                    about("mlruns/1/meta.yaml")[0].starts_with("invalid YAML"),
                    "{:#?}",
                    r.problems
                );
                assert!(about(&format!("{run_dir}/meta.yaml"))[0].contains("unknown run status 9"));
                assert!(about(&format!("{run_dir}/metrics/loss"))[0].contains("line 2"));
                assert!(
                    about(&format!("{run_dir}/inputs/abc/meta.yaml"))[0]
                        .contains("datasets/d1/meta.yaml is missing")
                );
                assert!(about("mlruns/2/7777")[0].contains("no meta.yaml"));
                assert_eq!(r.runs.len(), 2);
                let run = r.runs.iter().find(|x| x.external_id == RUN).unwrap();
                assert_eq!(run.params, [("lr".to_string(), "0.1".to_string())]);
                assert_eq!(run.metrics.len(), 1);
                let orphan = r.runs.iter().find(|x| x.external_id == "7777").unwrap();
                assert_eq!(orphan.experiment_id.as_deref(), Some("2"));
                assert_eq!(orphan.metrics.len(), 1);
            },
        );
    }

    #[test]
    fn a_store_is_found_by_name_or_by_its_default_experiment_and_artifacts_are_left_alone() {
        let project = FileSet::new(
            [
                "tracking/0/meta.yaml",
                "tracking/5/ab/meta.yaml",
                "results/2024/meta.yaml",
                "mlruns/3/ab/artifacts/x.csv",
                "models/model.pkl",
            ]
            .into_iter()
            .map(|p| WalkedFile {
                path: p.into(),
                size: 1,
                mtime_ns: 0,
            }),
        );
        let key = |path: &str| locate(path, &project).map(|p| (p.key, p.kind));
        assert_eq!(
            key("tracking/5/ab/meta.yaml"),
            Some(("tracking/5/ab".into(), UnitKind::Run))
        );
        assert_eq!(
            key("tracking/0/meta.yaml"),
            Some(("tracking/0".into(), UnitKind::Experiment))
        );
        assert_eq!(key("results/2024/meta.yaml"), None, "not a store");
        assert_eq!(key("mlruns/3/ab/artifacts/x.csv"), None);
        assert_eq!(key("models/model.pkl"), None);
        assert_eq!(key("mlruns/3/traces/t1/tags/x"), None);
        assert_eq!(
            key("mlruns/models/m/version-2/tags/a/b"),
            Some(("mlruns/models/m".into(), UnitKind::RegisteredModel))
        );
        assert_eq!(
            key("mlruns/3/models/m-1/meta.yaml"),
            Some(("mlruns/3/models/m-1".into(), UnitKind::LoggedModel))
        );
        assert_eq!(key("mlruns/3/models/m-1/artifacts/MLmodel"), None);
        assert_eq!(
            key("mlruns/3/ab/outputs/m-1/meta.yaml"),
            Some(("mlruns/3/ab".into(), UnitKind::Run)),
            "model folder missing"
        );
    }

    #[test]
    fn a_project_that_is_the_store_itself() {
        check(
            &[
                (
                    "0/meta.yaml",
                    "experiment_id: '0'\nname: Default\nlifecycle_stage: active\n",
                ),
                (
                    &format!("0/{RUN}/meta.yaml"),
                    &run_meta(3).replace("'1'", "'0'"),
                ),
            ],
            |r| {
                assert!(r.problems.is_empty(), "{:#?}", r.problems);
                assert_eq!(r.runs.len(), 1);
                assert_eq!(r.runs[0].experiment_id.as_deref(), Some("0"));
            },
        );
    }

    #[test]
    fn stale_paths_resolve_to_the_longest_suffix_the_project_holds() {
        let project = FileSet::new(
            [
                "data/train.csv",
                "sub/data/train.csv",
                "train.csv",
                "lake/part-0.parquet",
            ]
            .into_iter()
            .map(|p| WalkedFile {
                path: p.into(),
                size: 1,
                mtime_ns: 0,
            }),
        );
        let resolve =
            |uri: &str, anchors: &[&str]| resolve_stale(uri, anchors, |p| exists(&project, p));
        assert_eq!(
            resolve("/home/dana/projects/p/data/train.csv", &[""]).as_deref(),
            Some("data/train.csv")
        );
        assert_eq!(
            resolve("file:///home/dana/p/data/train.csv", &["sub", ""]).as_deref(),
            Some("sub/data/train.csv")
        );
        assert_eq!(
            resolve("file:///C:/Users/x/other/train.csv", &[""]).as_deref(),
            Some("train.csv")
        );
        assert_eq!(
            resolve("C:\\Users\\x\\data\\train.csv", &[""]).as_deref(),
            Some("data/train.csv")
        );
        assert_eq!(
            resolve("file:///mnt/my%20lake/lake", &[""]).as_deref(),
            Some("lake"),
            "folders count"
        );
        assert_eq!(resolve("s3://bucket/data/train.csv", &[""]), None);
        assert_eq!(resolve("/nowhere/test.parquet", &[""]), None);
    }
}
