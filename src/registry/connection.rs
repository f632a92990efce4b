//! Registry connections: a URL, how to authenticate, and where the secret is (the OS keyring).

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::catalog::registry::RegistryRow;

use super::RegistryError;
use super::client::{Auth, Client};
use super::secret::SecretStore;

/// How requests authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    None,
    /// HTTP Basic: a username and a password.
    Basic,
    /// `Authorization: Bearer <token>`.
    Bearer,
}

impl AuthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::Basic => "basic",
            AuthKind::Bearer => "bearer",
        }
    }

    pub fn parse(s: &str) -> Result<AuthKind, RegistryError> {
        match s {
            "none" => Ok(AuthKind::None),
            "basic" => Ok(AuthKind::Basic),
            "bearer" | "token" => Ok(AuthKind::Bearer),
            other => Err(RegistryError::Invalid(format!(
                "unknown authentication `{other}`: expected none, basic or bearer"
            ))),
        }
    }
}

/// A registry connection (never holds the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Normalised by [`normalize_url`].
    pub url: String,
    pub auth: AuthKind,
    pub username: Option<String>,
    /// An extra root certificate (PEM) trusted for this registry, besides the system's.
    pub ca_file: Option<PathBuf>,
    pub is_default: bool,
}

impl Connection {
    pub fn from_row(row: &RegistryRow) -> Result<Connection, RegistryError> {
        Ok(Connection {
            url: row.url.clone(),
            auth: AuthKind::parse(&row.auth)?,
            username: row.username.clone(),
            ca_file: row.ca_file.as_ref().map(PathBuf::from),
            is_default: row.is_default,
        })
    }

    pub fn to_row(&self) -> RegistryRow {
        RegistryRow {
            url: self.url.clone(),
            auth: self.auth.as_str().to_string(),
            username: self.username.clone(),
            ca_file: self
                .ca_file
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
            is_default: self.is_default,
        }
    }

    /// The keyring account this connection's secret is stored under.
    pub fn account(&self) -> String {
        match (&self.auth, &self.username) {
            (AuthKind::Basic, Some(user)) => format!("{user}@{}", self.url),
            _ => self.url.clone(),
        }
    }

    /// A client with the secret loaded from the keyring.
    pub fn client(&self, store: &SecretStore) -> Result<Client, RegistryError> {
        let auth = match self.auth {
            AuthKind::None => Auth::None,
            AuthKind::Basic | AuthKind::Bearer => {
                let secret = store.get(&self.account())?.ok_or_else(|| {
                    RegistryError::Invalid(format!(
                        "no secret for {} in the {} keyring: run `driftdeck registry login {}{}`",
                        self.url,
                        store.backend_name(),
                        self.url,
                        match (&self.auth, &self.username) {
                            (AuthKind::Basic, Some(u)) => format!(" --username {u}"),
                            _ => " --token".to_string(),
                        }
                    ))
                })?;
                match self.auth {
                    AuthKind::Basic => Auth::Basic {
                        username: self.username.clone().unwrap_or_default(),
                        password: secret,
                    },
                    _ => Auth::Bearer(secret),
                }
            }
        };
        Client::new(&self.url, auth, self.ca_file.as_deref())
    }
}

/// Checks and normalises a registry URL: `http` or `https`, a host, no credentials, query or
/// fragment in it; no trailing slash.
pub fn normalize_url(input: &str) -> Result<String, RegistryError> {
    let trimmed = input.trim();
    let bad = |why: &str| {
        RegistryError::Invalid(format!(
            "`{trimmed}` is not a registry URL: {why} (expected e.g. http://127.0.0.1:5000 or https://mlflow.example.com)"
        ))
    };
    if !trimmed.contains("://") {
        return Err(bad("it has no scheme (http:// or https://)"));
    }
    let url = reqwest::Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!("the scheme is `{}`", url.scheme())));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "it carries credentials; give the username with --username and the secret on stdin",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it has a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The connection for `url` (normalised), or the default one when `url` is `None`. A URL that
/// is not saved is used without authentication.
pub fn resolve(catalog: &Catalog, url: Option<&str>) -> Result<Connection, RegistryError> {
    let rows = catalog.registries()?;
    match url {
        Some(url) => {
            let url = normalize_url(url)?;
            match rows.iter().find(|r| r.url == url) {
                Some(row) => Connection::from_row(row),
                None => Ok(Connection {
                    url,
                    auth: AuthKind::None,
                    username: None,
                    ca_file: None,
                    is_default: false,
                }),
            }
        }
        None => {
            let row = rows.iter().find(|r| r.is_default).ok_or_else(|| {
                RegistryError::Invalid(
                    "no registry given and none saved: pass --registry URL or run `driftdeck registry login URL`"
                        .to_string(),
                )
            })?;
            Connection::from_row(row)
        }
    }
}

/// Saves a connection: with `verify`, first checks that the server answers and accepts the
/// credentials (nothing is saved when it does not); the secret goes to the OS keyring only.
pub fn login(
    catalog: &mut Catalog,
    store: &SecretStore,
    conn: &Connection,
    secret: Option<&str>,
    verify: bool,
) -> Result<(), RegistryError> {
    let secret = secret.filter(|s| !s.is_empty());
    if conn.auth != AuthKind::None && secret.is_none() {
        return Err(RegistryError::Invalid(format!(
            "{} authentication needs a secret",
            conn.auth.as_str()
        )));
    }
    if conn.auth == AuthKind::Basic && conn.username.as_deref().is_none_or(str::is_empty) {
        return Err(RegistryError::Invalid(
            "basic authentication needs a username".into(),
        ));
    }
    if verify {
        let auth = match (conn.auth, secret) {
            (AuthKind::Basic, Some(s)) => Auth::Basic {
                username: conn.username.clone().unwrap_or_default(),
                password: s.to_string(),
            },
            (AuthKind::Bearer, Some(s)) => Auth::Bearer(s.to_string()),
            _ => Auth::None,
        };
        Client::new(&conn.url, auth, conn.ca_file.as_deref())?.check_access()?;
    }
    if let Some(secret) = secret {
        store.set(&conn.account(), secret)?;
    }
    let now = crate::time::now_ms();
    catalog.save_registry(&conn.to_row(), conn.is_default, now)?;
    catalog.append_audit(
        now,
        &super::actor(),
        "login",
        &conn.url,
        None,
        None,
        &serde_json::json!({"auth": conn.auth.as_str(), "username": conn.username,
                            "keyring": store.backend_name(), "verified": verify}),
    )?;
    Ok(())
}

/// What to log in with: everything a login form or `driftdeck registry login` gathers.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoginRequest {
    pub url: String,
    /// `basic`, `bearer` or `none`.
    pub auth: String,
    pub username: Option<String>,
    /// The password or token; it goes to the OS keyring and nowhere else.
    pub secret: Option<String>,
    /// An extra root certificate (PEM) to trust for this registry.
    pub ca_file: Option<String>,
    /// Make it the default registry.
    #[serde(default)]
    pub make_default: bool,
    /// Check the credentials against the server before saving (the app always does).
    #[serde(default = "yes")]
    pub verify: bool,
}

fn yes() -> bool {
    true
}

/// A saved connection as the user sees it (never the secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionInfo {
    pub url: String,
    /// `basic`, `bearer` or `none`.
    pub auth: &'static str,
    pub username: Option<String>,
    pub ca_file: Option<String>,
    pub is_default: bool,
    /// Whether the keyring holds its secret.
    pub has_secret: bool,
    /// The keyring backend that holds it (e.g. `Secret Service`).
    pub keyring: &'static str,
}

/// Every saved connection, with whether its secret is in the keyring.
pub fn connections(
    catalog: &Catalog,
    store: &SecretStore,
) -> Result<Vec<ConnectionInfo>, RegistryError> {
    let mut out = Vec::new();
    for row in catalog.registries()? {
        let conn = Connection::from_row(&row)?;
        let has_secret = match conn.auth {
            AuthKind::None => false,
            _ => store.get(&conn.account())?.is_some(),
        };
        out.push(ConnectionInfo {
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

/// Logs in as `request` says: the URL normalised, blank fields as absent, the CA file checked,
/// the credentials checked against the server (with `verify`), the secret stored in the keyring
/// and the connection saved. Returns the saved connection.
pub fn login_with(
    catalog: &mut Catalog,
    store: &SecretStore,
    request: &LoginRequest,
) -> Result<ConnectionInfo, RegistryError> {
    let url = normalize_url(&request.url)?;
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let ca_file = given(&request.ca_file)
        .map(|c| ca_file(Path::new(&c)))
        .transpose()?;
    let conn = Connection {
        url: url.clone(),
        auth: AuthKind::parse(&request.auth)?,
        username: given(&request.username),
        ca_file,
        is_default: request.make_default,
    };
    login(
        catalog,
        store,
        &conn,
        request.secret.as_deref(),
        request.verify,
    )?;
    connections(catalog, store)?
        .into_iter()
        .find(|c| c.url == url)
        .ok_or_else(|| RegistryError::Local(format!("the connection to {url} was not saved")))
}

/// Forgets a connection and deletes its secret; returns whether a secret was deleted.
pub fn logout(
    catalog: &mut Catalog,
    store: &SecretStore,
    url: &str,
) -> Result<bool, RegistryError> {
    let url = normalize_url(url)?;
    let row = catalog
        .registries()?
        .into_iter()
        .find(|r| r.url == url)
        .ok_or_else(|| RegistryError::Invalid(format!("no saved connection to {url}")))?;
    let conn = Connection::from_row(&row)?;
    let deleted = match conn.auth {
        AuthKind::None => false,
        _ => store.delete(&conn.account())?,
    };
    catalog.remove_registry(&url)?;
    catalog.append_audit(
        crate::time::now_ms(),
        &super::actor(),
        "logout",
        &url,
        None,
        None,
        &serde_json::json!({}),
    )?;
    Ok(deleted)
}

/// An absolute path for a CA file, checked to exist.
pub fn ca_file(path: &Path) -> Result<PathBuf, RegistryError> {
    let abs = std::fs::canonicalize(path).map_err(|e| {
        RegistryError::Invalid(format!("CA certificate file {}: {e}", path.display()))
    })?;
    Ok(abs)
}

/// The web page of a model version on an MLflow server.
pub fn version_url(registry: &str, name: &str, version: &str) -> String {
    format!(
        "{registry}/#/models/{}/versions/{version}",
        super::client::encode_component(name)
    )
}

/// The web page of a registered model on an MLflow server.
pub fn model_url(registry: &str, name: &str) -> String {
    format!(
        "{registry}/#/models/{}",
        super::client::encode_component(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised_and_bad_ones_are_named() {
        assert_eq!(
            normalize_url(" http://127.0.0.1:5000/ ").unwrap(),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            normalize_url("https://mlflow.example.com/team/").unwrap(),
            "https://mlflow.example.com/team"
        );
        for (bad, why) in [
            ("127.0.0.1:5000", "scheme"),
            ("ftp://host", "scheme is `ftp`"),
            ("http://", "empty host"),
            ("http://u:p@host", "credentials"),
            ("http://host/?x=1", "query"),
            ("not a url", "no scheme"),
        ] {
            let err = normalize_url(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(err.contains("not a registry URL"), "{err}");
        }
    }

    #[test]
    fn version_links_point_at_the_mlflow_ui() {
        assert_eq!(
            version_url("http://h:1", "churn model", "3"),
            "http://h:1/#/models/churn%20model/versions/3"
        );
    }
}
