//! Pulling a registry's models, versions and aliases into the catalog (`remote_models`), so
//! the app and `driftdeck registry models` list them offline.

use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::catalog::registry::RemoteModelRow;

use super::RegistryError;
use super::client::{Client, ModelVersion, RegisteredModel};
use super::connection::{model_url, version_url};

fn tags_object<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>) -> Value {
    let mut map = Map::new();
    for (k, v) in tags {
        map.insert(k.to_string(), json!(v));
    }
    Value::Object(map)
}

/// A pulled model as stored.
pub fn to_row(
    registry: &str,
    model: &RegisteredModel,
    mut versions: Vec<ModelVersion>,
    now_ms: i64,
) -> RemoteModelRow {
    versions.sort_by_key(|v| std::cmp::Reverse(v.version.parse::<u64>().unwrap_or(0)));
    let aliases = tags_object(
        model
            .aliases
            .iter()
            .map(|a| (a.alias.as_str(), a.version.as_str())),
    );
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            let on_version: Vec<&str> = model
                .aliases
                .iter()
                .filter(|a| a.version == v.version)
                .map(|a| a.alias.as_str())
                .collect();
            json!({
                "version": v.version,
                "status": v.status,
                "source": v.source,
                "run_id": v.run_id.as_deref().filter(|r| !r.is_empty()),
                "description": v.description.as_deref().filter(|d| !d.is_empty()),
                "tags": tags_object(v.tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))),
                "aliases": on_version,
                "created_ms": v.creation_timestamp,
                "url": version_url(registry, &model.name, &v.version),
            })
        })
        .collect();
    RemoteModelRow {
        registry: registry.to_string(),
        name: model.name.clone(),
        description: model.description.clone().filter(|d| !d.is_empty()),
        tags: tags_object(
            model
                .tags
                .iter()
                .map(|t| (t.key.as_str(), t.value.as_str())),
        ),
        aliases,
        versions: Value::Array(versions),
        pulled_ms: now_ms,
    }
}

/// Lists every registered model with its versions and aliases, and stores them.
pub fn pull(catalog: &mut Catalog, client: &Client) -> Result<Vec<RemoteModelRow>, RegistryError> {
    let registry = client.url();
    let now = crate::time::now_ms();
    let mut rows = Vec::new();
    for listed in client.registered_models()? {
        // Search results may lack aliases; `get` has them.
        let model = client.registered_model(&listed.name)?.unwrap_or(listed);
        let versions = client.versions(&model.name)?;
        rows.push(to_row(&registry, &model, versions, now));
    }
    catalog.save_remote_models(&registry, &rows)?;
    Ok(rows)
}

/// Pulls one model again (after an alias move) and stores it.
pub fn pull_one(
    catalog: &mut Catalog,
    client: &Client,
    name: &str,
) -> Result<RemoteModelRow, RegistryError> {
    let registry = client.url();
    let model = client.registered_model(name)?.ok_or_else(|| {
        RegistryError::Invalid(format!(
            "the registry {registry} has no model named `{name}`"
        ))
    })?;
    let versions = client.versions(name)?;
    let row = to_row(&registry, &model, versions, crate::time::now_ms());
    catalog.save_remote_model(&row)?;
    Ok(row)
}

/// The web page of a pulled model.
pub fn url_of(row: &RemoteModelRow) -> String {
    model_url(&row.registry, &row.name)
}
