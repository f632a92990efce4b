//! The project's policy file, `driftdeck.toml` in the project folder: the gates a model must pass
//! before it is approved (metric thresholds on its source run, the largest share of drifted
//! columns between a named reference dataset and the current data, fairness limits on a
//! predictions file), and the registry and alias names to publish with. The approval checklist
//! (`registry::checklist`) and the drift alerts beside the watcher (`watch::alerts`) both read it.
//!
//! ```toml
//! [metrics]
//! "val/auc" = { min = 0.75 }
//! "val/loss" = { max = 0.5 }
//!
//! [drift]
//! reference = "data/reference.csv"   # relative to this file
//! current = "data/current.csv"
//! max_share = 0.3                    # at most 30% of the columns may drift
//!
//! [fairness]
//! data = "data/predictions.csv"
//! label = "label"
//! prediction = "prediction"
//! sensitive = ["sex", "age_group"]
//! max_difference = 0.1               # Fairlearn-style between-groups differences
//! min_ratio = 0.8                    # and ratios (four-fifths rule)
//!
//! [registry]
//! url = "https://mlflow.example.com" # the default registry for this project
//! experiment = "driftdeck"           # where published runs and logged models go
//! champion = "champion"              # deployment alias names
//! challenger = "challenger"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Classify, ErrorCode};

/// A policy file that cannot be read or is not valid: the file is named, and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl Classify for PolicyError {
    fn code(&self) -> ErrorCode {
        ErrorCode::BadInput
    }
}

/// The policy file's name, in the project folder.
pub const POLICY_FILE: &str = "driftdeck.toml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DriftRule {
    pub reference: PathBuf,
    pub current: PathBuf,
    #[serde(default = "default_max_share")]
    pub max_share: f64,
    pub columns: Option<Vec<String>>,
}

fn default_max_share() -> f64 {
    0.5
}

impl DriftRule {
    /// Whether a report of this rule's files breaks it (more than `max_share` of the columns
    /// drifted). The approval checklist and the drift alerts both judge by this.
    pub fn is_broken_by(&self, report: &crate::drift::DriftReport) -> bool {
        report.share_drifted > self.max_share
    }

    /// The options this rule compares its files with.
    pub fn options(&self) -> crate::drift::DriftOptions {
        crate::drift::DriftOptions {
            columns: self.columns.clone(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FairnessRule {
    pub data: PathBuf,
    pub label: String,
    pub prediction: String,
    pub sensitive: Vec<String>,
    pub positive_label: Option<String>,
    pub max_difference: Option<f64>,
    pub min_ratio: Option<f64>,
    pub min_group_size: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RegistryRule {
    pub url: Option<String>,
    pub experiment: Option<String>,
    pub champion: Option<String>,
    pub challenger: Option<String>,
}

/// A parsed policy file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricRule>,
    pub drift: Option<DriftRule>,
    pub fairness: Option<FairnessRule>,
    #[serde(default)]
    pub registry: RegistryRule,
}

impl Policy {
    /// Reads `dir/driftdeck.toml`; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Policy>, PolicyError> {
        let path = dir.join(POLICY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(PolicyError(format!("cannot read {}: {e}", path.display())));
            }
        };
        let mut policy: Policy = toml::from_str(&text)
            .map_err(|e| PolicyError(format!("{} is not a valid policy: {e}", path.display())))?;
        for (name, rule) in &policy.metrics {
            if rule.min.is_none() && rule.max.is_none() {
                return Err(PolicyError(format!(
                    "{}: metric `{name}` needs `min` or `max`",
                    path.display()
                )));
            }
        }
        policy.path = path;
        Ok(Some(policy))
    }

    /// A path of the policy, resolved against the folder of its file.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join(p)
    }

    /// The `[drift]` rule with its reference and current files resolved against the project.
    pub fn drift_files(&self) -> Option<(&DriftRule, PathBuf, PathBuf)> {
        self.drift.as_ref().map(|rule| {
            (
                rule,
                self.resolve(&rule.reference),
                self.resolve(&rule.current),
            )
        })
    }

    /// The deployment alias names: (champion, challenger).
    pub fn alias_names(&self) -> (String, String) {
        (
            self.registry
                .champion
                .clone()
                .unwrap_or_else(|| "champion".to_string()),
            self.registry
                .challenger
                .clone()
                .unwrap_or_else(|| "challenger".to_string()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_with_an_unknown_key_or_an_empty_rule_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(POLICY_FILE),
            "[metrics]\nauc = { minimum = 0.7 }\n",
        )
        .unwrap();
        let err = Policy::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("driftdeck.toml") && err.contains("minimum"),
            "{err}"
        );
        std::fs::write(dir.path().join(POLICY_FILE), "[metrics]\nauc = {}\n").unwrap();
        let err = Policy::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("needs `min` or `max`"), "{err}");
        std::fs::write(
            dir.path().join(POLICY_FILE),
            "[metrics]\nauc = { min = 0.7 }\n[registry]\nchampion = \"prod\"\n",
        )
        .unwrap();
        let policy = Policy::load(dir.path()).unwrap().unwrap();
        assert_eq!(policy.metrics["auc"].min, Some(0.7));
        assert_eq!(policy.alias_names(), ("prod".into(), "challenger".into()));
        assert!(Policy::load(&dir.path().join("none")).unwrap().is_none());
    }
}
