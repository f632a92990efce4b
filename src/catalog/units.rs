//! Writing what the indexer found: file states, units and their records.
//!
//! Each call here is one transaction. A unit's records are replaced as a whole, so a crash (or
//! `kill -9`) between two batches leaves every unit either fully old or fully new, and the next
//! index finishes the job: a unit whose fingerprint was not written is simply read again.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Transaction, params};

use super::{Catalog, CatalogError};
use crate::record::{Entity, MetricPoint, Problem, Records};

/// What the catalog remembers of a file, to skip it when unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub size: u64,
    pub mtime_ns: i64,
    /// BLAKE3, hex.
    pub hash: String,
}

/// A unit the catalog knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitState {
    pub id: i64,
    pub fingerprint: String,
}

/// One unit to (re)write.
#[derive(Debug)]
pub struct UnitWrite {
    pub reader: &'static str,
    pub key: String,
    pub fingerprint: String,
    pub records: Records,
}

impl Catalog {
    /// The remembered state of every file of a project, by relative path.
    pub fn file_states(&self, project_id: i64) -> Result<HashMap<String, FileState>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, size, mtime_ns, hash FROM files WHERE project_id = ?1")?;
        let rows = stmt.query_map([project_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                FileState {
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    hash: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records new or changed file states and forgets files that are gone, in one transaction.
    pub fn write_file_states(
        &mut self,
        project_id: i64,
        changed: &[(String, FileState)],
        gone: &[String],
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO files (project_id, path, size, mtime_ns, hash) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (project_id, path) DO UPDATE SET size = excluded.size,
                   mtime_ns = excluded.mtime_ns, hash = excluded.hash",
            )?;
            for (path, state) in changed {
                upsert.execute(params![
                    project_id,
                    path,
                    state.size as i64,
                    state.mtime_ns,
                    state.hash
                ])?;
            }
            let mut delete =
                tx.prepare_cached("DELETE FROM files WHERE project_id = ?1 AND path = ?2")?;
            for path in gone {
                delete.execute(params![project_id, path])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every unit of a project, by (reader, key).
    pub fn unit_states(
        &self,
        project_id: i64,
    ) -> Result<HashMap<(String, String), UnitState>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT reader, key, id, fingerprint FROM units WHERE project_id = ?1")?;
        let rows = stmt.query_map([project_id], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                UnitState {
                    id: r.get(2)?,
                    fingerprint: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes units and, through the foreign keys, everything read from them.
    pub fn delete_units(&mut self, ids: &[i64]) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM units WHERE id = ?1")?;
            for id in ids {
                delete.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes a batch of units in one transaction, replacing what each held before.
    /// `hashes` gives the content hash of files, to stamp datasets and models with.
    pub fn write_units(
        &mut self,
        project_id: i64,
        units: &[UnitWrite],
        hashes: &HashMap<String, String>,
        now_ms: i64,
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        for unit in units {
            write_unit(&tx, project_id, unit, hashes, now_ms)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many problems the readers filed for a project (the walk's own not included).
    pub fn problem_count(&self, project_id: i64) -> Result<usize, CatalogError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM problems WHERE project_id = ?1 AND unit_id IS NOT NULL",
            [project_id],
            |r| r.get(0),
        )?;
        Ok(n as usize)
    }

    /// Replaces the problems that belong to no unit (the walk's own), and stamps the project as
    /// completely indexed at `now_ms`.
    pub fn finish_index(
        &mut self,
        project_id: i64,
        walk_problems: &[(String, Problem)],
        now_ms: i64,
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM problems WHERE project_id = ?1 AND unit_id IS NULL",
            [project_id],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO problems (unit_id, project_id, path, reader, message) VALUES (NULL, ?1, ?2, ?3, ?4)",
            )?;
            for (reader, p) in walk_problems {
                insert.execute(params![project_id, p.path, reader, p.message])?;
            }
        }
        tx.execute(
            "UPDATE projects SET indexed_at_ms = ?2 WHERE id = ?1",
            params![project_id, now_ms],
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn write_unit(
    tx: &Transaction<'_>,
    project_id: i64,
    unit: &UnitWrite,
    hashes: &HashMap<String, String>,
    now_ms: i64,
) -> Result<(), CatalogError> {
    let unit_id: i64 = tx.query_row(
        "INSERT INTO units (project_id, reader, key, fingerprint, indexed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (project_id, reader, key) DO UPDATE SET fingerprint = excluded.fingerprint,
           indexed_at_ms = excluded.indexed_at_ms
         RETURNING id",
        params![project_id, unit.reader, unit.key, unit.fingerprint, now_ms],
        |r| r.get(0),
    )?;
    // Everything but runs is replaced outright; runs are upserted so that their ids (which the
    // app holds in selections) survive a re-read.
    for table in [
        "experiments",
        "datasets",
        "models",
        "registered_models",
        "lineage",
        "problems",
    ] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE unit_id = ?1"))?
            .execute([unit_id])?;
    }
    let r = &unit.records;
    for e in &r.experiments {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO experiments (unit_id, project_id, source, external_id, name, lifecycle, tags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![unit_id, project_id, e.source, e.external_id, e.name, e.lifecycle, json_object(&e.tags)])?;
    }

    let mut kept_runs = Vec::with_capacity(r.runs.len());
    for run in &r.runs {
        let run_id: i64 = tx
            .prepare_cached(
                "INSERT INTO runs (unit_id, project_id, source, external_id, experiment_external_id,
                   parent_external_id, path, name, status, lifecycle, user, start_ms, end_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (project_id, source, external_id) DO UPDATE SET unit_id = excluded.unit_id,
                   experiment_external_id = excluded.experiment_external_id,
                   parent_external_id = excluded.parent_external_id, path = excluded.path,
                   name = excluded.name, status = excluded.status, lifecycle = excluded.lifecycle,
                   user = excluded.user, start_ms = excluded.start_ms, end_ms = excluded.end_ms
                 RETURNING id",
            )?
            .query_row(
                params![
                    unit_id,
                    project_id,
                    run.source,
                    run.external_id,
                    run.experiment_id,
                    run.parent_id,
                    run.path,
                    run.name,
                    run.status,
                    run.lifecycle,
                    run.user,
                    run.start_ms,
                    run.end_ms
                ],
                |row| row.get(0),
            )?;
        kept_runs.push(run_id);
        for table in ["params", "tags", "metric_points", "metric_finals"] {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE run_id = ?1"))?
                .execute([run_id])?;
        }
        let mut insert_param = tx.prepare_cached(
            "INSERT OR REPLACE INTO params (run_id, key, value) VALUES (?1, ?2, ?3)",
        )?;
        for (k, v) in &run.params {
            insert_param.execute(params![run_id, k, v])?;
        }
        let mut insert_tag = tx.prepare_cached(
            "INSERT OR REPLACE INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)",
        )?;
        for (k, v) in &run.tags {
            insert_tag.execute(params![run_id, k, v])?;
        }
        write_metrics(tx, run_id, &run.metrics)?;
    }
    // Runs this unit held before but no longer yields.
    let stale: Vec<i64> = {
        let mut stmt = tx.prepare_cached("SELECT id FROM runs WHERE unit_id = ?1")?;
        let ids = stmt.query_map([unit_id], |row| row.get(0))?;
        ids.collect::<Result<Vec<i64>, _>>()?
            .into_iter()
            .filter(|id| !kept_runs.contains(id))
            .collect()
    };
    for id in stale {
        tx.prepare_cached("DELETE FROM runs WHERE id = ?1")?
            .execute([id])?;
    }

    for d in &r.datasets {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO datasets (unit_id, project_id, path, format, rows, bytes, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            unit_id,
            project_id,
            d.path,
            d.format,
            d.rows.map(|n| n as i64),
            d.bytes as i64,
            hashes.get(&d.path)
        ])?;
        let dataset_id = tx.last_insert_rowid();
        let mut insert_col = tx.prepare_cached(
            "INSERT INTO dataset_columns (dataset_id, position, name, dtype, kind, nulls, profile)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for (i, c) in d.columns.iter().enumerate() {
            insert_col.execute(params![
                dataset_id,
                i as i64,
                c.name,
                c.dtype,
                c.kind,
                c.nulls as i64,
                c.profile.to_string()
            ])?;
        }
    }
    for m in &r.models {
        let (run_source, run_id) = match &m.run {
            Some((s, id)) => (Some(*s), Some(id.as_str())),
            None => (None, None),
        };
        tx.prepare_cached(
            "INSERT OR REPLACE INTO models (unit_id, project_id, path, format, name, external_id,
               run_source, run_external_id, bytes, hash, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            unit_id,
            project_id,
            m.path,
            m.format,
            m.name,
            m.external_id,
            run_source,
            run_id,
            m.bytes as i64,
            hashes.get(&m.path),
            m.details.to_string()
        ])?;
    }
    for rm in &r.registered_models {
        tx.prepare_cached(
            "INSERT OR REPLACE INTO registered_models (unit_id, project_id, source, name, description, tags, aliases)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![unit_id, project_id, rm.source, rm.name, rm.description, json_object(&rm.tags), json_object(&rm.aliases)])?;
        let rm_id = tx.last_insert_rowid();
        for v in &rm.versions {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO model_versions (registered_model_id, version, run_external_id,
                   model_external_id, source_uri, status, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![rm_id, v.version, v.run_id, v.model_id, v.source_uri, v.status, json_object(&v.tags)])?;
        }
    }
    for l in &r.lineage {
        let (from_kind, from_key) = entity_key(&l.from);
        let (to_kind, to_key) = entity_key(&l.to);
        tx.prepare_cached(
            "INSERT INTO lineage (unit_id, project_id, from_kind, from_key, to_kind, to_key, relation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![unit_id, project_id, from_kind, from_key, to_kind, to_key, l.relation])?;
    }
    for p in &r.problems {
        tx.prepare_cached(
            "INSERT INTO problems (unit_id, project_id, path, reader, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![unit_id, project_id, p.path, unit.reader, p.message])?;
    }
    Ok(())
}

/// Writes a run's metric history, deduplicated on (key, step, timestamp), and its final values:
/// the value at the largest step, ties broken by the latest timestamp.
fn write_metrics(
    tx: &Transaction<'_>,
    run_id: i64,
    points: &[MetricPoint],
) -> Result<(), CatalogError> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO metric_points (run_id, key, step, ts_ms, value) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut finals: BTreeMap<&str, (&MetricPoint, i64)> = BTreeMap::new();
    let mut seen = std::collections::HashSet::with_capacity(points.len());
    for p in points {
        insert.execute(params![
            run_id,
            p.key,
            p.step,
            p.ts_ms,
            finite_or_null(p.value)
        ])?;
        let fresh = seen.insert((p.key.as_str(), p.step, p.ts_ms));
        let entry = finals.entry(p.key.as_str()).or_insert((p, 0));
        if fresh {
            entry.1 += 1;
        }
        if (p.step, p.ts_ms) >= (entry.0.step, entry.0.ts_ms) {
            entry.0 = p;
        }
    }
    let mut insert_final = tx.prepare_cached(
        "INSERT INTO metric_finals (run_id, key, step, ts_ms, value, points) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (key, (p, count)) in finals {
        insert_final.execute(params![
            run_id,
            key,
            p.step,
            p.ts_ms,
            finite_or_null(p.value),
            count
        ])?;
    }
    Ok(())
}

/// SQLite has no NaN: it is stored as NULL (±infinity are stored as they are).
fn finite_or_null(v: f64) -> Option<f64> {
    if v.is_nan() { None } else { Some(v) }
}

fn entity_key(e: &Entity) -> (&'static str, String) {
    match e {
        Entity::Run { source, id } => ("run", format!("{source}:{id}")),
        Entity::Dataset { path } => ("dataset", path.clone()),
        Entity::Model { path } => ("model", path.clone()),
    }
}

/// A JSON object with sorted keys from key/value pairs (the last value of a repeated key wins).
fn json_object(pairs: &[(String, String)]) -> String {
    let map: BTreeMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}
