//! Monitoring over time: the current data cut into chunks by a timestamp column (calendar-free
//! periods such as `6h`, `1d`, `1w`, or every N rows in time order), each chunk tested against
//! the reference with the method and threshold the whole-file comparison chose for that column,
//! so the series of scores is comparable from chunk to chunk.

use std::path::Path;

use polars::prelude::*;

use crate::data::{DataError, DataErrorKind};

use super::column::{Choice, test_column};
use super::compare::ReadSamples;
use super::error::DriftError;
use super::method::Method;
use super::options::Progress;
use super::report::{Chunk, ChunkColumn, DriftReport, Timeline};
use super::sample::{category_sample, numeric_sample};
use super::schema::ReadAs;

/// How the current data is cut.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunking {
    /// Fixed-length periods from the first timestamp's period start (UTC), in milliseconds;
    /// the label is what the user wrote (`1d`).
    Period { millis: i64, label: String },
    /// Every `n` rows in time order (the last chunk may be shorter).
    Size(usize),
}

impl Chunking {
    /// Parses `30m`, `6h`, `1d`, `2w` (minutes, hours, days, weeks).
    pub fn parse_period(s: &str) -> Result<Chunking, DriftError> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (n, unit) = s.split_at(split);
        let n: i64 = n.parse().unwrap_or(0);
        let unit_ms = match unit {
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            _ => 0,
        };
        if n <= 0 || unit_ms == 0 {
            return Err(DriftError::BadOption(format!(
                "period '{s}' is not valid: expected a count and a unit, like 30m, 6h, 1d or 1w"
            )));
        }
        Ok(Chunking::Period {
            millis: n * unit_ms,
            label: s.to_string(),
        })
    }
}

/// Milliseconds since the epoch of a temporal column's values (nulls stay null).
fn timestamps_ms(column: &Column, path: &Path, name: &str) -> Result<Vec<Option<i64>>, DriftError> {
    let bad = |detail: String| {
        DriftError::Data(DataError::new(
            path,
            DataErrorKind::Malformed {
                format: crate::data::TabularFormat::from_path(path)
                    .unwrap_or(crate::data::TabularFormat::Csv),
                detail,
            },
        ))
    };
    let per_ms: (i64, i64) = match column.dtype() {
        DataType::Datetime(TimeUnit::Nanoseconds, _) => (1, 1_000_000),
        DataType::Datetime(TimeUnit::Microseconds, _) => (1, 1_000),
        DataType::Datetime(TimeUnit::Milliseconds, _) => (1, 1),
        DataType::Date => (86_400_000, 1),
        other => {
            return Err(DriftError::BadOption(format!(
                "time column '{name}' is {other}: expected a date or date-time column"
            )));
        }
    };
    let physical = column
        .to_physical_repr()
        .cast(&DataType::Int64)
        .map_err(|e| bad(format!("time column '{name}': {e}")))?;
    let ca = physical
        .i64()
        .map_err(|e| bad(format!("time column '{name}': {e}")))?;
    Ok(ca
        .iter()
        .map(|v| v.map(|t| (t * per_ms.0).div_euclid(per_ms.1)))
        .collect())
}

/// Row indices of each chunk, with the chunk's first and last timestamp.
fn chunk_rows(times: &[Option<i64>], chunking: &Chunking) -> Vec<(i64, i64, Vec<IdxSize>)> {
    let mut order: Vec<(i64, IdxSize)> = times
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (t, i as IdxSize)))
        .collect();
    order.sort_unstable();
    let mut out: Vec<(i64, i64, Vec<IdxSize>)> = Vec::new();
    match chunking {
        Chunking::Size(n) => {
            for block in order.chunks((*n).max(1)) {
                let first = block[0].0;
                let last = block[block.len() - 1].0;
                out.push((first, last, block.iter().map(|(_, i)| *i).collect()));
            }
        }
        Chunking::Period { millis, .. } => {
            let mut current_key = None;
            for (t, i) in order {
                let key = t.div_euclid(*millis);
                if current_key != Some(key) {
                    current_key = Some(key);
                    out.push((t, t, Vec::new()));
                }
                let last = out.last_mut().expect("pushed above");
                last.1 = t;
                last.2.push(i);
            }
        }
    }
    out
}

/// The drift of each chunk of `current` against the reference samples of `report`.
pub fn timeline(
    report: &DriftReport,
    reference: &ReadSamples,
    current: &Path,
    time_column: &str,
    chunking: &Chunking,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Timeline, DriftError> {
    let (format, frame) = crate::data::scan(current)?;
    let tested: Vec<(&str, Method, f64, ReadAs)> = report
        .columns
        .iter()
        .filter(|c| c.testable)
        .filter_map(|c| {
            let method: Method = c.method.as_deref()?.parse().ok()?;
            let read = reference.get(&c.column)?.0;
            Some((c.column.as_str(), method, c.threshold?, read))
        })
        .collect();
    let schema = crate::data::guard(current, format, || frame.clone().collect_schema())?;
    if schema.get(time_column).is_none() {
        return Err(DriftError::UnknownColumn {
            column: time_column.to_string(),
            side: "current",
            suggestions: Vec::new(),
        });
    }
    let mut exprs: Vec<Expr> = vec![Expr::Column(time_column.into())];
    exprs.extend(
        tested
            .iter()
            .filter(|(n, ..)| *n != time_column)
            .map(|(n, ..)| Expr::Column((*n).into())),
    );
    let df = crate::data::guard(current, format, || {
        frame.clone().select(exprs.clone()).collect()
    })?;
    let times = timestamps_ms(
        df.column(time_column)
            .map_err(|e| DriftError::BadOption(e.to_string()))?,
        current,
        time_column,
    )?;
    let chunks = chunk_rows(&times, chunking);
    let total = chunks.len();
    let mut out = Vec::with_capacity(total);
    for (k, (start, end, rows)) in chunks.into_iter().enumerate() {
        progress(Progress {
            phase: "testing",
            done: k,
            total,
            message: format!("time chunk {} of {total}", k + 1),
        });
        let idx = IdxCa::from_vec("idx".into(), rows);
        let part = df
            .take(&idx)
            .map_err(|e| DriftError::BadOption(format!("cannot cut the current data: {e}")))?;
        let columns: Vec<ChunkColumn> =
            crate::parallel::parallel_map(&tested, |(name, method, threshold, read)| {
                let sample = part.column(name).and_then(|c| match read {
                    ReadAs::Numbers => numeric_sample(c),
                    ReadAs::Categories => category_sample(c),
                });
                let reference_sample = &reference[*name].1;
                let kind = report
                    .column(name)
                    .and_then(|c| crate::data::Kind::parse(&c.kind))
                    .unwrap_or(crate::data::Kind::Numerical);
                let result = sample.ok().map(|s| {
                    test_column(
                        name,
                        kind,
                        "inferred",
                        reference_sample,
                        &s,
                        Choice {
                            method: Some(*method),
                            threshold: Some(*threshold),
                        },
                    )
                });
                ChunkColumn {
                    column: name.to_string(),
                    method: method.name().to_string(),
                    score: result.as_ref().and_then(|r| r.score),
                    threshold: *threshold,
                    drifted: result.as_ref().is_some_and(|r| r.drifted),
                }
            });
        let tested_columns = columns.iter().filter(|c| c.score.is_some()).count();
        let drifted_columns = columns.iter().filter(|c| c.drifted).count();
        let share = if tested_columns == 0 {
            0.0
        } else {
            drifted_columns as f64 / tested_columns as f64
        };
        out.push(Chunk {
            start: crate::time::rfc3339_ms(start),
            end: crate::time::rfc3339_ms(end),
            rows: idx.len() as u64,
            tested_columns,
            drifted_columns,
            share_drifted: share,
            dataset_drift: tested_columns > 0 && share >= report.drift_share,
            columns,
        });
    }
    let (chunking_name, chunk) = match chunking {
        Chunking::Period { label, .. } => ("period", label.clone()),
        Chunking::Size(n) => ("size", n.to_string()),
    };
    Ok(Timeline {
        time_column: time_column.to_string(),
        chunking: chunking_name.to_string(),
        chunk,
        drift_share: report.drift_share,
        chunks: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_rows_fall_into_chunks() {
        assert_eq!(
            Chunking::parse_period("1d").unwrap(),
            Chunking::Period {
                millis: 86_400_000,
                label: "1d".into()
            }
        );
        assert!(Chunking::parse_period("0d").is_err());
        assert!(Chunking::parse_period("1mo").is_err());
        let day = 86_400_000;
        let times = [Some(day + 5), None, Some(5), Some(day * 3), Some(10)];
        let chunks = chunk_rows(
            &times,
            &Chunking::Period {
                millis: day,
                label: "1d".into(),
            },
        );
        let rows: Vec<Vec<IdxSize>> = chunks.iter().map(|c| c.2.clone()).collect();
        assert_eq!(rows, vec![vec![2, 4], vec![0], vec![3]]);
        assert_eq!((chunks[0].0, chunks[0].1), (5, 10));
        let by_size = chunk_rows(&times, &Chunking::Size(3));
        assert_eq!(
            by_size.iter().map(|c| c.2.len()).collect::<Vec<_>>(),
            [3, 1]
        );
    }
}
