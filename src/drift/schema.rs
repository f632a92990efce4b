//! What is known of the two files before any data is read: each column's type, the schema diff,
//! the columns to compare (checked against the options, with "did you mean" for typos), and each
//! column's plan (its kind, inferred or overridden, and whether and how it can be tested).

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::data::{DataError, Kind, TabularFormat, scan};

use super::error::DriftError;
use super::options::DriftOptions;
use super::report::{SchemaDiff, SideInfo, TypeChange};

/// What a column's type is, as far as drift cares: Polars' name for it, and its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnType {
    /// As Polars prints it: `f64`, `i64`, `str`, `datetime[μs]`, ...
    pub dtype: String,
    pub class: TypeClass,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeClass {
    Numeric,
    Boolean,
    String,
    Categorical,
    Temporal,
    Other,
}

impl TypeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TypeClass::Numeric => "numeric",
            TypeClass::Boolean => "boolean",
            TypeClass::String => "string",
            TypeClass::Categorical => "categorical",
            TypeClass::Temporal => "temporal",
            TypeClass::Other => "other",
        }
    }

    pub fn parse(s: &str) -> TypeClass {
        match s {
            "numeric" => TypeClass::Numeric,
            "boolean" => TypeClass::Boolean,
            "string" => TypeClass::String,
            "categorical" => TypeClass::Categorical,
            "temporal" => TypeClass::Temporal,
            _ => TypeClass::Other,
        }
    }
}

impl ColumnType {
    pub fn of(dtype: &DataType) -> ColumnType {
        let class = if dtype.is_primitive_numeric() {
            TypeClass::Numeric
        } else if dtype.is_bool() {
            TypeClass::Boolean
        } else if dtype.is_string() {
            TypeClass::String
        } else if dtype.is_categorical() || dtype.is_enum() {
            TypeClass::Categorical
        } else if dtype.is_temporal() {
            TypeClass::Temporal
        } else {
            TypeClass::Other
        };
        ColumnType {
            dtype: dtype.to_string(),
            class,
        }
    }
}

/// What is known of a file without reading its data: enough to plan a comparison, and to find
/// its cached reference samples.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    pub path: PathBuf,
    pub format: TabularFormat,
    pub schema: Vec<(String, ColumnType)>,
    pub rows: u64,
    /// BLAKE3 of the bytes, hex.
    pub hash: String,
}

/// One side: its metadata, and the lazy scan once the file is opened (a reference served
/// from the cache is never opened).
pub struct Side {
    pub meta: FileMeta,
    frame: Option<LazyFrame>,
}

impl std::ops::Deref for Side {
    type Target = FileMeta;
    fn deref(&self) -> &FileMeta {
        &self.meta
    }
}

impl Side {
    /// Scans `path`, reads its schema and row count (Parquet/Arrow: from the footer), and hashes it.
    pub fn open(path: &Path, side: &'static str) -> Result<Side, DriftError> {
        // Hashing a large file takes as long as reading its schema and row count: in parallel.
        std::thread::scope(|scope| {
            let hash = scope.spawn(|| crate::data::file_hash(path));
            let opened = Side::open_unhashed(path, side);
            let hash = hash.join().unwrap_or_else(|_| {
                Err(DataError::new(
                    path,
                    crate::data::DataErrorKind::Io(std::io::Error::other("hashing stopped")),
                ))
            });
            let mut opened = opened?;
            opened.meta.hash = hash?;
            Ok(opened)
        })
    }

    pub(super) fn open_unhashed(path: &Path, side: &'static str) -> Result<Side, DriftError> {
        let (format, frame) = scan(path)?;
        let schema: Vec<(String, ColumnType)> = crate::data::guard(path, format, || {
            Ok(frame
                .clone()
                .collect_schema()?
                .iter()
                .map(|(n, d)| (n.to_string(), ColumnType::of(d)))
                .collect::<Vec<_>>())
        })?;
        let rows = crate::data::guard(path, format, || {
            let df = frame.clone().select([len()]).collect()?;
            Ok(df.column("len")?.u32()?.get(0).unwrap_or(0) as u64)
        })?;
        if rows == 0 {
            return Err(DriftError::NoRows {
                side,
                path: path.to_path_buf(),
            });
        }
        let hash = String::new(); // filled in by `open`
        Ok(Side {
            meta: FileMeta {
                path: path.to_path_buf(),
                format,
                schema,
                rows,
                hash,
            },
            frame: Some(frame),
        })
    }

    /// A side known from the cache: not opened until a column has to be read.
    pub fn cached(meta: FileMeta) -> Side {
        Side { meta, frame: None }
    }

    /// The lazy scan, opening the file now if it was not.
    pub(super) fn frame(&mut self) -> Result<LazyFrame, DriftError> {
        if self.frame.is_none() {
            let (_, frame) = scan(&self.meta.path)?;
            self.frame = Some(frame);
        }
        Ok(self.frame.clone().expect("set above"))
    }

    pub fn info(&self, cached: bool) -> SideInfo {
        SideInfo {
            path: self.path.display().to_string(),
            format: self.format.as_str().to_string(),
            rows: self.rows,
            columns: self.schema.len(),
            hash: self.hash.clone(),
            cached,
        }
    }
}

impl FileMeta {
    pub(super) fn dtype(&self, name: &str) -> Option<&ColumnType> {
        self.schema.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }
}

/// How a column is read from each side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadAs {
    Numbers,
    Categories,
}

/// The plan for one common column.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Test {
        kind: Kind,
        kind_source: &'static str,
        read: ReadAs,
        /// Strings read as categories become text (not testable) when too many are distinct.
        may_be_text: bool,
    },
    Skip {
        kind: Kind,
        kind_source: &'static str,
        reason: String,
    },
}

pub(super) fn inferred_kind(t: &ColumnType) -> Option<Kind> {
    match t.class {
        TypeClass::Numeric => Some(Kind::Numerical),
        TypeClass::Boolean => Some(Kind::Boolean),
        TypeClass::String | TypeClass::Categorical => Some(Kind::Categorical),
        TypeClass::Temporal => Some(Kind::Datetime),
        TypeClass::Other => None,
    }
}

/// Decides a column's kind and how to read it from its two types and an override.
pub fn plan_column(reference: &ColumnType, current: &ColumnType, over: Option<Kind>) -> Plan {
    let (rk, ck) = (inferred_kind(reference), inferred_kind(current));
    if let Some(kind) = over {
        let source = "override";
        return match kind {
            Kind::Numerical => Plan::Test {
                kind,
                kind_source: source,
                read: ReadAs::Numbers,
                may_be_text: false,
            },
            Kind::Categorical | Kind::Boolean => Plan::Test {
                kind,
                kind_source: source,
                read: ReadAs::Categories,
                may_be_text: false,
            },
            Kind::Datetime | Kind::Text => Plan::Skip {
                kind,
                kind_source: source,
                reason: format!(
                    "{} columns are not tested; set the kind to numerical or categorical to test it",
                    kind.as_str()
                ),
            },
        };
    }
    let source = "inferred";
    match (rk, ck) {
        (Some(a), Some(b)) if a == b => match a {
            Kind::Numerical => Plan::Test {
                kind: a,
                kind_source: source,
                read: ReadAs::Numbers,
                may_be_text: false,
            },
            Kind::Boolean => Plan::Test {
                kind: a,
                kind_source: source,
                read: ReadAs::Categories,
                may_be_text: false,
            },
            Kind::Categorical => Plan::Test {
                kind: a,
                kind_source: source,
                read: ReadAs::Categories,
                may_be_text: reference.class == TypeClass::String,
            },
            Kind::Datetime | Kind::Text => Plan::Skip {
                kind: a,
                kind_source: source,
                reason: "datetime columns are not tested by default (as in Evidently); set its kind to numerical to test its values"
                    .to_string(),
            },
        },
        (Some(a), Some(b)) => Plan::Skip {
            kind: a,
            kind_source: source,
            reason: format!(
                "its type changed from {} ({}) to {} ({}); set its kind to categorical or numerical to test it anyway",
                reference.dtype,
                a.as_str(),
                current.dtype,
                b.as_str()
            ),
        },
        _ => Plan::Skip {
            kind: Kind::Text,
            kind_source: source,
            reason: format!(
                "type {} is not testable (nested, binary or all-null); only numbers, strings, booleans and dates are",
                if rk.is_none() { &reference.dtype } else { &current.dtype }
            ),
        },
    }
}

/// The schema diff of two sides (columns in each side's order).
pub fn schema_diff(reference: &FileMeta, current: &FileMeta) -> SchemaDiff {
    let mut diff = SchemaDiff::default();
    for (name, dtype) in &current.schema {
        match reference.dtype(name) {
            None => diff.added.push(name.clone()),
            Some(r) if r.dtype != dtype.dtype => diff.type_changed.push(TypeChange {
                column: name.clone(),
                reference: r.dtype.clone(),
                current: dtype.dtype.clone(),
            }),
            Some(_) => {}
        }
    }
    for (name, _) in &reference.schema {
        if current.dtype(name).is_none() {
            diff.removed.push(name.clone());
        }
    }
    diff
}

/// Names within edit distance 2 (case-insensitive) of `name`, for "did you mean".
pub(super) fn suggestions(name: &str, candidates: &[(String, ColumnType)]) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut out: Vec<(usize, String)> = candidates
        .iter()
        .filter_map(|(c, _)| {
            let d = edit_distance(&lower, &c.to_lowercase());
            (d <= 2 || c.to_lowercase().contains(&lower)).then(|| (d, c.clone()))
        })
        .collect();
    out.sort();
    out.into_iter()
        .take(3)
        .map(|(_, c)| format!("'{c}'"))
        .collect()
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Checks the options against the two schemas; returns the columns to consider, in
/// reference order.
pub(super) fn columns_to_compare(
    reference: &FileMeta,
    current: &FileMeta,
    options: &DriftOptions,
) -> Result<Vec<String>, DriftError> {
    if !(0.0..=1.0).contains(&options.drift_share) || options.drift_share.is_nan() {
        return Err(DriftError::BadOption(format!(
            "drift share {} is out of range: expected a number from 0 to 1",
            options.drift_share
        )));
    }
    if let Some(t) = options.threshold
        && !(t.is_finite() && t >= 0.0)
    {
        return Err(DriftError::BadOption(format!(
            "threshold {t} is not valid: expected a number of 0 or more"
        )));
    }
    let check = |name: &String| -> Result<(), DriftError> {
        for (side, s) in [("reference", reference), ("current", current)] {
            if s.dtype(name).is_none() {
                return Err(DriftError::UnknownColumn {
                    column: name.clone(),
                    side,
                    suggestions: suggestions(name, &s.schema),
                });
            }
        }
        Ok(())
    };
    let named = options
        .column_methods
        .keys()
        .chain(options.column_thresholds.keys())
        .chain(options.kinds.keys());
    for name in named.chain(options.columns.iter().flatten()) {
        check(name)?;
    }
    let common: Vec<String> = reference
        .schema
        .iter()
        .filter(|(n, _)| current.dtype(n).is_some())
        .map(|(n, _)| n.clone())
        .collect();
    if common.is_empty() {
        return Err(DriftError::NoCommonColumns {
            reference: reference.schema.iter().map(|(n, _)| n.clone()).collect(),
            current: current.schema.iter().map(|(n, _)| n.clone()).collect(),
        });
    }
    Ok(match &options.columns {
        Some(wanted) => common.into_iter().filter(|c| wanted.contains(c)).collect(),
        None => common,
    })
}
