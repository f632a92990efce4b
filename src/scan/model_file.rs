//! Model files: what a trained model is, read from its header without loading it.
//!
//! A unit is one model file, recognised by its extension (see [`format_of`]), or one MLflow model
//! folder (a folder holding `MLmodel`; the unit's only member is `MLmodel`, the folder's size is
//! taken from the walk). Each yields one [`Model`] whose `details` (JSON) hold the facts of its
//! format:
//!
//! | format | read | details |
//! |---|---|---|
//! | `onnx` | the protobuf `ModelProto`, weights skipped on disk | `ir_version`, `producer_name`/`_version`, `opset` [{domain, version}], `inputs`/`outputs` [{name, type, elem_type, shape}], `ops`, `nodes`, `initializers` |
//! | `pickle` (`.pkl`, `.pickle`), `joblib` | the opcodes of the first 64 KiB, never unpickled | `protocol`, `class`/`module` (the pickled object's class), `classes` (every class named there, in order); or `compression` when compressed (then the class is not read) |
//! | `torch` (`.pt`, `.pth`) | the zip's `data.pkl` (or a legacy pickle stream) | as pickle, plus `container`, `storages`, `torchscript` |
//! | `safetensors` | the JSON header | `tensors` {name: {dtype, shape}}, `tensor_count`, `parameters`, `dtypes`, `metadata`, `header_bytes` |
//! | `hdf5` (`.h5`, `.hdf5`) | the signature, Keras attributes if in the first MiB | `keras`, `class`, `keras_version`, `backend` |
//! | `keras` | `config.json`, `metadata.json` in the zip | `class`, `module`, `layers`, `keras_version` |
//! | `skops` | `schema.json` in the zip | `class`, `module`, `protocol`, pipeline `steps` |
//! | `mlflow` (a folder) | `MLmodel` (YAML) | `flavors` {name: facts}, `signature` {inputs, outputs, params} (parsed from their JSON strings), `run_id`, `model_id`, `mlflow_version`, `model_size_bytes`, ... |
//!
//! An MLflow model folder's `external_id` is its `model_id` and its `run` is `("mlflow",
//! run_id)`; the model file inside it (`model.pkl`, `model.skops`, ...) is also a model of its own
//! format, as the MLflow reader's store lists both.
//!
//! Reads are bounded: headers, windows and small archive entries only, never a whole
//! multi-gigabyte checkpoint. A file that is not what its extension says, or is cut short, yields
//! a problem naming what was expected, and no model; a readable model with one bad part (an
//! MLmodel signature that is not JSON) yields the model and a problem.

mod archive;
mod hdf5;
mod onnx;
mod pickle;
mod safetensors;

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::run_files::read_structured;
use super::{FileSet, Reader, Records, UnitInput, WalkedFile, split_parent};
use crate::record::{Model, Problem, source};

/// The file that makes a folder an MLflow model.
const MLMODEL: &str = "MLmodel";
/// The start of a pickle or joblib file that is read for opcodes.
const PICKLE_WINDOW: u64 = 64 << 10;

/// Model formats by file extension.
const EXTENSIONS: &[(&str, &str)] = &[
    ("onnx", "onnx"),
    ("pkl", "pickle"),
    ("pickle", "pickle"),
    ("joblib", "joblib"),
    ("pt", "torch"),
    ("pth", "torch"),
    ("safetensors", "safetensors"),
    ("h5", "hdf5"),
    ("hdf5", "hdf5"),
    ("keras", "keras"),
    ("skops", "skops"),
];

/// The model format of a file, by its extension (case-insensitive).
pub(crate) fn format_of(path: &str) -> Option<&'static str> {
    let name = split_parent(path).1;
    let (_, ext) = name.rsplit_once('.')?;
    EXTENSIONS
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, f)| *f)
}

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ModelError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("truncated {format} file: {detail}")]
    Truncated {
        format: &'static str,
        detail: String,
    },
    #[error("not a {format} file: {detail}")]
    NotFormat {
        format: &'static str,
        detail: String,
    },
    #[error("invalid {format} file: {detail}")]
    Invalid {
        format: &'static str,
        detail: String,
    },
}

pub struct ModelFile;

impl Reader for ModelFile {
    fn name(&self) -> &'static str {
        "model"
    }

    fn unit_of(&self, file: &WalkedFile, _project: &FileSet) -> Option<String> {
        let (dir, name) = split_parent(&file.path);
        if name == MLMODEL {
            Some(if dir.is_empty() {
                ".".into()
            } else {
                dir.into()
            })
        } else {
            format_of(name).map(|_| file.path.clone())
        }
    }

    fn read(&self, unit: &UnitInput<'_>) -> Records {
        match unit.files {
            [f] if split_parent(&f.path).1 == MLMODEL => read_mlflow_model(unit, f),
            [f] => read_model_file(unit, f),
            _ => Records::default(),
        }
    }
}

fn read_model_file(unit: &UnitInput<'_>, f: &WalkedFile) -> Records {
    let Some(format) = format_of(&f.path) else {
        return Records::default();
    };
    let path = unit.abs(&f.path);
    let details = match format {
        "onnx" => onnx::read(&path, f.size),
        "pickle" | "joblib" => read_pickled(&path, f.size, format),
        "torch" => read_torch(&path, f.size),
        "safetensors" => safetensors::read(&path, f.size),
        "hdf5" => hdf5::read(&path),
        "keras" => archive::keras(&path),
        "skops" => archive::skops(&path),
        _ => return Records::default(),
    };
    match details {
        Ok(details) => Records {
            models: vec![Model {
                path: f.path.clone(),
                format,
                name: None,
                external_id: None,
                run: None,
                bytes: f.size,
                details,
            }],
            ..Records::default()
        },
        Err(err) => Records::problem(&f.path, err.to_string()),
    }
}

/// The first `max` bytes of a file.
fn head(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The compression a file's first bytes announce (joblib's `compress=` options).
fn compression(b: &[u8]) -> Option<&'static str> {
    match b {
        [0x78, second, ..] if (0x7800u16 | u16::from(*second)).is_multiple_of(31) => Some("zlib"),
        [b'Z', b'F', ..] => Some("zlib"), // joblib < 0.10
        [0x1f, 0x8b, ..] => Some("gzip"),
        [b'B', b'Z', b'h', ..] => Some("bz2"),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some("xz"),
        [0x5d, 0x00, 0x00, ..] => Some("lzma"),
        [0x04, 0x22, 0x4d, 0x18, ..] => Some("lz4"),
        _ => None,
    }
}

fn read_pickled(path: &Path, size: u64, format: &'static str) -> Result<Value, ModelError> {
    let bytes = head(path, PICKLE_WINDOW)?;
    if let Some(c) = compression(&bytes) {
        // Decompressing needs a codec this crate does not carry; the format is still known.
        return Ok(json!({
            "compression": c,
            "class": null,
            "note": format!("{c}-compressed; the pickled class is not read"),
        }));
    }
    let facts =
        pickle::scan(&bytes, size <= PICKLE_WINDOW, false).map_err(|e| pickle_error(format, e))?;
    Ok(archive::pickle_details(&facts))
}

fn pickle_error(format: &'static str, e: pickle::PickleError) -> ModelError {
    let detail = e.to_string();
    match e {
        pickle::PickleError::Truncated { .. } | pickle::PickleError::NoStop { .. } => {
            ModelError::Truncated { format, detail }
        }
        pickle::PickleError::NotPickle(_) | pickle::PickleError::Empty => {
            ModelError::NotFormat { format, detail }
        }
        pickle::PickleError::BadOpcode { .. } => ModelError::Invalid { format, detail },
    }
}

fn read_torch(path: &Path, size: u64) -> Result<Value, ModelError> {
    const FORMAT: &str = "torch";
    let bytes = head(path, PICKLE_WINDOW)?;
    if bytes.starts_with(archive::ZIP_MAGIC) {
        return archive::torch_zip(path);
    }
    if bytes.first() == Some(&0x80) {
        // `torch.save` before 1.6: several pickles in a row (magic number, protocol, system
        // info, the object), then the storages.
        let facts = pickle::scan(&bytes, size <= PICKLE_WINDOW, true)
            .map_err(|e| pickle_error(FORMAT, e))?;
        let mut details = archive::pickle_details(&facts);
        details["container"] = json!("legacy pickle");
        return Ok(details);
    }
    Err(ModelError::NotFormat {
        format: FORMAT,
        detail: match bytes.first() {
            None => "empty file; expected a zip archive or a pickle stream".into(),
            Some(b) => format!(
                "expected a zip archive (PK\\x03\\x04) or a pickle stream (0x80), found {b:#04x} at byte 0"
            ),
        },
    })
}

fn read_mlflow_model(unit: &UnitInput<'_>, f: &WalkedFile) -> Records {
    let (dir, _) = split_parent(&f.path);
    let folder = if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    };
    let doc = match read_structured(&unit.abs(&f.path), "an MLmodel file") {
        Ok(Value::Object(doc)) => doc,
        Ok(other) => {
            return Records::problem(
                &f.path,
                format!("expected a YAML mapping (flavors, run_id, signature, ...), found {other}"),
            );
        }
        Err(err) => return Records::problem(&f.path, err.to_string()),
    };
    let mut problems = Vec::new();

    let mut flavors = Map::new();
    if let Some(map) = doc.get("flavors").and_then(Value::as_object) {
        for (name, conf) in map {
            flavors.insert(name.clone(), flavor_facts(conf));
        }
    }
    let mut signature = Map::new();
    if let Some(sig) = doc.get("signature").and_then(Value::as_object) {
        for (part, text) in sig {
            let value = match text {
                Value::String(s) => serde_json::from_str(s).unwrap_or_else(|e| {
                    problems.push(Problem {
                        path: f.path.clone(),
                        message: format!("signature {part} is not JSON ({e}); kept as text"),
                    });
                    text.clone()
                }),
                other => other.clone(),
            };
            signature.insert(part.clone(), value);
        }
    }
    let text = |key: &str| doc.get(key).and_then(Value::as_str).map(str::to_string);
    let run_id = text("run_id");
    let model_id = text("model_id");
    let files: Vec<&WalkedFile> = unit.project.under(dir).collect();
    let mut details = json!({
        "flavors": flavors,
        "signature": signature,
        "files": files.len(),
    });
    for key in [
        "run_id",
        "model_id",
        "model_uuid",
        "mlflow_version",
        "model_size_bytes",
        "utc_time_created",
        "artifact_path",
        "databricks_runtime",
    ] {
        if let Some(v) = doc.get(key).filter(|v| !v.is_null()) {
            details[key] = v.clone();
        }
    }
    Records {
        models: vec![Model {
            path: folder,
            format: "mlflow",
            name: None,
            external_id: model_id,
            run: run_id.map(|id| (source::MLFLOW, id)),
            bytes: files.iter().map(|f| f.size).sum(),
            details,
        }],
        problems,
        ..Records::default()
    }
}

/// The key facts of a flavor: its scalar settings and lists of scalars (versions, the pickled
/// file, the serialization format, feature names, ...); nested settings (`env`) are left out.
fn flavor_facts(conf: &Value) -> Value {
    let Some(map) = conf.as_object() else {
        return Value::Object(Map::new());
    };
    let facts: Map<String, Value> = map
        .iter()
        .filter(|(_, v)| match v {
            Value::Object(_) | Value::Null => false,
            Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
            _ => true,
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(facts)
}

#[cfg(test)]
mod tests;
