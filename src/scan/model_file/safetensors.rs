//! `.safetensors`: an 8-byte little-endian header length, a JSON header (tensor name ->
//! dtype, shape, data offsets; `__metadata__` -> string map), then the tensor data. Only the
//! header is read.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value, json};

use super::ModelError;

const FORMAT: &str = "safetensors";
/// The format's own limit on the header (the reference implementation refuses larger ones).
const MAX_HEADER: u64 = 100_000_000;
/// Tensors listed in the details; a checkpoint of thousands still gets its count and total.
const MAX_LISTED: usize = 4096;

pub fn read(path: &Path, size: u64) -> Result<Value, ModelError> {
    let mut file = std::fs::File::open(path)?;
    let mut len = [0u8; 8];
    if size < 8 {
        return Err(ModelError::Truncated {
            format: FORMAT,
            detail: format!("{size} bytes; expected at least the 8-byte header length"),
        });
    }
    file.read_exact(&mut len)?;
    let header_len = u64::from_le_bytes(len);
    if header_len > MAX_HEADER {
        return Err(ModelError::Invalid {
            format: FORMAT,
            detail: format!(
                "header length {header_len} exceeds the format's limit of {MAX_HEADER} bytes"
            ),
        });
    }
    if header_len > size - 8 {
        return Err(ModelError::Truncated {
            format: FORMAT,
            detail: format!(
                "the header says {header_len} bytes of JSON follow, but the file has only {} more",
                size - 8
            ),
        });
    }
    let mut header = Vec::with_capacity(header_len as usize);
    (&mut file).take(header_len).read_to_end(&mut header)?;
    let header: Map<String, Value> =
        serde_json::from_slice(&header).map_err(|e| ModelError::Invalid {
            format: FORMAT,
            detail: format!("the header is not a JSON object: {e}"),
        })?;
    let data_len = size - 8 - header_len;

    let mut tensors = Map::new();
    let mut count = 0u64;
    let mut parameters: u64 = 0;
    let mut dtypes = std::collections::BTreeMap::<String, u64>::new();
    let mut metadata = Value::Null;
    for (name, entry) in &header {
        if name == "__metadata__" {
            metadata = entry.clone();
            continue;
        }
        let invalid = |what: &str| ModelError::Invalid {
            format: FORMAT,
            detail: format!("tensor {name:?}: {what}"),
        };
        let dtype = entry["dtype"]
            .as_str()
            .ok_or_else(|| invalid("expected a `dtype` string"))?;
        let shape: Vec<u64> = entry["shape"]
            .as_array()
            .and_then(|dims| dims.iter().map(Value::as_u64).collect())
            .ok_or_else(|| invalid("expected a `shape` list of sizes"))?;
        let offsets: Vec<u64> = entry["data_offsets"]
            .as_array()
            .and_then(|o| o.iter().map(Value::as_u64).collect())
            .filter(|o: &Vec<u64>| o.len() == 2 && o[0] <= o[1])
            .ok_or_else(|| invalid("expected `data_offsets` [begin, end]"))?;
        if offsets[1] > data_len {
            return Err(ModelError::Truncated {
                format: FORMAT,
                detail: format!(
                    "tensor {name:?} ends at data byte {}, but the file holds {data_len} bytes of data",
                    offsets[1]
                ),
            });
        }
        count += 1;
        parameters = parameters.saturating_add(shape.iter().product::<u64>());
        *dtypes.entry(dtype.to_string()).or_default() += 1;
        if tensors.len() < MAX_LISTED {
            tensors.insert(name.clone(), json!({"dtype": dtype, "shape": shape}));
        }
    }
    let all_listed = tensors.len() as u64 == count;
    Ok(json!({
        "header_bytes": header_len,
        "tensor_count": count,
        "parameters": parameters,
        "dtypes": dtypes,
        "tensors": tensors,
        "tensors_listed": all_listed,
        "metadata": metadata,
    }))
}
