//! `.onnx`: a protobuf `ModelProto`. The messages below are declared by hand with prost's derive
//! (field numbers from `onnx/onnx.proto`), holding only the fields the catalog shows.
//!
//! An ONNX file can be close to 2 GB, almost all of it initializer tensors. So the file is not
//! decoded whole: a first pass walks the protobuf wire format from disk, copies the fields worth
//! decoding and seeks past the weights (`GraphProto.initializer` and `sparse_initializer`, and any
//! other field over [`MAX_FIELD`]); prost then decodes the small copy.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use prost::Message;
use serde_json::{Map, Value, json};

use super::ModelError;

const FORMAT: &str = "onnx";
/// Fields larger than this are skipped, not copied (weights, embedded constants).
const MAX_FIELD: u64 = 1 << 20;
/// The copy is capped too: a graph of a million small nodes is counted, not decoded.
const MAX_COPY: usize = 64 << 20;

/// `ModelProto` field numbers used in the walk.
const MODEL_GRAPH: u32 = 7;
/// `GraphProto` field numbers.
const GRAPH_NODE: u32 = 1;
const GRAPH_INITIALIZER: u32 = 5;
const GRAPH_SPARSE_INITIALIZER: u32 = 15;

#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
    #[prost(string, tag = "3")]
    producer_version: String,
    #[prost(string, tag = "4")]
    domain: String,
    #[prost(int64, tag = "5")]
    model_version: i64,
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
    #[prost(message, repeated, tag = "8")]
    opset_import: Vec<OperatorSetIdProto>,
    #[prost(message, repeated, tag = "14")]
    metadata_props: Vec<StringStringEntryProto>,
}

#[derive(Clone, PartialEq, Message)]
struct OperatorSetIdProto {
    #[prost(string, tag = "1")]
    domain: String,
    #[prost(int64, tag = "2")]
    version: i64,
}

#[derive(Clone, PartialEq, Message)]
struct StringStringEntryProto {
    #[prost(string, tag = "1")]
    key: String,
    #[prost(string, tag = "2")]
    value: String,
}

#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    node: Vec<NodeProto>,
    #[prost(string, tag = "2")]
    name: String,
    #[prost(message, repeated, tag = "11")]
    input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, Message)]
struct NodeProto {
    #[prost(string, tag = "4")]
    op_type: String,
    #[prost(string, tag = "7")]
    domain: String,
}

#[derive(Clone, PartialEq, Message)]
struct ValueInfoProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    r#type: Option<TypeProto>,
}

/// `TypeProto`'s `oneof value` is declared as separate optional fields: the same wire format.
#[derive(Clone, PartialEq, Message)]
struct TypeProto {
    #[prost(message, optional, tag = "1")]
    tensor_type: Option<TensorType>,
    #[prost(message, optional, boxed, tag = "4")]
    sequence_type: Option<Box<SequenceType>>,
    #[prost(message, optional, boxed, tag = "5")]
    map_type: Option<Box<MapType>>,
    #[prost(message, optional, tag = "8")]
    sparse_tensor_type: Option<TensorType>,
    #[prost(message, optional, boxed, tag = "9")]
    optional_type: Option<Box<SequenceType>>,
}

/// `TypeProto.Tensor` and `TypeProto.SparseTensor` (same fields).
#[derive(Clone, PartialEq, Message)]
struct TensorType {
    #[prost(int32, tag = "1")]
    elem_type: i32,
    #[prost(message, optional, tag = "2")]
    shape: Option<TensorShapeProto>,
}

/// `TypeProto.Sequence` and `TypeProto.Optional` (same fields).
#[derive(Clone, PartialEq, Message)]
struct SequenceType {
    #[prost(message, optional, boxed, tag = "1")]
    elem_type: Option<Box<TypeProto>>,
}

#[derive(Clone, PartialEq, Message)]
struct MapType {
    #[prost(int32, tag = "1")]
    key_type: i32,
    #[prost(message, optional, boxed, tag = "2")]
    value_type: Option<Box<TypeProto>>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    dim: Vec<Dimension>,
}

/// `oneof value { int64 dim_value = 1; string dim_param = 2; }` as two optional fields.
#[derive(Clone, PartialEq, Message)]
struct Dimension {
    #[prost(int64, optional, tag = "1")]
    dim_value: Option<i64>,
    #[prost(string, optional, tag = "2")]
    dim_param: Option<String>,
}

/// `TensorProto.DataType` names, by value.
const ELEM_TYPES: &[&str] = &[
    "UNDEFINED",
    "FLOAT",
    "UINT8",
    "INT8",
    "UINT16",
    "INT16",
    "INT32",
    "INT64",
    "STRING",
    "BOOL",
    "FLOAT16",
    "DOUBLE",
    "UINT32",
    "UINT64",
    "COMPLEX64",
    "COMPLEX128",
    "BFLOAT16",
    "FLOAT8E4M3FN",
    "FLOAT8E4M3FNUZ",
    "FLOAT8E5M2",
    "FLOAT8E5M2FNUZ",
    "UINT4",
    "INT4",
    "FLOAT4E2M1",
    "FLOAT8E8M0",
    "UINT2",
    "INT2",
];

/// What the walk skipped.
#[derive(Debug, Default)]
struct Skipped {
    initializers: u64,
    initializer_bytes: u64,
    nodes: u64,
}

pub fn read(path: &Path, size: u64) -> Result<Value, ModelError> {
    if size == 0 {
        return Err(ModelError::Truncated {
            format: FORMAT,
            detail: "empty file; expected a protobuf ModelProto".into(),
        });
    }
    let mut wire = Wire {
        reader: BufReader::new(File::open(path)?),
        pos: 0,
        copied: 0,
    };
    let mut skipped = Skipped::default();
    let model_bytes = wire.filter(size, &mut skipped, false)?;
    let model = ModelProto::decode(model_bytes.as_slice()).map_err(|e| ModelError::Invalid {
        format: FORMAT,
        detail: format!("not a protobuf ModelProto: {e}"),
    })?;
    let Some(graph) = model.graph.as_ref().filter(|_| model.ir_version > 0) else {
        return Err(ModelError::Invalid {
            format: FORMAT,
            detail: "no IR version or no graph; expected an ONNX ModelProto".into(),
        });
    };

    let mut ops: std::collections::BTreeMap<String, u64> = Default::default();
    for node in &graph.node {
        let op = if node.domain.is_empty() || node.domain == "ai.onnx" {
            node.op_type.clone()
        } else {
            format!("{}.{}", node.domain, node.op_type)
        };
        *ops.entry(op).or_default() += 1;
    }
    let metadata: Map<String, Value> = model
        .metadata_props
        .iter()
        .map(|e| (e.key.clone(), Value::String(e.value.clone())))
        .collect();
    Ok(json!({
        "ir_version": model.ir_version,
        "producer_name": model.producer_name,
        "producer_version": model.producer_version,
        "domain": model.domain,
        "model_version": model.model_version,
        "opset": model.opset_import.iter().map(|o| json!({"domain": o.domain, "version": o.version})).collect::<Vec<_>>(),
        "graph_name": graph.name,
        "inputs": graph.input.iter().map(value_info).collect::<Vec<_>>(),
        "outputs": graph.output.iter().map(value_info).collect::<Vec<_>>(),
        "nodes": graph.node.len() as u64 + skipped.nodes,
        "ops": ops,
        "initializers": skipped.initializers,
        "initializer_bytes": skipped.initializer_bytes,
        "metadata": metadata,
    }))
}

fn value_info(v: &ValueInfoProto) -> Value {
    let mut out = json!({"name": v.name});
    if let Some(t) = &v.r#type {
        out["type"] = Value::String(type_name(t));
        if let Some(tensor) = t.tensor_type.as_ref().or(t.sparse_tensor_type.as_ref()) {
            out["elem_type"] = Value::String(elem_type(tensor.elem_type));
            if let Some(shape) = &tensor.shape {
                out["shape"] = Value::Array(
                    shape
                        .dim
                        .iter()
                        .map(|d| match (&d.dim_value, &d.dim_param) {
                            (Some(v), _) => json!(v),
                            (None, Some(p)) if !p.is_empty() => json!(p),
                            _ => Value::Null,
                        })
                        .collect(),
                );
            }
        }
    }
    out
}

fn elem_type(v: i32) -> String {
    usize::try_from(v)
        .ok()
        .and_then(|i| ELEM_TYPES.get(i))
        .map_or_else(|| format!("TYPE_{v}"), |s| s.to_string())
}

/// A readable type: `tensor(FLOAT)`, `seq(map(INT64,tensor(FLOAT)))`, ...
fn type_name(t: &TypeProto) -> String {
    if let Some(x) = &t.tensor_type {
        format!("tensor({})", elem_type(x.elem_type))
    } else if let Some(x) = &t.sparse_tensor_type {
        format!("sparse_tensor({})", elem_type(x.elem_type))
    } else if let Some(x) = &t.sequence_type {
        format!(
            "seq({})",
            x.elem_type.as_deref().map_or("?".into(), type_name)
        )
    } else if let Some(x) = &t.optional_type {
        format!(
            "optional({})",
            x.elem_type.as_deref().map_or("?".into(), type_name)
        )
    } else if let Some(x) = &t.map_type {
        format!(
            "map({},{})",
            elem_type(x.key_type),
            x.value_type.as_deref().map_or("?".into(), type_name)
        )
    } else {
        "unknown".into()
    }
}

/// The protobuf wire format, read from disk.
struct Wire {
    reader: BufReader<File>,
    /// Bytes consumed so far.
    pos: u64,
    /// Bytes copied so far (bounded by [`MAX_COPY`]).
    copied: usize,
}

impl Wire {
    /// Copies the fields of the message in the next `len` bytes, leaving out weights. In the
    /// model (`graph == false`) the graph is filtered in turn.
    fn filter(
        &mut self,
        len: u64,
        skipped: &mut Skipped,
        graph: bool,
    ) -> Result<Vec<u8>, ModelError> {
        let end = self.pos + len;
        let mut out = Vec::new();
        while self.pos < end {
            let field_at = self.pos;
            let key = self.varint(end)?;
            let (field, wire_type) = ((key >> 3) as u32, (key & 7) as u8);
            if field == 0 {
                return Err(invalid(field_at, "field number 0"));
            }
            match wire_type {
                0 => {
                    let v = self.varint(end)?;
                    put_varint(&mut out, key);
                    put_varint(&mut out, v);
                }
                1 | 5 => {
                    let n = if wire_type == 1 { 8 } else { 4 };
                    let bytes = self.bytes(n, end)?;
                    put_varint(&mut out, key);
                    out.extend_from_slice(&bytes);
                }
                2 => {
                    let n = self.varint(end)?;
                    if self.pos.checked_add(n).is_none_or(|e| e > end) {
                        return Err(ModelError::Truncated {
                            format: FORMAT,
                            detail: format!(
                                "field {field} at byte {field_at} declares {n} bytes, past the end of its message at byte {end}"
                            ),
                        });
                    }
                    let inner = if !graph && field == MODEL_GRAPH {
                        Some(self.filter(n, skipped, true)?)
                    } else if graph && matches!(field, GRAPH_INITIALIZER | GRAPH_SPARSE_INITIALIZER)
                    {
                        skipped.initializers += 1;
                        skipped.initializer_bytes += n;
                        self.skip(n)?;
                        None
                    } else if n > MAX_FIELD || self.copied + n as usize > MAX_COPY {
                        if graph && field == GRAPH_NODE {
                            skipped.nodes += 1;
                        }
                        self.skip(n)?;
                        None
                    } else {
                        Some(self.bytes(n as usize, end)?)
                    };
                    if let Some(inner) = inner {
                        self.copied += inner.len();
                        put_varint(&mut out, key);
                        put_varint(&mut out, inner.len() as u64);
                        out.extend_from_slice(&inner);
                    }
                }
                other => {
                    return Err(invalid(
                        field_at,
                        &format!("wire type {other} of field {field}"),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn varint(&mut self, end: u64) -> Result<u64, ModelError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(end)?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(invalid(self.pos, "a varint longer than 10 bytes"))
    }

    fn byte(&mut self, end: u64) -> Result<u8, ModelError> {
        let mut b = [0u8; 1];
        self.read_into(&mut b, end)?;
        Ok(b[0])
    }

    fn bytes(&mut self, n: usize, end: u64) -> Result<Vec<u8>, ModelError> {
        let mut buf = vec![0; n];
        self.read_into(&mut buf, end)?;
        Ok(buf)
    }

    fn read_into(&mut self, buf: &mut [u8], end: u64) -> Result<(), ModelError> {
        let n = buf.len();
        if self.pos + n as u64 > end {
            return Err(self.truncated(end));
        }
        if let Err(e) = self.reader.read_exact(buf) {
            return Err(match e.kind() {
                std::io::ErrorKind::UnexpectedEof => self.truncated(end),
                _ => ModelError::Io(e),
            });
        }
        self.pos += n as u64;
        Ok(())
    }

    fn skip(&mut self, n: u64) -> Result<(), ModelError> {
        let n = i64::try_from(n).map_err(|_| invalid(self.pos, "a field larger than 8 EiB"))?;
        self.reader.seek_relative(n)?;
        self.pos += n as u64;
        Ok(())
    }

    fn truncated(&self, end: u64) -> ModelError {
        ModelError::Truncated {
            format: FORMAT,
            detail: format!(
                "the protobuf ends at byte {} inside a field that runs to byte {end}",
                self.pos
            ),
        }
    }
}

fn invalid(at: u64, what: &str) -> ModelError {
    ModelError::Invalid {
        format: FORMAT,
        detail: format!("{what} at byte {at}; expected a protobuf ModelProto"),
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A ModelProto with one input, one output, one node and an initializer of `weights` bytes.
    pub(in crate::scan::model_file) fn model_bytes(weights: usize) -> Vec<u8> {
        let dim = |v: Option<i64>| Dimension {
            dim_value: v,
            dim_param: None,
        };
        let input = ValueInfoProto {
            name: "x".into(),
            r#type: Some(TypeProto {
                tensor_type: Some(TensorType {
                    elem_type: 1,
                    shape: Some(TensorShapeProto {
                        dim: vec![dim(None), dim(Some(4))],
                    }),
                }),
                ..Default::default()
            }),
        };
        let graph = GraphProto {
            node: vec![NodeProto {
                op_type: "Gemm".into(),
                domain: String::new(),
            }],
            name: "g".into(),
            input: vec![input.clone()],
            output: vec![ValueInfoProto {
                name: "y".into(),
                ..input
            }],
        };
        let mut graph_bytes = graph.encode_to_vec();
        // initializer: a TensorProto whose raw_data (field 9) holds the weights.
        let mut tensor = Vec::new();
        put_varint(&mut tensor, (9 << 3) | 2);
        put_varint(&mut tensor, weights as u64);
        tensor.resize(tensor.len() + weights, 0xab);
        put_varint(&mut graph_bytes, (5 << 3) | 2);
        put_varint(&mut graph_bytes, tensor.len() as u64);
        graph_bytes.extend_from_slice(&tensor);
        let model = ModelProto {
            ir_version: 9,
            producer_name: "hand".into(),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: 21,
            }],
            ..Default::default()
        };
        let mut bytes = model.encode_to_vec();
        put_varint(&mut bytes, (7 << 3) | 2);
        put_varint(&mut bytes, graph_bytes.len() as u64);
        bytes.extend_from_slice(&graph_bytes);
        bytes
    }

    #[test]
    fn weights_are_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.onnx");
        let bytes = model_bytes(3 << 20);
        std::fs::write(&path, &bytes).unwrap();
        let d = read(&path, bytes.len() as u64).unwrap();
        assert_eq!(d["ir_version"], 9);
        assert_eq!(d["opset"], json!([{"domain": "", "version": 21}]));
        assert_eq!(
            d["inputs"],
            json!([{"name": "x", "type": "tensor(FLOAT)", "elem_type": "FLOAT", "shape": [null, 4]}])
        );
        assert_eq!(d["ops"], json!({"Gemm": 1}));
        assert_eq!(d["initializers"], 1);
        assert!(d["initializer_bytes"].as_u64().unwrap() > 3 << 20);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.onnx");
        let bytes = model_bytes(64);
        for cut in [1, 5, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let err = read(&path, cut as u64).unwrap_err();
            assert!(
                matches!(
                    err,
                    ModelError::Truncated { .. } | ModelError::Invalid { .. }
                ),
                "{cut}: {err}"
            );
        }
    }
}
