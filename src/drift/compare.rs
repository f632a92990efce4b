//! Comparing two tabular files: scan both lazily, align columns by name, diff the schemas,
//! decide each column's kind, read the columns in memory-bounded batches, test each column in
//! parallel, and assemble the [`DriftReport`].

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use polars::prelude::*;

use crate::data::profile::TEXT_MIN_DISTINCT;
use crate::data::{DataError, Kind, TabularFormat, scan};

use super::column::{Choice, not_testable, summary, test_column};
use super::method::Method;
use super::report::{
    ColumnResult, DriftReport, FORMAT_VERSION, SchemaDiff, SideInfo, SideSummary, TypeChange,
};
use super::sample::{ColumnSample, category_sample, numeric_sample};

/// What the user can set; [`Default`] is Evidently's DataDriftPreset.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftOptions {
    /// Only these columns (each must be in both files); `None` = every common column.
    pub columns: Option<Vec<String>>,
    /// A method for every column it applies to (the others keep the automatic choice).
    pub method: Option<Method>,
    pub column_methods: BTreeMap<String, Method>,
    /// A threshold for every column (with the method's rule: p below, or distance at least).
    pub threshold: Option<f64>,
    pub column_thresholds: BTreeMap<String, f64>,
    /// Kind overrides.
    pub kinds: BTreeMap<String, Kind>,
    /// Dataset drift when the share of drifted columns is at least this.
    pub drift_share: f64,
    /// Bytes of column data held in memory at once (both files); `None` = a quarter of the
    /// machine's memory. A column larger than this on its own is tested from streaming
    /// summaries ([`super::sketch`]).
    pub memory_budget: Option<u64>,
    /// Test every column from streaming summaries, as if each were larger than memory.
    pub streaming: bool,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            columns: None,
            method: None,
            column_methods: BTreeMap::new(),
            threshold: None,
            column_thresholds: BTreeMap::new(),
            kinds: BTreeMap::new(),
            drift_share: 0.5,
            memory_budget: None,
            streaming: false,
        }
    }
}

/// Where a comparison is.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// `reading`, `testing` or `done`.
    pub phase: &'static str,
    pub done: usize,
    pub total: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(
        "the two files have no column in common: the reference has {}, the current has {}",
        list(.reference), list(.current)
    )]
    NoCommonColumns {
        reference: Vec<String>,
        current: Vec<String>,
    },
    #[error("{side} file {path} has no rows: expected a header and at least one row")]
    NoRows { side: &'static str, path: PathBuf },
    #[error("column '{column}' is not in the {side} file{}", hint(.suggestions))]
    UnknownColumn {
        column: String,
        side: &'static str,
        suggestions: Vec<String>,
    },
    #[error("{0}")]
    BadOption(String),
}

impl DriftError {
    /// Whether the input (files, options) is at fault, rather than the machine.
    pub fn is_bad_input(&self) -> bool {
        match self {
            DriftError::Data(e) => !matches!(e.kind, crate::data::DataErrorKind::Crashed { .. }),
            _ => true,
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

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
            let hash = scope.spawn(|| hash_file(path));
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

    fn open_unhashed(path: &Path, side: &'static str) -> Result<Side, DriftError> {
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
    fn frame(&mut self) -> Result<LazyFrame, DriftError> {
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
    fn dtype(&self, name: &str) -> Option<&ColumnType> {
        self.schema.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }
}

/// BLAKE3 of a file's bytes, hex.
pub fn hash_file(path: &Path) -> Result<String, DataError> {
    let io = |e| DataError::new(path, crate::data::DataErrorKind::Io(e));
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(&mut file).map_err(io)?;
    Ok(hasher.finalize().to_hex().to_string())
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

fn inferred_kind(t: &ColumnType) -> Option<Kind> {
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
fn suggestions(name: &str, candidates: &[(String, ColumnType)]) -> Vec<String> {
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

fn edit_distance(a: &str, b: &str) -> usize {
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
fn columns_to_compare(
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

/// The memory budget: the option, or a quarter of physical memory (Linux), or 2 GiB.
pub fn memory_budget(options: &DriftOptions) -> u64 {
    options.memory_budget.unwrap_or_else(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .map(|kib| kib * 1024 / 4)
            .unwrap_or(2 << 30)
    })
}

/// Bytes one column of `rows` rows takes in memory while it is tested (values, a sorted copy
/// for numbers; strings and their counts for categories): an estimate for batching.
fn column_bytes(read: ReadAs, rows: u64) -> u64 {
    match read {
        ReadAs::Numbers => rows * 24,
        ReadAs::Categories => rows * 32,
    }
}

/// Groups columns into batches whose estimated memory stays within `budget`.
fn batches(columns: &[(String, ReadAs)], rows: u64, budget: u64) -> Vec<Vec<(String, ReadAs)>> {
    let mut out: Vec<Vec<(String, ReadAs)>> = Vec::new();
    let mut used = u64::MAX;
    for (name, read) in columns {
        let bytes = column_bytes(*read, rows);
        if used.saturating_add(bytes) > budget || out.is_empty() {
            out.push(Vec::new());
            used = 0;
        }
        used += bytes;
        out.last_mut()
            .expect("pushed above")
            .push((name.clone(), *read));
    }
    out
}

fn column_expr(name: &str) -> Expr {
    Expr::Column(name.into())
}

/// `f` over `items` on every core, results in input order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len().max(1));
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// A string column is text rather than categorical when its reference values are mostly
/// distinct (or very many): value frequencies of such a column say nothing.
fn looks_like_text(sample: &ColumnSample) -> bool {
    let (distinct, count) = (sample.distinct(), sample.count());
    distinct >= TEXT_MIN_DISTINCT || (count >= 50 && distinct * 2 > count)
}

/// Reads one column of one file into a sample.
fn read_column(
    meta: &FileMeta,
    source: &Source,
    name: &str,
    read: ReadAs,
) -> Result<ColumnSample, DriftError> {
    let one;
    let df = match source {
        Source::Lazy(frame) => {
            one = crate::data::guard(&meta.path, meta.format, || {
                frame.clone().select([column_expr(name)]).collect()
            })?;
            &one
        }
        Source::Read(df) => df,
    };
    crate::data::guard(&meta.path, meta.format, || {
        let c = df.column(name)?;
        match read {
            ReadAs::Numbers => numeric_sample(c),
            ReadAs::Categories => category_sample(c),
        }
    })
    .map_err(DriftError::Data)
}

/// Where a batch's columns come from: Parquet and Arrow read one column cheaply, so each job
/// reads its own (decoding in parallel); CSV and NDJSON must be parsed whole, so a batch's
/// columns are parsed once and the jobs share the frame.
enum Source {
    Lazy(Box<LazyFrame>),
    Read(DataFrame),
}

impl Source {
    fn of(side: &mut Side, group: &[(String, ReadAs)]) -> Result<Source, DriftError> {
        let frame = side.frame()?;
        if matches!(side.format, TabularFormat::Parquet | TabularFormat::Arrow) {
            return Ok(Source::Lazy(Box::new(frame)));
        }
        let exprs: Vec<Expr> = group.iter().map(|(n, _)| column_expr(n)).collect();
        let df = crate::data::guard(&side.path, side.format, || frame.select(exprs).collect())?;
        Ok(Source::Read(df))
    }
}

/// Tests a read column as its plan says (a string column that turns out to be text is not
/// testable).
fn test_planned(
    name: &str,
    plans: &[(String, Plan)],
    options: &DriftOptions,
    r: &ColumnSample,
    c: &ColumnSample,
) -> ColumnResult {
    let plan = &plans.iter().find(|(n, _)| n == name).expect("planned").1;
    let Plan::Test {
        kind,
        kind_source,
        may_be_text,
        ..
    } = plan
    else {
        unreachable!("only testable columns are read")
    };
    if *may_be_text && looks_like_text(r) {
        return not_testable(
            name,
            Kind::Text,
            kind_source,
            format!(
                "text: {} distinct values in {} reference rows; set its kind to categorical to compare value frequencies",
                r.distinct(),
                r.count()
            ),
            summary(r),
            summary(c),
        );
    }
    let choice = Choice {
        method: options
            .column_methods
            .get(name)
            .copied()
            .or(options.method.filter(|m| m.applies_to(*kind))),
        threshold: options
            .column_thresholds
            .get(name)
            .copied()
            .or(options.threshold),
    };
    test_column(name, *kind, kind_source, r, c, choice)
}

/// Tests columns from streaming summaries (numbers) or streaming counts (categories).
fn test_streamed(
    reference: &FileMeta,
    current: &FileMeta,
    columns: &[(String, ReadAs)],
    plans: &[(String, Plan)],
    options: &DriftOptions,
) -> Result<Vec<ColumnResult>, DriftError> {
    let numbers: Vec<String> = columns
        .iter()
        .filter(|(_, r)| *r == ReadAs::Numbers)
        .map(|(n, _)| n.clone())
        .collect();
    let (rm, cm) = if numbers.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (
            super::sketch::moments(&reference.path, &numbers)?,
            super::sketch::moments(&current.path, &numbers)?,
        )
    };
    let mut out = Vec::with_capacity(columns.len());
    for (name, read) in columns {
        let Some(Plan::Test {
            kind,
            kind_source,
            may_be_text,
            ..
        }) = plans.iter().find(|(n, _)| n == name).map(|(_, p)| p)
        else {
            continue;
        };
        let method = options
            .column_methods
            .get(name)
            .copied()
            .or(options.method.filter(|m| m.applies_to(*kind)));
        let threshold = options
            .column_thresholds
            .get(name)
            .copied()
            .or(options.threshold);
        match read {
            ReadAs::Numbers => {
                let i = numbers
                    .iter()
                    .position(|n| n == name)
                    .expect("listed above");
                out.push(super::sketch::test_numeric_column(
                    name,
                    kind_source,
                    (&reference.path, rm[i]),
                    (&current.path, cm[i]),
                    method,
                    threshold,
                )?);
            }
            ReadAs::Categories => {
                let r = super::sketch::category_counts(&reference.path, name)?;
                let c = super::sketch::category_counts(&current.path, name)?;
                if *may_be_text && looks_like_text(&r) {
                    out.push(not_testable(
                        name,
                        Kind::Text,
                        kind_source,
                        format!(
                            "text: {} distinct values in {} reference rows; set its kind to categorical to compare value frequencies",
                            r.distinct(),
                            r.count()
                        ),
                        summary(&r),
                        summary(&c),
                    ));
                } else {
                    out.push(test_column(
                        name,
                        *kind,
                        kind_source,
                        &r,
                        &c,
                        Choice { method, threshold },
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Reference profiles cached by content hash (the catalog implements this).
pub trait ReferenceSamples {
    /// What is known of the file at `path` when it has not changed since it was cached.
    fn file(&self, path: &Path) -> Option<FileMeta>;
    /// Samples of the file with content `hash` for these columns, or `None` when one is
    /// missing.
    fn samples(
        &self,
        hash: &str,
        columns: &[(String, ReadAs)],
    ) -> Option<HashMap<String, ColumnSample>>;
}

/// Compares `reference` with `current`. `progress` is called as the work advances.
pub fn compare(
    reference: &Path,
    current: &Path,
    options: &DriftOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<DriftReport, DriftError> {
    compare_with_cache(reference, current, options, None, Keep::Nothing, progress).map(|c| c.report)
}

/// Reference samples read during a comparison, to store in a cache.
pub type ReadSamples = HashMap<String, (ReadAs, ColumnSample)>;

/// What [`compare_with_cache`] gives back.
#[derive(Debug)]
pub struct Comparison {
    pub report: DriftReport,
    /// The reference file's metadata (to cache it).
    pub reference: FileMeta,
    /// The reference samples, when asked to keep them.
    pub samples: ReadSamples,
}

/// Which reference samples [`compare_with_cache`] gives back (kept ones stay in memory beyond
/// their batch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// None: memory stays within the budget.
    Nothing,
    /// Those read from the file (to cache them); none when the cache served them.
    FromFile,
    /// All of them (to test time chunks against).
    All,
}

impl Keep {
    fn keeps_read_samples(self) -> bool {
        self != Keep::Nothing
    }
}

/// [`compare`], taking reference samples from `cache` when it has them all, and giving back
/// the reference samples `keep` asks for.
pub fn compare_with_cache(
    reference: &Path,
    current: &Path,
    options: &DriftOptions,
    cache: Option<&dyn ReferenceSamples>,
    keep: Keep,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Comparison, DriftError> {
    let started = Instant::now();
    // DRIFTDECK_TIMING=1 prints where the time goes (for benchmarks; stderr only).
    let timing = std::env::var_os("DRIFTDECK_TIMING").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!(
                "[timing] {:>8.3} s  {what}",
                started.elapsed().as_secs_f64()
            );
        }
    };
    progress(Progress {
        phase: "reading",
        done: 0,
        total: 2,
        message: format!("opening {}", reference.display()),
    });
    let cached_meta = cache.and_then(|c| c.file(reference));
    // Both files opened (schema, rows, hash) at once.
    let (ref_side, cur_side) = std::thread::scope(|scope| {
        let cur = scope.spawn(|| Side::open(current, "current"));
        let r = match cached_meta {
            Some(meta) => Ok(Side::cached(meta)),
            None => Side::open(reference, "reference"),
        };
        let c = cur.join().unwrap_or_else(|_| {
            Err(DriftError::BadOption(format!(
                "opening {} stopped unexpectedly",
                current.display()
            )))
        });
        (r, c)
    });
    let (mut ref_side, mut cur_side) = (ref_side?, cur_side?);
    lap("files opened");
    let names = columns_to_compare(&ref_side, &cur_side, options)?;
    let schema = schema_diff(&ref_side, &cur_side);

    let plans: Vec<(String, Plan)> = names
        .iter()
        .map(|n| {
            let (r, c) = (ref_side.dtype(n).unwrap(), cur_side.dtype(n).unwrap());
            (n.clone(), plan_column(r, c, options.kinds.get(n).copied()))
        })
        .collect();
    let rows = ref_side.rows.max(cur_side.rows);
    let budget = memory_budget(options);
    // Columns too large for the budget on their own are streamed; the rest read in batches.
    type Columns = Vec<(String, ReadAs)>;
    let (streamed, to_read): (Columns, Columns) = plans
        .iter()
        .filter_map(|(n, p)| match p {
            Plan::Test { read, .. } => Some((n.clone(), *read)),
            Plan::Skip { .. } => None,
        })
        .partition(|(_, read)| options.streaming || column_bytes(*read, rows) > budget);
    let groups = batches(&to_read, rows, budget);
    let total = to_read.len();
    let mut results: HashMap<String, ColumnResult> = HashMap::new();
    let mut read_back: ReadSamples = HashMap::new();
    let mut from_cache = cache.is_some() && !to_read.is_empty();
    let mut done = 0;
    for group in &groups {
        progress(Progress {
            phase: "reading",
            done,
            total,
            message: format!("reading {} columns", group.len()),
        });
        let cached = cache.and_then(|c| c.samples(&ref_side.hash, group));
        from_cache &= cached.is_some();
        if cached.is_some() {
            lap("reference samples loaded from the cache");
        }
        let ref_frame = match cached {
            Some(_) => None,
            None => Some(Source::of(&mut ref_side, group)?),
        };
        let cur_frame = Source::of(&mut cur_side, group)?;
        let (ref_meta, cur_meta) = (&ref_side.meta, &cur_side.meta);
        // One job per column: read it from both files, build the samples, test. The two
        // workers overlap one column's decoding with another's sorting and testing.
        let finished = AtomicUsize::new(done);
        let outcomes: Vec<Result<(ColumnResult, Option<ColumnSample>), DriftError>> =
            parallel_map(group, |(name, read)| {
                let read_ref = match (&cached, &ref_frame) {
                    (Some(_), _) => None,
                    (None, Some(frame)) => Some(read_column(ref_meta, frame, name, *read)?),
                    (None, None) => unreachable!("the reference frame is opened when not cached"),
                };
                let r = match (&read_ref, &cached) {
                    (Some(owned), _) => owned,
                    (None, Some(samples)) => &samples[name],
                    (None, None) => unreachable!("one of the two is set above"),
                };
                let c = read_column(cur_meta, &cur_frame, name, *read)?;
                let result = test_planned(name, &plans, options, r, &c);
                let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress {
                    phase: "testing",
                    done: n,
                    total,
                    message: format!("tested {name}"),
                });
                let kept = if keep.keeps_read_samples() {
                    read_ref
                } else {
                    None
                };
                Ok((result, kept))
            });
        done += group.len();
        lap("columns read and tested");
        for (outcome, (name, read)) in outcomes.into_iter().zip(group) {
            let (result, kept) = outcome?;
            results.insert(result.column.clone(), result);
            if let Some(sample) = kept {
                read_back.insert(name.clone(), (*read, sample));
            }
        }
        if keep == Keep::All
            && let Some(mut samples) = cached
        {
            for (name, read) in group {
                if let Some(s) = samples.remove(name) {
                    read_back.insert(name.clone(), (*read, s));
                }
            }
        }
    }
    if !streamed.is_empty() {
        progress(Progress {
            phase: "testing",
            done,
            total,
            message: format!("streaming {} columns", streamed.len()),
        });
        for result in test_streamed(&ref_side, &cur_side, &streamed, &plans, options)? {
            results.insert(result.column.clone(), result);
        }
    }
    let mut columns = Vec::with_capacity(plans.len());
    for (name, plan) in &plans {
        columns.push(match plan {
            Plan::Test { .. } => results.remove(name).expect("every read column was tested"),
            Plan::Skip {
                kind,
                kind_source,
                reason,
            } => not_testable(
                name,
                *kind,
                kind_source,
                reason.clone(),
                SideSummary::default(),
                SideSummary::default(),
            ),
        });
    }
    let tested_columns = columns.iter().filter(|c| c.testable).count();
    let drifted_columns = columns.iter().filter(|c| c.drifted).count();
    let share_drifted = if tested_columns == 0 {
        0.0
    } else {
        drifted_columns as f64 / tested_columns as f64
    };
    let report = DriftReport {
        format_version: FORMAT_VERSION,
        reference: ref_side.info(from_cache),
        current: cur_side.info(false),
        schema,
        tested_columns,
        drifted_columns,
        share_drifted,
        drift_share: options.drift_share,
        dataset_drift: tested_columns > 0 && share_drifted >= options.drift_share,
        columns,
        elapsed_ms: started.elapsed().as_millis() as u64,
        timeline: None,
    };
    progress(Progress {
        phase: "done",
        done: total,
        total,
        message: format!(
            "{} of {} columns drifted",
            report.drifted_columns, report.tested_columns
        ),
    });
    Ok(Comparison {
        report,
        reference: ref_side.meta,
        samples: read_back,
    })
}
