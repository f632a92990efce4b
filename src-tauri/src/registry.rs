//! Approval and publishing in the app: commands over `driftdeck::registry`, and the outbox
//! worker, a thread that sends queued publish jobs (retrying with backoff) and emits
//! `publish-progress` with the whole job on every change. Jobs live in the catalog, so a job
//! interrupted by closing the app resumes at the next start.
//!
//! Commands that touch the network or run checks work on a blocking thread with a catalog
//! connection of their own, so the window's other commands never wait for a registry.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use driftdeck::catalog::Catalog;
use driftdeck::catalog::registry::{AuditEntry, JobRow, RemoteModelRow};
use driftdeck::registry::approval::{self, Approval, Decision, Publication};
use driftdeck::registry::connection::{self, AuthKind, Connection};
use driftdeck::registry::model::{self, ModelRef};
use driftdeck::registry::policy::{self, Check, Checklist, Policy};
use driftdeck::registry::publish::{self, PublishOptions};
use driftdeck::registry::secret::SecretStore;
use driftdeck::registry::{RegistryError, aliases, remote};
use serde::Serialize;
use serde_json::Value;
use tauri::{AppHandle, Emitter, State};

use crate::dto::ErrorDto;
use crate::state::AppState;

/// The event that carries a publish job after each change.
pub const PUBLISH_PROGRESS: &str = "publish-progress";

fn error(err: RegistryError) -> ErrorDto {
    let code = match &err {
        RegistryError::Remote(_) => "remote",
        RegistryError::Catalog(e) => return ErrorDto::from(e),
        RegistryError::Cancelled => "bad_input",
        e if e.is_bad_input() => "bad_input",
        _ => "internal",
    };
    ErrorDto {
        code,
        message: err.to_string(),
    }
}

fn open(db: &std::path::Path) -> Result<Catalog, ErrorDto> {
    Catalog::open(db).map_err(ErrorDto::from)
}

/// Runs `f` on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ErrorDto> + Send + 'static,
) -> Result<T, ErrorDto> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ErrorDto {
            code: "internal",
            message: format!("the work stopped unexpectedly: {e}"),
        })?
}

fn store() -> Result<SecretStore, ErrorDto> {
    SecretStore::open().map_err(error)
}

#[derive(Debug, Serialize)]
pub struct ModelApprovalDto {
    model_id: Option<i64>,
    path: String,
    content_hash: String,
    status: &'static str,
    policy: Option<String>,
    checks: Vec<Check>,
    all_passed: bool,
    approval: Option<Approval>,
    publications: Vec<Publication>,
}

fn checked(
    catalog: &Catalog,
    model_id: i64,
) -> Result<(ModelRef, Option<Policy>, Checklist), ErrorDto> {
    policy::check_model(catalog, &model_id.to_string()).map_err(error)
}

fn approval_dto(
    catalog: &Catalog,
    model: &ModelRef,
    checklist: Checklist,
) -> Result<ModelApprovalDto, ErrorDto> {
    let status = approval::status(catalog, &model.content_hash).map_err(error)?;
    Ok(ModelApprovalDto {
        model_id: model.id,
        path: model.subject(),
        content_hash: model.content_hash.clone(),
        status: status.status,
        policy: checklist.policy.map(|p| p.display().to_string()),
        checks: checklist.checks,
        all_passed: checklist.all_passed,
        approval: status.approval,
        publications: status.publications,
    })
}

/// A model's checklist and approval status (runs the checks).
#[tauri::command]
pub async fn model_approval(
    state: State<'_, AppState>,
    model_id: i64,
) -> Result<ModelApprovalDto, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let catalog = open(&db)?;
        let (model, _, checklist) = checked(&catalog, model_id)?;
        approval_dto(&catalog, &model, checklist)
    })
    .await
}

/// Approves or rejects a model's current content.
#[tauri::command]
pub async fn decide_model(
    state: State<'_, AppState>,
    model_id: i64,
    decision: String,
    note: String,
    override_note: Option<String>,
) -> Result<ModelApprovalDto, ErrorDto> {
    let db = state.open_catalog_path()?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        other => {
            return Err(ErrorDto {
                code: "bad_input",
                message: format!("unknown decision `{other}`: expected approve or reject"),
            });
        }
    };
    blocking(move || {
        let mut catalog = open(&db)?;
        let (model, _, checklist) = checked(&catalog, model_id)?;
        approval::decide(
            &mut catalog,
            &model,
            &checklist,
            decision,
            &note,
            override_note.as_deref(),
            driftdeck::time::now_ms(),
        )
        .map_err(error)?;
        approval_dto(&catalog, &model, checklist)
    })
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishJobDto {
    id: i64,
    model_id: Option<i64>,
    model_path: String,
    content_hash: String,
    registry: String,
    name: String,
    alias: Option<String>,
    state: String,
    step: String,
    bytes_done: i64,
    bytes_total: i64,
    attempts: i64,
    error: Option<String>,
    next_attempt_ms: Option<i64>,
    version: Option<String>,
    version_url: Option<String>,
    created_ms: i64,
    updated_ms: i64,
}

impl From<&JobRow> for PublishJobDto {
    fn from(j: &JobRow) -> Self {
        PublishJobDto {
            id: j.id,
            model_id: j.model_id,
            model_path: j.model_path.clone(),
            content_hash: j.content_hash.clone(),
            registry: j.registry.clone(),
            name: j.name.clone(),
            alias: j.alias.clone(),
            state: j.state.clone(),
            step: j.step.clone(),
            bytes_done: j.bytes_done,
            bytes_total: j.bytes_total,
            attempts: j.attempts,
            error: j.error.clone(),
            next_attempt_ms: j.next_attempt_ms,
            version: j.version.clone(),
            version_url: j.version_url.clone(),
            created_ms: j.created_ms,
            updated_ms: j.updated_ms,
        }
    }
}

/// Queues a publish job; the worker sends it.
#[tauri::command]
pub async fn publish_model(
    state: State<'_, AppState>,
    worker: State<'_, Worker>,
    model_id: i64,
    name: String,
    alias: Option<String>,
    registry: Option<String>,
) -> Result<PublishJobDto, ErrorDto> {
    let db = state.open_catalog_path()?;
    let job = blocking(move || {
        let mut catalog = open(&db)?;
        let (model, policy, checklist) = checked(&catalog, model_id)?;
        let options = PublishOptions {
            name: Some(name).filter(|n| !n.trim().is_empty()),
            alias: alias.filter(|a| !a.trim().is_empty()),
            registry: registry.filter(|r| !r.trim().is_empty()),
            push_source_run: true,
            max_attempts: None,
        };
        publish::enqueue(
            &mut catalog,
            &model,
            &checklist,
            policy.as_ref(),
            &options,
            driftdeck::time::now_ms(),
        )
        .map_err(error)
    })
    .await?;
    worker.poke();
    Ok(PublishJobDto::from(&job))
}

/// Every publish job, newest first.
#[tauri::command]
pub async fn publish_jobs(state: State<'_, AppState>) -> Result<Vec<PublishJobDto>, ErrorDto> {
    state.with_catalog(|c| Ok(c.jobs()?.iter().map(PublishJobDto::from).collect()))
}

/// Cancels a job (a running one stops at its next chunk).
#[tauri::command]
pub async fn cancel_publish(
    app: AppHandle,
    state: State<'_, AppState>,
    job_id: i64,
) -> Result<PublishJobDto, ErrorDto> {
    let job = state.with_catalog(|c| Ok(c.cancel_job(job_id, driftdeck::time::now_ms())?))?;
    let dto = PublishJobDto::from(&job);
    let _ = app.emit(PUBLISH_PROGRESS, dto.clone());
    Ok(dto)
}

#[derive(Debug, Serialize)]
pub struct RegistryConnectionDto {
    url: String,
    auth: &'static str,
    username: Option<String>,
    ca_file: Option<String>,
    is_default: bool,
    has_secret: bool,
    keyring: &'static str,
}

fn connections(
    catalog: &Catalog,
    store: &SecretStore,
) -> Result<Vec<RegistryConnectionDto>, ErrorDto> {
    let mut out = Vec::new();
    for row in catalog.registries()? {
        let conn = Connection::from_row(&row).map_err(error)?;
        let has_secret = match conn.auth {
            AuthKind::None => false,
            _ => store.get(&conn.account()).map_err(error)?.is_some(),
        };
        out.push(RegistryConnectionDto {
            url: conn.url,
            auth: conn.auth.as_str(),
            username: conn.username,
            ca_file: conn.ca_file.map(|p| p.display().to_string()),
            is_default: conn.is_default,
            has_secret,
            keyring: store.backend_name(),
        });
    }
    Ok(out)
}

#[tauri::command]
pub async fn registry_connections(
    state: State<'_, AppState>,
) -> Result<Vec<RegistryConnectionDto>, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || connections(&open(&db)?, &store()?)).await
}

/// Checks the credentials against the server, then saves the connection (secret to the OS
/// keyring only).
#[tauri::command]
pub async fn registry_login(
    state: State<'_, AppState>,
    url: String,
    auth: String,
    username: Option<String>,
    secret: Option<String>,
    ca_file: Option<String>,
) -> Result<RegistryConnectionDto, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let mut catalog = open(&db)?;
        let store = store()?;
        let url = connection::normalize_url(&url).map_err(error)?;
        let ca_file = ca_file
            .filter(|c| !c.trim().is_empty())
            .map(|c| connection::ca_file(std::path::Path::new(&c)))
            .transpose()
            .map_err(error)?;
        let conn = Connection {
            url: url.clone(),
            auth: AuthKind::parse(&auth).map_err(error)?,
            username: username.filter(|u| !u.trim().is_empty()),
            ca_file,
            is_default: false,
        };
        connection::login(&mut catalog, &store, &conn, secret.as_deref(), true).map_err(error)?;
        connections(&catalog, &store)?
            .into_iter()
            .find(|c| c.url == url)
            .ok_or_else(|| ErrorDto {
                code: "internal",
                message: format!("the connection to {url} was not saved"),
            })
    })
    .await
}

#[tauri::command]
pub async fn registry_logout(state: State<'_, AppState>, url: String) -> Result<(), ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let mut catalog = open(&db)?;
        connection::logout(&mut catalog, &store()?, &url).map_err(error)?;
        Ok(())
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct RemoteModelDto {
    registry: String,
    name: String,
    description: Option<String>,
    aliases: Value,
    pulled_ms: i64,
    url: String,
    versions: Value,
}

impl From<&RemoteModelRow> for RemoteModelDto {
    fn from(r: &RemoteModelRow) -> Self {
        RemoteModelDto {
            registry: r.registry.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            aliases: r.aliases.clone(),
            pulled_ms: r.pulled_ms,
            url: remote::url_of(r),
            versions: r.versions.clone(),
        }
    }
}

/// Lists the registry's models into the catalog.
#[tauri::command]
pub async fn registry_pull(
    state: State<'_, AppState>,
    registry: Option<String>,
) -> Result<Vec<RemoteModelDto>, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let mut catalog = open(&db)?;
        let conn = connection::resolve(&catalog, registry.as_deref()).map_err(error)?;
        let client = conn.client(&store()?).map_err(error)?;
        let rows = remote::pull(&mut catalog, &client).map_err(error)?;
        Ok(rows.iter().map(RemoteModelDto::from).collect())
    })
    .await
}

/// The registry models last pulled (no network).
#[tauri::command]
pub async fn remote_models(
    state: State<'_, AppState>,
    registry: Option<String>,
) -> Result<Vec<RemoteModelDto>, ErrorDto> {
    state.with_catalog(|c| {
        let url = registry
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(connection::normalize_url)
            .transpose()
            .map_err(error)?;
        Ok(c.remote_models(url.as_deref())?
            .iter()
            .map(RemoteModelDto::from)
            .collect())
    })
}

/// Promotes the challenger or rolls the champion back.
#[tauri::command]
pub async fn move_alias(
    state: State<'_, AppState>,
    registry: Option<String>,
    name: String,
    action: String,
) -> Result<RemoteModelDto, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let mut catalog = open(&db)?;
        let conn = connection::resolve(&catalog, registry.as_deref()).map_err(error)?;
        let client = conn.client(&store()?).map_err(error)?;
        let row = match action.as_str() {
            "promote" => aliases::promote(&client, &mut catalog, &name, "champion", "challenger"),
            "rollback" => aliases::rollback(&client, &mut catalog, &name, "champion"),
            other => Err(RegistryError::Invalid(format!(
                "unknown alias action `{other}`: expected promote or rollback"
            ))),
        }
        .map_err(error)?;
        Ok(RemoteModelDto::from(&row))
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct AuditEntryDto {
    id: i64,
    at_ms: i64,
    actor: String,
    action: String,
    subject: String,
    content_hash: Option<String>,
    note: Option<String>,
    details: Value,
}

impl From<&AuditEntry> for AuditEntryDto {
    fn from(e: &AuditEntry) -> Self {
        AuditEntryDto {
            id: e.id,
            at_ms: e.at_ms,
            actor: e.actor.clone(),
            action: e.action.clone(),
            subject: e.subject.clone(),
            content_hash: e.content_hash.clone(),
            note: e.note.clone(),
            details: e.details.clone(),
        }
    }
}

/// The audit log, of one model (its path or its content) or all of it.
#[tauri::command]
pub async fn audit_log(
    state: State<'_, AppState>,
    model_id: Option<i64>,
) -> Result<Vec<AuditEntryDto>, ErrorDto> {
    let db = state.open_catalog_path()?;
    blocking(move || {
        let catalog = open(&db)?;
        let entries = match model_id {
            Some(id) => {
                let model = model::resolve(&catalog, &id.to_string()).map_err(error)?;
                catalog.audit_log(Some(&model.subject()), Some(&model.content_hash))?
            }
            None => catalog.audit_log(None, None)?,
        };
        Ok(entries.iter().rev().map(AuditEntryDto::from).collect())
    })
    .await
}

/// How often an idle worker looks for jobs queued by another process (`driftdeck publish
/// --no-wait`). Jobs queued in the app poke it at once.
const IDLE_LOOK: Duration = Duration::from_secs(300);

enum Wake {
    /// A job was queued.
    Poke,
    /// The app switched to another catalog.
    Catalog(PathBuf),
}

/// The outbox worker: a thread that sends due jobs, then sleeps until the next is due, it is
/// poked (a new job), or the catalog changes. When nothing is queued it wakes only every
/// [`IDLE_LOOK`], and opens the keyring only when a job is due.
pub struct Worker {
    app: AppHandle,
    wake: Mutex<Option<Sender<Wake>>>,
}

impl Worker {
    /// A worker with no thread yet: [`Worker::set_catalog`] starts it.
    pub fn new(app: AppHandle) -> Worker {
        Worker {
            app,
            wake: Mutex::new(None),
        }
    }

    /// Sends the jobs of the catalog at `db` from now on (starting the thread on first use).
    pub fn set_catalog(&self, db: PathBuf) {
        let mut wake = self.wake.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = wake.as_ref()
            && tx.send(Wake::Catalog(db.clone())).is_ok()
        {
            return;
        }
        let (tx, rx) = mpsc::channel::<Wake>();
        let app = self.app.clone();
        let spawned = std::thread::Builder::new()
            .name("driftdeck-outbox".into())
            .spawn(move || work(app, db, rx));
        match spawned {
            Ok(_) => *wake = Some(tx),
            Err(e) => eprintln!("driftdeck-app: cannot start the outbox worker: {e}"),
        }
    }

    /// Wakes the worker (a job was queued).
    pub fn poke(&self) {
        if let Ok(guard) = self.wake.lock()
            && let Some(tx) = guard.as_ref()
        {
            let _ = tx.send(Wake::Poke);
        }
    }
}

fn work(app: AppHandle, mut db: PathBuf, rx: mpsc::Receiver<Wake>) {
    let mut catalog: Option<Catalog> = None;
    loop {
        if catalog.as_ref().is_none_or(|c| c.path() != db) {
            catalog = Catalog::open(&db)
                .map_err(|e| eprintln!("driftdeck-app: outbox: {e}"))
                .ok();
        }
        // None: sleep until woken (no catalog to work on).
        let mut wait = None;
        if let Some(catalog) = catalog.as_mut() {
            wait = Some(IDLE_LOOK);
            let now = driftdeck::time::now_ms();
            match catalog.next_job_due_ms() {
                Ok(Some(due)) if due <= now => {
                    match SecretStore::open() {
                        Ok(store) => {
                            let sent = publish::drain(catalog, &store, None, false, &mut |job| {
                                let _ = app.emit(PUBLISH_PROGRESS, PublishJobDto::from(job));
                            });
                            if let Err(e) = sent {
                                eprintln!("driftdeck-app: outbox: {e}");
                            }
                        }
                        Err(e) => eprintln!("driftdeck-app: outbox: {e}"),
                    }
                    // Look again at once: what is left decides the next wait.
                    wait = match catalog.next_job_due_ms() {
                        Ok(Some(due)) => Some(Duration::from_millis(
                            (due - driftdeck::time::now_ms()).clamp(100, 30_000) as u64,
                        )),
                        _ => Some(IDLE_LOOK),
                    };
                }
                Ok(Some(due)) => {
                    wait = Some(Duration::from_millis((due - now).clamp(100, 30_000) as u64));
                }
                Ok(None) => {}
                Err(e) => eprintln!("driftdeck-app: outbox: {e}"),
            }
        }
        let woken = match wait {
            Some(wait) => rx.recv_timeout(wait),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match woken {
            Ok(Wake::Catalog(path)) => db = path,
            Ok(Wake::Poke) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
