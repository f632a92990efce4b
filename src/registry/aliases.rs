//! Deployment aliases: `champion` and `challenger` by default (configurable in
//! `driftdeck.toml`). Promoting moves the champion alias to the challenger's version;
//! rolling back moves it to the previous champion. The champion's earlier versions are kept on
//! the registered model as a tag (`driftdeck.history.<alias>`, a JSON list), so a rollback
//! works from any teammate's machine; every move is appended to the audit log.

use std::path::Path;

use serde_json::json;

use crate::catalog::Catalog;
use crate::catalog::registry::RemoteModelRow;

use super::client::Client;
use super::connection;
use super::secret::SecretStore;
use super::{RegistryError, actor, remote};

/// Which way an alias moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum AliasMove {
    /// The champion alias to the challenger's version; the challenger alias removed.
    Promote,
    /// The champion alias back to the version it had before its last move.
    Rollback,
}

/// An alias move asked for by a user.
#[derive(Debug, Clone, Default)]
pub struct AliasRequest<'a> {
    /// The registry (`None`: the default connection).
    pub registry: Option<&'a str>,
    /// A folder whose `driftdeck.toml` names the aliases (the CLI's working folder).
    pub hint: Option<&'a Path>,
    /// Names given explicitly (CLI flags), over the policy's.
    pub champion: Option<String>,
    pub challenger: Option<String>,
}

impl<'a> AliasRequest<'a> {
    /// A move on `registry` (`None`: the default) with the policy's alias names.
    pub fn on(registry: Option<&'a str>) -> AliasRequest<'a> {
        AliasRequest {
            registry,
            ..AliasRequest::default()
        }
    }
}

/// Promotes or rolls back `name`'s aliases with the names its policy gives
/// ([`names_for`](super::alias_names::names_for));
/// the one entry the CLI's `alias promote|rollback` and the app's buttons share.
pub fn move_alias(
    catalog: &mut Catalog,
    store: &SecretStore,
    name: &str,
    action: AliasMove,
    request: &AliasRequest<'_>,
) -> Result<remote::RemoteModelJson, RegistryError> {
    let conn = connection::resolve(catalog, request.registry)?;
    let client = conn.client(store)?;
    let mut names = super::alias_names::names_for(catalog, request.hint, &conn.url, name)?;
    if let Some(c) = &request.champion {
        names.champion = c.clone();
    }
    if let Some(c) = &request.challenger {
        names.challenger = c.clone();
    }
    let row = match action {
        AliasMove::Promote => promote(&client, catalog, name, &names.champion, &names.challenger)?,
        AliasMove::Rollback => rollback(&client, catalog, name, &names.champion)?,
    };
    let mut shown = remote::to_json(catalog, std::slice::from_ref(&row))?.remove(0);
    // The names used for this move (flags may have overridden the policy's).
    shown.alias_names = names;
    Ok(shown)
}

/// The registered-model tag that holds an alias's earlier versions.
pub fn history_tag(alias: &str) -> String {
    format!("driftdeck.history.{alias}")
}

fn history(model: &super::client::RegisteredModel, alias: &str) -> Vec<String> {
    model
        .tag(&history_tag(alias))
        .and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
        .unwrap_or_default()
}

/// Records an alias move of model `name` in `registry` in the audit log: `details` with the
/// registry and the name added.
fn audit(
    catalog: &mut Catalog,
    action: &str,
    (registry, name): (&str, &str),
    content_hash: Option<&str>,
    mut details: serde_json::Value,
) -> Result<(), RegistryError> {
    details["registry"] = json!(registry);
    details["name"] = json!(name);
    let (at, who, about) = (crate::time::now_ms(), actor(), subject(registry, name));
    catalog.append_audit(at, &who, action, &about, content_hash, None, &details)?;
    Ok(())
}

fn subject(registry: &str, name: &str) -> String {
    format!("{registry}#{name}")
}

/// Points `alias` of `name` at `version`; when it moves the champion, the version it pointed
/// at before goes on the history. Returns the previous version.
#[allow(clippy::too_many_arguments)]
pub fn point(
    client: &Client,
    catalog: &mut Catalog,
    registry: &str,
    name: &str,
    alias: &str,
    version: &str,
    champion: &str,
    reason: &str,
    content_hash: Option<&str>,
) -> Result<Option<String>, RegistryError> {
    let model = client.existing_model(name)?;
    let previous = model.alias(alias).map(String::from);
    if previous.as_deref() == Some(version) {
        return Ok(previous);
    }
    client.set_alias(name, alias, version)?;
    if alias == champion
        && let Some(prev) = &previous
    {
        let mut past = history(&model, alias);
        past.push(prev.clone());
        let keep = past.len().saturating_sub(20);
        client.set_model_tag(name, &history_tag(alias), &json!(past[keep..]).to_string())?;
    }
    let details =
        json!({"alias": alias, "version": version, "previous": previous, "reason": reason});
    audit(catalog, "alias", (registry, name), content_hash, details)?;
    Ok(previous)
}

/// Moves `champion` to the version `challenger` points at, and removes `challenger`.
pub fn promote(
    client: &Client,
    catalog: &mut Catalog,
    name: &str,
    champion: &str,
    challenger: &str,
) -> Result<RemoteModelRow, RegistryError> {
    let registry = client.url();
    let model = client.existing_model(name)?;
    let target = model.alias(challenger).map(String::from).ok_or_else(|| {
        RegistryError::Invalid(format!(
            "`{name}` has no `{challenger}` alias to promote (publish a version with --alias {challenger})"
        ))
    })?;
    let previous = point(
        client, catalog, &registry, name, champion, &target, champion, "promote", None,
    )?;
    client.delete_alias(name, challenger)?;
    let details = json!({"alias": champion, "version": target, "previous": previous,
                         "from_alias": challenger});
    audit(catalog, "promote", (&registry, name), None, details)?;
    remote::pull_one(catalog, client, name)
}

/// Moves `champion` back to the version it pointed at before its last move.
pub fn rollback(
    client: &Client,
    catalog: &mut Catalog,
    name: &str,
    champion: &str,
) -> Result<RemoteModelRow, RegistryError> {
    let registry = client.url();
    let model = client.existing_model(name)?;
    let mut past = history(&model, champion);
    let target = past.pop().ok_or_else(|| {
        RegistryError::Invalid(format!(
            "`{name}` has no earlier `{champion}` recorded to roll back to"
        ))
    })?;
    let current = model.alias(champion).map(String::from);
    client.set_alias(name, champion, &target)?;
    client.set_model_tag(name, &history_tag(champion), &json!(past).to_string())?;
    let details = json!({"alias": champion, "version": target, "previous": current});
    audit(catalog, "rollback", (&registry, name), None, details)?;
    remote::pull_one(catalog, client, name)
}
