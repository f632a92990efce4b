//! Comparing two tabular files: scan both lazily, align columns by name, diff the schemas,
//! decide each column's kind, read the columns in memory-bounded batches, test each column in
//! parallel, and assemble the [`DriftReport`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::column::not_testable;
use super::error::DriftError;
use super::options::{DriftOptions, Progress};
use super::read::{
    Source, batches, column_bytes, memory_budget, read_column, test_planned, test_streamed,
};
use super::report::{ColumnResult, DriftReport, FORMAT_VERSION, SideSummary};
use super::sample::ColumnSample;
use super::schema::{FileMeta, Plan, ReadAs, Side, columns_to_compare, plan_column, schema_diff};

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
            crate::parallel::parallel_map(group, |(name, read)| {
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
