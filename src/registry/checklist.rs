//! The checklist a model's project policy gives it: the files are readable, each metric of the
//! source run is within its bounds, the current data has not drifted past the policy's share
//! against its reference, the predictions are fair within its limits. The drift and fairness
//! reports the checks produce are kept as evidence (JSON and HTML in the catalog's cache folder,
//! never in the project) and attached when the model is published.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::catalog::Catalog;
use crate::policy::{DriftRule, FairnessRule, MetricRule, Policy};

use super::RegistryError;
use super::model::ModelRef;

/// pass | fail | error (could not be evaluated, which blocks like a failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Error,
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    /// The file name it is published under (in the run's `driftdeck/` folder).
    pub name: String,
    pub path: PathBuf,
}

/// A model's checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Checklist {
    /// The policy file, `None` when the project has none (then only the file check runs).
    pub policy: Option<PathBuf>,
    pub checks: Vec<Check>,
    pub all_passed: bool,
    pub evidence: Vec<Evidence>,
    /// Content hashes of the datasets the checks read, by role (`drift.reference`, …).
    pub datasets: BTreeMap<String, String>,
}

/// The folder the evidence of one content hash is kept in (beside the catalog, never in the
/// project).
pub fn evidence_dir(catalog: &Catalog, content_hash: &str) -> PathBuf {
    catalog.cache_dir().join("evidence").join(content_hash)
}

/// Resolves `reference` (a catalog model id or a path), reads its project's policy and runs the
/// checklist, keeping the reports as evidence beside the catalog.
pub fn check_model(
    catalog: &Catalog,
    reference: &str,
) -> Result<(ModelRef, Option<Policy>, Checklist), RegistryError> {
    let model = super::model::resolve(catalog, reference)?;
    let policy = match &model.project_root {
        Some(root) => Policy::load(root)?,
        None => None,
    };
    let dir = evidence_dir(catalog, &model.content_hash);
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
            run.run_id,
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
    check.detail = Some(format!("final value in run {}", run.run_id));
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
    let mut request = crate::fairness::FairnessRequest::new(
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
