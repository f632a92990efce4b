//! `driftdeck registry login|logout|status|pull|models|download`: registry connections (secrets in
//! the OS keyring) and the registry's models (see `driftdeck::registry`).

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::{Args, Subcommand};
use driftdeck::catalog::Catalog;
use driftdeck::registry::RegistryError;
use driftdeck::registry::connection::{self, AuthKind, ConnectionInfo, LoginRequest};
use driftdeck::registry::model;
use driftdeck::registry::remote::{self, RemoteModelJson};
use driftdeck::registry::secret::SecretStore;
use serde_json::{Value, json};

use super::table::Table;
use super::{Failure, open_catalog, print_json};

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

pub fn store() -> Result<SecretStore, Failure> {
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
            print_remote(&remote::to_json(&catalog, &rows)?, json)
        }
        RegistryCommand::Models { registry, json } => {
            print_remote(&remote::list(&catalog, registry.as_deref())?, json)
        }
        RegistryCommand::Download(args) => download(&catalog, args),
    }
}

fn login(catalog: &mut Catalog, args: LoginArgs) -> Result<(), Failure> {
    let auth = match (&args.username, args.token) {
        (Some(_), _) => AuthKind::Basic,
        (None, true) => AuthKind::Bearer,
        (None, false) => AuthKind::None,
    };
    // The URL is checked before the secret is asked for.
    let url = connection::normalize_url(&args.url)?;
    let secret = match auth {
        AuthKind::None => None,
        AuthKind::Basic => Some(read_secret(&format!(
            "Password for {} at {url}: ",
            args.username.as_deref().unwrap_or_default()
        ))?),
        AuthKind::Bearer => Some(read_secret(&format!("Token for {url}: "))?),
    };
    let store = store()?;
    let saved = connection::login_with(
        catalog,
        &store,
        &LoginRequest {
            url,
            auth: auth.as_str().to_string(),
            username: args.username.clone(),
            secret,
            ca_file: args.ca_file.as_ref().map(|p| p.display().to_string()),
            make_default: args.default,
            verify: !args.no_verify,
        },
    )?;
    println!(
        "Logged in to {}{}{}",
        saved.url,
        match &saved.username {
            Some(u) => format!(" as {u}"),
            None if auth == AuthKind::Bearer => " with a token".to_string(),
            None => " (no authentication)".to_string(),
        },
        if saved.has_secret {
            format!("; secret stored in the {} keyring", saved.keyring)
        } else {
            String::new()
        }
    );
    Ok(())
}

/// A connection with the result of checking it, as `registry status --json` prints it.
#[derive(serde::Serialize)]
struct ConnectionStatus {
    #[serde(flatten)]
    connection: ConnectionInfo,
    /// `ok`, or why the server refused; absent without `--check`.
    check: Option<String>,
}

fn status(catalog: &Catalog, check: bool, as_json: bool) -> Result<(), Failure> {
    let store = store()?;
    let mut rows = Vec::new();
    for info in connection::connections(catalog, &store)? {
        let reachable = check.then(|| {
            let client =
                connection::resolve(catalog, Some(&info.url)).and_then(|conn| conn.client(&store));
            match client.and_then(|c| Ok(c.check_access()?)) {
                Ok(()) => "ok".to_string(),
                Err(e) => e.to_string(),
            }
        });
        rows.push(ConnectionStatus {
            connection: info,
            check: reachable,
        });
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
        let c = &r.connection;
        table.row([
            c.url.clone(),
            c.auth.to_string(),
            c.username.clone().unwrap_or_default(),
            if c.is_default { "yes" } else { "" }.into(),
            match (c.auth, c.has_secret) {
                ("none", _) => "—".into(),
                (_, true) => "stored".into(),
                _ => "missing".into(),
            },
            r.check.clone().unwrap_or_default(),
        ]);
    }
    table.write(&mut std::io::stdout().lock())?;
    Ok(())
}

fn print_remote(rows: &[RemoteModelJson], as_json: bool) -> Result<(), Failure> {
    if as_json {
        return print_json(&json!({ "models": rows }));
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
