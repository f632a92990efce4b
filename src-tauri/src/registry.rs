//! The Models view's approval and publishing commands, over `driftdeck::registry`: checks and
//! decisions, publishing (queued for the outbox worker), registry connections and login, pulled
//! registry models and their aliases, the audit log.
//!
//! Commands that touch the network or run checks work on a blocking thread with a catalog
//! connection of their own, so the window's other commands never wait for a registry.

use driftdeck::catalog::registry::{AuditEntry, JobRow};
use driftdeck::registry::aliases::{self, AliasMove, AliasRequest};
use driftdeck::registry::approval::{self, DecisionForm, ModelReview};
use driftdeck::registry::connection::{self, ConnectionInfo, LoginRequest};
use driftdeck::registry::publish::{self, PublishForm, PublishOptions};
use driftdeck::registry::remote::{self, RemoteModelJson};
use driftdeck::registry::secret::SecretStore;
use tauri::AppHandle;
use tauri_specta::Event;

use crate::events::PublishProgress;
use crate::state::{Answer, App};

/// A model's checklist and approval status (runs the checks: about a second).
#[tauri::command]
#[specta::specta]
pub async fn model_approval(state: App<'_>, model_id: i64) -> Answer<ModelReview> {
    let id = model_id.to_string();
    state
        .on_connection(move |c| Ok(approval::review(c, &id)?))
        .await
}

/// Approves or rejects a model's current content.
#[tauri::command]
#[specta::specta]
pub async fn decide_model(
    state: App<'_>,
    model_id: i64,
    form: DecisionForm,
) -> Answer<ModelReview> {
    let (id, now) = (model_id.to_string(), driftdeck::time::now_ms());
    state
        .on_connection(move |c| Ok(approval::decide_model(c, &id, &form, now)?))
        .await
}

/// Queues a publish job; the worker sends it.
#[tauri::command]
#[specta::specta]
pub async fn publish_model(state: App<'_>, model_id: i64, form: PublishForm) -> Answer<JobRow> {
    let options = PublishOptions::from(form);
    let (id, now) = (model_id.to_string(), driftdeck::time::now_ms());
    let job = state
        .on_connection(move |c| Ok(publish::queue(c, &id, &options, now)?))
        .await?;
    state.worker.poke();
    Ok(job)
}

/// Every publish job, newest first.
#[tauri::command]
#[specta::specta]
pub async fn publish_jobs(state: App<'_>) -> Answer<Vec<JobRow>> {
    state.with_catalog(|c| Ok(c.jobs()?))
}

/// Cancels a job (a running one stops at its next chunk).
#[tauri::command]
#[specta::specta]
pub async fn cancel_publish(app: AppHandle, state: App<'_>, job_id: i64) -> Answer<JobRow> {
    let job = state.with_catalog(|c| Ok(c.cancel_job(job_id, driftdeck::time::now_ms())?))?;
    let _ = PublishProgress(job.clone()).emit(&app);
    Ok(job)
}

#[tauri::command]
#[specta::specta]
pub async fn registry_connections(state: App<'_>) -> Answer<Vec<ConnectionInfo>> {
    state
        .on_connection(|c| Ok(connection::connections(c, &SecretStore::open()?)?))
        .await
}

/// Checks the credentials against the server, then saves the connection (the secret to the OS
/// keyring only).
#[tauri::command]
#[specta::specta]
pub async fn registry_login(state: App<'_>, request: LoginRequest) -> Answer<ConnectionInfo> {
    let login = move |c: &mut _| Ok(connection::login_with(c, &SecretStore::open()?, &request)?);
    state.on_connection(login).await
}

#[tauri::command]
#[specta::specta]
pub async fn registry_logout(state: App<'_>, url: String) -> Answer<()> {
    let logout = move |c: &mut _| Ok(connection::logout(c, &SecretStore::open()?, &url).map(drop)?);
    state.on_connection(logout).await
}

/// Lists the registry's models into the catalog (`None`: the default registry).
#[tauri::command]
#[specta::specta]
pub async fn registry_pull(
    state: App<'_>,
    registry: Option<String>,
) -> Answer<Vec<RemoteModelJson>> {
    let pull = move |c: &mut _| {
        Ok(remote::pull_from(
            c,
            &SecretStore::open()?,
            registry.as_deref(),
        )?)
    };
    state.on_connection(pull).await
}

/// The registry models last pulled (no network).
#[tauri::command]
#[specta::specta]
pub async fn remote_models(
    state: App<'_>,
    registry: Option<String>,
) -> Answer<Vec<RemoteModelJson>> {
    state.with_catalog(|c| Ok(remote::list(c, registry.as_deref())?))
}

/// Promotes the challenger or rolls the champion back, with the alias names of the model's
/// `driftdeck.toml`.
#[tauri::command]
#[specta::specta]
pub async fn move_alias(
    state: App<'_>,
    registry: Option<String>,
    name: String,
    action: AliasMove,
) -> Answer<RemoteModelJson> {
    state
        .on_connection(move |c| {
            let (store, request) = (SecretStore::open()?, AliasRequest::on(registry.as_deref()));
            Ok(aliases::move_alias(c, &store, &name, action, &request)?)
        })
        .await
}

/// The audit log, of one model (its path or its content) or all of it, newest first.
#[tauri::command]
#[specta::specta]
pub async fn audit_log(state: App<'_>, model_id: Option<i64>) -> Answer<Vec<AuditEntry>> {
    let model = model_id.map(|id| id.to_string());
    state
        .on_connection(move |c| Ok(approval::audit_log(c, model.as_deref())?))
        .await
}
