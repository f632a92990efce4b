//! The project's approval policy (`driftdeck.toml` in the project folder) and the checklist it
//! gives a model: metric thresholds on the model's source run, the largest share of drifted
//! columns allowed between a named reference dataset and the current data, fairness limits on a
//! predictions file. The drift and fairness reports the checks produce are kept as evidence
//! (JSON and HTML in the catalog's cache folder, never in the project) and attached when the
//! model is published.
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

use serde::{Deserialize, Serialize};

use super::RegistryError;
use super::model::ModelRef;

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
    /// drifted). The approval checklist and the app's drift alerts both judge by this.
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
    pub fn load(dir: &Path) -> Result<Option<Policy>, RegistryError> {
        let path = dir.join(POLICY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(RegistryError::Invalid(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let mut policy: Policy = toml::from_str(&text).map_err(|e| {
            RegistryError::Invalid(format!("{} is not a valid policy: {e}", path.display()))
        })?;
        for (name, rule) in &policy.metrics {
            if rule.min.is_none() && rule.max.is_none() {
                return Err(RegistryError::Invalid(format!(
                    "{}: metric `{name}` needs `min` or `max`",
                    path.display()
                )));
            }
        }
        policy.path = path;
        Ok(Some(policy))
    }

    /// The policy of a model's project, if it has one.
    pub fn for_model(model: &ModelRef) -> Result<Option<Policy>, RegistryError> {
        match &model.project_root {
            Some(root) => Policy::load(root),
            None => Ok(None),
        }
    }

    fn resolve(&self, p: &Path) -> PathBuf {
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

/// pass | fail | error (could not be evaluated, which blocks like a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Error,
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub id: String,
    pub label: String,
    /// metric | drift | fairness | file
    pub kind: &'static str,
    pub status: CheckStatus,
    pub expected: String,
    pub actual: Option<String>,
    pub detail: Option<String>,
}

/// A report produced by a check, kept to attach to the published version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The file name it is published under (in the run's `driftdeck/` folder).
    pub name: String,
    pub path: PathBuf,
}

/// A model's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checklist {
    /// The policy file, `None` when the project has none (then only the file check runs).
    pub policy: Option<PathBuf>,
    pub checks: Vec<Check>,
    pub all_passed: bool,
    pub evidence: Vec<Evidence>,
    /// Content hashes of the datasets the checks read, by role (`drift.reference`, …).
    pub datasets: BTreeMap<String, String>,
}

/// Resolves `reference` (a catalog model id or a path), reads its project's policy and runs the
/// checklist, keeping the reports as evidence beside the catalog.
pub fn check_model(
    catalog: &crate::catalog::Catalog,
    reference: &str,
) -> Result<(ModelRef, Option<Policy>, Checklist), RegistryError> {
    let model = super::model::resolve(catalog, reference)?;
    let policy = Policy::for_model(&model)?;
    let dir = super::approval::evidence_dir(catalog, &model.content_hash);
    let checklist = evaluate(&model, policy.as_ref(), &dir);
    Ok((model, policy, checklist))
}

/// Runs every check of `policy` on `model`, writing reports into `evidence_dir`.
pub fn evaluate(model: &ModelRef, policy: Option<&Policy>, evidence_dir: &Path) -> Checklist {
    let mut checks = vec![Check {
        id: "files".into(),
        label: "Model files readable".into(),
        kind: "file",
        status: CheckStatus::Pass,
        expected: "every file readable".into(),
        actual: Some(format!(
            "{} file{}, {} bytes",
            model.files.len(),
            if model.files.len() == 1 { "" } else { "s" },
            model.bytes
        )),
        detail: Some(format!("content hash {}", &model.content_hash)),
    }];
    let mut evidence = Vec::new();
    let mut datasets = BTreeMap::new();
    if let Some(policy) = policy {
        for (name, rule) in &policy.metrics {
            checks.push(metric_check(model, name, rule));
        }
        if let Some(rule) = &policy.drift {
            checks.push(drift_check(
                policy,
                rule,
                evidence_dir,
                &mut evidence,
                &mut datasets,
            ));
        }
        if let Some(rule) = &policy.fairness {
            checks.push(fairness_check(
                policy,
                rule,
                evidence_dir,
                &mut evidence,
                &mut datasets,
            ));
        }
        let checklist_json = evidence_dir.join("checklist.json");
        if write_evidence(
            &checklist_json,
            serde_json::to_string_pretty(&checks)
                .unwrap_or_default()
                .as_bytes(),
        )
        .is_ok()
        {
            evidence.push(Evidence {
                name: "checklist.json".into(),
                path: checklist_json,
            });
        }
    }
    let all_passed = checks.iter().all(|c| c.status == CheckStatus::Pass);
    Checklist {
        policy: policy.map(|p| p.path.clone()),
        checks,
        all_passed,
        evidence,
        datasets,
    }
}

fn bounds_text(rule: &MetricRule) -> String {
    match (rule.min, rule.max) {
        (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
        (Some(lo), None) => format!(">= {lo}"),
        (None, Some(hi)) => format!("<= {hi}"),
        (None, None) => "any".into(),
    }
}

fn metric_check(model: &ModelRef, name: &str, rule: &MetricRule) -> Check {
    let mut check = Check {
        id: format!("metric:{name}"),
        label: format!("Metric {name}"),
        kind: "metric",
        status: CheckStatus::Error,
        expected: bounds_text(rule),
        actual: None,
        detail: None,
    };
    let Some(run) = &model.source_run else {
        check.detail = Some(
            "the catalog knows no run that produced this model, so its metrics are unknown".into(),
        );
        return check;
    };
    let Some(&value) = run.metrics.get(name) else {
        check.detail = Some(format!(
            "run {} has no metric `{name}` (it has: {})",
            run.external_id,
            run.metrics.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        return check;
    };
    check.actual = Some(format!("{value}"));
    let ok = !value.is_nan()
        && rule.min.is_none_or(|lo| value >= lo)
        && rule.max.is_none_or(|hi| value <= hi);
    check.status = if ok {
        CheckStatus::Pass
    } else {
        CheckStatus::Fail
    };
    check.detail = Some(format!("final value in run {}", run.external_id));
    check
}

fn write_evidence(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}

fn keep(
    evidence_dir: &Path,
    name: &str,
    bytes: &[u8],
    evidence: &mut Vec<Evidence>,
) -> Result<(), String> {
    let path = evidence_dir.join(name);
    write_evidence(&path, bytes).map_err(|e| format!("cannot keep {}: {e}", path.display()))?;
    evidence.push(Evidence {
        name: name.to_string(),
        path,
    });
    Ok(())
}

fn drift_check(
    policy: &Policy,
    rule: &DriftRule,
    evidence_dir: &Path,
    evidence: &mut Vec<Evidence>,
    datasets: &mut BTreeMap<String, String>,
) -> Check {
    let reference = policy.resolve(&rule.reference);
    let current = policy.resolve(&rule.current);
    let mut check = Check {
        id: "drift".into(),
        label: format!(
            "Drift of {} against {}",
            rule.current.display(),
            rule.reference.display()
        ),
        kind: "drift",
        status: CheckStatus::Error,
        expected: format!("share of drifted columns <= {}", rule.max_share),
        actual: None,
        detail: None,
    };
    match crate::drift::compare::compare(&reference, &current, &rule.options(), &|_| {}) {
        Ok(report) => {
            datasets.insert("drift.reference".into(), report.reference.hash.clone());
            datasets.insert("drift.current".into(), report.current.hash.clone());
            check.actual = Some(format!(
                "{:.3} ({} of {} columns drifted)",
                report.share_drifted, report.drifted_columns, report.tested_columns
            ));
            let drifted: Vec<&str> = report
                .columns
                .iter()
                .filter(|c| c.drifted)
                .map(|c| c.column.as_str())
                .collect();
            check.detail = Some(if drifted.is_empty() {
                "no column drifted".into()
            } else {
                format!("drifted: {}", drifted.join(", "))
            });
            check.status = if rule.is_broken_by(&report) {
                CheckStatus::Fail
            } else {
                CheckStatus::Pass
            };
            let json = serde_json::to_vec_pretty(&report).unwrap_or_default();
            let html = crate::report::drift::html(&report);
            if let Err(e) = keep(evidence_dir, "drift.json", &json, evidence)
                .and_then(|_| keep(evidence_dir, "drift.html", html.as_bytes(), evidence))
            {
                check.detail = Some(e);
            }
        }
        Err(e) => check.detail = Some(e.to_string()),
    }
    check
}

fn fairness_check(
    policy: &Policy,
    rule: &FairnessRule,
    evidence_dir: &Path,
    evidence: &mut Vec<Evidence>,
    datasets: &mut BTreeMap<String, String>,
) -> Check {
    let data = policy.resolve(&rule.data);
    let mut request = crate::fairness::check::FairnessRequest::new(
        data,
        rule.label.clone(),
        rule.prediction.clone(),
        rule.sensitive.clone(),
    );
    request.positive_label = rule.positive_label.clone();
    if let Some(d) = rule.max_difference {
        request.max_difference = d;
    }
    if let Some(r) = rule.min_ratio {
        request.min_ratio = r;
    }
    if let Some(n) = rule.min_group_size {
        request.min_group_size = n;
    }
    let mut check = Check {
        id: "fairness".into(),
        label: format!(
            "Fairness across {} in {}",
            rule.sensitive.join(" × "),
            rule.data.display()
        ),
        kind: "fairness",
        status: CheckStatus::Error,
        expected: format!(
            "between-groups differences <= {} and ratios >= {}",
            request.max_difference, request.min_ratio
        ),
        actual: None,
        detail: None,
    };
    match crate::fairness::run(&request) {
        Ok(result) => {
            datasets.insert("fairness.data".into(), result.data.hash.clone());
            let violated: Vec<String> = result
                .groupings
                .iter()
                .flat_map(|g| {
                    g.disparities
                        .iter()
                        .filter(|d| d.violated == Some(true))
                        .map(move |d| {
                            format!(
                                "{} {} = {}",
                                g.columns.join(" × "),
                                d.name,
                                d.value.map(|v| format!("{v:.3}")).unwrap_or_default()
                            )
                        })
                })
                .collect();
            check.actual = Some(format!("{} violation(s)", result.violations));
            check.detail = Some(if violated.is_empty() {
                "every disparity within the limits".into()
            } else {
                violated.join("; ")
            });
            check.status = if result.passed {
                CheckStatus::Pass
            } else {
                CheckStatus::Fail
            };
            let json = serde_json::to_vec_pretty(&result).unwrap_or_default();
            let html = crate::report::fairness::html(&result);
            if let Err(e) = keep(evidence_dir, "fairness.json", &json, evidence)
                .and_then(|_| keep(evidence_dir, "fairness.html", html.as_bytes(), evidence))
            {
                check.detail = Some(e);
            }
        }
        Err(e) => check.detail = Some(e.to_string()),
    }
    check
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
