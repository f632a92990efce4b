//! Model formats that are zip archives: `.keras` (Keras 3), `.skops`, and PyTorch's `.pt`/`.pth`
//! (since PyTorch 1.6; older ones are a plain pickle stream, see [`torch`]). Only the zip's
//! central directory and the small entries that describe the model are read.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde_json::{Value, json};
use zip::ZipArchive;

use super::{ModelError, pickle};

/// JSON entries that describe a model (Keras config, skops schema) are read up to this size.
const MAX_JSON_ENTRY: u64 = 32 << 20;
/// The first bytes of a torch `data.pkl` name the classes; the tensors are in other entries.
const PICKLE_WINDOW: u64 = 64 << 10;

/// The start of every local zip file header.
pub const ZIP_MAGIC: &[u8; 4] = b"PK\x03\x04";

type Archive = ZipArchive<BufReader<File>>;

fn open(path: &Path, format: &'static str) -> Result<Archive, ModelError> {
    ZipArchive::new(BufReader::new(File::open(path)?)).map_err(|e| ModelError::NotFormat {
        format,
        detail: format!("expected a zip archive: {e}"),
    })
}

/// Names of the archive's entries (undecodable names are left out).
fn names(archive: &Archive) -> Vec<String> {
    archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect()
}

/// Up to `max` bytes of the entry `name`; `Ok(None)` when there is no such entry.
fn entry(
    archive: &mut Archive,
    name: &str,
    max: u64,
    format: &'static str,
) -> Result<Option<Vec<u8>>, ModelError> {
    let Some(index) = archive.index_for_name(name) else {
        return Ok(None);
    };
    let broken = |e: &dyn std::fmt::Display| ModelError::Invalid {
        format,
        detail: format!("cannot read {name} in the archive: {e}"),
    };
    let file = archive.by_index(index).map_err(|e| broken(&e))?;
    let mut bytes = Vec::new();
    file.take(max)
        .read_to_end(&mut bytes)
        .map_err(|e| broken(&e))?;
    Ok(Some(bytes))
}

fn json_entry(
    archive: &mut Archive,
    name: &str,
    format: &'static str,
) -> Result<Option<Value>, ModelError> {
    let Some(bytes) = entry(archive, name, MAX_JSON_ENTRY, format)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| ModelError::Invalid {
            format,
            detail: format!("{name} is not JSON: {e}"),
        })
}

/// `.keras`: `config.json` (the model's class and layers) and `metadata.json` (Keras version).
pub fn keras(path: &Path) -> Result<Value, ModelError> {
    const FORMAT: &str = "keras";
    let mut archive = open(path, FORMAT)?;
    let Some(config) = json_entry(&mut archive, "config.json", FORMAT)? else {
        return Err(ModelError::NotFormat {
            format: FORMAT,
            detail: format!(
                "a zip without config.json; expected a Keras archive (found {})",
                listing(&archive)
            ),
        });
    };
    let metadata = json_entry(&mut archive, "metadata.json", FORMAT)?.unwrap_or(Value::Null);
    let layers = config["config"]["layers"].as_array().map(|l| l.len());
    Ok(json!({
        "class": config["class_name"],
        "module": config["module"],
        "name": config["config"]["name"],
        "layers": layers,
        "keras_version": metadata["keras_version"],
        "date_saved": metadata["date_saved"],
        "entries": names(&archive),
    }))
}

/// `.skops`: `schema.json` describes the object tree (`__class__`, `__module__`, `content`).
pub fn skops(path: &Path) -> Result<Value, ModelError> {
    const FORMAT: &str = "skops";
    let mut archive = open(path, FORMAT)?;
    let Some(schema) = json_entry(&mut archive, "schema.json", FORMAT)? else {
        return Err(ModelError::NotFormat {
            format: FORMAT,
            detail: format!(
                "a zip without schema.json; expected a skops archive (found {})",
                listing(&archive)
            ),
        });
    };
    let Some(class) = schema["__class__"].as_str() else {
        return Err(ModelError::Invalid {
            format: FORMAT,
            detail: "schema.json has no top-level `__class__`".into(),
        });
    };
    Ok(json!({
        "class": class,
        "module": schema["__module__"],
        "protocol": schema["protocol"],
        "skops_version": schema["_skops_version"],
        "steps": pipeline_steps(&schema),
    }))
}

/// The (name, class) of each step of a scikit-learn `Pipeline` in a skops schema, if it is one.
fn pipeline_steps(schema: &Value) -> Value {
    let steps = &schema["content"]["content"]["steps"]["content"];
    let Some(steps) = steps.as_array() else {
        return Value::Null;
    };
    steps
        .iter()
        .map(|step| {
            let pair = &step["content"];
            json!({"name": json_node_value(&pair[0]), "class": pair[1]["__class__"]})
        })
        .collect()
}

/// The value of a skops `JsonNode`, whose `content` is JSON text (`"\"impute\""`).
fn json_node_value(node: &Value) -> Value {
    match (&node["content"], node["is_json"].as_bool()) {
        (Value::String(text), Some(true)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        (content, _) => content.clone(),
    }
}

/// PyTorch's zip format: `<archive>/data.pkl` (the pickled object; tensors refer to storages
/// under `<archive>/data/`), `<archive>/version`; TorchScript adds `code/` and `constants.pkl`.
pub fn torch_zip(path: &Path) -> Result<Value, ModelError> {
    const FORMAT: &str = "torch";
    let mut archive = open(path, FORMAT)?;
    let all = names(&archive);
    let Some(data_pkl) = all
        .iter()
        .find(|n| *n == "data.pkl" || n.ends_with("/data.pkl") && n.matches('/').count() == 1)
        .cloned()
    else {
        return Err(ModelError::NotFormat {
            format: FORMAT,
            detail: format!(
                "a zip without data.pkl; expected a PyTorch archive (found {})",
                listing(&archive)
            ),
        });
    };
    let prefix = data_pkl.strip_suffix("data.pkl").unwrap_or("").to_string();
    let bytes = entry(&mut archive, &data_pkl, PICKLE_WINDOW, FORMAT)?.unwrap_or_default();
    let facts = pickle::scan(&bytes, (bytes.len() as u64) < PICKLE_WINDOW, false).map_err(|e| {
        ModelError::Invalid {
            format: FORMAT,
            detail: format!("{data_pkl}: {e}"),
        }
    })?;
    let version = entry(&mut archive, &format!("{prefix}version"), 64, FORMAT)?
        .map(|v| String::from_utf8_lossy(&v).trim().to_string());
    let storages = all
        .iter()
        .filter(|n| n.starts_with(&format!("{prefix}data/")) && !n.ends_with('/'))
        .count();
    let mut details = pickle_details(&facts);
    details["container"] = json!("zip");
    details["archive_version"] = json!(version);
    details["storages"] = json!(storages);
    details["torchscript"] = json!(all.iter().any(
        |n| n.starts_with(&format!("{prefix}code/")) || *n == format!("{prefix}constants.pkl")
    ));
    Ok(details)
}

/// The facts of a scanned pickle as model details.
pub fn pickle_details(facts: &pickle::PickleFacts) -> Value {
    let (module, class) = match facts.top_class() {
        Some((m, c)) => (json!(m), json!(c)),
        None => (Value::Null, Value::Null),
    };
    json!({
        "protocol": facts.protocol,
        "class": class,
        "module": module,
        "classes": facts.classes.iter().map(|(m, n)| format!("{m}.{n}")).collect::<Vec<_>>(),
    })
}

/// A short list of what an archive holds, for messages.
fn listing(archive: &Archive) -> String {
    let names = names(archive);
    if names.is_empty() {
        return "no entries".into();
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    if names.len() > shown.len() {
        format!(
            "{} and {} more",
            shown.join(", "),
            names.len() - shown.len()
        )
    } else {
        shown.join(", ")
    }
}
