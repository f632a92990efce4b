//! A blocking client for the MLflow 3 REST API and its artifact proxy, as observed on MLflow
//! 3.17 (docs/mlflow-rest-notes.md): experiments, runs, logged models, streamed
//! artifact upload and download with BLAKE3 checksums, registered models, versions, aliases,
//! tags, and searches with pagination.
//!
//! Errors are typed from MLflow's JSON bodies (`error_code`, `message`) and from the text or
//! HTML ones its auth, routing and security layers send (401, 403, 404, 405). Every response
//! field is optional (proto3 JSON omits defaults). Calls have a timeout; uploads and downloads
//! do not (they are as long as the file) but report progress and can be cancelled.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use reqwest::blocking::{Client as Http, RequestBuilder, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::RegistryError;

const API: &str = "api/2.0/mlflow";
const ARTIFACTS: &str = "api/2.0/mlflow-artifacts/artifacts";
/// A JSON call's time limit.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// MLflow's server-side batch limits.
const MAX_PARAMS: usize = 100;
const MAX_TAGS: usize = 100;
const MAX_METRICS: usize = 1000;

/// How requests authenticate. `Debug` never shows the secret.
#[derive(Clone)]
pub enum Auth {
    None,
    Basic { username: String, password: String },
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "Auth::None"),
            Auth::Basic { username, .. } => write!(f, "Auth::Basic({username}, ***)"),
            Auth::Bearer(_) => write!(f, "Auth::Bearer(***)"),
        }
    }
}

/// An error from the registry or from the way to it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct RemoteError {
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// MLflow's `error_code` (e.g. `RESOURCE_ALREADY_EXISTS`), when the body was its JSON.
    pub error_code: Option<String>,
    pub message: String,
    /// Whether trying again later may succeed (no answer, a 5xx, 429).
    pub transient: bool,
}

impl RemoteError {
    fn is_code(&self, code: &str) -> bool {
        self.error_code.as_deref() == Some(code)
    }

    /// `RESOURCE_DOES_NOT_EXIST` (404 with MLflow's JSON).
    pub fn is_not_found(&self) -> bool {
        self.is_code("RESOURCE_DOES_NOT_EXIST")
    }

    /// `RESOURCE_ALREADY_EXISTS` (MLflow sends it as a 400).
    pub fn is_already_exists(&self) -> bool {
        self.is_code("RESOURCE_ALREADY_EXISTS")
    }
}

/// A key/value pair as MLflow sends tags and params.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct KeyValue {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct AliasEntry {
    #[serde(default)]
    pub alias: String,
    #[serde(default)]
    pub version: String,
}

/// A registered model.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RegisteredModel {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    #[serde(default)]
    pub aliases: Vec<AliasEntry>,
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
    #[serde(default)]
    pub last_updated_timestamp: Option<i64>,
}

impl RegisteredModel {
    pub fn alias(&self, alias: &str) -> Option<&str> {
        self.aliases
            .iter()
            .find(|a| a.alias == alias)
            .map(|a| a.version.as_str())
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        find_tag(&self.tags, key)
    }
}

fn find_tag<'a>(tags: &'a [KeyValue], key: &str) -> Option<&'a str> {
    tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
}

/// A model version.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ModelVersion {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub run_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub creation_timestamp: Option<i64>,
}

impl ModelVersion {
    pub fn tag(&self, key: &str) -> Option<&str> {
        find_tag(&self.tags, key)
    }
}

/// One entry of an artifact listing (paths are basenames in the proxy's listing).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ArtifactEntry {
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub is_dir: bool,
    /// Absent for a 0-byte file.
    #[serde(default)]
    pub file_size: Option<u64>,
}

/// A metric point to log.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    pub key: String,
    pub value: f64,
    pub step: i64,
    pub timestamp_ms: i64,
}

/// A connection to one MLflow tracking server.
#[derive(Debug, Clone)]
pub struct Client {
    base: reqwest::Url,
    http: Http,
    auth: Auth,
}

impl Client {
    /// A client for `url` (normalised, see [`super::connection::normalize_url`]); `ca_file` adds
    /// a PEM root certificate to the system's.
    pub fn new(url: &str, auth: Auth, ca_file: Option<&Path>) -> Result<Client, RegistryError> {
        let base = reqwest::Url::parse(&format!("{}/", url.trim_end_matches('/')))
            .map_err(|e| RegistryError::Invalid(format!("`{url}` is not a URL: {e}")))?;
        let mut builder = Http::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(None::<Duration>)
            .user_agent(concat!("driftdeck/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                RegistryError::Invalid(format!(
                    "cannot read CA certificate {}: {e}",
                    path.display()
                ))
            })?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                RegistryError::Invalid(format!("{} is not a PEM certificate: {e}", path.display()))
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| RegistryError::Invalid(format!("cannot set up HTTPS for {url}: {e}")))?;
        Ok(Client { base, http, auth })
    }

    /// The server's URL, without a trailing slash.
    pub fn url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    /// `base` + `path` (slash-separated), each segment percent-encoded.
    fn endpoint(&self, path: &str) -> reqwest::Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty();
            for s in path.split('/').filter(|s| !s.is_empty()) {
                segments.push(s);
            }
        }
        url
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, self.endpoint(path));
        match &self.auth {
            Auth::None => req,
            Auth::Basic { username, password } => req.basic_auth(username, Some(password)),
            Auth::Bearer(token) => req.bearer_auth(token),
        }
    }

    fn network_error(&self, what: &str, err: &reqwest::Error) -> RemoteError {
        let mut message = format!("cannot reach the registry {} ({what}): ", self.url());
        let mut source: Option<&dyn std::error::Error> = Some(err);
        let mut parts = Vec::new();
        while let Some(e) = source {
            let text = e.to_string();
            if !parts.iter().any(|p: &String| p.contains(&text)) {
                parts.push(text);
            }
            source = e.source();
        }
        message.push_str(&parts.join(": "));
        RemoteError {
            status: None,
            error_code: None,
            message,
            transient: true,
        }
    }

    /// Sends a request; an error status becomes a [`RemoteError`].
    fn send(&self, req: RequestBuilder, what: &str) -> Result<Response, RemoteError> {
        let response = req.send().map_err(|e| self.network_error(what, &e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let text = response.text().unwrap_or_default();
        Err(http_error(&self.url(), what, status.as_u16(), &text))
    }

    /// A JSON call to `api/2.0/mlflow/<path>`.
    fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, RemoteError> {
        let what = format!("{method} {path}");
        let mut req = self
            .request(method, &format!("{API}/{path}"))
            .timeout(CALL_TIMEOUT)
            .query(query);
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = self.send(req, &what)?;
        let text = response.text().map_err(|e| self.network_error(&what, &e))?;
        if text.trim().is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_str(&text).map_err(|e| RemoteError {
            status: None,
            error_code: None,
            message: format!(
                "the registry {} answered {what} with something that is not JSON ({e}): {}",
                self.url(),
                snippet(&text)
            ),
            transient: false,
        })
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value, RemoteError> {
        self.call(Method::POST, path, &[], Some(body))
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, RemoteError> {
        self.call(Method::GET, path, query, None)
    }

    /// Checks that the server is an MLflow tracking server and that the credentials may read it.
    pub fn check_access(&self) -> Result<(), RemoteError> {
        self.get("experiments/search", &[("max_results", "1")])
            .map(|_| ())
    }

    // ---- experiments and runs ----------------------------------------------------------------

    /// The id of the experiment named `name`, if it exists.
    pub fn experiment_by_name(&self, name: &str) -> Result<Option<String>, RemoteError> {
        match self.get("experiments/get-by-name", &[("experiment_name", name)]) {
            Ok(v) => Ok(v["experiment"]["experiment_id"].as_str().map(String::from)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The experiment named `name`, created if missing (also when another client creates it
    /// at the same time).
    pub fn ensure_experiment(&self, name: &str) -> Result<String, RemoteError> {
        if let Some(id) = self.experiment_by_name(name)? {
            return Ok(id);
        }
        match self.post(
            "experiments/create",
            &json!({"name": name, "tags": [{"key": "mlflow.note.content", "value": "Models published by Driftdeck"}]}),
        ) {
            Ok(v) => string_field(&v, &["experiment_id"], "experiments/create"),
            Err(e) if e.is_already_exists() => self.experiment_by_name(name)?.ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// Creates a run; returns its id.
    pub fn create_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        tags: &[(String, String)],
        start_ms: i64,
    ) -> Result<String, RemoteError> {
        let v = self.post(
            "runs/create",
            &json!({
                "experiment_id": experiment_id,
                "run_name": run_name,
                "start_time": start_ms,
                "tags": kv(tags),
            }),
        )?;
        string_field(&v, &["run", "info", "run_id"], "runs/create")
    }

    /// Logs params, metrics and tags, split into batches MLflow accepts.
    pub fn log_batch(
        &self,
        run_id: &str,
        params: &[(String, String)],
        metrics: &[MetricPoint],
        tags: &[(String, String)],
    ) -> Result<(), RemoteError> {
        for chunk in params.chunks(MAX_PARAMS) {
            self.post(
                "runs/log-batch",
                &json!({"run_id": run_id, "params": kv(chunk)}),
            )?;
        }
        for chunk in tags.chunks(MAX_TAGS) {
            self.post(
                "runs/log-batch",
                &json!({"run_id": run_id, "tags": kv(chunk)}),
            )?;
        }
        for chunk in metrics.chunks(MAX_METRICS) {
            let points: Vec<Value> = chunk
                .iter()
                .map(|m| {
                    json!({"key": m.key, "value": metric_value(m.value), "step": m.step,
                           "timestamp": m.timestamp_ms})
                })
                .collect();
            self.post(
                "runs/log-batch",
                &json!({"run_id": run_id, "metrics": points}),
            )?;
        }
        Ok(())
    }

    /// Marks a run finished.
    pub fn finish_run(&self, run_id: &str, end_ms: i64) -> Result<(), RemoteError> {
        self.post(
            "runs/update",
            &json!({"run_id": run_id, "status": "FINISHED", "end_time": end_ms}),
        )
        .map(|_| ())
    }

    /// Links a run to the logged model it produced.
    pub fn log_outputs(&self, run_id: &str, model_id: &str) -> Result<(), RemoteError> {
        self.post(
            "runs/outputs",
            &json!({"run_id": run_id, "models": [{"model_id": model_id, "step": 0}]}),
        )
        .map(|_| ())
    }

    // ---- logged models -----------------------------------------------------------------------

    /// Creates a logged model (status PENDING); returns its id.
    pub fn create_logged_model(
        &self,
        experiment_id: &str,
        name: &str,
        source_run_id: Option<&str>,
        model_type: &str,
        tags: &[(String, String)],
    ) -> Result<String, RemoteError> {
        let mut body = json!({
            "experiment_id": experiment_id,
            "name": name,
            "model_type": model_type,
            "tags": kv(tags),
        });
        if let Some(run) = source_run_id {
            body["source_run_id"] = json!(run);
        }
        let v = self.post("logged-models", &body)?;
        string_field(&v, &["model", "info", "model_id"], "logged-models")
    }

    /// Sets a logged model's status: `LOGGED_MODEL_READY` once its files are uploaded,
    /// `LOGGED_MODEL_UPLOAD_FAILED` when they never will be.
    pub fn set_logged_model_status(&self, model_id: &str, status: &str) -> Result<(), RemoteError> {
        self.call(
            Method::PATCH,
            &format!("logged-models/{model_id}"),
            &[],
            Some(&json!({"model_id": model_id, "status": status})),
        )
        .map(|_| ())
    }

    /// A logged model's status (`LOGGED_MODEL_PENDING`, `…_READY`, `…_UPLOAD_FAILED`).
    pub fn logged_model_status(&self, model_id: &str) -> Result<Option<String>, RemoteError> {
        let v = self.get(&format!("logged-models/{model_id}"), &[])?;
        Ok(v["model"]["info"]["status"].as_str().map(String::from))
    }

    // ---- artifacts ---------------------------------------------------------------------------

    /// Streams `file` (`bytes` long) to the artifact proxy at `remote_path`, computing its
    /// BLAKE3 on the way. `progress` gets the bytes sent so far about ten times a second and
    /// returns false to cancel. Returns the hash of what was sent.
    pub fn upload(
        &self,
        remote_path: &str,
        file: &Path,
        bytes: u64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<String, RegistryError> {
        let what = format!("PUT {remote_path}");
        let opened = std::fs::File::open(file)
            .map_err(|e| RegistryError::Local(format!("cannot read {}: {e}", file.display())))?;
        let sent = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let hasher = Arc::new(Mutex::new(blake3::Hasher::new()));
        let reader = CountingReader {
            inner: opened,
            sent: sent.clone(),
            cancel: cancel.clone(),
            hasher: hasher.clone(),
        };
        let req = self
            .request(Method::PUT, &format!("{ARTIFACTS}/{remote_path}"))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(reqwest::blocking::Body::sized(reader, bytes));
        let result = std::thread::scope(|scope| {
            let handle = scope.spawn(|| self.send(req, &what));
            while !handle.is_finished() {
                if !progress(sent.load(Ordering::Relaxed)) {
                    cancel.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            handle.join()
        });
        if cancel.load(Ordering::Relaxed) {
            return Err(RegistryError::Cancelled);
        }
        let result = result.map_err(|_| {
            RegistryError::Local(format!(
                "the upload of {} stopped unexpectedly",
                file.display()
            ))
        })?;
        result?;
        let total = sent.load(Ordering::Relaxed);
        progress(total);
        if total != bytes {
            return Err(RegistryError::Local(format!(
                "{} changed during the upload: {bytes} bytes expected, {total} read",
                file.display()
            )));
        }
        let hash = hasher
            .lock()
            .map(|h| h.finalize().to_hex().to_string())
            .unwrap_or_default();
        Ok(hash)
    }

    /// Streams the artifact at `remote_path` into `dest` (written under a temporary name and
    /// renamed when complete); returns its size and BLAKE3. With `expected`, a different hash
    /// is an error and `dest` is not written.
    pub fn download(
        &self,
        remote_path: &str,
        dest: &Path,
        expected: Option<&str>,
    ) -> Result<(u64, String), RegistryError> {
        let what = format!("GET {remote_path}");
        let mut response = self.send(
            self.request(Method::GET, &format!("{ARTIFACTS}/{remote_path}")),
            &what,
        )?;
        let local = |e: std::io::Error| {
            RegistryError::Local(format!("cannot write {}: {e}", dest.display()))
        };
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(local)?;
        }
        let tmp = dest.with_extension("driftdeck-part");
        let mut out = std::fs::File::create(&tmp).map_err(local)?;
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0u64;
        loop {
            let n = match response.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(RemoteError {
                        status: None,
                        error_code: None,
                        message: format!("the download of {remote_path} broke off: {e}"),
                        transient: true,
                    }
                    .into());
                }
            };
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(local)?;
            total += n as u64;
        }
        out.flush().map_err(local)?;
        drop(out);
        let hash = hasher.finalize().to_hex().to_string();
        if let Some(expected) = expected
            && expected != hash
        {
            let _ = std::fs::remove_file(&tmp);
            return Err(RegistryError::Remote(RemoteError {
                status: None,
                error_code: None,
                message: format!(
                    "{remote_path} downloaded with BLAKE3 {hash}, expected {expected}: the registry's copy differs"
                ),
                transient: false,
            }));
        }
        std::fs::rename(&tmp, dest).map_err(local)?;
        Ok((total, hash))
    }

    /// The entries of one artifact folder (basenames); empty for a missing folder.
    pub fn list_artifacts(&self, remote_dir: &str) -> Result<Vec<ArtifactEntry>, RemoteError> {
        let what = format!("GET artifacts?path={remote_dir}");
        let req = self
            .request(Method::GET, ARTIFACTS)
            .timeout(CALL_TIMEOUT)
            .query(&[("path", remote_dir)]);
        let v: Value = self
            .send(req, &what)?
            .json()
            .map_err(|e| self.network_error(&what, &e))?;
        Ok(serde_json::from_value(v["files"].clone()).unwrap_or_default())
    }

    /// Every file under `remote_dir`, with paths relative to it.
    pub fn list_artifacts_recursive(
        &self,
        remote_dir: &str,
    ) -> Result<Vec<ArtifactEntry>, RemoteError> {
        let mut out = Vec::new();
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let dir = if rel.is_empty() {
                remote_dir.to_string()
            } else {
                format!("{remote_dir}/{rel}")
            };
            for entry in self.list_artifacts(&dir)? {
                let name = entry
                    .path
                    .rsplit('/')
                    .next()
                    .unwrap_or(&entry.path)
                    .to_string();
                let path = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                if entry.is_dir {
                    stack.push(path);
                } else {
                    out.push(ArtifactEntry { path, ..entry });
                }
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    // ---- the model registry ------------------------------------------------------------------

    /// Creates a registered model; false if it already existed.
    pub fn create_registered_model(
        &self,
        name: &str,
        description: Option<&str>,
    ) -> Result<bool, RemoteError> {
        let mut body = json!({"name": name});
        if let Some(d) = description {
            body["description"] = json!(d);
        }
        match self.post("registered-models/create", &body) {
            Ok(_) => Ok(true),
            Err(e) if e.is_already_exists() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A registered model, or `None` when it does not exist.
    pub fn registered_model(&self, name: &str) -> Result<Option<RegisteredModel>, RemoteError> {
        match self.get("registered-models/get", &[("name", name)]) {
            Ok(v) => Ok(serde_json::from_value(v["registered_model"].clone()).ok()),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A registered model that must exist: otherwise an error naming the registry and the model.
    pub fn existing_model(&self, name: &str) -> Result<RegisteredModel, RegistryError> {
        self.registered_model(name)?.ok_or_else(|| {
            RegistryError::Invalid(format!(
                "the registry {} has no model named `{name}`",
                self.url()
            ))
        })
    }

    /// Every page of a search: `field` of each answer, following `next_page_token`.
    fn all_pages<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        field: &str,
    ) -> Result<Vec<T>, RemoteError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = query.to_vec();
            if let Some(t) = &token {
                q.push(("page_token", t));
            }
            let v = self.get(path, &q)?;
            let page: Vec<T> = serde_json::from_value(v[field].clone()).unwrap_or_default();
            out.extend(page);
            match v["next_page_token"].as_str().filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t.to_string()),
                None => return Ok(out),
            }
        }
    }

    /// Every registered model (all pages).
    pub fn registered_models(&self) -> Result<Vec<RegisteredModel>, RemoteError> {
        self.all_pages(
            "registered-models/search",
            &[("max_results", "100")],
            "registered_models",
        )
    }

    /// Model versions matching an MLflow search filter (all pages). Search results carry no
    /// aliases.
    pub fn search_versions(&self, filter: &str) -> Result<Vec<ModelVersion>, RemoteError> {
        self.all_pages(
            "model-versions/search",
            &[("filter", filter), ("max_results", "200")],
            "model_versions",
        )
    }

    /// Every version of `name`.
    pub fn versions(&self, name: &str) -> Result<Vec<ModelVersion>, RemoteError> {
        self.search_versions(&format!("name = '{}'", quote(name)))
    }

    /// The versions of `name` with tag `key` = `value`.
    pub fn versions_tagged(
        &self,
        name: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<ModelVersion>, RemoteError> {
        self.search_versions(&format!(
            "name = '{}' and tags.`{}` = '{}'",
            quote(name),
            key.replace('`', ""),
            quote(value)
        ))
    }

    /// One version (with its aliases).
    pub fn version(&self, name: &str, version: &str) -> Result<ModelVersion, RemoteError> {
        let v = self.get(
            "model-versions/get",
            &[("name", name), ("version", version)],
        )?;
        serde_json::from_value(v["model_version"].clone()).map_err(|e| RemoteError {
            status: None,
            error_code: None,
            message: format!("unexpected model-versions/get answer: {e}"),
            transient: false,
        })
    }

    /// Creates a version from a logged model, with its description and tags in the same call
    /// (so the version never exists without its content-hash tag).
    pub fn create_version(
        &self,
        name: &str,
        model_id: &str,
        run_id: Option<&str>,
        description: &str,
        tags: &[(String, String)],
    ) -> Result<ModelVersion, RemoteError> {
        let mut body = json!({
            "name": name,
            "source": format!("models:/{model_id}"),
            "model_id": model_id,
            "description": description,
            "tags": kv(tags),
        });
        if let Some(run) = run_id {
            body["run_id"] = json!(run);
        }
        let v = self.post("model-versions/create", &body)?;
        serde_json::from_value(v["model_version"].clone()).map_err(|e| RemoteError {
            status: None,
            error_code: None,
            message: format!("unexpected model-versions/create answer: {e}"),
            transient: false,
        })
    }

    /// Points `alias` at `version`.
    pub fn set_alias(&self, name: &str, alias: &str, version: &str) -> Result<(), RemoteError> {
        self.post(
            "registered-models/alias",
            &json!({"name": name, "alias": alias, "version": version}),
        )
        .map(|_| ())
    }

    /// Removes `alias`.
    pub fn delete_alias(&self, name: &str, alias: &str) -> Result<(), RemoteError> {
        self.call(
            Method::DELETE,
            "registered-models/alias",
            &[],
            Some(&json!({"name": name, "alias": alias})),
        )
        .map(|_| ())
    }

    /// Sets a tag on a registered model.
    pub fn set_model_tag(&self, name: &str, key: &str, value: &str) -> Result<(), RemoteError> {
        self.post(
            "registered-models/set-tag",
            &json!({"name": name, "key": key, "value": value}),
        )
        .map(|_| ())
    }

    /// Where a version's files are (`mlflow-artifacts:/…` for logged models behind the proxy).
    pub fn download_uri(&self, name: &str, version: &str) -> Result<String, RemoteError> {
        let v = self.get(
            "model-versions/get-download-uri",
            &[("name", name), ("version", version)],
        )?;
        string_field(&v, &["artifact_uri"], "model-versions/get-download-uri")
    }
}

/// Counts and hashes what reqwest reads from the file; fails the read when cancelled.
struct CountingReader {
    inner: std::fs::File,
    sent: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    hasher: Arc<Mutex<blake3::Hasher>>,
}

impl Read for CountingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "cancelled",
            ));
        }
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hasher.lock() {
            h.update(&buf[..n]);
        }
        self.sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The error for a non-success answer, from MLflow's JSON or from a text/HTML body.
pub fn http_error(base: &str, what: &str, status: u16, body: &str) -> RemoteError {
    let transient = status >= 500 && status != 501 || status == 429 || status == 408;
    #[derive(Deserialize)]
    struct MlflowError {
        error_code: Option<String>,
        message: Option<String>,
    }
    if let Ok(MlflowError {
        error_code: Some(code),
        message,
    }) = serde_json::from_str::<MlflowError>(body)
    {
        let message = message.unwrap_or_default();
        return RemoteError {
            status: Some(status),
            message: format!("the registry {base} refused {what}: {code} ({status}): {message}"),
            error_code: Some(code),
            transient,
        };
    }
    let text = snippet(body);
    let message = match status {
        401 => format!(
            "the registry {base} did not accept the credentials (401 Unauthorized) for {what}: {text}; \
             check the username and secret and run `driftdeck registry login {base}` again"
        ),
        403 => format!(
            "the registry {base} denied {what} (403 Forbidden): {text}; the account lacks the permission, \
             or the server's --allowed-hosts does not include this host name"
        ),
        404 => format!(
            "the registry {base} has no {what} (404 Not Found, not an MLflow answer): is it an MLflow 3 \
             tracking server, and is the URL its root?"
        ),
        405 => format!(
            "the registry {base} does not allow {what} (405 Method Not Allowed): is it an MLflow 3 \
             tracking server with the artifact proxy (--serve-artifacts)?"
        ),
        _ => format!("the registry {base} answered {what} with {status}: {text}"),
    };
    RemoteError {
        status: Some(status),
        error_code: None,
        message,
        transient,
    }
}

/// The first line of a body, without HTML tags, at most 200 characters.
fn snippet(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return "(empty body)".to_string();
    }
    text.chars().take(200).collect()
}

fn kv(pairs: &[(String, String)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect()
}

/// MLflow reads NaN and infinities as strings.
fn metric_value(x: f64) -> Value {
    if x.is_nan() {
        json!("NaN")
    } else if x == f64::INFINITY {
        json!("Infinity")
    } else if x == f64::NEG_INFINITY {
        json!("-Infinity")
    } else {
        json!(x)
    }
}

/// A quoted string for an MLflow search filter.
fn quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
}

fn string_field(v: &Value, path: &[&str], what: &str) -> Result<String, RemoteError> {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().map(String::from).ok_or_else(|| RemoteError {
        status: None,
        error_code: None,
        message: format!(
            "unexpected answer to {what}: no `{}` in {}",
            path.join("."),
            snippet(&v.to_string())
        ),
        transient: false,
    })
}

/// Percent-encodes a URL component (everything but RFC 3986's unreserved characters).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlflow_json_errors_keep_their_code_and_text_errors_say_what_to_do() {
        let e = http_error(
            "http://h",
            "POST registered-models/create",
            400,
            r#"{"error_code":"RESOURCE_ALREADY_EXISTS","message":"Registered Model (name=m) already exists."}"#,
        );
        assert!(e.is_already_exists() && !e.transient);
        assert!(e.message.contains("already exists"), "{}", e.message);
        let e = http_error(
            "http://h",
            "GET x",
            401,
            "You are not authenticated. Please see https://www.mlflow.org/docs",
        );
        assert!(
            e.message.contains("401") && e.message.contains("registry login"),
            "{}",
            e.message
        );
        assert_eq!(e.error_code, None);
        let e = http_error("http://h", "GET x", 403, "Permission denied");
        assert!(e.message.contains("Permission denied") && !e.transient);
        let e = http_error(
            "http://h",
            "GET x",
            404,
            "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>",
        );
        assert!(e.message.contains("not an MLflow answer"), "{}", e.message);
        let e = http_error("http://h", "PUT x", 405, "<html>Method Not Allowed</html>");
        assert!(e.message.contains("405"));
        let e = http_error(
            "http://h",
            "POST x",
            500,
            r#"{"error_code":"INTERNAL_ERROR","message":"boom"}"#,
        );
        assert!(e.transient && e.message.contains("boom"));
        let e = http_error("http://h", "POST x", 502, "Bad Gateway");
        assert!(e.transient);
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let auth = Auth::Basic {
            username: "ann".into(),
            password: "hunter2-secret".into(),
        };
        let client = Client::new("http://127.0.0.1:9", auth, None).unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(!format!("{:?}", Auth::Bearer("tok-123".into())).contains("tok-123"));
    }

    #[test]
    fn endpoints_encode_each_segment() {
        let client = Client::new("http://h:1/prefix", Auth::None, None).unwrap();
        assert_eq!(
            client
                .endpoint("api/2.0/mlflow-artifacts/artifacts/1/models/m-1/artifacts/模型 a.txt")
                .as_str(),
            "http://h:1/prefix/api/2.0/mlflow-artifacts/artifacts/1/models/m-1/artifacts/%E6%A8%A1%E5%9E%8B%20a.txt"
        );
        assert_eq!(encode_component("a b/c"), "a%20b%2Fc");
        assert_eq!(metric_value(f64::NAN), json!("NaN"));
        assert_eq!(quote("it's"), "it\\'s");
    }

    #[test]
    fn a_closed_port_is_a_transient_network_error() {
        let client = Client::new("http://127.0.0.1:9", Auth::None, None).unwrap();
        let err = client.check_access().unwrap_err();
        assert!(err.transient && err.status.is_none());
        assert!(
            err.message
                .contains("cannot reach the registry http://127.0.0.1:9"),
            "{}",
            err.message
        );
    }
}
