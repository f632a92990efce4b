//! `driftdeck registry …`, `checks`, `approve`, `reject`, `publish`, `outbox`, `alias`, `audit`:
//! approval and publishing to an MLflow Model Registry (see `driftdeck::registry`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use driftdeck::catalog::Catalog;
use driftdeck::catalog::registry::{AuditEntry, JobRow, RemoteModelRow};
use driftdeck::registry::approval::{self, Decision};
use driftdeck::registry::connection::{self, AuthKind, Connection};
use driftdeck::registry::model::{self, ModelRef};
use driftdeck::registry::policy::{self, Checklist, Policy};
use driftdeck::registry::publish::{self, PublishOptions};
use driftdeck::registry::secret::SecretStore;
use driftdeck::registry::{RegistryError, aliases, remote};
use serde_json::{Value, json};

use super::table::Table;
use super::{Failure, open_catalog, print_json};

impl From<RegistryError> for Failure {
    fn from(err: RegistryError) -> Failure {
        if err.is_remote() {
            Failure::Remote(anyhow::Error::new(err))
        } else if let RegistryError::Catalog(e) = err {
            e.into()
        } else if err.is_bad_input() || matches!(err, RegistryError::Cancelled) {
            Failure::BadInput(anyhow::Error::new(err))
        } else {
            Failure::Internal(anyhow::Error::new(err))
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Save a registry connection; the secret (read from stdin or a prompt) goes to the OS keyring
    Login(LoginArgs),
    /// Forget a registry connection and delete its secret from the OS keyring
    Logout {
        /// The registry URL
        url: String,
    },
    /// List the saved connections, whether a secret is stored, and the keyring in use
    Status {
        /// Also check that each registry answers and accepts the credentials
        #[arg(long)]
        check: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the registry's models, versions and aliases into the catalog
    Pull {
        /// The registry URL (default: the default connection)
        #[arg(long)]
        registry: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The registry models last pulled (no network)
    Models {
        #[arg(long)]
        registry: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Download a version's files, each checked against the published manifest's BLAKE3
    Download(DownloadArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The MLflow tracking server, e.g. https://mlflow.example.com or http://127.0.0.1:5000
    url: String,
    /// HTTP Basic authentication as this user (the password is read from stdin or a prompt)
    #[arg(long, conflicts_with = "token")]
    username: Option<String>,
    /// Bearer-token authentication (the token is read from stdin or a prompt)
    #[arg(long)]
    token: bool,
    /// A PEM root certificate to trust for this registry, besides the system's
    #[arg(long, value_name = "FILE")]
    ca_file: Option<PathBuf>,
    /// Make this the default registry
    #[arg(long)]
    default: bool,
    /// Save without checking the credentials against the server (offline)
    #[arg(long)]
    no_verify: bool,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The registered model name
    name: String,
    /// The version to download (or --alias)
    #[arg(
        value_name = "VERSION",
        conflicts_with = "alias",
        required_unless_present = "alias"
    )]
    model_version: Option<String>,
    /// Or the version an alias points at
    #[arg(long)]
    alias: Option<String>,
    /// The folder to write the files into
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    #[arg(long)]
    registry: Option<String>,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    /// Why (required; goes into the audit log)
    #[arg(long)]
    note: String,
    /// Approve although a check failed: say why (required then)
    #[arg(long)]
    override_note: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A progress line on a terminal, one line per step otherwise
    Auto,
    /// One JSON object per update on stderr
    Json,
    None,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    /// The registered model name (default: its registered or catalog name, else the file name)
    #[arg(long)]
    name: Option<String>,
    /// Point this alias at the new version (e.g. champion, challenger)
    #[arg(long)]
    alias: Option<String>,
    /// The registry URL (default: driftdeck.toml's, else the default connection)
    #[arg(long)]
    registry: Option<String>,
    /// Do not push the source run's params, metrics and tags
    #[arg(long)]
    no_source_run: bool,
    /// Attempts before the job fails for good (retries back off from 1 s to 60 s)
    #[arg(long, default_value_t = publish::DEFAULT_MAX_ATTEMPTS)]
    max_attempts: i64,
    /// Queue the job and return; `driftdeck outbox run` (or the app) sends it
    #[arg(long)]
    no_wait: bool,
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressMode,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List publish jobs (the default)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send every queued job now, retrying with backoff until each is done or failed
    Run {
        #[arg(long, value_enum, default_value = "auto")]
        progress: ProgressMode,
    },
    /// Cancel a job (a running one stops at its next chunk)
    Cancel { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Move the champion alias to the challenger's version (and remove the challenger alias)
    Promote(AliasArgs),
    /// Move the champion alias back to the version it pointed at before
    Rollback(AliasArgs),
    /// Point an alias at a version
    Set {
        name: String,
        alias: String,
        #[arg(value_name = "VERSION")]
        model_version: String,
        #[arg(long)]
        registry: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct AliasArgs {
    /// The registered model name
    name: String,
    #[arg(long)]
    registry: Option<String>,
    /// The champion alias's name (default: driftdeck.toml's, else champion)
    #[arg(long)]
    champion: Option<String>,
    /// The challenger alias's name (default: driftdeck.toml's, else challenger)
    #[arg(long)]
    challenger: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries about this model (catalog id or path)
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    json: bool,
}

fn store() -> Result<SecretStore, Failure> {
    Ok(SecretStore::open()?)
}

/// Reads the secret: all of stdin when it is not a terminal, else a prompt without echo.
fn read_secret(prompt: &str) -> Result<String, Failure> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| Failure::BadInput(anyhow!("cannot read the secret: {e}")))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::BadInput(anyhow!("cannot read the secret from stdin: {e}")))?;
        text.trim_end_matches(['\r', '\n']).to_string()
    };
    if secret.is_empty() {
        return Err(Failure::BadInput(anyhow!(
            "the secret is empty: give it on stdin or at the prompt"
        )));
    }
    Ok(secret)
}

pub fn run_registry(cmd: RegistryCommand, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match cmd {
        RegistryCommand::Login(args) => login(&mut catalog, args),
        RegistryCommand::Logout { url } => {
            let store = store()?;
            let deleted = connection::logout(&mut catalog, &store, &url)?;
            println!(
                "Logged out of {}{}",
                connection::normalize_url(&url)?,
                if deleted {
                    format!(
                        " (secret deleted from the {} keyring)",
                        store.backend_name()
                    )
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        RegistryCommand::Status { check, json } => status(&catalog, check, json),
        RegistryCommand::Pull { registry, json } => {
            let conn = connection::resolve(&catalog, registry.as_deref())?;
            let client = conn.client(&store()?)?;
            let rows = remote::pull(&mut catalog, &client)?;
            print_remote(&rows, json)
        }
        RegistryCommand::Models { registry, json } => {
            let url = registry
                .as_deref()
                .map(connection::normalize_url)
                .transpose()?;
            let rows = catalog.remote_models(url.as_deref())?;
            print_remote(&rows, json)
        }
        RegistryCommand::Download(args) => download(&catalog, args),
    }
}

fn login(catalog: &mut Catalog, args: LoginArgs) -> Result<(), Failure> {
    let url = connection::normalize_url(&args.url)?;
    let auth = match (&args.username, args.token) {
        (Some(_), _) => AuthKind::Basic,
        (None, true) => AuthKind::Bearer,
        (None, false) => AuthKind::None,
    };
    let ca_file = args
        .ca_file
        .as_deref()
        .map(connection::ca_file)
        .transpose()?;
    let conn = Connection {
        url: url.clone(),
        auth,
        username: args.username.clone(),
        ca_file,
        is_default: args.default,
    };
    let secret = match auth {
        AuthKind::None => None,
        AuthKind::Basic => Some(read_secret(&format!(
            "Password for {} at {url}: ",
            args.username.as_deref().unwrap_or_default()
        ))?),
        AuthKind::Bearer => Some(read_secret(&format!("Token for {url}: "))?),
    };
    let store = store()?;
    connection::login(catalog, &store, &conn, secret.as_deref(), !args.no_verify)?;
    println!(
        "Logged in to {url}{}{}",
        match &args.username {
            Some(u) => format!(" as {u}"),
            None if auth == AuthKind::Bearer => " with a token".to_string(),
            None => " (no authentication)".to_string(),
        },
        if secret.is_some() {
            format!("; secret stored in the {} keyring", store.backend_name())
        } else {
            String::new()
        }
    );
    Ok(())
}

fn status(catalog: &Catalog, check: bool, as_json: bool) -> Result<(), Failure> {
    let store = store()?;
    let mut rows = Vec::new();
    for row in catalog.registries()? {
        let conn = Connection::from_row(&row)?;
        let has_secret = match conn.auth {
            AuthKind::None => false,
            _ => store.get(&conn.account())?.is_some(),
        };
        let reachable = if check {
            Some(match conn.client(&store).map_err(Failure::from) {
                Ok(client) => match client.check_access() {
                    Ok(()) => "ok".to_string(),
                    Err(e) => e.message,
                },
                Err(e) => match e {
                    Failure::BadInput(e) | Failure::Internal(e) | Failure::Remote(e) => {
                        e.to_string()
                    }
                    Failure::Check(m) => m,
                },
            })
        } else {
            None
        };
        rows.push(json!({
            "url": conn.url, "auth": conn.auth.as_str(), "username": conn.username,
            "ca_file": conn.ca_file, "is_default": conn.is_default, "has_secret": has_secret,
            "keyring": store.backend_name(), "check": reachable,
        }));
    }
    if as_json {
        return print_json(&json!({"keyring": store.backend_name(), "registries": rows}));
    }
    println!("Keyring: {}", store.backend_name());
    if rows.is_empty() {
        println!("No registry connections: `driftdeck registry login URL [--username U]`");
        return Ok(());
    }
    let mut table = Table::new(["URL", "AUTH", "USER", "DEFAULT", "SECRET", "CHECK"]);
    for r in &rows {
        let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
        table.row([
            s("url"),
            s("auth"),
            s("username"),
            if r["is_default"].as_bool() == Some(true) {
                "yes"
            } else {
                ""
            }
            .into(),
            match (s("auth").as_str(), r["has_secret"].as_bool()) {
                ("none", _) => "—".into(),
                (_, Some(true)) => "stored".into(),
                _ => "missing".into(),
            },
            s("check"),
        ]);
    }
    table.write(&mut std::io::stdout().lock())?;
    Ok(())
}

fn remote_json(row: &RemoteModelRow) -> Value {
    json!({
        "registry": row.registry, "name": row.name, "description": row.description,
        "tags": row.tags, "aliases": row.aliases, "versions": row.versions,
        "pulled_ms": row.pulled_ms, "url": remote::url_of(row),
    })
}

fn print_remote(rows: &[RemoteModelRow], as_json: bool) -> Result<(), Failure> {
    if as_json {
        return print_json(&json!({"models": rows.iter().map(remote_json).collect::<Vec<_>>()}));
    }
    if rows.is_empty() {
        println!("No registry models (pull with `driftdeck registry pull`)");
        return Ok(());
    }
    let mut table = Table::new(["REGISTRY", "MODEL", "VERSIONS", "LATEST", "ALIASES"]);
    for r in rows {
        let versions = r.versions.as_array().map(Vec::len).unwrap_or(0);
        let latest = r.versions[0]["version"].as_str().unwrap_or("").to_string();
        let aliases = r
            .aliases
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}→{}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        table.row([
            r.registry.clone(),
            r.name.clone(),
            versions.to_string(),
            latest,
            aliases,
        ]);
    }
    table.write(&mut std::io::stdout().lock())?;
    Ok(())
}

fn download(catalog: &Catalog, args: DownloadArgs) -> Result<(), Failure> {
    let conn = connection::resolve(catalog, args.registry.as_deref())?;
    let client = conn.client(&store()?)?;
    let version = match (&args.model_version, &args.alias) {
        (Some(v), _) => v.clone(),
        (None, Some(alias)) => client
            .registered_model(&args.name)
            .map_err(RegistryError::from)?
            .and_then(|m| m.alias(alias).map(String::from))
            .ok_or_else(|| Failure::BadInput(anyhow!("`{}` has no alias `{alias}`", args.name)))?,
        (None, None) => {
            return Err(Failure::BadInput(anyhow!(
                "give a VERSION or --alias ALIAS"
            )));
        }
    };
    let v = client
        .version(&args.name, &version)
        .map_err(RegistryError::from)?;
    let uri = client
        .download_uri(&args.name, &version)
        .map_err(RegistryError::from)?;
    let root = uri.strip_prefix("mlflow-artifacts:/").ok_or_else(|| {
        Failure::BadInput(anyhow!(
            "version {version} of `{}` is stored at {uri}, outside the registry's artifact proxy",
            args.name
        ))
    })?;
    // The manifest published beside the run (when Driftdeck published it) has each file's hash.
    let mut expected = std::collections::BTreeMap::new();
    if let (Some(run), Some(exp)) = (
        v.run_id.as_deref().filter(|r| !r.is_empty()),
        root.split('/').next(),
    ) {
        let tmp = tempdir_for(&args.output)?;
        let manifest = tmp.join("manifest.json");
        if client
            .download(
                &format!("{exp}/{run}/artifacts/driftdeck/manifest.json"),
                &manifest,
                None,
            )
            .is_ok()
            && let Ok(m) =
                serde_json::from_slice::<Value>(&std::fs::read(&manifest).unwrap_or_default())
        {
            for f in m["files"].as_array().into_iter().flatten() {
                if let (Some(p), Some(h)) = (f["path"].as_str(), f["blake3"].as_str()) {
                    expected.insert(p.to_string(), h.to_string());
                }
            }
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let files = client
        .list_artifacts_recursive(root)
        .map_err(RegistryError::from)?;
    let mut verified = 0;
    for f in &files {
        model::check_artifact_path(&f.path)?;
        let dest = args.output.join(&f.path);
        let want = expected.get(&f.path).map(String::as_str);
        let (bytes, _) = client.download(&format!("{root}/{}", f.path), &dest, want)?;
        if want.is_some() {
            verified += 1;
        }
        println!("{}  {bytes} bytes", dest.display());
    }
    println!(
        "Downloaded {} file{} of {} version {version}; {verified} checked against the published BLAKE3 manifest",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        args.name
    );
    Ok(())
}

fn tempdir_for(output: &Path) -> Result<PathBuf, Failure> {
    let dir = output.join(format!(".driftdeck-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::BadInput(anyhow!("cannot create {}: {e}", output.display())))?;
    Ok(dir)
}

/// A model, its policy and its checklist (evidence written beside the catalog).
fn checked(
    catalog: &Catalog,
    reference: &str,
) -> Result<(ModelRef, Option<Policy>, Checklist), Failure> {
    Ok(policy::check_model(catalog, reference)?)
}

fn checklist_json(
    model: &ModelRef,
    checklist: &Checklist,
    status: &approval::ModelStatus,
) -> Value {
    json!({
        "model_id": model.id, "path": model.path, "format": model.format,
        "content_hash": model.content_hash, "status": status.status,
        "policy": checklist.policy, "checks": checklist.checks, "all_passed": checklist.all_passed,
        "approval": status.approval, "publications": status.publications,
        "evidence": checklist.evidence, "datasets": checklist.datasets,
    })
}

fn print_checklist(model: &ModelRef, checklist: &Checklist, status: &approval::ModelStatus) {
    println!(
        "{} ({}, content {}): {}",
        model.path.display(),
        model.format,
        &model.content_hash[..12],
        status.status
    );
    match &checklist.policy {
        Some(p) => println!("Policy: {}", p.display()),
        None => println!("Policy: none (add driftdeck.toml to the project to gate approvals)"),
    }
    for c in &checklist.checks {
        let mark = match c.status {
            policy::CheckStatus::Pass => "pass ",
            policy::CheckStatus::Fail => "FAIL ",
            policy::CheckStatus::Error => "ERROR",
        };
        println!(
            "  {mark} {}: expected {}, got {}{}",
            c.label,
            c.expected,
            c.actual.as_deref().unwrap_or("—"),
            c.detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
    }
    if let Some(a) = &status.approval {
        println!(
            "{} by {} at {}: {}{}",
            if a.decision == "approved" {
                "Approved"
            } else {
                "Rejected"
            },
            a.actor,
            driftdeck::time::rfc3339_ms(a.at_ms),
            a.note,
            a.override_note
                .as_deref()
                .map(|o| format!(" (override: {o})"))
                .unwrap_or_default()
        );
    }
    for p in &status.publications {
        println!("Published: {} version {} at {}", p.name, p.version, p.url);
    }
}

pub fn run_checks(args: ChecksArgs, db: Option<&Path>) -> Result<(), Failure> {
    let catalog = open_catalog(db)?;
    let (model, _, checklist) = checked(&catalog, &args.model)?;
    let status = approval::status(&catalog, &model.content_hash)?;
    if args.json {
        return print_json(&checklist_json(&model, &checklist, &status));
    }
    print_checklist(&model, &checklist, &status);
    Ok(())
}

pub fn run_decide(args: DecideArgs, decision: Decision, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let (model, _, checklist) = checked(&catalog, &args.model)?;
    let status = approval::decide(
        &mut catalog,
        &model,
        &checklist,
        decision,
        &args.note,
        args.override_note.as_deref(),
        driftdeck::time::now_ms(),
    )?;
    if args.json {
        return print_json(&checklist_json(&model, &checklist, &status));
    }
    print_checklist(&model, &checklist, &status);
    Ok(())
}

/// Prints job progress on stderr.
struct Reporter {
    mode: ProgressMode,
    tty: bool,
    last: String,
}

impl Reporter {
    fn new(mode: ProgressMode) -> Reporter {
        Reporter {
            mode,
            tty: std::io::stderr().is_terminal(),
            last: String::new(),
        }
    }

    fn report(&mut self, job: &JobRow) {
        let mut err = std::io::stderr().lock();
        match self.mode {
            ProgressMode::None => {}
            ProgressMode::Json => {
                let _ = writeln!(
                    err,
                    "{}",
                    json!({"job": job.id, "state": job.state, "step": job.step,
                           "bytes_done": job.bytes_done, "bytes_total": job.bytes_total,
                           "attempts": job.attempts, "error": job.error, "version": job.version})
                );
            }
            ProgressMode::Auto => {
                let pct = if job.bytes_total > 0 {
                    100.0 * job.bytes_done as f64 / job.bytes_total as f64
                } else {
                    0.0
                };
                let line = match job.state.as_str() {
                    "waiting" => format!(
                        "job {}: {}",
                        job.id,
                        job.error.as_deref().unwrap_or("waiting to retry")
                    ),
                    "running" => format!("job {}: {} ({pct:.0}%)", job.id, job.step),
                    _ => String::new(),
                };
                if self.tty {
                    let _ = write!(err, "\r\x1b[2K{line}");
                    if job.is_finished() {
                        let _ = write!(err, "\r\x1b[2K");
                    }
                } else {
                    let key = format!("{}|{}|{}", job.state, job.step, job.attempts);
                    if key != self.last && !line.is_empty() {
                        let _ = writeln!(err, "{line}");
                        self.last = key;
                    }
                }
            }
        }
        let _ = err.flush();
    }
}

fn job_json(job: &JobRow) -> Value {
    json!({
        "id": job.id, "model_id": job.model_id, "model_path": job.model_path,
        "content_hash": job.content_hash, "registry": job.registry, "name": job.name,
        "alias": job.alias, "state": job.state, "step": job.step, "bytes_done": job.bytes_done,
        "bytes_total": job.bytes_total, "attempts": job.attempts, "max_attempts": job.max_attempts,
        "error": job.error, "next_attempt_ms": job.next_attempt_ms, "version": job.version,
        "version_url": job.version_url, "created_ms": job.created_ms, "updated_ms": job.updated_ms,
    })
}

/// The exit for a job that ended without a version.
fn job_failure(job: &JobRow) -> Failure {
    let message = format!(
        "publish job {} {}: {}",
        job.id,
        job.state,
        job.error.as_deref().unwrap_or("no reason recorded")
    );
    match job.error_kind.as_deref() {
        Some("remote") => Failure::Remote(anyhow!(message)),
        _ => Failure::BadInput(anyhow!(message)),
    }
}

pub fn run_publish(args: PublishArgs, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let (model, policy, checklist) = checked(&catalog, &args.model)?;
    let options = PublishOptions {
        name: args.name.clone(),
        alias: args.alias.clone(),
        registry: args.registry.clone(),
        push_source_run: !args.no_source_run,
        max_attempts: Some(args.max_attempts),
    };
    let job = publish::enqueue(
        &mut catalog,
        &model,
        &checklist,
        policy.as_ref(),
        &options,
        driftdeck::time::now_ms(),
    )?;
    if args.no_wait {
        if args.json {
            return print_json(&job_json(&job));
        }
        println!(
            "Queued publish job {} ({} to {})",
            job.id, job.name, job.registry
        );
        return Ok(());
    }
    let store = store()?;
    let mut reporter = Reporter::new(args.progress);
    publish::drain(&mut catalog, &store, Some(job.id), true, &mut |j| {
        reporter.report(j)
    })?;
    let job = catalog.job(job.id)?;
    if args.json {
        print_json(&job_json(&job))?;
    }
    if job.state != "done" {
        return Err(job_failure(&job));
    }
    if !args.json {
        println!(
            "Published {} version {}{} to {}: {}",
            job.name,
            job.version.as_deref().unwrap_or("?"),
            job.alias
                .as_deref()
                .map(|a| format!(" (alias {a})"))
                .unwrap_or_default(),
            job.registry,
            job.version_url.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

pub fn run_outbox(cmd: Option<OutboxCommand>, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    match cmd.unwrap_or(OutboxCommand::List { json: false }) {
        OutboxCommand::List { json } => {
            let jobs = catalog.jobs()?;
            if json {
                return print_json(&json!({"jobs": jobs.iter().map(job_json).collect::<Vec<_>>()}));
            }
            if jobs.is_empty() {
                println!("The outbox is empty");
                return Ok(());
            }
            let mut table = Table::new([
                "ID", "STATE", "MODEL", "REGISTRY", "VERSION", "PROGRESS", "ERROR",
            ]);
            for j in &jobs {
                table.row([
                    j.id.to_string(),
                    j.state.clone(),
                    j.name.clone(),
                    j.registry.clone(),
                    j.version.clone().unwrap_or_default(),
                    if j.bytes_total > 0 {
                        format!("{:.0}%", 100.0 * j.bytes_done as f64 / j.bytes_total as f64)
                    } else {
                        String::new()
                    },
                    j.error.clone().unwrap_or_default(),
                ]);
            }
            table.write(&mut std::io::stdout().lock())?;
            Ok(())
        }
        OutboxCommand::Run { progress } => {
            let store = store()?;
            let mut reporter = Reporter::new(progress);
            let touched = publish::drain(&mut catalog, &store, None, true, &mut |j| {
                reporter.report(j)
            })?;
            let mut failed = None;
            for j in &touched {
                match j.state.as_str() {
                    "done" => println!(
                        "job {}: {} version {} ({})",
                        j.id,
                        j.name,
                        j.version.as_deref().unwrap_or("?"),
                        j.version_url.as_deref().unwrap_or("")
                    ),
                    _ => {
                        println!(
                            "job {}: {}: {}",
                            j.id,
                            j.state,
                            j.error.as_deref().unwrap_or("")
                        );
                        if j.state == "failed" {
                            failed = Some(j.clone());
                        }
                    }
                }
            }
            if touched.is_empty() {
                println!("Nothing to send");
            }
            match failed {
                Some(j) => Err(job_failure(&j)),
                None => Ok(()),
            }
        }
        OutboxCommand::Cancel { id } => {
            let job = catalog.cancel_job(id, driftdeck::time::now_ms())?;
            println!(
                "job {}: {}",
                job.id,
                if job.state == "running" {
                    "cancelling (stops at the next chunk)"
                } else {
                    job.state.as_str()
                }
            );
            Ok(())
        }
    }
}

fn alias_names(
    policy_dir: Option<&Path>,
    champion: Option<String>,
    challenger: Option<String>,
) -> Result<(String, String), Failure> {
    let policy = match policy_dir {
        Some(d) => Policy::load(d)?,
        None => None,
    };
    let (c, ch) = policy
        .as_ref()
        .map(Policy::alias_names)
        .unwrap_or(("champion".into(), "challenger".into()));
    Ok((champion.unwrap_or(c), challenger.unwrap_or(ch)))
}

pub fn run_alias(cmd: AliasCommand, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let store = store()?;
    let cwd = std::env::current_dir().ok();
    match cmd {
        AliasCommand::Set {
            name,
            alias,
            model_version: version,
            registry,
        } => {
            publish::check_alias(&alias)?;
            let conn = connection::resolve(&catalog, registry.as_deref())?;
            let client = conn.client(&store)?;
            let (champion, _) = alias_names(cwd.as_deref(), None, None)?;
            let previous = aliases::point(
                &client,
                &mut catalog,
                &conn.url,
                &name,
                &alias,
                &version,
                &champion,
                "set",
                None,
            )?;
            remote::pull_one(&mut catalog, &client, &name)?;
            println!(
                "{name}: {alias} → version {version}{}",
                previous.map(|p| format!(" (was {p})")).unwrap_or_default()
            );
            Ok(())
        }
        AliasCommand::Promote(args) => {
            let conn = connection::resolve(&catalog, args.registry.as_deref())?;
            let client = conn.client(&store)?;
            let (champion, challenger) =
                alias_names(cwd.as_deref(), args.champion, args.challenger)?;
            let row = aliases::promote(&client, &mut catalog, &args.name, &champion, &challenger)?;
            finish_alias(&row, &champion, args.json)
        }
        AliasCommand::Rollback(args) => {
            let conn = connection::resolve(&catalog, args.registry.as_deref())?;
            let client = conn.client(&store)?;
            let (champion, _) = alias_names(cwd.as_deref(), args.champion, args.challenger)?;
            let row = aliases::rollback(&client, &mut catalog, &args.name, &champion)?;
            finish_alias(&row, &champion, args.json)
        }
    }
}

fn finish_alias(row: &RemoteModelRow, champion: &str, as_json: bool) -> Result<(), Failure> {
    if as_json {
        return print_json(&remote_json(row));
    }
    println!(
        "{}: {champion} → version {}",
        row.name,
        row.aliases[champion].as_str().unwrap_or("none")
    );
    Ok(())
}

fn audit_json(e: &AuditEntry) -> Value {
    json!({"id": e.id, "at_ms": e.at_ms, "actor": e.actor, "action": e.action, "subject": e.subject,
           "content_hash": e.content_hash, "note": e.note, "details": e.details})
}

pub fn run_audit(args: AuditArgs, db: Option<&Path>) -> Result<(), Failure> {
    let catalog = open_catalog(db)?;
    let entries = match &args.model {
        Some(m) => {
            let model = model::resolve(&catalog, m)?;
            catalog.audit_log(Some(&model.subject()), Some(&model.content_hash))?
        }
        None => catalog.audit_log(None, None)?,
    };
    if args.json {
        return print_json(&json!({"entries": entries.iter().map(audit_json).collect::<Vec<_>>()}));
    }
    if entries.is_empty() {
        println!("The audit log is empty");
        return Ok(());
    }
    let mut table = Table::new(["WHEN", "WHO", "ACTION", "SUBJECT", "NOTE"]);
    for e in &entries {
        table.row([
            driftdeck::time::rfc3339_ms(e.at_ms),
            e.actor.clone(),
            e.action.clone(),
            e.subject.clone(),
            e.note.clone().unwrap_or_default(),
        ]);
    }
    table.write(&mut std::io::stdout().lock())?;
    Ok(())
}
