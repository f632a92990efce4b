//! Reading and testing the planned columns within a memory budget: columns are grouped into
//! batches whose estimated size fits the budget, read one job per column (Parquet/Arrow decode
//! each column on its own; CSV/NDJSON parse a batch once and share it), turned into samples and
//! tested; a column larger than the budget on its own is tested from streaming summaries.

use polars::prelude::*;

use crate::data::profile::TEXT_MIN_DISTINCT;
use crate::data::{Kind, TabularFormat};

use super::column::{Choice, not_testable, summary, test_column};
use super::error::DriftError;
use super::options::DriftOptions;
use super::report::ColumnResult;
use super::sample::{ColumnSample, category_sample, numeric_sample};
use super::schema::{FileMeta, Plan, ReadAs, Side};

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
pub(super) fn column_bytes(read: ReadAs, rows: u64) -> u64 {
    match read {
        ReadAs::Numbers => rows * 24,
        ReadAs::Categories => rows * 32,
    }
}

/// Groups columns into batches whose estimated memory stays within `budget`.
pub(super) fn batches(
    columns: &[(String, ReadAs)],
    rows: u64,
    budget: u64,
) -> Vec<Vec<(String, ReadAs)>> {
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

pub(super) fn column_expr(name: &str) -> Expr {
    Expr::Column(name.into())
}

/// A string column is text rather than categorical when its reference values are mostly
/// distinct (or very many): value frequencies of such a column say nothing.
/// The result of a string column that turned out to be text: not testable, and why.
fn as_text(
    name: &str,
    kind_source: &'static str,
    r: &ColumnSample,
    c: &ColumnSample,
) -> ColumnResult {
    not_testable(
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
    )
}

pub(super) fn looks_like_text(sample: &ColumnSample) -> bool {
    let (distinct, count) = (sample.distinct(), sample.count());
    distinct >= TEXT_MIN_DISTINCT || (count >= 50 && distinct * 2 > count)
}

/// Reads one column of one file into a sample.
pub(super) fn read_column(
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
pub(super) enum Source {
    Lazy(Box<LazyFrame>),
    Read(DataFrame),
}

impl Source {
    pub(super) fn of(side: &mut Side, group: &[(String, ReadAs)]) -> Result<Source, DriftError> {
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
pub(super) fn test_planned(
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
        return as_text(name, kind_source, r, c);
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
pub(super) fn test_streamed(
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
                    out.push(as_text(name, kind_source, &r, &c));
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
