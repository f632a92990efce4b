//! The registry side of the catalog (migration 3): registry connections (never their secrets,
//! which live in the OS keyring), the append-only audit log, the publish outbox, and the models
//! pulled from registries. The workflow itself is in [`crate::registry`]; this is only storage.
//!
//! The outbox is a table of jobs with a lease: a worker claims a job by moving it to `running`
//! with `lease_until_ms` in the future and renews the lease while it works. A job left `running`
//! with an expired lease was interrupted (the app or the CLI was killed) and is claimable again,
//! so jobs survive restarts without a separate recovery step.

use rusqlite::{OptionalExtension, Row, params};
use serde_json::Value;

use super::{Catalog, CatalogError};

/// A registry connection as stored (the secret is in the OS keyring).
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    pub url: String,
    /// `none`, `basic` or `bearer`.
    pub auth: String,
    pub username: Option<String>,
    pub ca_file: Option<String>,
    pub is_default: bool,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub content_hash: Option<String>,
    pub note: Option<String>,
    pub details: Value,
}

/// What a new publish job needs.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub model_id: Option<i64>,
    pub model_path: String,
    pub content_hash: String,
    pub registry: String,
    pub name: String,
    pub alias: Option<String>,
    pub max_attempts: i64,
    pub request: Value,
}

/// A publish job as stored.
/// The states a publish job moves through (`publish_jobs.state`).
#[cfg(feature = "specta")]
#[derive(serde::Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // it types `JobRow::state` for the UI
pub enum JobState {
    Queued,
    Running,
    Waiting,
    Done,
    Failed,
    Cancelled,
}

/// A publish job. Serialised (`outbox list --json`, the app's `publish-progress` events) without
/// its internals: the lease, the request and the remote state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobRow {
    pub id: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub model_id: Option<i64>,
    pub model_path: String,
    pub content_hash: String,
    pub registry: String,
    pub name: String,
    pub alias: Option<String>,
    /// `queued`, `running`, `waiting` (for a retry), `done`, `failed` or `cancelled`.
    #[cfg_attr(feature = "specta", specta(type = JobState))]
    pub state: String,
    pub step: String,
    pub bytes_done: i64,
    pub bytes_total: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub next_attempt_ms: Option<i64>,
    #[serde(skip)]
    pub lease_until_ms: Option<i64>,
    #[serde(skip)]
    pub cancel_requested: bool,
    pub error: Option<String>,
    #[serde(skip)]
    pub request: Value,
    #[serde(skip)]
    pub remote: Value,
    pub version: Option<String>,
    pub version_url: Option<String>,
    /// For a failed job: `remote` (the registry or the network) or `input` (the model, a name).
    #[serde(skip)]
    pub error_kind: Option<String>,
}

impl JobRow {
    /// Done, failed or cancelled: nothing more will happen to it.
    pub fn is_finished(&self) -> bool {
        matches!(self.state.as_str(), "done" | "failed" | "cancelled")
    }
}

/// A registered model as last pulled from a registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteModelRow {
    pub registry: String,
    pub name: String,
    pub description: Option<String>,
    pub tags: Value,
    pub aliases: Value,
    pub versions: Value,
    pub pulled_ms: i64,
}

const JOB_COLUMNS: &str = "id, created_ms, updated_ms, model_id, model_path, content_hash, registry, name, alias, \
     state, step, bytes_done, bytes_total, attempts, max_attempts, next_attempt_ms, lease_until_ms, \
     cancel_requested, error, request, remote, version, version_url, error_kind";

fn json_col(row: &Row<'_>, idx: usize) -> rusqlite::Result<Value> {
    let text: String = row.get(idx)?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        created_ms: r.get(1)?,
        updated_ms: r.get(2)?,
        model_id: r.get(3)?,
        model_path: r.get(4)?,
        content_hash: r.get(5)?,
        registry: r.get(6)?,
        name: r.get(7)?,
        alias: r.get(8)?,
        state: r.get(9)?,
        step: r.get(10)?,
        bytes_done: r.get(11)?,
        bytes_total: r.get(12)?,
        attempts: r.get(13)?,
        max_attempts: r.get(14)?,
        next_attempt_ms: r.get(15)?,
        lease_until_ms: r.get(16)?,
        cancel_requested: r.get::<_, i64>(17)? != 0,
        error: r.get(18)?,
        request: json_col(r, 19)?,
        remote: json_col(r, 20)?,
        version: r.get(21)?,
        version_url: r.get(22)?,
        error_kind: r.get(23)?,
    })
}

fn audit_from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        content_hash: r.get(5)?,
        note: r.get(6)?,
        details: json_col(r, 7)?,
    })
}

impl Catalog {
    // ---- connections -------------------------------------------------------------------------

    /// Every registry connection, the default first.
    pub fn registries(&self) -> Result<Vec<RegistryRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT url, auth, username, ca_file, is_default FROM registries ORDER BY is_default DESC, url",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RegistryRow {
                url: r.get(0)?,
                auth: r.get(1)?,
                username: r.get(2)?,
                ca_file: r.get(3)?,
                is_default: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds or replaces a connection. The first connection, or one saved with `make_default`,
    /// becomes the default.
    pub fn save_registry(
        &mut self,
        row: &RegistryRow,
        make_default: bool,
        now_ms: i64,
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        let others: i64 = tx.query_row(
            "SELECT COUNT(*) FROM registries WHERE url <> ?1",
            [&row.url],
            |r| r.get(0),
        )?;
        let was_default: bool = tx
            .query_row(
                "SELECT is_default FROM registries WHERE url = ?1",
                [&row.url],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some_and(|d| d != 0);
        let default = make_default || others == 0 || was_default;
        if default {
            tx.execute("UPDATE registries SET is_default = 0", [])?;
        }
        tx.execute(
            "INSERT INTO registries (url, auth, username, ca_file, is_default, added_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (url) DO UPDATE SET auth = excluded.auth, username = excluded.username,
                 ca_file = excluded.ca_file, is_default = excluded.is_default",
            params![
                row.url,
                row.auth,
                row.username,
                row.ca_file,
                default as i64,
                now_ms
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Removes a connection; another one becomes the default if it was. False if unknown.
    pub fn remove_registry(&mut self, url: &str) -> Result<bool, CatalogError> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM registries WHERE url = ?1", [url])? > 0;
        let has_default: i64 = tx.query_row(
            "SELECT COUNT(*) FROM registries WHERE is_default = 1",
            [],
            |r| r.get(0),
        )?;
        if has_default == 0 {
            tx.execute(
                "UPDATE registries SET is_default = 1 WHERE url = (SELECT url FROM registries ORDER BY added_ms LIMIT 1)",
                [],
            )?;
        }
        tx.commit()?;
        Ok(removed)
    }

    // ---- audit log ---------------------------------------------------------------------------

    /// Appends one entry (the table refuses updates and deletes) and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn append_audit(
        &mut self,
        at_ms: i64,
        actor: &str,
        action: &str,
        subject: &str,
        content_hash: Option<&str>,
        note: Option<&str>,
        details: &Value,
    ) -> Result<i64, CatalogError> {
        self.conn.execute(
            "INSERT INTO audit_log (at_ms, actor, action, subject, content_hash, note, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                at_ms,
                actor,
                action,
                subject,
                content_hash,
                note,
                details.to_string()
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Audit entries, oldest first: all, or those about `subject` or with `content_hash`.
    pub fn audit_log(
        &self,
        subject: Option<&str>,
        content_hash: Option<&str>,
    ) -> Result<Vec<AuditEntry>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at_ms, actor, action, subject, content_hash, note, details FROM audit_log
             WHERE (?1 IS NULL AND ?2 IS NULL) OR subject = ?1 OR content_hash = ?2
             ORDER BY id",
        )?;
        let rows = stmt.query_map(params![subject, content_hash], audit_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    // ---- outbox ------------------------------------------------------------------------------

    /// Queues a publish job and returns it.
    pub fn insert_job(&mut self, job: &NewJob, now_ms: i64) -> Result<JobRow, CatalogError> {
        self.conn.execute(
            "INSERT INTO publish_jobs (created_ms, updated_ms, model_id, model_path, content_hash, registry,
                 name, alias, state, max_attempts, request)
             VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9)",
            params![
                now_ms,
                job.model_id,
                job.model_path,
                job.content_hash,
                job.registry,
                job.name,
                job.alias,
                job.max_attempts,
                job.request.to_string()
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        self.job(id)
    }

    /// One job by id.
    pub fn job(&self, id: i64) -> Result<JobRow, CatalogError> {
        self.conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM publish_jobs WHERE id = ?1"),
                [id],
                job_from_row,
            )
            .optional()?
            .ok_or_else(|| CatalogError::NoSuchProject {
                what: format!("publish job {id}"),
            })
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<JobRow>, CatalogError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM publish_jobs ORDER BY id DESC"
        ))?;
        let rows = stmt.query_map([], job_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Claims a job that is due (`only`, or the oldest due one): queued, waiting whose retry
    /// time has come, or running with an expired lease. Returns it in state `running`.
    pub fn claim_job(
        &mut self,
        only: Option<i64>,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<Option<JobRow>, CatalogError> {
        let tx = self.conn.transaction()?;
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM publish_jobs
                 WHERE (?1 IS NULL OR id = ?1) AND (
                       state = 'queued'
                    OR (state = 'waiting' AND COALESCE(next_attempt_ms, 0) <= ?2)
                    OR (state = 'running' AND COALESCE(lease_until_ms, 0) < ?2))
                 ORDER BY id LIMIT 1",
                params![only, now_ms],
                |r| r.get(0),
            )
            .optional()?;
        let Some(id) = id else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE publish_jobs SET state = 'running', lease_until_ms = ?2, updated_ms = ?3,
                 attempts = attempts + 1, next_attempt_ms = NULL
             WHERE id = ?1",
            params![id, now_ms + lease_ms, now_ms],
        )?;
        tx.commit()?;
        self.job(id).map(Some)
    }

    /// When the next waiting job is due, if any job is queued or waiting (or interrupted).
    pub fn next_job_due_ms(&self) -> Result<Option<i64>, CatalogError> {
        Ok(self.conn.query_row(
            "SELECT MIN(CASE state WHEN 'waiting' THEN COALESCE(next_attempt_ms, 0)
                                   WHEN 'running' THEN COALESCE(lease_until_ms, 0)
                                   ELSE 0 END)
             FROM publish_jobs WHERE state IN ('queued', 'waiting', 'running')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records progress and renews the lease; returns whether a cancel was requested.
    pub fn job_progress(
        &mut self,
        id: i64,
        step: &str,
        bytes_done: i64,
        bytes_total: i64,
        now_ms: i64,
        lease_ms: i64,
    ) -> Result<bool, CatalogError> {
        self.conn.execute(
            "UPDATE publish_jobs SET step = ?2, bytes_done = ?3, bytes_total = ?4, updated_ms = ?5,
                 lease_until_ms = ?6
             WHERE id = ?1 AND state = 'running'",
            params![id, step, bytes_done, bytes_total, now_ms, now_ms + lease_ms],
        )?;
        Ok(self.conn.query_row(
            "SELECT cancel_requested FROM publish_jobs WHERE id = ?1",
            [id],
            |r| r.get::<_, i64>(0),
        )? != 0)
    }

    /// Saves what exists on the server so far (so a retry resumes instead of starting over).
    pub fn save_job_remote(&mut self, id: i64, remote: &Value) -> Result<(), CatalogError> {
        self.conn.execute(
            "UPDATE publish_jobs SET remote = ?2 WHERE id = ?1",
            params![id, remote.to_string()],
        )?;
        Ok(())
    }

    /// Ends a job: `done` (with the version), `failed` or `cancelled` (with why, and for a
    /// failure its kind).
    pub fn finish_job(
        &mut self,
        id: i64,
        state: &str,
        error: Option<(&str, &str)>,
        version: Option<(&str, &str)>,
        now_ms: i64,
    ) -> Result<JobRow, CatalogError> {
        self.conn.execute(
            "UPDATE publish_jobs SET state = ?2, error = ?3, error_kind = ?7, updated_ms = ?4, lease_until_ms = NULL,
                 next_attempt_ms = NULL, step = CASE ?2 WHEN 'done' THEN 'done' ELSE step END,
                 version = COALESCE(?5, version), version_url = COALESCE(?6, version_url)
             WHERE id = ?1",
            params![
                id,
                state,
                error.map(|e| e.1),
                now_ms,
                version.map(|v| v.0),
                version.map(|v| v.1),
                error.map(|e| e.0)
            ],
        )?;
        self.job(id)
    }

    /// Puts a running job back to wait for a retry at `next_attempt_ms`, saying why.
    pub fn job_retry_later(
        &mut self,
        id: i64,
        error: &str,
        next_attempt_ms: i64,
        now_ms: i64,
    ) -> Result<JobRow, CatalogError> {
        self.conn.execute(
            "UPDATE publish_jobs SET state = 'waiting', error = ?2, next_attempt_ms = ?3,
                 lease_until_ms = NULL, updated_ms = ?4
             WHERE id = ?1",
            params![id, error, next_attempt_ms, now_ms],
        )?;
        self.job(id)
    }

    /// Cancels a job: at once when nobody works on it, else by asking its worker (which stops
    /// at the next chunk). A finished job is returned unchanged.
    pub fn cancel_job(&mut self, id: i64, now_ms: i64) -> Result<JobRow, CatalogError> {
        let job = self.job(id)?;
        if job.is_finished() {
            return Ok(job);
        }
        let lease_live = job.state == "running" && job.lease_until_ms.unwrap_or(0) >= now_ms;
        if lease_live {
            self.conn.execute(
                "UPDATE publish_jobs SET cancel_requested = 1, updated_ms = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?;
            self.job(id)
        } else {
            self.conn.execute(
                "UPDATE publish_jobs SET cancel_requested = 1 WHERE id = ?1",
                [id],
            )?;
            self.finish_job(
                id,
                "cancelled",
                Some(("input", "cancelled by the user")),
                None,
                now_ms,
            )
        }
    }

    // ---- pulled models -----------------------------------------------------------------------

    /// Replaces what is known of one registry's models.
    pub fn save_remote_models(
        &mut self,
        registry: &str,
        models: &[RemoteModelRow],
    ) -> Result<(), CatalogError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM remote_models WHERE registry = ?1", [registry])?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO remote_models (registry, name, description, tags, aliases, versions, pulled_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for m in models {
                stmt.execute(params![
                    registry,
                    m.name,
                    m.description,
                    m.tags.to_string(),
                    m.aliases.to_string(),
                    m.versions.to_string(),
                    m.pulled_ms
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces one pulled model (after an alias move).
    pub fn save_remote_model(&mut self, model: &RemoteModelRow) -> Result<(), CatalogError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO remote_models (registry, name, description, tags, aliases, versions, pulled_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                model.registry,
                model.name,
                model.description,
                model.tags.to_string(),
                model.aliases.to_string(),
                model.versions.to_string(),
                model.pulled_ms
            ],
        )?;
        Ok(())
    }

    /// The models last pulled, of one registry or of all, by registry and name.
    pub fn remote_models(
        &self,
        registry: Option<&str>,
    ) -> Result<Vec<RemoteModelRow>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT registry, name, description, tags, aliases, versions, pulled_ms FROM remote_models
             WHERE ?1 IS NULL OR registry = ?1 ORDER BY registry, name",
        )?;
        let rows = stmt.query_map([registry], |r| {
            Ok(RemoteModelRow {
                registry: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                tags: json_col(r, 3)?,
                aliases: json_col(r, 4)?,
                versions: json_col(r, 5)?,
                pulled_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn catalog() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.sqlite")).unwrap();
        (dir, catalog)
    }

    fn new_job() -> NewJob {
        NewJob {
            model_id: Some(3),
            model_path: "/p/model.bin".into(),
            content_hash: "abc".into(),
            registry: "http://127.0.0.1:5000".into(),
            name: "churn".into(),
            alias: Some("champion".into()),
            max_attempts: 3,
            request: json!({"files": []}),
        }
    }

    #[test]
    fn the_audit_log_refuses_updates_and_deletes() {
        let (_d, mut c) = catalog();
        let id = c
            .append_audit(
                1,
                "ann",
                "approve",
                "/p/m",
                Some("h"),
                Some("ok"),
                &json!({}),
            )
            .unwrap();
        let update = c
            .conn
            .execute("UPDATE audit_log SET note = 'x' WHERE id = ?1", [id]);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = c.conn.execute("DELETE FROM audit_log", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        let log = c.audit_log(None, Some("h")).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].note.as_deref(), Some("ok"));
        assert!(
            c.audit_log(Some("/other"), Some("other"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_claimed_job_with_an_expired_lease_is_claimable_again() {
        let (_d, mut c) = catalog();
        let job = c.insert_job(&new_job(), 1_000).unwrap();
        assert_eq!(job.state, "queued");
        let claimed = c.claim_job(None, 1_000, 500).unwrap().unwrap();
        assert_eq!((claimed.state.as_str(), claimed.attempts), ("running", 1));
        // Leased: nobody else gets it.
        assert!(c.claim_job(None, 1_200, 500).unwrap().is_none());
        // The worker died; after the lease the job comes back.
        let again = c.claim_job(None, 1_600, 500).unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (job.id, 2));
        // Waiting for a retry: due only at its time.
        c.job_retry_later(job.id, "connection refused", 5_000, 1_700)
            .unwrap();
        assert!(c.claim_job(None, 4_999, 500).unwrap().is_none());
        assert_eq!(c.next_job_due_ms().unwrap(), Some(5_000));
        assert!(c.claim_job(None, 5_000, 500).unwrap().is_some());
        let done = c
            .finish_job(
                job.id,
                "done",
                None,
                Some(("1", "http://x/#/models/churn/versions/1")),
                6_000,
            )
            .unwrap();
        assert!(done.is_finished());
        assert_eq!(done.version.as_deref(), Some("1"));
        assert!(c.claim_job(None, 99_999, 500).unwrap().is_none());
        assert_eq!(c.next_job_due_ms().unwrap(), None);
    }

    #[test]
    fn cancelling_an_idle_job_ends_it_and_a_running_one_asks_its_worker() {
        let (_d, mut c) = catalog();
        let idle = c.insert_job(&new_job(), 1).unwrap();
        let cancelled = c.cancel_job(idle.id, 2).unwrap();
        assert_eq!(cancelled.state, "cancelled");
        let busy = c.insert_job(&new_job(), 3).unwrap();
        c.claim_job(Some(busy.id), 3, 10_000).unwrap().unwrap();
        let asked = c.cancel_job(busy.id, 4).unwrap();
        assert_eq!(asked.state, "running");
        assert!(c.job_progress(busy.id, "upload", 1, 2, 5, 10_000).unwrap());
    }

    #[test]
    fn the_first_connection_is_the_default_and_removing_it_promotes_another() {
        let (_d, mut c) = catalog();
        let row = |url: &str| RegistryRow {
            url: url.into(),
            auth: "none".into(),
            username: None,
            ca_file: None,
            is_default: false,
        };
        c.save_registry(&row("http://a"), false, 1).unwrap();
        c.save_registry(&row("http://b"), false, 2).unwrap();
        let all = c.registries().unwrap();
        assert_eq!(all[0].url, "http://a");
        assert!(all[0].is_default && !all[1].is_default);
        c.save_registry(&row("http://b"), true, 3).unwrap();
        assert_eq!(c.registries().unwrap()[0].url, "http://b");
        assert!(c.remove_registry("http://b").unwrap());
        assert!(c.registries().unwrap()[0].is_default);
    }
}
