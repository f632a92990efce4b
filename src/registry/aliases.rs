//! Deployment aliases: `champion` and `challenger` by default (configurable in
//! `driftdeck.toml`). Promoting moves the champion alias to the challenger's version;
//! rolling back moves it to the previous champion. The champion's earlier versions are kept on
//! the registered model as a tag (`driftdeck.history.<alias>`, a JSON list), so a rollback
//! works from any teammate's machine; every move is appended to the audit log.

use serde_json::json;

use crate::catalog::Catalog;
use crate::catalog::registry::RemoteModelRow;

use super::client::Client;
use super::{RegistryError, actor, remote};

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
    let model = client.registered_model(name)?.ok_or_else(|| {
        RegistryError::Invalid(format!(
            "the registry {registry} has no model named `{name}`"
        ))
    })?;
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
    catalog.append_audit(
        crate::time::now_ms(),
        &actor(),
        "alias",
        &subject(registry, name),
        content_hash,
        None,
        &json!({"registry": registry, "name": name, "alias": alias, "version": version,
                "previous": previous, "reason": reason}),
    )?;
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
    let model = client.registered_model(name)?.ok_or_else(|| {
        RegistryError::Invalid(format!(
            "the registry {registry} has no model named `{name}`"
        ))
    })?;
    let target = model.alias(challenger).map(String::from).ok_or_else(|| {
        RegistryError::Invalid(format!(
            "`{name}` has no `{challenger}` alias to promote (publish a version with --alias {challenger})"
        ))
    })?;
    let previous = point(
        client, catalog, &registry, name, champion, &target, champion, "promote", None,
    )?;
    client.delete_alias(name, challenger)?;
    catalog.append_audit(
        crate::time::now_ms(),
        &actor(),
        "promote",
        &subject(&registry, name),
        None,
        None,
        &json!({"registry": registry, "name": name, "alias": champion, "version": target,
                "previous": previous, "from_alias": challenger}),
    )?;
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
    let model = client.registered_model(name)?.ok_or_else(|| {
        RegistryError::Invalid(format!(
            "the registry {registry} has no model named `{name}`"
        ))
    })?;
    let mut past = history(&model, champion);
    let target = past.pop().ok_or_else(|| {
        RegistryError::Invalid(format!(
            "`{name}` has no earlier `{champion}` recorded to roll back to"
        ))
    })?;
    let current = model.alias(champion).map(String::from);
    client.set_alias(name, champion, &target)?;
    client.set_model_tag(name, &history_tag(champion), &json!(past).to_string())?;
    catalog.append_audit(
        crate::time::now_ms(),
        &actor(),
        "rollback",
        &subject(&registry, name),
        None,
        None,
        &json!({"registry": registry, "name": name, "alias": champion, "version": target,
                "previous": current}),
    )?;
    remote::pull_one(catalog, client, name)
}
