//! Reference profiles for drift, cached by content hash: comparing a new file against a
//! reference already seen reads only the new file.
//!
//! Two tables (migration 2): `drift_files` remembers, per absolute path, the size and mtime a
//! file had when it was hashed, with its hash, format, row count and schema, so an unchanged
//! reference is not even opened; `drift_samples` indexes, per (hash, column, how it was read),
//! exactly what the tests need: the category counts (JSON, in the row) or the sorted finite
//! values (8 bytes each, little-endian). Those arrays are large (80 MB for 10 columns of a
//! million rows), and SQLite reads and writes large blobs page by page, slower than reading the
//! Parquet file again; so they live in files of the catalog's cache folder
//! (`<catalog>.cache/drift/<hash>/`), written under a temporary name and renamed, and the row
//! names the file. A missing or short file is a cache miss. The results are identical with and
//! without the cache. The cache is bounded ([`CACHE_BUDGET_BYTES`]): the least recently used
//! samples go first, files included.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{OptionalExtension, params};

use crate::data::TabularFormat;
use crate::drift::compare::{Keep, ReadSamples, ReferenceSamples, compare_with_cache};
use crate::drift::options::CompareRequest;
use crate::drift::sample::{ColumnSample, Values};
use crate::drift::schema::{ColumnType, FileMeta, ReadAs, TypeClass};
use crate::drift::timeline::Chunking;
use crate::drift::{DriftError, DriftOptions, DriftReport, Progress};

use super::{Catalog, CatalogError};

/// Bytes of samples kept in the catalog at most.
pub const CACHE_BUDGET_BYTES: i64 = 1 << 30;
/// Bumped when the encoding of samples changes; older rows are then ignored and evicted.
const SAMPLE_VERSION: i64 = 1;

fn read_as_str(r: ReadAs) -> &'static str {
    match r {
        ReadAs::Numbers => "numbers",
        ReadAs::Categories => "categories",
    }
}

/// Size and modification time (ns) of a file, as the cache compares them.
fn stat(path: &Path) -> Option<(i64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i64;
    Some((m.len() as i64, mtime))
}

fn numbers_to_bytes(v: &[f64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 8);
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

fn numbers_from_bytes(bytes: &[u8]) -> Option<Vec<f64>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect(),
    )
}

/// A file name for a column's samples: its position in a hash of the column name, so any name
/// (slashes, dots, non-ASCII) maps to a safe file name.
fn sample_file(hash: &str, column: &str, read: ReadAs) -> String {
    let key = blake3::hash(format!("{column}\0{}", read_as_str(read)).as_bytes());
    format!("{hash}/{}.f64", &key.to_hex()[..16])
}

impl Catalog {
    /// The folder the drift cache's arrays live in: beside the catalog file.
    pub fn drift_cache_dir(&self) -> std::path::PathBuf {
        self.cache_dir().join("drift")
    }

    /// Stores the reference file's metadata and the samples read from it (arrays as files
    /// first, then the rows in one transaction), then evicts the least recently used samples
    /// beyond the budget.
    pub fn store_drift_reference(
        &mut self,
        meta: &FileMeta,
        samples: &ReadSamples,
    ) -> Result<(), CatalogError> {
        let Ok(path) = meta.path.canonicalize() else {
            return Ok(()); // the file went away: nothing worth caching
        };
        let Some((size, mtime)) = stat(&path) else {
            return Ok(());
        };
        let dir = self.drift_cache_dir();
        let io = |e: std::io::Error, what: &std::path::Path| CatalogError::Cache {
            path: what.to_path_buf(),
            source: e,
        };
        // Arrays first: a row never names a file that is not there.
        let mut rows = Vec::with_capacity(samples.len());
        for (name, (read, sample)) in samples {
            match &sample.values {
                Values::Numeric(v) => {
                    let rel = sample_file(&meta.hash, name, *read);
                    let file = dir.join(&rel);
                    if let Some(parent) = file.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| io(e, parent))?;
                    }
                    let tmp = file.with_extension("tmp");
                    std::fs::write(&tmp, numbers_to_bytes(v)).map_err(|e| io(e, &tmp))?;
                    std::fs::rename(&tmp, &file).map_err(|e| io(e, &file))?;
                    rows.push((name, *read, sample, None, Some(rel), v.len() as i64 * 8));
                }
                Values::Categories(c) => {
                    let json = serde_json::to_vec(c).unwrap_or_default();
                    let bytes = json.len() as i64;
                    rows.push((name, *read, sample, Some(json), None, bytes));
                }
            }
        }
        let schema: Vec<[&str; 3]> = meta
            .schema
            .iter()
            .map(|(n, t)| [n.as_str(), t.dtype.as_str(), t.class.as_str()])
            .collect();
        let now = crate::time::now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drift_files (path, size, mtime_ns, hash, format, rows, schema_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (path) DO UPDATE SET size = ?2, mtime_ns = ?3, hash = ?4, format = ?5,
                 rows = ?6, schema_json = ?7",
            params![
                path.to_string_lossy(),
                size,
                mtime,
                meta.hash,
                meta.format.as_str(),
                meta.rows as i64,
                serde_json::to_string(&schema).unwrap_or_default(),
            ],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO drift_samples
                     (hash, column_name, read_as, version, missing, unparsable, payload, file, bytes, used_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for (name, read, sample, payload, file, bytes) in &rows {
                insert.execute(params![
                    meta.hash,
                    name,
                    read_as_str(*read),
                    SAMPLE_VERSION,
                    sample.missing as i64,
                    sample.unparsable as i64,
                    payload,
                    file,
                    bytes,
                    now,
                ])?;
            }
        }
        // Evict old encodings, then the least recently used beyond the budget (never the rows
        // just written); their files go after the commit.
        let mut doomed: Vec<String> = Vec::new();
        {
            let mut old = tx.prepare(
                "SELECT file FROM drift_samples WHERE version <> ?1 AND file IS NOT NULL",
            )?;
            for f in old.query_map([SAMPLE_VERSION], |r| r.get::<_, String>(0))? {
                doomed.push(f?);
            }
        }
        tx.execute(
            "DELETE FROM drift_samples WHERE version <> ?1",
            [SAMPLE_VERSION],
        )?;
        let total: i64 = tx.query_row(
            "SELECT coalesce(sum(bytes), 0) FROM drift_samples",
            [],
            |r| r.get(0),
        )?;
        if total > CACHE_BUDGET_BYTES {
            let mut excess = total - CACHE_BUDGET_BYTES;
            let victims: Vec<(String, String, String, i64, Option<String>)> = {
                let mut q = tx.prepare(
                    "SELECT hash, column_name, read_as, bytes, file FROM drift_samples
                     WHERE used_at_ms < ?1 ORDER BY used_at_ms",
                )?;
                q.query_map([now], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<_, _>>()?
            };
            for (hash, column, read, bytes, file) in victims {
                if excess <= 0 {
                    break;
                }
                tx.execute(
                    "DELETE FROM drift_samples WHERE hash = ?1 AND column_name = ?2 AND read_as = ?3",
                    params![hash, column, read],
                )?;
                doomed.extend(file);
                excess -= bytes;
            }
        }
        tx.commit()?;
        for f in doomed {
            // Already unreferenced: a file left behind wastes space, nothing else.
            let _ = std::fs::remove_file(dir.join(f));
        }
        Ok(())
    }

    /// The cached metadata of the file at `path`, if it has the size and mtime it had then.
    pub fn drift_file(&self, path: &Path) -> Result<Option<FileMeta>, CatalogError> {
        let Ok(canonical) = path.canonicalize() else {
            return Ok(None);
        };
        let Some((size, mtime)) = stat(&canonical) else {
            return Ok(None);
        };
        let row: Option<(String, String, i64, String)> = self
            .conn
            .query_row(
                "SELECT hash, format, rows, schema_json FROM drift_files
                 WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
                params![canonical.to_string_lossy(), size, mtime],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((hash, format, rows, schema_json)) = row else {
            return Ok(None);
        };
        let Some(format) = TabularFormat::from_extension(&format) else {
            return Ok(None);
        };
        let Ok(schema) = serde_json::from_str::<Vec<[String; 3]>>(&schema_json) else {
            return Ok(None);
        };
        Ok(Some(FileMeta {
            path: path.to_path_buf(),
            format,
            schema: schema
                .into_iter()
                .map(|[n, dtype, class]| {
                    (
                        n,
                        ColumnType {
                            dtype,
                            class: TypeClass::parse(&class),
                        },
                    )
                })
                .collect(),
            rows: rows as u64,
            hash,
        }))
    }

    /// The cached samples of the file with content `hash` for `columns`, all or nothing.
    pub fn drift_samples(
        &self,
        hash: &str,
        columns: &[(String, ReadAs)],
    ) -> Result<Option<HashMap<String, ColumnSample>>, CatalogError> {
        let dir = self.drift_cache_dir();
        let mut q = self.conn.prepare_cached(
            "SELECT missing, unparsable, payload, file, bytes FROM drift_samples
             WHERE hash = ?1 AND column_name = ?2 AND read_as = ?3 AND version = ?4",
        )?;
        type Row = (i64, i64, Option<Vec<u8>>, Option<String>, i64);
        let mut found: Vec<(&String, ReadAs, Row)> = Vec::with_capacity(columns.len());
        for (name, read) in columns {
            let row: Option<Row> = q
                .query_row(
                    params![hash, name, read_as_str(*read), SAMPLE_VERSION],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some(row) = row else {
                return Ok(None);
            };
            found.push((name, *read, row));
        }
        // The arrays are read in parallel: page cache to memory is the whole cost.
        let loaded = crate::parallel::parallel_map(&found, |(name, read, row)| {
            let (missing, unparsable, payload, file, bytes) = row;
            let values = match (read, payload, file) {
                (ReadAs::Categories, Some(json), _) => {
                    Values::Categories(serde_json::from_slice(json).ok()?)
                }
                (ReadAs::Numbers, _, Some(file)) => {
                    let raw = std::fs::read(dir.join(file)).ok()?;
                    if raw.len() as i64 != *bytes {
                        return None; // truncated or replaced: a miss
                    }
                    Values::Numeric(numbers_from_bytes(&raw)?)
                }
                _ => return None,
            };
            Some((
                (*name).clone(),
                ColumnSample {
                    values,
                    missing: *missing as u64,
                    unparsable: *unparsable as u64,
                },
            ))
        });
        let mut out = HashMap::with_capacity(columns.len());
        for entry in loaded {
            let Some((name, sample)) = entry else {
                return Ok(None);
            };
            out.insert(name, sample);
        }
        self.conn.execute(
            "UPDATE drift_samples SET used_at_ms = ?1 WHERE hash = ?2",
            params![crate::time::now_ms(), hash],
        )?;
        Ok(Some(out))
    }
}

/// The catalog as a source of cached reference samples; a catalog error is a cache miss.
impl ReferenceSamples for Catalog {
    fn file(&self, path: &Path) -> Option<FileMeta> {
        self.drift_file(path).ok().flatten()
    }

    fn samples(
        &self,
        hash: &str,
        columns: &[(String, ReadAs)],
    ) -> Option<HashMap<String, ColumnSample>> {
        self.drift_samples(hash, columns).ok().flatten()
    }
}

/// What to compare, for [`compare_datasets`].
#[derive(Debug, Clone)]
pub struct DatasetComparison<'a> {
    pub reference: &'a Path,
    pub current: &'a Path,
    pub options: &'a DriftOptions,
    /// Drift per time chunk of the current file: the time column and how to chunk it.
    pub timeline: Option<(&'a str, &'a Chunking)>,
    /// The catalog whose reference cache to use; `None` runs uncached.
    pub cache: Option<&'a Path>,
}

/// A comparison's report and what the caller should tell the user (the cache could not be used
/// or written: the report is the same either way).
#[derive(Debug)]
pub struct Compared {
    pub report: DriftReport,
    pub warnings: Vec<String>,
}

/// Compares two files for drift with the catalog's reference cache: an unchanged reference is
/// served from the cache, a new one is stored after the comparison. The one entry point the CLI
/// (`driftdeck drift`) and the app's Compare view share. The cache is opened on a connection of
/// its own, so a long comparison never holds a catalog someone else uses; when it cannot be
/// opened the comparison runs uncached and says so in `warnings`.
pub fn compare_datasets(
    what: &DatasetComparison<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Compared, DriftError> {
    let mut warnings = Vec::new();
    let mut cache = what.cache.and_then(|db| match Catalog::open(db) {
        Ok(c) => Some(c),
        Err(e) => {
            warnings.push(format!("reference cache off: {e}"));
            None
        }
    });
    // Time chunks are tested against every reference sample, so they are all kept.
    let keep = match (&what.timeline, &cache) {
        (Some(_), _) => Keep::All,
        (None, Some(_)) => Keep::FromFile,
        (None, None) => Keep::Nothing,
    };
    let source = cache.as_ref().map(|c| c as &dyn ReferenceSamples);
    let comparison = compare_with_cache(
        what.reference,
        what.current,
        what.options,
        source,
        keep,
        progress,
    )?;
    let (mut report, samples) = (comparison.report, comparison.samples);
    if let Some((column, chunking)) = what.timeline {
        let timeline = crate::drift::timeline::timeline(
            &report,
            &samples,
            what.current,
            column,
            chunking,
            progress,
        )?;
        report.timeline = Some(timeline);
    }
    if let Some(catalog) = cache.as_mut()
        && !report.reference.cached
        && !samples.is_empty()
        && let Err(e) = catalog.store_drift_reference(&comparison.reference, &samples)
    {
        warnings.push(format!("the reference profile was not cached: {e}"));
    }
    Ok(Compared { report, warnings })
}

/// Compares the files of an app's [`CompareRequest`] with its options and the reference cache of
/// the catalog at `cache`.
pub fn compare_request(
    request: &CompareRequest,
    cache: Option<&Path>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Compared, DriftError> {
    let options = request.options()?;
    compare_datasets(
        &DatasetComparison {
            reference: Path::new(&request.reference),
            current: Path::new(&request.current),
            options: &options,
            timeline: None,
            cache,
        },
        progress,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::DriftOptions;
    use crate::drift::compare::{Keep, compare_with_cache};

    #[test]
    fn a_cached_reference_gives_the_same_report_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut catalog = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        let reference = dir.path().join("ref.csv");
        let current = dir.path().join("cur.csv");
        let mut r = String::from("x,c\n");
        let mut c = String::from("x,c\n");
        for i in 0..2000 {
            r.push_str(&format!("{},{}\n", i % 97, ["a", "b", "c"][i % 3]));
            c.push_str(&format!("{},{}\n", (i % 89) + 3, ["a", "b", "d"][i % 3]));
        }
        std::fs::write(&reference, &r).unwrap();
        std::fs::write(&current, &c).unwrap();
        let first = compare(&reference, &current, &catalog, Keep::FromFile).unwrap();
        let (samples, meta) = (first.samples, first.reference);
        let first = first.report;
        assert!(!first.reference.cached);
        assert_eq!(samples.len(), 2);
        assert!(
            catalog.drift_file(&reference).unwrap().is_none(),
            "nothing is cached before it is stored"
        );
        catalog.store_drift_reference(&meta, &samples).unwrap();
        let arrays: Vec<_> = walk(&catalog.drift_cache_dir());
        assert_eq!(
            arrays.len(),
            1,
            "the numeric column's array is a file: {arrays:?}"
        );

        // Make the reference unreadable as CSV but keep its size and mtime: a cache hit must
        // not read it at all.
        let mtime = std::fs::metadata(&reference).unwrap().modified().unwrap();
        let garbage = vec![0xffu8; r.len()];
        std::fs::write(&reference, &garbage).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&reference)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let second = compare(&reference, &current, &catalog, Keep::Nothing)
            .unwrap()
            .report;
        assert!(second.reference.cached);
        assert_eq!(second.columns, first.columns);
        assert_eq!(second.reference.hash, first.reference.hash);

        // A changed file (new mtime) is a miss, and then the garbage is an error naming it.
        std::fs::write(&reference, &garbage).unwrap();
        let err = compare(&reference, &current, &catalog, Keep::Nothing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ref.csv"), "{err}");

        // A cache file that went missing is a miss, never a wrong answer.
        std::fs::write(&reference, &r).unwrap();
        let third = compare(&reference, &current, &catalog, Keep::FromFile).unwrap();
        catalog
            .store_drift_reference(&third.reference, &third.samples)
            .unwrap();
        for f in walk(&catalog.drift_cache_dir()) {
            std::fs::remove_file(f).unwrap();
        }
        let fourth = compare(&reference, &current, &catalog, Keep::Nothing)
            .unwrap()
            .report;
        assert!(!fourth.reference.cached);
        assert_eq!(fourth.columns, first.columns);
    }

    fn compare(
        reference: &Path,
        current: &Path,
        catalog: &Catalog,
        keep: Keep,
    ) -> Result<crate::drift::compare::Comparison, crate::drift::DriftError> {
        compare_with_cache(
            reference,
            current,
            &DriftOptions::default(),
            Some(catalog),
            keep,
            &|_| {},
        )
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
