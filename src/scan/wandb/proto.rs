//! The parts of W&B's `wandb_internal.Record` protobuf that the reader needs, declared by hand.
//!
//! Field numbers come from `wandb/proto/wandb_internal.proto` (whose header says these records
//! are persisted on disk and must not change) and were checked against files written by wandb
//! 0.31. Members of the `record_type` oneof are declared as separate optional fields: decoding
//! only needs to know which one is present. Records the reader does not use (console output,
//! system stats, telemetry, files, artifacts) are skipped by the decoder without being copied.

/// `wandb_internal.Record`: one record of a `.wandb` file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Record {
    #[prost(message, optional, tag = "2")]
    pub history: Option<HistoryRecord>,
    #[prost(message, optional, tag = "3")]
    pub summary: Option<SummaryRecord>,
    #[prost(message, optional, tag = "5")]
    pub config: Option<ConfigRecord>,
    #[prost(message, optional, tag = "17")]
    pub run: Option<RunRecord>,
    #[prost(message, optional, tag = "18")]
    pub exit: Option<RunExitRecord>,
}

/// `wandb_internal.RunRecord`: who the run is; written once at the start (again on resume).
#[derive(Clone, PartialEq, prost::Message)]
pub struct RunRecord {
    #[prost(string, tag = "1")]
    pub run_id: String,
    #[prost(string, tag = "2")]
    pub entity: String,
    #[prost(string, tag = "3")]
    pub project: String,
    #[prost(message, optional, tag = "4")]
    pub config: Option<ConfigRecord>,
    #[prost(message, optional, tag = "5")]
    pub summary: Option<SummaryRecord>,
    #[prost(string, tag = "6")]
    pub run_group: String,
    #[prost(string, tag = "7")]
    pub job_type: String,
    #[prost(string, tag = "8")]
    pub display_name: String,
    #[prost(string, tag = "9")]
    pub notes: String,
    #[prost(string, repeated, tag = "10")]
    pub tags: Vec<String>,
    #[prost(string, tag = "12")]
    pub sweep_id: String,
    #[prost(string, tag = "13")]
    pub host: String,
    #[prost(message, optional, tag = "17")]
    pub start_time: Option<Timestamp>,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `wandb_internal.RunExitRecord`: the process ended.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RunExitRecord {
    #[prost(int32, tag = "1")]
    pub exit_code: i32,
    /// Seconds.
    #[prost(int32, tag = "2")]
    pub runtime: i32,
}

/// `wandb_internal.HistoryRecord`: one `wandb.log` row.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HistoryRecord {
    #[prost(message, repeated, tag = "1")]
    pub item: Vec<Item>,
    #[prost(message, optional, tag = "2")]
    pub step: Option<HistoryStep>,
}

/// `wandb_internal.HistoryStep`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HistoryStep {
    #[prost(int64, tag = "1")]
    pub num: i64,
}

/// `wandb_internal.ConfigRecord`: config changes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigRecord {
    #[prost(message, repeated, tag = "1")]
    pub update: Vec<Item>,
    #[prost(message, repeated, tag = "2")]
    pub remove: Vec<Item>,
}

/// `wandb_internal.SummaryRecord`: summary changes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryRecord {
    #[prost(message, repeated, tag = "1")]
    pub update: Vec<Item>,
    #[prost(message, repeated, tag = "2")]
    pub remove: Vec<Item>,
}

/// `HistoryItem`, `ConfigItem` and `SummaryItem`, which share their fields: a key (flat in
/// `key`, or as a path in `nested_key`; wandb 0.31 writes even flat history keys such as
/// `val/loss` as a one-element `nested_key`) and a JSON value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Item {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, repeated, tag = "2")]
    pub nested_key: Vec<String>,
    #[prost(string, tag = "16")]
    pub value_json: String,
}

impl Item {
    /// The key as one string, a nested path joined with `.`.
    pub fn full_key(&self) -> String {
        if self.key.is_empty() {
            self.nested_key.join(".")
        } else {
            self.key.clone()
        }
    }
}
