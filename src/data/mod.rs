//! Tabular files: which format a file is, how to scan it lazily with Polars, and its profile.
//!
//! Everything here is built on Polars' lazy API: [`scan`] turns a path into a `LazyFrame` (no data
//! is read yet), and [`profile()`] runs a handful of aggregate queries on it with the streaming
//! engine, so that a file larger than memory is profiled in bounded memory. The drift check reuses
//! both: it scans a reference and a current file the same way and compares their profiles.
//!
//! ```no_run
//! let profile = driftdeck::data::profile(std::path::Path::new("data/train.csv")).unwrap();
//! for column in &profile.columns {
//!     println!("{} {} {} nulls={}", column.name, column.dtype, column.kind.as_str(), column.nulls);
//! }
//! ```
//!
//! # Formats and loading
//!
//! The format comes from the extension ([`TabularFormat::from_path`]): `.csv`, `.tsv` (CSV with a
//! tab separator), `.parquet`, `.arrow`/`.feather`/`.ipc` (the Arrow IPC file format, which is
//! Feather v2), `.ndjson`/`.jsonl`. CSV is read with a header row, `"` quotes, UTF-8 only, types
//! inferred from the first [`CSV_INFER_SCHEMA_ROWS`] rows (ISO dates and date-times included), and empty fields plus the usual missing
//! markers ([`CSV_NULL_VALUES`]) as nulls; `NaN` and `inf` stay floats. Rows shorter than the
//! header are padded with nulls (as pandas does); longer ones are an error (ragged rows).
//!
//! # Errors
//!
//! Bad input never panics and never stops an index: every failure is a [`DataError`] that names the
//! file and says what was expected ([`DataErrorKind`]). Polars itself can panic on some malformed
//! inputs, so every call into it from this module is guarded with `catch_unwind` and a panic
//! becomes [`DataErrorKind::Crashed`] (the process's panic hook still reports it on stderr: the
//! hook is global, not this module's to replace).
//!
//! # Profiles
//!
//! See [`profile`](mod@profile) for what is computed, how (two streaming passes), which numbers are
//! exact and which are approximate, and the JSON keys the app shows.

mod load;
pub mod profile;

use std::fmt;
use std::path::{Path, PathBuf};

pub(crate) use load::guarded as guard;
pub use load::{CSV_INFER_SCHEMA_ROWS, CSV_NULL_VALUES, scan};
pub use profile::{
    CategoryStats, ColumnProfile, ColumnStats, DatasetProfile, DatetimeStats, Kind, NumericStats,
    ProfileOptions, TextStats, profile, profile_with,
};

/// The tabular file formats Driftdeck reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TabularFormat {
    Csv,
    /// CSV with a tab separator.
    Tsv,
    Parquet,
    /// The Arrow IPC file format (Feather v2).
    Arrow,
    /// Newline-delimited JSON, one object per line.
    Ndjson,
}

impl TabularFormat {
    /// Every format.
    pub const ALL: [TabularFormat; 5] = [
        TabularFormat::Csv,
        TabularFormat::Tsv,
        TabularFormat::Parquet,
        TabularFormat::Arrow,
        TabularFormat::Ndjson,
    ];

    /// The format of a file extension (without the dot, any case), if it is a tabular one.
    pub fn from_extension(ext: &str) -> Option<TabularFormat> {
        let format = match ext.to_ascii_lowercase().as_str() {
            "csv" => TabularFormat::Csv,
            "tsv" => TabularFormat::Tsv,
            "parquet" | "pq" => TabularFormat::Parquet,
            "arrow" | "feather" | "ipc" => TabularFormat::Arrow,
            "ndjson" | "jsonl" => TabularFormat::Ndjson,
            _ => return None,
        };
        Some(format)
    }

    /// The format of a path, from its extension.
    pub fn from_path(path: &Path) -> Option<TabularFormat> {
        TabularFormat::from_extension(path.extension()?.to_str()?)
    }

    /// The short stable name stored in the catalog: `csv`, `tsv`, `parquet`, `arrow`, `ndjson`.
    pub fn as_str(self) -> &'static str {
        match self {
            TabularFormat::Csv => "csv",
            TabularFormat::Tsv => "tsv",
            TabularFormat::Parquet => "parquet",
            TabularFormat::Arrow => "arrow",
            TabularFormat::Ndjson => "ndjson",
        }
    }
}

impl fmt::Display for TabularFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tabular file that could not be scanned or profiled.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct DataError {
    pub path: PathBuf,
    pub kind: DataErrorKind,
}

impl DataError {
    pub fn new(path: &Path, kind: DataErrorKind) -> DataError {
        DataError {
            path: path.to_path_buf(),
            kind,
        }
    }
}

/// What went wrong, and what was expected instead. Messages do not repeat the path (a
/// [`DataError`] adds it), so that a catalog problem can show them next to the file.
#[derive(Debug, thiserror::Error)]
pub enum DataErrorKind {
    #[error(
        "not a tabular file: expected a .csv, .tsv, .parquet, .pq, .arrow, .feather, .ipc, .ndjson or .jsonl extension"
    )]
    UnknownFormat,
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    #[error("empty file (0 bytes): expected a {format} table")]
    Empty { format: TabularFormat },
    #[error(
        "truncated Parquet file: {bytes} bytes with a 'PAR1' header but no footer (expected the file to end with 'PAR1')"
    )]
    TruncatedParquet { bytes: u64 },
    #[error("not a Parquet file: expected the 'PAR1' magic bytes at its start and end")]
    NotParquet,
    #[error(
        "not an Arrow IPC file (Feather v2): expected the 'ARROW1' magic bytes at its start and end"
    )]
    NotArrow,
    #[error("invalid UTF-8 at line {line} (byte offset {offset}): expected UTF-8 text")]
    InvalidUtf8 { line: u64, offset: u64 },
    #[error("ragged rows: {detail}")]
    Ragged { detail: String },
    #[error("not a valid {format} table: {detail}")]
    Malformed {
        format: TabularFormat,
        detail: String,
    },
    #[error("the {format} reader crashed on this file ({detail}); the file is probably malformed")]
    Crashed {
        format: TabularFormat,
        detail: String,
    },
}

/// The input is at fault, except when a reader crashed on it (a bug of ours or Polars').
impl crate::error::Classify for DataError {
    fn code(&self) -> crate::error::ErrorCode {
        match self.kind {
            DataErrorKind::Crashed { .. } => crate::error::ErrorCode::Internal,
            _ => crate::error::ErrorCode::BadInput,
        }
    }
}

impl DataErrorKind {
    /// A stable code for the UI to branch on (never on the message).
    pub fn code(&self) -> &'static str {
        match self {
            DataErrorKind::UnknownFormat => "unknown_format",
            DataErrorKind::Io(_) => "io",
            DataErrorKind::Empty { .. } => "empty_file",
            DataErrorKind::TruncatedParquet { .. } => "truncated_parquet",
            DataErrorKind::NotParquet => "not_parquet",
            DataErrorKind::NotArrow => "not_arrow",
            DataErrorKind::InvalidUtf8 { .. } => "invalid_utf8",
            DataErrorKind::Ragged { .. } => "ragged_rows",
            DataErrorKind::Malformed { .. } => "malformed",
            DataErrorKind::Crashed { .. } => "reader_crashed",
        }
    }
}

/// A column's values as category strings: strings as they are, numbers as they print, with
/// whole floats as integers so that 1.0 in one file and 1 in the other are one category (the
/// fairness check maps labels the same way).
pub fn category_strings(
    column: &polars::prelude::Column,
) -> polars::prelude::PolarsResult<polars::prelude::StringChunked> {
    use polars::prelude::DataType;
    if column.dtype().is_string() {
        return Ok(column.str()?.clone());
    }
    if column.dtype().is_float() {
        let f = column.cast(&DataType::Float64)?;
        return Ok(f
            .f64()?
            .iter()
            .map(|v| {
                v.map(|v| {
                    if v.fract() == 0.0 && v.abs() < 1e15 {
                        format!("{}", v as i64)
                    } else {
                        format!("{v}")
                    }
                })
            })
            .collect());
    }
    Ok(column.cast(&DataType::String)?.str()?.clone())
}

/// The BLAKE3 (hex) of a tabular file's bytes, for reports: [`crate::hash::hash_file`] with the
/// error a data reader reports.
pub fn file_hash(path: &Path) -> Result<String, DataError> {
    crate::hash::hash_file(path)
        .map(|(_, hex)| hex)
        .map_err(|e| DataError::new(path, DataErrorKind::Io(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_extensions_in_any_case() {
        let cases = [
            ("a.csv", Some(TabularFormat::Csv)),
            ("a.TSV", Some(TabularFormat::Tsv)),
            ("dir/a.parquet", Some(TabularFormat::Parquet)),
            ("a.arrow", Some(TabularFormat::Arrow)),
            ("a.feather", Some(TabularFormat::Arrow)),
            ("a.ipc", Some(TabularFormat::Arrow)),
            ("a.ndjson", Some(TabularFormat::Ndjson)),
            ("a.JSONL", Some(TabularFormat::Ndjson)),
            ("a.json", None),
            ("a.csv.gz", None),
            ("csv", None),
        ];
        for (path, expected) in cases {
            assert_eq!(
                TabularFormat::from_path(Path::new(path)),
                expected,
                "{path}"
            );
        }
        for format in TabularFormat::ALL {
            assert_eq!(TabularFormat::from_extension(format.as_str()), Some(format));
        }
    }
}
