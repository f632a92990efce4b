//! Which deployment alias names a registered model uses: those of the `driftdeck.toml` that
//! governs it, found through the catalog (the project it was published from, or the project
//! whose policy names its registry). Aliases are moved in [`super::aliases`]; pulled models
//! carry their names in [`super::remote`].

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::policy::Policy;

use super::RegistryError;
use super::connection::normalize_url;

/// The deployment alias names of a registered model, and the policy file they came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AliasNames {
    pub champion: String,
    pub challenger: String,
    /// The `driftdeck.toml` that named them; `None`: the defaults.
    pub policy: Option<String>,
}

impl AliasNames {
    fn of(policy: &Policy) -> AliasNames {
        let (champion, challenger) = policy.alias_names();
        AliasNames {
            champion,
            challenger,
            policy: Some(policy.path.display().to_string()),
        }
    }
}

/// The alias names for `name` in `registry`: those of the `driftdeck.toml` that governs it.
/// That is the policy in `hint` when it has one (the CLI's working folder); else the policy of
/// the project a version of `name` was published to `registry` from (the audit log says which);
/// else that of a project whose policy names `registry` as its registry; else `champion` and
/// `challenger`. A policy that cannot be read is an error (naming the file), not a silent default.
pub fn names_for(
    catalog: &Catalog,
    hint: Option<&Path>,
    registry: &str,
    name: &str,
) -> Result<AliasNames, RegistryError> {
    if let Some(policy) = hint.map(Policy::load).transpose()?.flatten() {
        return Ok(AliasNames::of(&policy));
    }
    let projects = catalog.projects()?;
    let project_of = |path: &Path| -> Option<PathBuf> {
        projects
            .iter()
            .map(|p| p.path.clone())
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.as_os_str().len())
    };
    let published_from: Option<PathBuf> = catalog
        .audit_log(None, None)?
        .iter()
        .rev()
        .filter(|e| e.action == "publish")
        .filter(|e| e.details["registry"] == registry && e.details["name"] == name)
        .find_map(|e| project_of(Path::new(&e.subject)));
    if let Some(root) = published_from
        && let Some(policy) = Policy::load(&root)?
    {
        return Ok(AliasNames::of(&policy));
    }
    for project in &projects {
        // A project whose policy cannot be read says nothing about other registries.
        let Ok(Some(policy)) = Policy::load(&project.path) else {
            continue;
        };
        let names_registry = policy
            .registry
            .url
            .as_deref()
            .and_then(|u| normalize_url(u).ok())
            .is_some_and(|u| u == registry);
        if names_registry {
            return Ok(AliasNames::of(&policy));
        }
    }
    Ok(AliasNames {
        champion: "champion".into(),
        challenger: "challenger".into(),
        policy: None,
    })
}
