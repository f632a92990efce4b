//! The drift report: what `driftdeck drift --format json` prints and the app shows.
//!
//! Field names are a contract (DESIGN.md, "driftdeck drift --format json"); add fields, never
//! rename them. Numbers JSON cannot hold (an infinite chi-square statistic) are written as the
//! strings `"Infinity"`, `"-Infinity"`, `"NaN"`, as everywhere else in Driftdeck's JSON.

use serde::Serialize;

/// The current report format; bumped only for an incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DriftReport {
    pub format_version: u32,
    pub reference: SideInfo,
    pub current: SideInfo,
    pub schema: SchemaDiff,
    pub columns: Vec<ColumnResult>,
    /// Columns that were tested (not-testable ones are listed but not counted).
    pub tested_columns: usize,
    pub drifted_columns: usize,
    /// `drifted_columns / tested_columns` (0 when nothing was tested).
    pub share_drifted: f64,
    /// The dataset drifts when `share_drifted >= drift_share`.
    pub drift_share: f64,
    pub dataset_drift: bool,
    /// Wall time of the comparison (reading included), milliseconds.
    pub elapsed_ms: u64,
    /// Drift per time chunk of the current data, when asked for (`--time-column`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SideInfo {
    pub path: String,
    pub format: String,
    pub rows: u64,
    pub columns: usize,
    /// BLAKE3 of the file's bytes, hex.
    pub hash: String,
    /// Whether the tests used a profile cached in the catalog instead of reading the file.
    pub cached: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SchemaDiff {
    /// Columns only in the current file.
    pub added: Vec<String>,
    /// Columns only in the reference file.
    pub removed: Vec<String>,
    pub type_changed: Vec<TypeChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TypeChange {
    pub column: String,
    pub reference: String,
    pub current: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnResult {
    pub column: String,
    /// numerical | categorical | boolean | datetime | text
    pub kind: String,
    /// `inferred` from the data or set by an `override`.
    pub kind_source: String,
    pub testable: bool,
    pub not_testable_reason: Option<String>,
    pub method: Option<String>,
    pub method_label: Option<String>,
    /// Why this method: the automatic rule that chose it, or the override.
    pub reason: Option<String>,
    /// The method's statistic (the distance itself for distances).
    #[serde(serialize_with = "crate::json::optional_number")]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::json::JsonNumber>))]
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    /// What is compared with the threshold: the p-value for tests, the distance otherwise
    /// (Evidently's `drift_score`).
    #[serde(serialize_with = "crate::json::optional_number")]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::json::JsonNumber>))]
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    /// `p_value_below` or `distance_at_least`.
    pub rule: Option<String>,
    pub drifted: bool,
    /// Whether the numbers come from bounded-memory sketches rather than every value.
    pub approximate: bool,
    pub effect_size: Option<EffectSize>,
    pub reference: SideSummary,
    pub current: SideSummary,
    pub categories: Option<CategoryChanges>,
    pub histogram: Option<Histogram>,
    pub bars: Option<Bars>,
}

/// How large a change is, independent of the sample size.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EffectSize {
    /// `wasserstein_normed` (numbers: the distance in reference standard deviations) or
    /// `cramers_v` (categories: Cramér's V of the 2 x K table).
    pub name: String,
    pub label: String,
    pub value: f64,
    /// negligible | small | medium | large (bands in the module docs of `drift`).
    pub magnitude: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SideSummary {
    /// Non-missing values.
    pub count: u64,
    /// Nulls, NaN and ±inf.
    pub missing: u64,
    pub distinct: Option<u64>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub median: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CategoryChanges {
    /// Categories only in the current data (the most frequent first, at most 20 listed).
    pub new: Vec<String>,
    pub new_count: usize,
    /// Categories of the reference absent from the current data.
    pub missing: Vec<String>,
    pub missing_count: usize,
}

/// Proportions per equal-width bin; `edges.len() == reference.len() + 1`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

/// Proportions per category, the most frequent first; may end with `(other)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Bars {
    pub categories: Vec<String>,
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

/// Drift of each time chunk of the current data against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Timeline {
    pub time_column: String,
    /// `period` (calendar chunks like `1d`) or `size` (every N rows in time order).
    pub chunking: String,
    /// The period (`1d`, `1w`, `1mo`, ...) or the chunk size in rows.
    pub chunk: String,
    pub drift_share: f64,
    pub chunks: Vec<Chunk>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Chunk {
    /// First and last timestamp of the chunk, ISO 8601.
    pub start: String,
    pub end: String,
    pub rows: u64,
    pub tested_columns: usize,
    pub drifted_columns: usize,
    pub share_drifted: f64,
    pub dataset_drift: bool,
    /// Per column: its score and whether it drifted in this chunk.
    pub columns: Vec<ChunkColumn>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChunkColumn {
    pub column: String,
    pub method: String,
    #[serde(serialize_with = "crate::json::optional_number")]
    #[cfg_attr(feature = "specta", specta(type = Option<crate::json::JsonNumber>))]
    pub score: Option<f64>,
    pub threshold: f64,
    pub drifted: bool,
}

impl DriftReport {
    /// The report as pretty JSON (the `--format json` output).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a drift report always serializes")
    }

    pub fn column(&self, name: &str) -> Option<&ColumnResult> {
        self.columns.iter().find(|c| c.column == name)
    }
}
