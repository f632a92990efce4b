//! Lazy scans per format, and turning Polars' errors and panics into [`DataError`]s.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::{DataError, DataErrorKind, TabularFormat};

/// Rows read to infer CSV column types: enough for sparse columns, bounded for huge files.
pub const CSV_INFER_SCHEMA_ROWS: usize = 10_000;

/// Rows read to infer NDJSON column types (objects may gain keys further down).
const NDJSON_INFER_SCHEMA_ROWS: usize = 10_000;

/// CSV fields read as null besides empty ones: what pandas, R and SQL exports write for missing
/// values. `NaN`/`nan`/`inf` are not here: they parse as floats and are counted apart.
pub const CSV_NULL_VALUES: &[&str] = &["NA", "N/A", "null", "NULL", "None", "<NA>", "#N/A"];

/// A lazy scan of `path` in the format its extension says; nothing is read until it is collected.
///
/// Scans read from an open file handle rather than a path, so that Polars never treats a file
/// name as a glob pattern, a URI or a Hive partition folder.
pub fn scan(path: &Path) -> Result<(TabularFormat, LazyFrame), DataError> {
    let format = TabularFormat::from_path(path)
        .ok_or_else(|| DataError::new(path, DataErrorKind::UnknownFormat))?;
    let file = File::open(path).map_err(|e| DataError::new(path, DataErrorKind::Io(e)))?;
    let sources = ScanSources::Files(Arc::from([file]));
    let lf = guarded(path, format, || scan_sources(format, sources))?;
    Ok((format, lf))
}

fn scan_sources(format: TabularFormat, sources: ScanSources) -> PolarsResult<LazyFrame> {
    match format {
        TabularFormat::Csv | TabularFormat::Tsv => {
            let separator = if format == TabularFormat::Tsv {
                b'\t'
            } else {
                b','
            };
            let null_values = CSV_NULL_VALUES.iter().map(|v| (*v).into()).collect();
            LazyCsvReader::new_with_sources(sources)
                .with_has_header(true)
                .with_separator(separator)
                .with_quote_char(Some(b'"'))
                .with_infer_schema_length(Some(CSV_INFER_SCHEMA_ROWS))
                .with_missing_is_null(true)
                .with_null_values(Some(NullValues::AllColumns(null_values)))
                .with_encoding(CsvEncoding::Utf8)
                .with_raise_if_empty(true)
                .with_try_parse_dates(true)
                .with_truncate_ragged_lines(false)
                .finish()
        }
        TabularFormat::Parquet => LazyFrame::scan_parquet_sources(
            sources,
            ScanArgsParquet {
                glob: false,
                hive_options: HiveOptions::new_disabled(),
                ..ScanArgsParquet::default()
            },
        ),
        TabularFormat::Arrow => LazyFrame::scan_ipc_sources(
            sources,
            Default::default(),
            UnifiedScanArgs {
                glob: false,
                hive_options: HiveOptions::new_disabled(),
                ..UnifiedScanArgs::default()
            },
        ),
        TabularFormat::Ndjson => LazyJsonLineReader::new_with_sources(sources)
            .with_infer_schema_length(NonZeroUsize::new(NDJSON_INFER_SCHEMA_ROWS))
            .finish(),
    }
}

/// Runs `f`, a call into Polars for the file `path`, turning its error or its panic into a
/// [`DataError`] that says what was wrong with the file.
pub(crate) fn guarded<T>(
    path: &Path,
    format: TabularFormat,
    f: impl FnOnce() -> PolarsResult<T>,
) -> Result<T, DataError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(DataError::new(
            path,
            classify(path, format, &err.to_string()),
        )),
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            // A crash on a file that is not even well-formed is better explained by that.
            let kind = match diagnose(path, format) {
                Some(kind) => kind,
                None => DataErrorKind::Crashed {
                    format,
                    detail: first_line(&detail),
                },
            };
            Err(DataError::new(path, kind))
        }
    }
}

/// What Polars' error message means for a file of `format`, checked against the file itself
/// where Polars' message is vague (it does not say where invalid UTF-8 is).
fn classify(path: &Path, format: TabularFormat, message: &str) -> DataErrorKind {
    if let Some(kind) = diagnose(path, format) {
        return kind;
    }
    let lower = message.to_ascii_lowercase();
    let detail = first_line(message);
    match format {
        TabularFormat::Csv | TabularFormat::Tsv
            if lower.contains("more fields") || lower.contains("fields than") =>
        {
            DataErrorKind::Ragged { detail }
        }
        _ => DataErrorKind::Malformed { format, detail },
    }
}

/// Looks at the file for the problems we can name precisely: it is empty, a Parquet file lacks
/// its footer, or text is not UTF-8 (with the line of the first bad byte). Only called once
/// Polars has failed, so well-formed files never pay for it.
fn diagnose(path: &Path, format: TabularFormat) -> Option<DataErrorKind> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return Some(DataErrorKind::Io(e)),
    };
    if meta.len() == 0 {
        return Some(DataErrorKind::Empty { format });
    }
    match format {
        TabularFormat::Parquet => {
            let (head, tail) = head_and_tail::<4>(path)?;
            if head != *b"PAR1" {
                Some(DataErrorKind::NotParquet)
            } else if tail != *b"PAR1" {
                Some(DataErrorKind::TruncatedParquet { bytes: meta.len() })
            } else {
                None
            }
        }
        TabularFormat::Arrow => {
            let (head, tail) = head_and_tail::<6>(path)?;
            (head != *b"ARROW1" || tail != *b"ARROW1").then_some(DataErrorKind::NotArrow)
        }
        TabularFormat::Csv | TabularFormat::Tsv | TabularFormat::Ndjson => first_invalid_utf8(path)
            .map(|(line, offset)| DataErrorKind::InvalidUtf8 { line, offset }),
    }
}

/// The first and last `N` bytes of a file (zeros where it is shorter).
fn head_and_tail<const N: usize>(path: &Path) -> Option<([u8; N], [u8; N])> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let (mut head, mut tail) = ([0u8; N], [0u8; N]);
    if len >= 2 * N as u64 {
        file.read_exact(&mut head).ok()?;
        file.seek(SeekFrom::End(-(N as i64))).ok()?;
        file.read_exact(&mut tail).ok()?;
    }
    Some((head, tail))
}

/// The 1-based line and the byte offset of the first byte that is not valid UTF-8, reading the
/// file in blocks (memory stays bounded on huge files).
fn first_invalid_utf8(path: &Path) -> Option<(u64, u64)> {
    const BLOCK: usize = 1 << 20;
    let mut file = File::open(path).ok()?;
    let mut buf = vec![0u8; BLOCK];
    // Bytes of an incomplete character carried over from the previous block.
    let mut carry = 0usize;
    let mut offset = 0u64; // of buf[0] in the file
    let mut line = 1u64;
    loop {
        let n = file.read(&mut buf[carry..]).ok()?;
        let len = carry + n;
        if len == 0 {
            return None;
        }
        let valid = match std::str::from_utf8(&buf[..len]) {
            Ok(_) => len,
            Err(e) => match e.error_len() {
                Some(_) => {
                    let at = e.valid_up_to();
                    line += buf[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                    return Some((line, offset + at as u64));
                }
                // Cut inside a character: valid so far, finish it with the next block.
                None if n > 0 => e.valid_up_to(),
                // Cut inside a character at the end of the file.
                None => {
                    let at = e.valid_up_to();
                    line += buf[..at].iter().filter(|&&b| b == b'\n').count() as u64;
                    return Some((line, offset + at as u64));
                }
            },
        };
        line += buf[..valid].iter().filter(|&&b| b == b'\n').count() as u64;
        buf.copy_within(valid..len, 0);
        carry = len - valid;
        offset += valid as u64;
        if n == 0 {
            return None;
        }
    }
}

/// The first line of a (possibly long, multi-line) Polars message.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    const MAX: usize = 300;
    match line.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_utf8(bytes: &[u8], expected: Option<(u64, u64)>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(first_invalid_utf8(&path), expected, "{bytes:?}");
    }

    #[test]
    fn first_invalid_utf8_names_the_line_and_offset() {
        check_utf8(b"a,b\n1,2\n", None);
        check_utf8(b"", None);
        check_utf8("é,ü\n".as_bytes(), None);
        check_utf8(b"a,b\n1,\xe9\n", Some((2, 6)));
        check_utf8(b"\xff", Some((1, 0)));
        // A character cut by the end of the file.
        check_utf8(b"a\nb\xc3", Some((2, 3)));
    }

    #[test]
    fn first_invalid_utf8_reads_across_blocks() {
        // A valid two-byte character straddling the 1 MiB block boundary, then a bad byte later.
        let mut bytes = vec![b'x'; (1 << 20) - 1];
        bytes.extend_from_slice("é".as_bytes());
        bytes.extend_from_slice(b"\nok\n\xfe");
        let bad = bytes.len() as u64 - 1;
        check_utf8(&bytes, Some((3, bad)));
    }
}
