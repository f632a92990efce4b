//! What readers return: plain records that refer to each other by the tools' own ids and by
//! project-relative paths, never by catalog rowids, so that any unit can be read alone.

use serde_json::Value;

/// Everything one unit yielded. Readers never fail: what they cannot read becomes a [`Problem`].
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Records {
    pub experiments: Vec<Experiment>,
    pub runs: Vec<Run>,
    pub datasets: Vec<Dataset>,
    pub models: Vec<Model>,
    pub registered_models: Vec<RegisteredModel>,
    pub lineage: Vec<Lineage>,
    pub problems: Vec<Problem>,
}

impl Records {
    /// Records holding just one problem.
    pub fn problem(path: impl Into<String>, message: impl Into<String>) -> Records {
        Records {
            problems: vec![Problem {
                path: path.into(),
                message: message.into(),
            }],
            ..Records::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.experiments.is_empty()
            && self.runs.is_empty()
            && self.datasets.is_empty()
            && self.models.is_empty()
            && self.registered_models.is_empty()
            && self.lineage.is_empty()
            && self.problems.is_empty()
    }

    /// Appends everything in `other`.
    pub fn extend(&mut self, other: Records) {
        self.experiments.extend(other.experiments);
        self.runs.extend(other.runs);
        self.datasets.extend(other.datasets);
        self.models.extend(other.models);
        self.registered_models.extend(other.registered_models);
        self.lineage.extend(other.lineage);
        self.problems.extend(other.problems);
    }
}

/// Which tool wrote a run or experiment.
pub mod source {
    pub const MLFLOW: &str = "mlflow";
    pub const DVC: &str = "dvc";
    pub const TENSORBOARD: &str = "tensorboard";
    pub const WANDB: &str = "wandb";
    /// A plain run folder (metrics.json + params.yaml|json).
    pub const FOLDER: &str = "folder";
}

#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub source: &'static str,
    pub external_id: String,
    pub name: Option<String>,
    /// `active` or `deleted`.
    pub lifecycle: Option<String>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub source: &'static str,
    /// The tool's own run id (MLflow run id, W&B run id, DVC experiment name, a folder path).
    pub external_id: String,
    pub experiment_id: Option<String>,
    pub parent_id: Option<String>,
    /// The run's folder or file, relative to the project.
    pub path: Option<String>,
    pub name: Option<String>,
    /// RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.
    pub status: Option<String>,
    /// `active` or `deleted`.
    pub lifecycle: Option<String>,
    pub user: Option<String>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub params: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// Full histories; duplicates (same key, step and timestamp) are removed by the writer.
    pub metrics: Vec<MetricPoint>,
}

impl Run {
    /// A run with only its identity set.
    pub fn new(source: &'static str, external_id: impl Into<String>) -> Run {
        Run {
            source,
            external_id: external_id.into(),
            experiment_id: None,
            parent_id: None,
            path: None,
            name: None,
            status: None,
            lifecycle: None,
            user: None,
            start_ms: None,
            end_ms: None,
            params: Vec::new(),
            tags: Vec::new(),
            metrics: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    pub key: String,
    pub step: i64,
    pub ts_ms: i64,
    /// May be NaN or ±infinity, as logged.
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Relative to the project.
    pub path: String,
    /// csv, tsv, parquet, arrow, ndjson.
    pub format: &'static str,
    pub rows: Option<u64>,
    pub bytes: u64,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    /// The storage type as the file declares or as inferred (e.g. `f64`, `i64`, `str`, `bool`).
    pub dtype: String,
    /// numerical, categorical, boolean, datetime, text.
    pub kind: &'static str,
    pub nulls: u64,
    /// min/max/mean/std/quantiles for numbers; top categories and cardinality otherwise.
    pub profile: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The model file, or the folder of an MLflow model, relative to the project.
    pub path: String,
    /// onnx, pickle, joblib, torch, safetensors, keras, hdf5, skops, mlflow.
    pub format: &'static str,
    pub name: Option<String>,
    /// The tool's id for it (an MLflow logged model id), if any.
    pub external_id: Option<String>,
    /// The run that produced it, as (source, external run id).
    pub run: Option<(&'static str, String)>,
    pub bytes: u64,
    /// Format-specific facts: flavors and signature, opset and inputs, tensor shapes, ...
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredModel {
    pub source: &'static str,
    pub name: String,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
    /// alias -> version.
    pub aliases: Vec<(String, String)>,
    pub versions: Vec<ModelVersion>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelVersion {
    pub version: String,
    pub run_id: Option<String>,
    pub model_id: Option<String>,
    pub source_uri: Option<String>,
    pub status: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// One end of a lineage edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    Run {
        source: &'static str,
        id: String,
    },
    /// A dataset by its project-relative path.
    Dataset {
        path: String,
    },
    /// A model by its project-relative path.
    Model {
        path: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lineage {
    pub from: Entity,
    pub to: Entity,
    /// used (run -> dataset), produced (run -> model), derived (dataset -> dataset).
    pub relation: &'static str,
}

/// Something a reader could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Relative to the project.
    pub path: String,
    pub message: String,
}
