//! Pulling a registry's models, versions and aliases into the catalog (`remote_models`), so
//! the app and `driftdeck registry models` list them offline.

use std::collections::BTreeMap;

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

/// A version of a pulled model, as stored in the catalog (newest first).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoteVersion {
    pub version: String,
    pub status: Option<String>,
    pub source: Option<String>,
    pub run_id: Option<String>,
    pub description: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// The aliases that point at this version.
    pub aliases: Vec<String>,
    pub created_ms: Option<i64>,
    /// The version's page in the registry.
    pub url: String,
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
            let version = RemoteVersion {
                version: v.version.clone(),
                status: v.status.clone(),
                source: v.source.clone(),
                run_id: v.run_id.clone().filter(|r| !r.is_empty()),
                description: v.description.clone().filter(|d| !d.is_empty()),
                tags: v
                    .tags
                    .iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect(),
                aliases: on_version.iter().map(|a| a.to_string()).collect(),
                created_ms: v.creation_timestamp,
                url: version_url(registry, &model.name, &v.version),
            };
            serde_json::to_value(version).unwrap_or(Value::Null)
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

/// Pulls every model of `registry` (`None`: the default connection) into the catalog, signing in
/// with the keyring's secret; returns them as users see them.
pub fn pull_from(
    catalog: &mut Catalog,
    store: &super::secret::SecretStore,
    registry: Option<&str>,
) -> Result<Vec<RemoteModelJson>, RegistryError> {
    let registry = registry.filter(|r| !r.trim().is_empty());
    let client = super::connection::resolve(catalog, registry)?.client(store)?;
    let rows = pull(catalog, &client)?;
    to_json(catalog, &rows)
}

/// Pulls one model again (after an alias move) and stores it.
pub fn pull_one(
    catalog: &mut Catalog,
    client: &Client,
    name: &str,
) -> Result<RemoteModelRow, RegistryError> {
    let registry = client.url();
    let model = client.existing_model(name)?;
    let versions = client.versions(name)?;
    let row = to_row(&registry, &model, versions, crate::time::now_ms());
    catalog.save_remote_model(&row)?;
    Ok(row)
}

/// A pulled registered model as users see it: `registry models --json` and the app's list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoteModelJson {
    pub registry: String,
    pub name: String,
    pub description: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = BTreeMap<String, String>))]
    pub tags: Value,
    /// Alias -> version.
    #[cfg_attr(feature = "specta", specta(type = BTreeMap<String, String>))]
    pub aliases: Value,
    /// Newest first.
    #[cfg_attr(feature = "specta", specta(type = Vec<RemoteVersion>))]
    pub versions: Value,
    pub pulled_ms: i64,
    /// The model's page in the registry.
    pub url: String,
    /// The deployment alias names its policy gives (promote and roll back move these).
    pub alias_names: super::alias_names::AliasNames,
}

/// `rows` as users see them, each with the alias names its policy gives.
pub fn to_json(
    catalog: &Catalog,
    rows: &[RemoteModelRow],
) -> Result<Vec<RemoteModelJson>, RegistryError> {
    rows.iter()
        .map(|r| {
            Ok(RemoteModelJson {
                registry: r.registry.clone(),
                name: r.name.clone(),
                description: r.description.clone(),
                tags: r.tags.clone(),
                aliases: r.aliases.clone(),
                versions: r.versions.clone(),
                pulled_ms: r.pulled_ms,
                url: url_of(r),
                alias_names: super::alias_names::names_for(catalog, None, &r.registry, &r.name)?,
            })
        })
        .collect()
}

/// The registry models last pulled (no network), of one registry or all.
pub fn list(
    catalog: &Catalog,
    registry: Option<&str>,
) -> Result<Vec<RemoteModelJson>, RegistryError> {
    let url = registry
        .filter(|r| !r.trim().is_empty())
        .map(super::connection::normalize_url)
        .transpose()?;
    to_json(catalog, &catalog.remote_models(url.as_deref())?)
}

/// The web page of a pulled model.
pub fn url_of(row: &RemoteModelRow) -> String {
    model_url(&row.registry, &row.name)
}
