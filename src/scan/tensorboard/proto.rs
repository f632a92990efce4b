//! The parts of TensorFlow's `Event` protobuf (and TensorBoard's hparams plugin data) that the
//! reader needs, declared by hand.
//!
//! Field numbers come from `tensorflow/core/util/event.proto`, `framework/summary.proto`,
//! `framework/tensor.proto`, `tensorboard/plugins/hparams/plugin_data.proto` and
//! `google/protobuf/struct.proto`. Fields not declared here (graphs, histograms, images, audio,
//! string tensors) are skipped by the decoder without being copied. Members of a `oneof` are
//! declared as separate optional fields: decoding only needs to know which one is present.

use std::collections::BTreeMap;

/// `tensorflow.Event`: one record of an event file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    #[prost(int64, tag = "2")]
    pub step: i64,
    #[prost(message, optional, tag = "5")]
    pub summary: Option<Summary>,
}

/// `tensorflow.Summary`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<SummaryValue>,
}

/// `tensorflow.Summary.Value`: one tagged value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryValue {
    #[prost(string, tag = "1")]
    pub tag: String,
    /// A scalar as tensorboardX and TF1 write it.
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
    /// A tensor, as TF2 summaries write everything (scalars included).
    #[prost(message, optional, tag = "8")]
    pub tensor: Option<TensorProto>,
    /// Present on the first value of a tag in a file only (writers strip it afterwards).
    #[prost(message, optional, tag = "9")]
    pub metadata: Option<SummaryMetadata>,
}

/// `tensorflow.SummaryMetadata`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryMetadata {
    #[prost(message, optional, tag = "1")]
    pub plugin_data: Option<PluginData>,
}

/// `tensorflow.SummaryMetadata.PluginData`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PluginData {
    #[prost(string, tag = "1")]
    pub plugin_name: String,
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
}

/// `tensorflow.TensorProto`, numeric representations only.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// A `tensorflow.DataType`; see the `DT_*` constants.
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// The values as raw little-endian bytes (an alternative to the `*_val` fields).
    #[prost(bytes = "vec", tag = "4")]
    pub tensor_content: Vec<u8>,
    #[prost(float, repeated, tag = "5")]
    pub float_val: Vec<f32>,
    #[prost(double, repeated, tag = "6")]
    pub double_val: Vec<f64>,
    #[prost(int32, repeated, tag = "7")]
    pub int_val: Vec<i32>,
    #[prost(int64, repeated, tag = "10")]
    pub int64_val: Vec<i64>,
}

pub const DT_FLOAT: i32 = 1;
pub const DT_DOUBLE: i32 = 2;
pub const DT_INT32: i32 = 3;
pub const DT_INT64: i32 = 9;

/// `tensorboard.hparams.HParamsPluginData`: the `content` of an `hparams` plugin summary.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HParamsPluginData {
    #[prost(message, optional, tag = "3")]
    pub session_start_info: Option<SessionStartInfo>,
    #[prost(message, optional, tag = "4")]
    pub session_end_info: Option<SessionEndInfo>,
}

/// `tensorboard.hparams.SessionStartInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SessionStartInfo {
    #[prost(btree_map = "string, message", tag = "1")]
    pub hparams: BTreeMap<String, Value>,
}

/// `tensorboard.hparams.SessionEndInfo`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SessionEndInfo {
    /// A `tensorboard.hparams.Status`; see the `STATUS_*` constants.
    #[prost(int32, tag = "1")]
    pub status: i32,
}

pub const STATUS_SUCCESS: i32 = 1;
pub const STATUS_FAILURE: i32 = 2;
pub const STATUS_RUNNING: i32 = 3;

/// `google.protobuf.Value`, the scalar kinds (hparams are scalars).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Value {
    #[prost(double, optional, tag = "2")]
    pub number_value: Option<f64>,
    #[prost(string, optional, tag = "3")]
    pub string_value: Option<String>,
    #[prost(bool, optional, tag = "4")]
    pub bool_value: Option<bool>,
}
