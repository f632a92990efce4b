//! Publishing against a real MLflow 3.17 server: started from the venv `make test` creates
//! (`target/mlflow-venv`, or `DRIFTDECK_MLFLOW_VENV`), on 127.0.0.1 and a free port, with
//! `--workers 1` and job execution off, stopped by killing its process group. What landed is
//! checked with MLflow's own Python client (tests/registry/verify_mlflow.py).
//!
//! The one stand-in: a server that answers 500 to everything is a few lines of TCP here,
//! because a real MLflow cannot be made to fail on purpose.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/cli.rs"]
mod cli;
#[path = "support/test_data.rs"]
mod test_data;

use cli::{assert_exit, assert_success};

fn venv() -> PathBuf {
    std::env::var_os("DRIFTDECK_MLFLOW_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mlflow-venv"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real `mlflow server` in its own process group.
struct Mlflow {
    dir: PathBuf,
    port: u16,
    basic_auth: bool,
    /// HTTPS with this certificate and key (PEM), signed by `tls_ca`.
    tls: Option<(PathBuf, PathBuf)>,
    tls_ca: Option<PathBuf>,
    child: Option<Child>,
}

const ADMIN_PASSWORD: &str = "admin-pass-12345-xyz";

impl Mlflow {
    fn start(dir: &Path, basic_auth: bool) -> Mlflow {
        Mlflow::start_with(dir, basic_auth, None, None)
    }

    fn start_with(
        dir: &Path,
        basic_auth: bool,
        tls: Option<(PathBuf, PathBuf)>,
        tls_ca: Option<PathBuf>,
    ) -> Mlflow {
        let mut server = Mlflow {
            dir: dir.to_path_buf(),
            port: free_port(),
            basic_auth,
            tls,
            tls_ca,
            child: None,
        };
        server.spawn();
        server
    }

    /// An HTTPS server whose certificate is signed by a CA of its own (`tls_ca`).
    fn start_tls(dir: &Path) -> Mlflow {
        std::fs::create_dir_all(dir).unwrap();
        let sh = |script: &str| {
            let out = Command::new("bash")
                .args(["-c", script])
                .current_dir(dir)
                .output()
                .unwrap();
            assert_success(&out, "openssl");
        };
        sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
              -subj '/CN=Driftdeck test CA' -addext 'basicConstraints=critical,CA:TRUE' \
              -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
              -days 2 -extfile ext.cnf 2>/dev/null");
        let tls = (dir.join("server.pem"), dir.join("server.key"));
        Mlflow::start_with(dir, false, Some(tls), Some(dir.join("ca.pem")))
    }

    fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let mlflow = venv().join("bin/mlflow");
        assert!(
            mlflow.exists(),
            "{} is missing: `make test` (scripts/setup.sh) creates the MLflow venv",
            mlflow.display()
        );
        std::fs::create_dir_all(&self.dir).unwrap();
        let mut cmd = Command::new(&mlflow);
        cmd.current_dir(&self.dir)
            .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
            .args(["server", "--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(["--workers", "1", "--backend-store-uri"])
            .arg(format!("sqlite:///{}/mlflow.db", self.dir.display()))
            .arg("--artifacts-destination")
            .arg(self.dir.join("artifacts"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.join("server.log")).unwrap())
            .process_group(0);
        if self.basic_auth {
            let ini = self.dir.join("basic_auth.ini");
            std::fs::write(
                &ini,
                format!(
                    "[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///{}/basic_auth.db\nadmin_username = admin\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
                    self.dir.display()
                ),
            )
            .unwrap();
            cmd.args(["--app-name", "basic-auth"])
                .env("MLFLOW_AUTH_CONFIG_PATH", &ini)
                .env("MLFLOW_AUTH_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env(
                    "MLFLOW_FLASK_SERVER_SECRET_KEY",
                    "driftdeck-test-secret-key",
                );
        }
        if let Some((cert, key)) = &self.tls {
            cmd.arg("--uvicorn-opts").arg(format!(
                "--ssl-certfile {} --ssl-keyfile {}",
                cert.display(),
                key.display()
            ));
        }
        self.child = Some(cmd.spawn().unwrap());
        let deadline = Instant::now() + Duration::from_secs(120);
        let health = format!("{}/health", self.url());
        let mut client = reqwest::blocking::Client::builder();
        if let Some(ca) = &self.tls_ca {
            let pem = std::fs::read(ca).unwrap();
            client = client.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        let client = client.build().unwrap();
        loop {
            if let Ok(r) = client.get(&health).send()
                && r.status().is_success()
            {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!(
                    "mlflow server exited with {status}: {}",
                    std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "mlflow server did not start in 120 s"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Kills the whole process group at once (SIGKILL: no graceful end, like a crash).
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group(&child, "KILL");
            let _ = child.wait();
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group(&child, "TERM");
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            signal_group(&child, "KILL");
            let _ = child.wait();
        }
    }
}

/// Sends `signal` to the process group `child` leads. The `--` matters: procps'
/// `kill -KILL -PGID` reads `-PGID` as an option.
fn signal_group(child: &Child, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{}", child.id())])
        .status();
}

impl Drop for Mlflow {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A catalog, a keyring namespace and captured output for one test.
struct Env {
    dir: tempfile::TempDir,
    log: std::cell::RefCell<Vec<u8>>,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
            log: Default::default(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("catalog/catalog.sqlite")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftdeck"));
        cmd.args(args)
            .env("DRIFTDECK_DB", self.db())
            .env("DRIFTDECK_USER", "test-approver")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        cmd
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        self.log.borrow_mut().extend_from_slice(&out.stdout);
        self.log.borrow_mut().extend_from_slice(&out.stderr);
        out
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_stdin(args, "")
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_stdin(args, "")
    }

    fn ok_stdin(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run_stdin(args, stdin);
        assert!(
            out.status.success(),
            "driftdeck {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `driftdeck approve MODEL --note NOTE [--override-note TEXT]`, which must succeed.
    fn approve(&self, model: &str, note: &str, override_note: Option<&str>) {
        let mut args = vec!["approve", model, "--note", note];
        if let Some(o) = override_note {
            args.extend(["--override-note", o]);
        }
        self.ok(&args);
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// `publish MODEL --name NAME` and `more`, plain words split on white space.
fn publish<'a>(model: &'a str, name: &'a str, more: &'a str) -> Vec<&'a str> {
    let mut args = vec!["publish", model, "--name", name];
    args.extend(more.split_whitespace());
    args
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes' hash, to prove a folder was not written to.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, blake3::hash(&bytes).to_hex().to_string()));
            }
        }
    }
    out.sort();
    out
}

fn verify(server: &Mlflow, name: &str, out: &Path, env: &[(&str, &str)]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/registry/verify_mlflow.py");
    let mut cmd = Command::new(venv().join("bin/python"));
    cmd.arg(script).arg(server.url()).arg(name).arg(out);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let result = cmd.output().unwrap();
    assert_success(&result, "verify_mlflow.py");
    serde_json::from_slice(&result.stdout).unwrap()
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// A copy of the demo workspace, indexed into the test's catalog.
fn indexed_demo(env: &Env) -> PathBuf {
    let project = env.dir.path().join("demo");
    copy_dir(&test_data::demo(), &project);
    env.ok(&["index", project.to_str().unwrap()]);
    project
}

/// The demo's MLflow logged model: its catalog id.
fn demo_model_id(env: &Env) -> String {
    let models = env.json(&["models", "--json"]);
    models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["format"] == "mlflow")
        .map(|m| m["id"].to_string())
        .unwrap()
}

#[test]
fn publish_creates_one_version_with_lineage_and_moves_aliases() {
    let env = Env::new();
    let server = Mlflow::start(&env.dir.path().join("server"), false);
    let project = indexed_demo(&env);
    let before = snapshot(&project);
    let model = demo_model_id(&env);
    env.ok(&["registry", "login", &server.url()]);

    // The demo's fairness check fails: approving needs an override note; publishing needs an approval.
    let checks = env.json(&["checks", &model, "--json"]);
    assert_eq!(checks["status"], "candidate");
    assert_eq!(checks["all_passed"], false);
    let unapproved = env.run(&["publish", &model, "--name", "churn-classifier"]);
    assert_eq!(unapproved.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unapproved.stderr).contains("approve it first"));
    let refused = env.run(&["approve", &model, "--note", "good enough"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("override note"));
    env.approve(
        &model,
        "AUC is above target",
        Some("the 60+ gap is tracked in FAIR-12"),
    );

    // A name MLflow refuses is refused before anything is queued or sent.
    let bad = env.run(&["publish", &model, "--name", "team/churn"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot contain '/'"));

    let as_champion = publish(&model, "churn-classifier", "--alias champion --json");
    let published = env.json(&as_champion);
    assert_eq!(published["state"], "done");
    assert_eq!(published["version"], "1");
    // Again: the same content makes no second version.
    let again = env.json(&as_champion);
    assert_eq!(again["version"], "1");

    let out = env.dir.path().join("download");
    let seen = verify(&server, "churn-classifier", &out, &[]);
    let versions = seen["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{seen}");
    assert_eq!(seen["aliases"]["champion"], "1");
    let tags = &versions[0]["tags"];
    assert_eq!(tags["driftdeck.content_hash"], checks["content_hash"]);
    assert_eq!(
        tags["driftdeck.source_run_id"],
        "22335332d0e64b869d8ad616fd35cf2c"
    );
    assert_eq!(tags["driftdeck.approved_by"], "test-approver");
    assert_eq!(tags["driftdeck.checks"], "overridden");
    assert!(
        tags["driftdeck.dataset.drift.reference"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    assert!(
        tags["driftdeck.dataset.fairness.data"]
            .as_str()
            .unwrap()
            .len()
            == 64
    );
    let card = versions[0]["description"].as_str().unwrap();
    assert!(
        card.contains("FAIR-12") && card.contains("## Checks"),
        "{card}"
    );
    // The source run's params and metrics went along; the reports are the run's artifacts.
    let run = &seen["run"];
    assert_eq!(run["metrics"]["val/auc"], 0.770222);
    assert!(run["params"].as_object().unwrap().len() >= 2, "{run}");
    for report in [
        "drift.html",
        "fairness.html",
        "model-card.md",
        "manifest.json",
    ] {
        assert!(
            run["artifacts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a.as_str().unwrap().ends_with(report)),
            "{report} missing: {run}"
        );
    }
    // MLflow's client downloads exactly the local files, byte for byte.
    let local = project
        .join("mlruns/265550652974795048/models/m-879af86c41014b99875d257a0dfff428/artifacts");
    let mut files = seen["downloaded"]["files"].as_object().unwrap().clone();
    // MLflow's client adds this file to every `models:/` download; it is not the model's.
    files.remove("registered_model_meta");
    let local_files = snapshot(&local);
    assert_eq!(files.len(), local_files.len());
    for (path, _) in &local_files {
        let rel = path
            .strip_prefix(&local)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(files[&rel], sha256_of(path), "{rel}");
    }

    // Our own download checks each file against the published manifest.
    let ours = env.dir.path().join("ours");
    let text = env.ok(&[
        "registry",
        "download",
        "churn-classifier",
        "--alias",
        "champion",
        "-o",
        ours.to_str().unwrap(),
    ]);
    assert!(
        text.contains("8 checked against the published BLAKE3 manifest"),
        "{text}"
    );

    // A challenger (different content), promoted, then rolled back.
    let weights = project.join("models/churn_model.safetensors");
    let weights_path = weights.to_str().unwrap();
    env.approve(weights_path, "retrained", Some("same gap"));
    let as_challenger = publish(
        weights_path,
        "churn-classifier",
        "--alias challenger --json",
    );
    let second = env.json(&as_challenger);
    assert_eq!(second["version"], "2");
    let promoted = env.json(&["alias", "promote", "churn-classifier", "--json"]);
    assert_eq!(promoted["aliases"]["champion"], "2");
    assert!(promoted["aliases"].get("challenger").is_none());
    let rolled = env.json(&["alias", "rollback", "churn-classifier", "--json"]);
    assert_eq!(rolled["aliases"]["champion"], "1");
    let nothing = env.run(&["alias", "rollback", "churn-classifier"]);
    assert_eq!(nothing.status.code(), Some(2));
    let audit = env.json(&["audit", "--json"]);
    let actions = cli::strings(&audit["entries"], "/action");
    for action in [
        "approve", "publish", "alias", "promote", "rollback", "login",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    let pulled = env.json(&["registry", "pull", "--json"]);
    let model_row = &pulled["models"][0];
    assert_eq!(model_row["name"], "churn-classifier");
    assert_eq!(model_row["versions"].as_array().unwrap().len(), 2);

    // A model file deleted after approval: the job fails, nothing claims a version.
    let extra = project.join("models/extra.safetensors");
    std::fs::copy(&weights, &extra).unwrap();
    std::fs::write(&extra, [0u8; 16]).unwrap();
    let extra_path = extra.to_str().unwrap();
    env.approve(extra_path, "try", Some("test"));
    env.ok(&publish(extra_path, "churn-classifier", "--no-wait"));
    std::fs::remove_file(&extra).unwrap();
    let failed = env.run(&["outbox", "run"]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("was deleted before it was uploaded"));
    let after = verify(&server, "churn-classifier", &env.dir.path().join("d2"), &[]);
    assert_eq!(after["versions"].as_array().unwrap().len(), 2);

    // Nothing was written into the project (the extra file was ours).
    let mut now = snapshot(&project);
    now.retain(|(p, _)| !p.ends_with("extra.safetensors"));
    assert_eq!(before, now);
}

#[test]
fn a_server_killed_mid_upload_and_restarted_gets_the_whole_model_and_cancel_stops_one() {
    let env = Env::new();
    let mut server = Mlflow::start(&env.dir.path().join("server"), false);
    let project = env.dir.path().join("proj");
    let model = project.join("big-model");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("MLmodel"), "flavors: {}\n").unwrap();
    // 256 MiB of bytes that do not compress, so the upload takes long enough to be cut.
    let mut big = std::fs::File::create(model.join("weights.bin")).unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..256 {
        for b in chunk.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b.copy_from_slice(&state.to_le_bytes()[..b.len()]);
        }
        big.write_all(&chunk).unwrap();
    }
    drop(big);
    env.ok(&["registry", "login", &server.url()]);
    let path = model.to_str().unwrap();
    env.approve(path, "ok", None);

    let mut publishing = env
        .cmd(&publish(path, "big", "--alias champion --progress json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(publishing.stderr.take().unwrap());
    let mut killed_at = None;
    let mut lines = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        lines.push(line.clone());
        let Ok(p) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let done = p["bytes_done"].as_i64().unwrap_or(0);
        if killed_at.is_none()
            && p["step"] == "uploading weights.bin"
            && done > 1 << 20
            && done < 200 << 20
        {
            server.kill();
            killed_at = Some(done);
            // Down for a while: the job must wait and retry, then resume.
            std::thread::sleep(Duration::from_secs(2));
            server.spawn();
        }
    }
    let status = publishing.wait().unwrap();
    let mut out = String::new();
    publishing
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        status.success(),
        "publish failed: {out}\n{}",
        lines.join("\n")
    );
    assert!(
        killed_at.is_some(),
        "never saw the upload in progress: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("\"state\":\"waiting\"")),
        "the job never waited for a retry: {lines:?}"
    );
    let jobs = env.json(&["outbox", "list", "--json"]);
    assert_eq!(jobs["jobs"][0]["state"], "done");
    assert!(jobs["jobs"][0]["attempts"].as_i64().unwrap() >= 2);

    let seen = verify(&server, "big", &env.dir.path().join("download"), &[]);
    assert_eq!(seen["versions"].as_array().unwrap().len(), 1);
    assert_eq!(seen["aliases"]["champion"], "1");
    assert_eq!(
        seen["downloaded"]["files"]["weights.bin"],
        sha256_of(&model.join("weights.bin"))
    );
    assert_eq!(
        seen["downloaded"]["files"]["MLmodel"],
        sha256_of(&model.join("MLmodel"))
    );

    // Cancelled in the middle of an upload: the job says so, its logged model is marked
    // failed, and no version claims it.
    std::fs::write(model.join("README.md"), "a new content hash\n").unwrap();
    env.approve(path, "ok", None);
    let queued = env.json(&publish(path, "big", "--no-wait --json"));
    let id = queued["id"].to_string();
    let mut runner = env
        .cmd(&["outbox", "run", "--progress", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut cancelled = false;
    for line in BufReader::new(runner.stderr.take().unwrap()).lines() {
        let Ok(p) = serde_json::from_str::<Value>(&line.unwrap()) else {
            continue;
        };
        if !cancelled
            && p["step"] == "uploading weights.bin"
            && p["bytes_done"].as_i64() > Some(1 << 20)
        {
            env.ok(&["outbox", "cancel", &id]);
            cancelled = true;
        }
    }
    runner.wait().unwrap();
    assert!(cancelled, "never saw the second upload in progress");
    let jobs = env.json(&["outbox", "list", "--json"]);
    assert_eq!(jobs["jobs"][0]["state"], "cancelled", "{jobs}");
    let seen = verify(&server, "big", &env.dir.path().join("download2"), &[]);
    assert_eq!(seen["versions"].as_array().unwrap().len(), 1);
    let logged: Value = reqwest::blocking::Client::new()
        .post(format!(
            "{}/api/2.0/mlflow/logged-models/search",
            server.url()
        ))
        .json(&serde_json::json!({"experiment_ids": ["1"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let statuses = cli::strings(&logged["models"], "/info/status");
    assert!(
        statuses.contains(&"LOGGED_MODEL_UPLOAD_FAILED"),
        "{statuses:?}"
    );
    assert!(!statuses.contains(&"LOGGED_MODEL_PENDING"), "{statuses:?}");
}

#[test]
fn basic_auth_good_and_bad_credentials_403_and_no_secret_on_disk() {
    let env = Env::new();
    let server = Mlflow::start(&env.dir.path().join("server"), true);
    let project = indexed_demo(&env);
    let model = demo_model_id(&env);
    let url = server.url();

    // A wrong password: refused by the server, nothing saved.
    let bad = env.run_stdin(
        &["registry", "login", &url, "--username", "admin"],
        "wrong-password-123\n",
    );
    assert_exit(&bad, 3, &["401"]);
    let status = env.json(&["registry", "status", "--json"]);
    assert!(status["registries"].as_array().unwrap().is_empty());

    // A malformed URL is named.
    let malformed = env.run(&["registry", "login", "htp:/nowhere"]);
    assert_exit(&malformed, 2, &["not a registry URL"]);

    // Good credentials: the secret goes to the keyring only.
    env.ok_stdin(
        &["registry", "login", &url, "--username", "admin"],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    let status = env.json(&["registry", "status", "--check", "--json"]);
    let conn = &status["registries"][0];
    assert_eq!(conn["has_secret"], true);
    assert_eq!(conn["check"], "ok");

    env.approve(&model, "ok", Some("known gap"));
    let published = env.json(&publish(&model, "churn-secure", "--alias champion --json"));
    assert_eq!(published["version"], "1");
    assert_eq!(admin_versions(&server, &env.dir.path().join("download")), 1);

    // A user with read access only: 403 with a clear message, exit 3, no version.
    let created = reqwest::blocking::Client::new()
        .post(format!("{url}/api/2.0/mlflow/users/create"))
        .basic_auth("admin", Some(ADMIN_PASSWORD))
        .json(&serde_json::json!({"username": "reader", "password": "reader-pass-123456"}))
        .send()
        .unwrap();
    assert!(created.status().is_success());
    env.ok(&["registry", "logout", &url]);
    env.ok_stdin(
        &["registry", "login", &url, "--username", "reader"],
        "reader-pass-123456",
    );
    let weights = project.join("models/churn_model.safetensors");
    let weights_path = weights.to_str().unwrap();
    env.approve(weights_path, "ok", Some("gap"));
    let denied = env.run(&publish(weights_path, "churn-secure", "--max-attempts 1"));
    assert_exit(&denied, 3, &["403"]);
    assert_eq!(
        admin_versions(&server, &env.dir.path().join("download2")),
        1
    );

    // The secrets are in no file under the catalog's folder or the project, nor in any output.
    for secret in [ADMIN_PASSWORD, "reader-pass-123456"] {
        let grep = Command::new("grep")
            .args(["-r", "-l", "-a", secret])
            .arg(env.db().parent().unwrap())
            .arg(&project)
            .output()
            .unwrap();
        assert_eq!(
            grep.status.code(),
            Some(1),
            "found {secret} in {}",
            String::from_utf8_lossy(&grep.stdout)
        );
        assert!(!String::from_utf8_lossy(&env.log.borrow()).contains(secret));
    }
    env.ok(&["registry", "logout", &url]);
    let status = env.json(&["registry", "status", "--json"]);
    assert!(status["registries"].as_array().unwrap().is_empty());
}

/// How many versions of `churn-secure` MLflow's client sees, as the admin.
fn admin_versions(server: &Mlflow, download: &Path) -> usize {
    let seen = verify(
        server,
        "churn-secure",
        download,
        &[
            ("MLFLOW_TRACKING_USERNAME", "admin"),
            ("MLFLOW_TRACKING_PASSWORD", ADMIN_PASSWORD),
        ],
    );
    seen["versions"].as_array().unwrap().len()
}

/// A stand-in server that answers every request with MLflow's 500 body.
fn always_500() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 65536];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.read(&mut buf);
            let body = r#"{"error_code":"INTERNAL_ERROR","message":"database is locked"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn a_server_answering_500_fails_clearly_after_the_retries() {
    let env = Env::new();
    let url = always_500();
    let login = env.run(&["registry", "login", &url]);
    assert_exit(&login, 3, &["database is locked"]);
    env.ok(&["registry", "login", &url, "--no-verify"]);
    let model = env.dir.path().join("m.onnx");
    std::fs::write(&model, b"not really onnx").unwrap();
    let model_path = model.to_str().unwrap();
    env.approve(model_path, "ok", None);
    let out = env.run(&publish(model_path, "m", "--max-attempts 2"));
    assert_exit(&out, 3, &["gave up after 2 attempts", "INTERNAL_ERROR"]);
    let jobs = env.json(&["outbox", "list", "--json"]);
    assert_eq!(jobs["jobs"][0]["state"], "failed");
}

/// The Secret Service store: a real gnome-keyring in its own D-Bus session (packages `dbus`,
/// `gnome-keyring`, installed by scripts/setup.sh).
#[test]
fn the_secret_service_keyring_stores_and_deletes_the_secret() {
    let env = Env::new();
    let cli = env!("CARGO_BIN_EXE_driftdeck");
    let script = format!(
        r#"set -e
echo -n unlock-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export DRIFTDECK_DB='{db}'
echo -n 'ss-secret-4321' | '{cli}' registry login http://127.0.0.1:1 --username ann --no-verify
'{cli}' registry status --json
'{cli}' registry logout http://127.0.0.1:1
"#,
        db = env.db().display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .env_remove("DRIFTDECK_KEYRING")
        .env("HOME", env.dir.path())
        .output()
        .expect("dbus-run-session (package dbus) is needed: make test installs it");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("secret stored in the Secret Service keyring"),
        "{stdout}"
    );
    assert!(stdout.contains("\"has_secret\": true"), "{stdout}");
    assert!(
        stdout.contains("secret deleted from the Secret Service keyring"),
        "{stdout}"
    );
}

/// HTTPS with a company CA: refused without `--ca-file` (the error names the certificate
/// problem), accepted with it, and a publish goes through.
#[test]
fn https_with_a_custom_ca_needs_the_ca_file() {
    let env = Env::new();
    let server = Mlflow::start_tls(&env.dir.path().join("server"));
    let url = server.url();
    let refused = env.run(&["registry", "login", &url]);
    assert_eq!(refused.status.code(), Some(3));
    let err = cli::stderr(&refused);
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let ca = server.tls_ca.clone().unwrap();
    env.ok(&["registry", "login", &url, "--ca-file", ca.to_str().unwrap()]);
    let model = env.dir.path().join("m.onnx");
    std::fs::write(&model, b"weights").unwrap();
    let model_path = model.to_str().unwrap();
    env.approve(model_path, "ok", None);
    let published = env.json(&publish(model_path, "tls-model", "--json"));
    assert_eq!(published["state"], "done");
    assert_eq!(published["version"], "1");
}
