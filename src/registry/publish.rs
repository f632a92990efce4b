//! Publishing through the outbox: [`enqueue`] turns an approved model into a job that holds
//! everything to send (file list with hashes, model card, tags, the source run's data, copies
//! of the evidence); [`run_job`] executes it against the registry step by step, saving each
//! step's result in the job, so a retry (after a network loss, a 5xx, a restart of the app or
//! of the server) resumes where it stopped; [`drain`] runs due jobs with retries and backoff.
//!
//! The version is created last, from a logged model whose files were all uploaded, checked by
//! size against the server's listing and marked READY, with the content-hash tag in the same
//! call; before creating it the registry is searched for that tag. So a publish never leaves a
//! version that claims files it lacks, and never creates a second version of the same content.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::catalog::registry::{JobRow, NewJob};
use crate::error::{Classify, ErrorCode};

use super::checklist::Checklist;
use super::client::{Client, MetricPoint};
use super::connection;
use super::model::{ModelRef, check_artifact_path, hash_file};
use super::secret::SecretStore;
use super::{RegistryError, RemoteError, actor, aliases, approval};
use crate::policy::Policy;

/// The version tag that makes publishing idempotent.
pub const CONTENT_HASH_TAG: &str = "driftdeck.content_hash";
/// How long a claimed job stays ours without progress.
const LEASE_MS: i64 = 30_000;
/// Default attempts before a job fails for good.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 10;
/// Metric points pushed from the source run at most.
const MAX_METRIC_POINTS: usize = 100_000;

/// What to publish, besides the model.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// The registered model name (default: the model's registered or catalog name, or file stem).
    pub name: Option<String>,
    pub alias: Option<String>,
    /// The registry URL (default: the project policy's, else the default connection).
    pub registry: Option<String>,
    /// Push the source run's params, metrics and tags to the published run.
    pub push_source_run: bool,
    pub max_attempts: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct FileSpec {
    /// The path under the artifact root.
    rel: String,
    abs: PathBuf,
    bytes: u64,
    blake3: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct MetricSpec {
    key: String,
    value: Option<f64>,
    step: i64,
    ts: i64,
}

/// Everything a job sends, fixed when it is queued.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Request {
    files: Vec<FileSpec>,
    evidence: Vec<FileSpec>,
    format: String,
    description: String,
    tags: Vec<(String, String)>,
    experiment: String,
    run_name: String,
    run_tags: Vec<(String, String)>,
    params: Vec<(String, String)>,
    metrics: Vec<MetricSpec>,
    champion: String,
}

/// What exists on the server so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
struct Remote {
    experiment_id: Option<String>,
    run_id: Option<String>,
    run_logged: bool,
    model_id: Option<String>,
    registered: bool,
    /// Uploaded model files and evidence: rel -> BLAKE3.
    uploaded: std::collections::BTreeMap<String, String>,
    evidence_uploaded: std::collections::BTreeMap<String, String>,
    model_ready: bool,
    version: Option<String>,
    alias_set: bool,
}

/// Checks a registered model name before anything is sent (MLflow refuses these too).
pub fn check_model_name(name: &str) -> Result<(), RegistryError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(RegistryError::Invalid(
            "the registered model name is empty (--name NAME)".into(),
        ));
    }
    if trimmed.contains('/') || trimmed.contains(':') {
        return Err(RegistryError::Invalid(format!(
            "MLflow refuses the model name `{name}`: names cannot contain '/' or ':'"
        )));
    }
    if trimmed.len() > 256 {
        return Err(RegistryError::Invalid(format!(
            "the model name is {} characters long: MLflow's databases keep at most 256",
            trimmed.len()
        )));
    }
    Ok(())
}

/// Checks an alias name as MLflow does.
pub fn check_alias(alias: &str) -> Result<(), RegistryError> {
    let bad =
        |why: &str| RegistryError::Invalid(format!("MLflow refuses the alias `{alias}`: {why}"));
    if alias.is_empty()
        || !alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(bad(
            "aliases may only contain letters, digits, underscores (_) and dashes (-)",
        ));
    }
    if alias.eq_ignore_ascii_case("latest") {
        return Err(bad("`latest` is reserved"));
    }
    if alias.len() > 1
        && alias.starts_with(['v', 'V'])
        && alias[1..].chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad("names like v2 are reserved for versions"));
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<FileSpec, RegistryError> {
    let local =
        |e: std::io::Error| RegistryError::Local(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(local)?;
    }
    std::fs::write(path, bytes).map_err(local)?;
    Ok(FileSpec {
        rel: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        abs: path.to_path_buf(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(bytes).to_hex().to_string(),
    })
}

/// The git commit of the folder's repository, if it is in one.
fn git_commit(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "HEAD"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let commit = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && commit.len() >= 40).then_some(commit)
}

/// The model card: the version's description.
fn model_card(
    name: &str,
    model: &ModelRef,
    checklist: &Checklist,
    status: &approval::ModelStatus,
    commit: Option<&str>,
) -> String {
    let mut card = format!(
        "# {name}\n\nPublished by Driftdeck from `{}` ({}, {} file{}, {} bytes).\n\n",
        model.path.display(),
        model.format,
        model.files.len(),
        if model.files.len() == 1 { "" } else { "s" },
        model.bytes
    );
    card.push_str(&format!(
        "- Content hash (BLAKE3): `{}`\n",
        model.content_hash
    ));
    if let Some(run) = &model.source_run {
        card.push_str(&format!(
            "- Source run: `{}`{} ({})\n",
            run.run_id,
            run.name
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default(),
            run.source
        ));
    }
    if let Some(commit) = commit {
        card.push_str(&format!("- Git commit: `{commit}`\n"));
    }
    for (role, hash) in &checklist.datasets {
        card.push_str(&format!("- Dataset {role}: `{hash}`\n"));
    }
    if let Some(a) = &status.approval {
        card.push_str(&format!(
            "- Approved by {} at {}: {}\n",
            a.actor,
            crate::time::rfc3339_ms(a.at_ms),
            a.note
        ));
        if let Some(o) = &a.override_note {
            card.push_str(&format!("- Checks overridden: {o}\n"));
        }
    }
    card.push_str("\n## Checks\n\n| check | expected | actual | result |\n|---|---|---|---|\n");
    for c in &checklist.checks {
        card.push_str(&format!(
            "| {} | {} | {} | {:?} |\n",
            c.label.replace('|', "/"),
            c.expected.replace('|', "/"),
            c.actual.as_deref().unwrap_or("—").replace('|', "/"),
            c.status
        ));
    }
    if !checklist.evidence.is_empty() {
        card.push_str("\nReports: the run's `driftdeck/` artifacts (");
        card.push_str(
            &checklist
                .evidence
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        card.push_str(").\n");
    }
    card
}

/// Queues a publish job for an approved model.
/// Runs the model's checks (`reference`: a catalog id or a path) and queues its publish with
/// [`enqueue`]: the one entry the CLI's `publish` and the app's Publish button share.
pub fn queue(
    catalog: &mut Catalog,
    reference: &str,
    options: &PublishOptions,
    now_ms: i64,
) -> Result<JobRow, RegistryError> {
    let (model, policy, checklist) = super::checklist::check_model(catalog, reference)?;
    enqueue(
        catalog,
        &model,
        &checklist,
        policy.as_ref(),
        options,
        now_ms,
    )
}

/// A publish as the app's form asks for it: the registered name, the alias and the registry,
/// each blank for the default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PublishForm {
    pub name: Option<String>,
    pub alias: Option<String>,
    pub registry: Option<String>,
}

impl From<PublishForm> for PublishOptions {
    /// Blank fields take the defaults; the source run is pushed.
    fn from(form: PublishForm) -> PublishOptions {
        let given = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        PublishOptions {
            name: given(form.name),
            alias: given(form.alias),
            registry: given(form.registry),
            push_source_run: true,
            max_attempts: None,
        }
    }
}

pub fn enqueue(
    catalog: &mut Catalog,
    model: &ModelRef,
    checklist: &Checklist,
    policy: Option<&Policy>,
    options: &PublishOptions,
    now_ms: i64,
) -> Result<JobRow, RegistryError> {
    let status = approval::status(catalog, &model.content_hash)?;
    if !matches!(status.status, "approved" | "published") {
        return Err(RegistryError::Invalid(format!(
            "model {} is {} (content {}): approve it first (`driftdeck approve {} --note TEXT`)",
            model.path.display(),
            status.status,
            &model.content_hash[..12.min(model.content_hash.len())],
            model
                .id
                .map(|i| i.to_string())
                .unwrap_or_else(|| model.subject())
        )));
    }
    let name = options.name.clone().unwrap_or_else(|| model.default_name());
    check_model_name(&name)?;
    let (champion, _) = policy
        .map(Policy::alias_names)
        .unwrap_or(("champion".into(), "challenger".into()));
    if let Some(alias) = &options.alias {
        check_alias(alias)?;
    }
    let registry_url = options
        .registry
        .clone()
        .or_else(|| policy.and_then(|p| p.registry.url.clone()));
    let conn = connection::resolve(catalog, registry_url.as_deref())?;
    for f in &model.files {
        check_artifact_path(&f.rel)?;
    }

    // The job's own copy of the evidence, the card and a manifest.
    let dir = catalog.cache_dir().join("outbox").join(format!(
        "{}-{now_ms}",
        &model.content_hash[..16.min(model.content_hash.len())]
    ));
    let commit = model.project_root.as_deref().and_then(git_commit);
    let card = model_card(&name, model, checklist, &status, commit.as_deref());
    let mut evidence = vec![write_file(&dir.join("model-card.md"), card.as_bytes())?];
    let manifest = json!({
        "content_hash": model.content_hash,
        "files": model.files.iter().map(|f| json!({"path": f.rel, "bytes": f.bytes, "blake3": f.blake3})).collect::<Vec<_>>(),
    });
    evidence.push(write_file(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_default()
            .as_bytes(),
    )?);
    for e in &checklist.evidence {
        let bytes = std::fs::read(&e.path).map_err(|err| {
            RegistryError::Local(format!("cannot read evidence {}: {err}", e.path.display()))
        })?;
        evidence.push(write_file(&dir.join(&e.name), &bytes)?);
    }

    let approver = status.approval.as_ref();
    let mut tags = vec![
        (CONTENT_HASH_TAG.to_string(), model.content_hash.clone()),
        ("driftdeck.model_path".into(), model.subject()),
        ("driftdeck.model_format".into(), model.format.clone()),
    ];
    if let Some(a) = approver {
        tags.push(("driftdeck.approved_by".into(), a.actor.clone()));
        tags.push((
            "driftdeck.approved_at".into(),
            crate::time::rfc3339_ms(a.at_ms),
        ));
        tags.push(("driftdeck.approval_note".into(), a.note.clone()));
        if let Some(o) = &a.override_note {
            tags.push(("driftdeck.override_note".into(), o.clone()));
        }
    }
    if let Some(run) = &model.source_run {
        tags.push(("driftdeck.source_run_id".into(), run.run_id.clone()));
        tags.push(("driftdeck.source_run_tool".into(), run.source.clone()));
    }
    if let Some(c) = &commit {
        tags.push(("driftdeck.git_commit".into(), c.clone()));
    }
    for (role, hash) in &checklist.datasets {
        tags.push((format!("driftdeck.dataset.{role}"), hash.clone()));
    }
    tags.push((
        "driftdeck.checks".into(),
        if checklist.all_passed {
            "passed"
        } else {
            "overridden"
        }
        .into(),
    ));

    let (mut params, mut metrics, mut run_tags) = (Vec::new(), Vec::new(), Vec::new());
    if let (true, Some(run)) = (options.push_source_run, &model.source_run) {
        params = run
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        run_tags = run
            .tags
            .iter()
            .filter(|(k, _)| !k.starts_with("mlflow."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for key in run.metrics.keys() {
            for p in catalog.metric_history(run.id, key)? {
                if metrics.len() >= MAX_METRIC_POINTS {
                    break;
                }
                metrics.push(MetricSpec {
                    key: key.clone(),
                    value: Some(p.value).filter(|v| !v.is_nan()),
                    step: p.step,
                    ts: p.ts_ms,
                });
            }
        }
    }
    let mut base_tags = vec![
        ("mlflow.source.name".to_string(), "driftdeck".to_string()),
        ("mlflow.user".into(), actor()),
        (CONTENT_HASH_TAG.into(), model.content_hash.clone()),
    ];
    if let Some(run) = &model.source_run {
        base_tags.push(("driftdeck.source_run_id".into(), run.run_id.clone()));
    }
    run_tags.extend(base_tags);
    let request = Request {
        files: model
            .files
            .iter()
            .map(|f| FileSpec {
                rel: f.rel.clone(),
                abs: f.abs.clone(),
                bytes: f.bytes,
                blake3: f.blake3.clone(),
            })
            .collect(),
        evidence,
        format: model.format.clone(),
        description: card,
        tags,
        experiment: policy
            .and_then(|p| p.registry.experiment.clone())
            .unwrap_or_else(|| "driftdeck".into()),
        run_name: model
            .source_run
            .as_ref()
            .and_then(|r| r.name.clone())
            .map(|n| format!("{n} (published)"))
            .unwrap_or_else(|| format!("publish {name}")),
        run_tags,
        params,
        metrics,
        champion,
    };
    let job = catalog.insert_job(
        &NewJob {
            model_id: model.id,
            model_path: model.subject(),
            content_hash: model.content_hash.clone(),
            registry: conn.url.clone(),
            name,
            alias: options.alias.clone(),
            max_attempts: options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1),
            request: serde_json::to_value(&request).unwrap_or(Value::Null),
        },
        now_ms,
    )?;
    Ok(job)
}

/// Retry delay after `attempts` failed attempts: 1 s, 2 s, 4 s, … at most 60 s.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 6) as u32;
    (1000i64 << exp).min(60_000)
}

struct Progress<'a> {
    catalog: &'a mut Catalog,
    job_id: i64,
    total: i64,
    on_progress: &'a mut dyn FnMut(&JobRow),
}

impl Progress<'_> {
    /// Records the step and bytes; false when the user asked to cancel.
    fn report(&mut self, step: &str, done: i64) -> bool {
        let cancel = self
            .catalog
            .job_progress(
                self.job_id,
                step,
                done,
                self.total,
                crate::time::now_ms(),
                LEASE_MS,
            )
            .unwrap_or(false);
        if let Ok(job) = self.catalog.job(self.job_id) {
            (self.on_progress)(&job);
        }
        !cancel
    }

    fn step(&mut self, step: &str, done: i64) -> Result<(), RegistryError> {
        if self.report(step, done) {
            Ok(())
        } else {
            Err(RegistryError::Cancelled)
        }
    }

    fn save(&mut self, remote: &Remote) -> Result<(), RegistryError> {
        self.catalog.save_job_remote(
            self.job_id,
            &serde_json::to_value(remote).unwrap_or(Value::Null),
        )?;
        Ok(())
    }
}

fn decode<T: for<'de> Deserialize<'de> + Default>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

impl Default for Request {
    fn default() -> Self {
        Request {
            files: Vec::new(),
            evidence: Vec::new(),
            format: String::new(),
            description: String::new(),
            tags: Vec::new(),
            experiment: "driftdeck".into(),
            run_name: String::new(),
            run_tags: Vec::new(),
            params: Vec::new(),
            metrics: Vec::new(),
            champion: "champion".into(),
        }
    }
}

/// Runs one claimed job to its end or to its next retry. Returns the job as stored after.
pub fn run_job(
    catalog: &mut Catalog,
    job: JobRow,
    store: &SecretStore,
    on_progress: &mut dyn FnMut(&JobRow),
) -> Result<JobRow, RegistryError> {
    let request: Request = decode(&job.request);
    let mut remote: Remote = decode(&job.remote);
    let total: i64 = request
        .files
        .iter()
        .chain(&request.evidence)
        .map(|f| f.bytes as i64)
        .sum();
    let conn = connection::resolve(catalog, Some(&job.registry));
    let outcome = {
        let mut progress = Progress {
            catalog,
            job_id: job.id,
            total,
            on_progress,
        };
        conn.and_then(|c| c.client(store))
            .and_then(|client| execute(&client, &job, &request, &mut remote, &mut progress))
    };
    let now = crate::time::now_ms();
    let finished = match outcome {
        Ok(version) => {
            let url = connection::version_url(&job.registry, &job.name, &version);
            catalog.append_audit(
                now,
                &actor(),
                "publish",
                &job.model_path,
                Some(&job.content_hash),
                None,
                &json!({"registry": job.registry, "name": job.name, "version": version, "url": url,
                        "alias": job.alias, "job": job.id, "logged_model": remote.model_id, "run": remote.run_id}),
            )?;
            catalog.finish_job(job.id, "done", None, Some((&version, &url)), now)?
        }
        Err(RegistryError::Cancelled) => {
            abandon(catalog, &job, &remote, store);
            catalog.finish_job(
                job.id,
                "cancelled",
                Some(("input", "cancelled by the user")),
                None,
                now,
            )?
        }
        Err(e) if e.is_transient() && job.attempts < job.max_attempts => {
            let wait = backoff_ms(job.attempts);
            catalog.job_retry_later(
                job.id,
                &format!(
                    "attempt {} of {} failed, retrying: {e}",
                    job.attempts, job.max_attempts
                ),
                now + wait,
                now,
            )?
        }
        Err(e) => {
            abandon(catalog, &job, &remote, store);
            let why = if e.is_transient() {
                format!("gave up after {} attempts: {e}", job.attempts)
            } else {
                e.to_string()
            };
            catalog.append_audit(
                now,
                &actor(),
                "publish-failed",
                &job.model_path,
                Some(&job.content_hash),
                Some(&why),
                &json!({"registry": job.registry, "name": job.name, "job": job.id}),
            )?;
            let kind = if e.code() == ErrorCode::Remote {
                "remote"
            } else {
                "input"
            };
            catalog.finish_job(job.id, "failed", Some((kind, &why)), None, now)?
        }
    };
    on_progress(&finished);
    Ok(finished)
}

/// After a job ends without a version: mark its logged model as failed (best effort), so no
/// half-uploaded model looks usable on the server.
fn abandon(catalog: &Catalog, job: &JobRow, remote: &Remote, store: &SecretStore) {
    if remote.version.is_some() || remote.model_ready {
        return;
    }
    let Some(model_id) = &remote.model_id else {
        return;
    };
    if let Ok(client) =
        connection::resolve(catalog, Some(&job.registry)).and_then(|c| c.client(store))
    {
        let _ = client.set_logged_model_status(model_id, "LOGGED_MODEL_UPLOAD_FAILED");
    }
}

fn execute(
    client: &Client,
    job: &JobRow,
    request: &Request,
    remote: &mut Remote,
    progress: &mut Progress<'_>,
) -> Result<String, RegistryError> {
    let name = job.name.as_str();
    if remote.version.is_none() {
        progress.step("checking the model files", 0)?;
        for f in &request.files {
            if !f.abs.exists() {
                return Err(RegistryError::Invalid(format!(
                    "model file {} was deleted before it was uploaded; nothing was published",
                    f.abs.display()
                )));
            }
            let (bytes, hash) = hash_file(&f.abs)?;
            if bytes != f.bytes || hash != f.blake3 {
                return Err(RegistryError::Invalid(format!(
                    "model file {} changed since it was approved (BLAKE3 {} then, {} now): approve the new content first",
                    f.abs.display(),
                    &f.blake3[..12],
                    &hash[..12]
                )));
            }
        }
        for f in &request.evidence {
            if !f.abs.exists() {
                return Err(RegistryError::Local(format!(
                    "evidence file {} of this job is missing",
                    f.abs.display()
                )));
            }
        }

        // Already published (by us before a lost answer, or by a teammate)?
        progress.step("looking for an existing version", 0)?;
        if let Some(existing) = existing_version(client, name, &job.content_hash)? {
            remote.version = Some(existing);
            progress.save(remote)?;
        }
    }

    if remote.version.is_none() {
        if !remote.registered {
            progress.step("registering the model name", 0)?;
            client.create_registered_model(name, None)?;
            remote.registered = true;
            progress.save(remote)?;
        }
        if remote.experiment_id.is_none() {
            progress.step("creating the experiment", 0)?;
            remote.experiment_id = Some(client.ensure_experiment(&request.experiment)?);
            progress.save(remote)?;
        }
        let exp = remote.experiment_id.clone().unwrap_or_default();
        if remote.run_id.is_none() {
            progress.step("creating the run", 0)?;
            remote.run_id = Some(client.create_run(
                &exp,
                &request.run_name,
                &request.run_tags,
                crate::time::now_ms(),
            )?);
            progress.save(remote)?;
        }
        let run_id = remote.run_id.clone().unwrap_or_default();
        if !remote.run_logged {
            progress.step("logging the source run's params and metrics", 0)?;
            let metrics: Vec<MetricPoint> = request
                .metrics
                .iter()
                .map(|m| MetricPoint {
                    key: m.key.clone(),
                    value: m.value.unwrap_or(f64::NAN),
                    step: m.step,
                    timestamp_ms: m.ts,
                })
                .collect();
            client.log_batch(&run_id, &request.params, &metrics, &[])?;
            remote.run_logged = true;
            progress.save(remote)?;
        }
        if remote.model_id.is_none() {
            progress.step("creating the logged model", 0)?;
            remote.model_id = Some(client.create_logged_model(
                &exp,
                name,
                Some(&run_id),
                &request.format,
                &request.tags,
            )?);
            progress.save(remote)?;
        }
        let model_id = remote.model_id.clone().unwrap_or_default();

        // Files: the model's, then the evidence in the run's driftdeck/ folder.
        let mut done: i64 = request
            .files
            .iter()
            .filter(|f| remote.uploaded.contains_key(&f.rel))
            .chain(
                request
                    .evidence
                    .iter()
                    .filter(|f| remote.evidence_uploaded.contains_key(&f.rel)),
            )
            .map(|f| f.bytes as i64)
            .sum();
        let uploads: Vec<(&FileSpec, String, bool)> = request
            .files
            .iter()
            .map(|f| {
                (
                    f,
                    format!("{exp}/models/{model_id}/artifacts/{}", f.rel),
                    true,
                )
            })
            .chain(request.evidence.iter().map(|f| {
                (
                    f,
                    format!("{exp}/{run_id}/artifacts/driftdeck/{}", f.rel),
                    false,
                )
            }))
            .collect();
        for (file, path, is_model) in uploads {
            let already = if is_model {
                &remote.uploaded
            } else {
                &remote.evidence_uploaded
            };
            if already.contains_key(&file.rel) {
                continue;
            }
            let step = format!("uploading {}", file.rel);
            progress.step(&step, done)?;
            let start = done;
            let hash = client.upload(&path, &file.abs, file.bytes, &mut |sent| {
                progress.report(&step, start + sent as i64)
            })?;
            if hash != file.blake3 {
                return Err(RegistryError::Invalid(format!(
                    "{} changed during the upload (BLAKE3 {} expected, {} sent)",
                    file.abs.display(),
                    &file.blake3[..12],
                    &hash[..12]
                )));
            }
            done += file.bytes as i64;
            if is_model {
                remote.uploaded.insert(file.rel.clone(), hash);
            } else {
                remote.evidence_uploaded.insert(file.rel.clone(), hash);
            }
            progress.save(remote)?;
        }

        if !remote.model_ready {
            progress.step("verifying the uploaded files", done)?;
            let listed =
                client.list_artifacts_recursive(&format!("{exp}/models/{model_id}/artifacts"))?;
            for f in &request.files {
                let size = listed
                    .iter()
                    .find(|e| e.path == f.rel)
                    .map(|e| e.file_size.unwrap_or(0));
                if size != Some(f.bytes) {
                    // Start the files over on the next attempt.
                    remote.uploaded.clear();
                    progress.save(remote)?;
                    return Err(RemoteError {
                        status: None,
                        error_code: None,
                        message: format!(
                            "the registry holds {} with {} bytes, expected {}: uploading again",
                            f.rel,
                            size.map(|s| s.to_string())
                                .unwrap_or_else(|| "no file".into()),
                            f.bytes
                        ),
                        transient: true,
                    }
                    .into());
                }
            }
            client.set_logged_model_status(&model_id, "LOGGED_MODEL_READY")?;
            let _ = client.log_outputs(&run_id, &model_id);
            client.finish_run(&run_id, crate::time::now_ms())?;
            remote.model_ready = true;
            progress.save(remote)?;
        }

        progress.step("creating the model version", done)?;
        // A lost answer to an earlier create must not make a second version.
        let version = match existing_version(client, name, &job.content_hash)? {
            Some(v) => v,
            None => {
                client
                    .create_version(
                        name,
                        &model_id,
                        Some(&run_id),
                        &request.description,
                        &request.tags,
                    )?
                    .version
            }
        };
        remote.version = Some(version);
        progress.save(remote)?;
    }

    let version = remote.version.clone().unwrap_or_default();
    if let (Some(alias), false) = (&job.alias, remote.alias_set) {
        progress.step(&format!("setting alias {alias}"), progress.total)?;
        aliases::point(
            client,
            progress.catalog,
            &job.registry,
            name,
            alias,
            &version,
            &request.champion,
            "publish",
            Some(&job.content_hash),
        )?;
        remote.alias_set = true;
        progress.save(remote)?;
    }
    Ok(version)
}

/// The lowest version of `name` tagged with this content hash.
fn existing_version(
    client: &Client,
    name: &str,
    content_hash: &str,
) -> Result<Option<String>, RegistryError> {
    let found = match client.versions_tagged(name, CONTENT_HASH_TAG, content_hash) {
        Ok(found) => found,
        // The registered model does not exist yet.
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(found
        .iter()
        .filter(|v| v.tag(CONTENT_HASH_TAG) == Some(content_hash))
        .filter_map(|v| v.version.parse::<u64>().ok())
        .min()
        .map(|v| v.to_string()))
}

/// Runs due jobs (or only `only`) until none is due. With `wait`, also sleeps until waiting
/// jobs are due, until `only` (or every job) is finished. Returns the jobs it touched last.
pub fn drain(
    catalog: &mut Catalog,
    store: &SecretStore,
    only: Option<i64>,
    wait: bool,
    on_progress: &mut dyn FnMut(&JobRow),
) -> Result<Vec<JobRow>, RegistryError> {
    let mut touched: Vec<JobRow> = Vec::new();
    loop {
        let now = crate::time::now_ms();
        if let Some(job) = catalog.claim_job(only, now, LEASE_MS)? {
            let after = run_job(catalog, job, store, on_progress)?;
            touched.retain(|j| j.id != after.id);
            touched.push(after);
            continue;
        }
        if !wait {
            return Ok(touched);
        }
        let pending = match only {
            Some(id) => {
                let job = catalog.job(id)?;
                if job.is_finished() {
                    touched.retain(|j| j.id != id);
                    touched.push(job);
                    return Ok(touched);
                }
                job.next_attempt_ms
                    .or(job.lease_until_ms)
                    .unwrap_or(now + 1000)
            }
            None => match catalog.next_job_due_ms()? {
                Some(due) => due,
                None => return Ok(touched),
            },
        };
        let sleep = (pending - now).clamp(50, 5_000);
        std::thread::sleep(Duration::from_millis(sleep as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_mlflow_refuses_are_refused_before_queueing() {
        check_model_name("churn-classifier").unwrap();
        check_model_name("naïve 模型").unwrap();
        assert!(
            check_model_name("a/b")
                .unwrap_err()
                .to_string()
                .contains("'/'")
        );
        assert!(check_model_name("a:b").is_err());
        assert!(check_model_name("  ").is_err());
        check_alias("champion").unwrap();
        check_alias("shadow_2-b").unwrap();
        for bad in ["latest", "LATEST", "v2", "bad alias!", ""] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_minute() {
        assert_eq!(
            (1..=9).map(backoff_ms).collect::<Vec<_>>(),
            [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]
        );
    }
}
