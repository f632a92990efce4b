//! The incremental index of one project: walk, hash what changed, re-read the units whose
//! fingerprint changed, and write them in batches.
//!
//! Cost model: an unchanged tree costs one walk (a `stat` per file) and two catalog reads; no
//! file is opened. A changed file is hashed once; only the units it belongs to are read again.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::catalog::{Catalog, CatalogError, FileState, Project, UnitWrite};

use super::walk::{self, WalkError};
use super::{FileSet, Reader, Records, UnitInput, WalkedFile, readers};
use crate::record::Problem;

/// Units written per transaction: large enough to amortise the commit, small enough that a
/// progress update (and a cancel) comes several times a second.
const BATCH: usize = 64;

/// The reader name problems found by the walk itself are filed under.
const WALK_READER: &str = "walk";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Walk(#[from] WalkError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(
        "indexing {path} was cancelled; what was written so far is kept and the next index completes it"
    )]
    Cancelled { path: String },
}

impl crate::error::Classify for IndexError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            IndexError::Catalog(e) => e.code(),
            IndexError::Walk(_) | IndexError::Cancelled { .. } => crate::error::ErrorCode::BadInput,
        }
    }
}

/// Where an index is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Walking,
    Hashing,
    Reading,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: usize,
    pub total: usize,
}

/// What one index did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexSummary {
    pub files: usize,
    pub files_hashed: usize,
    pub units: usize,
    pub units_read: usize,
    pub units_removed: usize,
    pub problems: usize,
}

/// Indexes `project` into `catalog`. `now` gives the time for stamps; `progress` is called from
/// this thread between steps; `cancel` stops the work between batches (what was written stays).
pub fn index_project(
    catalog: &mut Catalog,
    project: &Project,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
    now: &dyn Fn() -> i64,
) -> Result<IndexSummary, IndexError> {
    let cancelled = || IndexError::Cancelled {
        path: project.path.display().to_string(),
    };
    let root = project.path.as_path();
    progress(Progress {
        phase: Phase::Walking,
        done: 0,
        total: 0,
    });
    let walk = walk::walk(root, cancel)?;
    let mut summary = IndexSummary {
        files: walk.files.len(),
        ..IndexSummary::default()
    };

    // 1. File states: hash only what is new or changed since the last index.
    let known = catalog.file_states(project.id)?;
    let to_hash: Vec<&WalkedFile> = walk
        .files
        .iter()
        .filter(|f| {
            known
                .get(&f.path)
                .is_none_or(|k| k.size != f.size || k.mtime_ns != f.mtime_ns)
        })
        .collect();
    summary.files_hashed = to_hash.len();
    let mut problems: Vec<(String, Problem)> = walk
        .problems
        .into_iter()
        .map(|p| (WALK_READER.to_string(), p))
        .collect();
    let hashed = hash_files(root, &to_hash, cancel, progress);
    if cancel.load(Ordering::Relaxed) {
        return Err(cancelled());
    }
    let mut changed = Vec::with_capacity(hashed.len());
    let mut hashes: HashMap<String, String> = known
        .iter()
        .map(|(p, s)| (p.clone(), s.hash.clone()))
        .collect();
    let mut unreadable = std::collections::HashSet::new();
    for (file, result) in hashed {
        match result {
            Ok(hash) => {
                hashes.insert(file.path.clone(), hash.clone());
                changed.push((
                    file.path.clone(),
                    FileState {
                        size: file.size,
                        mtime_ns: file.mtime_ns,
                        hash,
                    },
                ));
            }
            Err(err) => {
                unreadable.insert(file.path.clone());
                problems.push((
                    WALK_READER.to_string(),
                    Problem {
                        path: file.path.clone(),
                        message: format!("cannot read file: {err}"),
                    },
                ));
            }
        }
    }
    let present: std::collections::HashSet<&str> =
        walk.files.iter().map(|f| f.path.as_str()).collect();
    let gone: Vec<String> = known
        .keys()
        .filter(|p| !present.contains(p.as_str()))
        .cloned()
        .collect();
    for p in &gone {
        hashes.remove(p);
    }
    catalog.write_file_states(project.id, &changed, &gone)?;

    // 2. Units: group files per reader, fingerprint them, and find what changed.
    let files = FileSet::new(
        walk.files
            .into_iter()
            .filter(|f| !unreadable.contains(&f.path)),
    );
    let readers = readers();
    let units = group_units(&readers, &files);
    summary.units = units.len();
    let mut known_units = catalog.unit_states(project.id)?;
    let mut dirty = Vec::new();
    for ((reader_idx, key), members) in &units {
        let reader = &readers[*reader_idx];
        let fingerprint = fingerprint(reader.as_ref(), members, &hashes);
        match known_units.remove(&(reader.name().to_string(), key.clone())) {
            Some(state) if state.fingerprint == fingerprint => {}
            _ => dirty.push((*reader_idx, key.as_str(), members.as_slice(), fingerprint)),
        }
    }
    let removed: Vec<i64> = known_units.values().map(|u| u.id).collect();
    summary.units_removed = removed.len();
    catalog.delete_units(&removed)?;

    // 3. Read dirty units in parallel, a batch at a time, and write each batch in one transaction.
    summary.units_read = dirty.len();
    progress(Progress {
        phase: Phase::Reading,
        done: 0,
        total: dirty.len(),
    });
    for (batch_no, batch) in dirty.chunks(BATCH).enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        let read = read_units(root, &readers, &files, batch);
        catalog.write_units(project.id, &read, &hashes, now())?;
        progress(Progress {
            phase: Phase::Reading,
            done: (batch_no * BATCH + batch.len()).min(dirty.len()),
            total: dirty.len(),
        });
    }
    summary.problems = catalog.problem_count(project.id)? + problems.len();
    catalog.finish_index(project.id, &problems, now())?;
    Ok(summary)
}

type UnitMap<'f> = BTreeMap<(usize, String), Vec<&'f WalkedFile>>;

fn group_units<'f>(readers: &[Box<dyn Reader>], files: &'f FileSet) -> UnitMap<'f> {
    let mut units: UnitMap<'f> = BTreeMap::new();
    for file in files.iter() {
        for (i, reader) in readers.iter().enumerate() {
            if let Some(key) = reader.unit_of(file, files) {
                units.entry((i, key)).or_default().push(file);
            }
        }
    }
    units
}

/// A unit's fingerprint: its reader's version, member paths and content hashes.
fn fingerprint(
    reader: &dyn Reader,
    members: &[&WalkedFile],
    hashes: &HashMap<String, String>,
) -> String {
    let mut h = blake3::Hasher::new();
    h.update(reader.name().as_bytes());
    h.update(&reader.version().to_le_bytes());
    for f in members {
        h.update(f.path.as_bytes());
        h.update(b"\0");
        h.update(
            hashes
                .get(&f.path)
                .map(String::as_bytes)
                .unwrap_or_default(),
        );
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

fn read_units(
    root: &Path,
    readers: &[Box<dyn Reader>],
    files: &FileSet,
    batch: &[(usize, &str, &[&WalkedFile], String)],
) -> Vec<UnitWrite> {
    crate::parallel::parallel_map(batch, |(reader_idx, key, members, fingerprint)| {
        let reader = &readers[*reader_idx];
        let input = UnitInput {
            root,
            key,
            files: members,
            project: files,
        };
        // A reader must never panic on bad input; if one does anyway, the unit becomes a
        // problem and the index goes on.
        let records =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.read(&input)))
                .unwrap_or_else(|_| {
                    Records::problem(
                        *key,
                        format!(
                            "the {} reader failed on this input (a bug in Driftdeck)",
                            reader.name()
                        ),
                    )
                });
        UnitWrite {
            reader: reader.name(),
            key: key.to_string(),
            fingerprint: fingerprint.clone(),
            records,
        }
    })
}

/// Hashes files in parallel with BLAKE3, reporting progress as they finish; after a cancel the
/// files not hashed are left out.
fn hash_files<'f>(
    root: &Path,
    files: &[&'f WalkedFile],
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Vec<(&'f WalkedFile, std::io::Result<String>)> {
    let total = files.len();
    let hashed = crate::parallel::map_watched(
        files,
        cancel,
        &mut |done| {
            progress(Progress {
                phase: Phase::Hashing,
                done,
                total,
            })
        },
        |file| crate::hash::hash_file(&root.join(&file.path)).map(|(_, hex)| hex),
    );
    files
        .iter()
        .zip(hashed)
        .filter_map(|(file, result)| Some((*file, result?)))
        .collect()
}
