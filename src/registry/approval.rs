//! Approvals: a person approves or rejects a model's exact content, with a note; approving
//! past a failed check takes an explicit override note. Every decision is appended to the
//! catalog's audit log (who, when, the note, the checklist's failures); a model's status is
//! read back from the log for its content hash, so changed files are a new candidate.

use serde::Serialize;
use serde_json::json;

use crate::catalog::Catalog;

use super::RegistryError;
use super::checklist::{self, Check, CheckStatus, Checklist, Evidence};
use super::model::ModelRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
}

/// The latest decision on a content hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Approval {
    /// `approved` or `rejected`.
    pub decision: String,
    pub actor: String,
    pub at_ms: i64,
    pub note: String,
    pub override_note: Option<String>,
    pub content_hash: String,
}

/// A version this content was published as.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Publication {
    pub registry: String,
    pub name: String,
    pub version: String,
    pub url: String,
    pub at_ms: i64,
}

/// Where a model can stand (what `status` holds).
#[cfg(feature = "specta")]
#[derive(Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)] // it types the `status` fields for the UI
pub enum StatusName {
    Candidate,
    Approved,
    Rejected,
    Published,
}

/// Where a model stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelStatus {
    /// candidate | approved | rejected | published
    #[cfg_attr(feature = "specta", specta(type = StatusName))]
    pub status: &'static str,
    pub approval: Option<Approval>,
    pub publications: Vec<Publication>,
}

/// A model's checklist and where it stands: what `driftdeck checks --json` prints and the
/// app's release panel shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ModelReview {
    pub model_id: Option<i64>,
    pub path: String,
    pub format: String,
    /// The content the checks saw; an approval of other content does not count.
    pub content_hash: String,
    /// candidate | approved | rejected | published
    #[cfg_attr(feature = "specta", specta(type = StatusName))]
    pub status: &'static str,
    /// The policy file the checks came from; `None` when the project has none.
    pub policy: Option<String>,
    pub checks: Vec<Check>,
    pub all_passed: bool,
    pub approval: Option<Approval>,
    pub publications: Vec<Publication>,
    /// The reports the checks kept (published with the model).
    pub evidence: Vec<Evidence>,
    /// Content hashes of the datasets the checks read, by role.
    pub datasets: std::collections::BTreeMap<String, String>,
}

fn review_of(model: &ModelRef, checklist: Checklist, status: ModelStatus) -> ModelReview {
    ModelReview {
        model_id: model.id,
        path: model.subject(),
        format: model.format.clone(),
        content_hash: model.content_hash.clone(),
        status: status.status,
        policy: checklist.policy.map(|p| p.display().to_string()),
        checks: checklist.checks,
        all_passed: checklist.all_passed,
        approval: status.approval,
        publications: status.publications,
        evidence: checklist.evidence,
        datasets: checklist.datasets,
    }
}

/// Runs a model's checks (`reference`: a catalog id or a path) and reads its status.
pub fn review(catalog: &Catalog, reference: &str) -> Result<ModelReview, RegistryError> {
    let (model, _, checklist) = checklist::check_model(catalog, reference)?;
    let status = status(catalog, &model.content_hash)?;
    Ok(review_of(&model, checklist, status))
}

/// A decision as a person makes it: approve or reject, the note, and (to approve past a failed
/// check) the override note.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DecisionForm {
    pub decision: Decision,
    pub note: String,
    pub override_note: Option<String>,
}

/// Runs the checks, records the decision (see [`decide`]) and returns the model's new review.
pub fn decide_model(
    catalog: &mut Catalog,
    reference: &str,
    form: &DecisionForm,
    now_ms: i64,
) -> Result<ModelReview, RegistryError> {
    let (decision, note, override_note) = (
        form.decision,
        form.note.as_str(),
        form.override_note.as_deref(),
    );
    let (model, _, checklist) = checklist::check_model(catalog, reference)?;
    let status = decide(
        catalog,
        &model,
        &checklist,
        decision,
        note,
        override_note,
        now_ms,
    )?;
    Ok(review_of(&model, checklist, status))
}

/// The audit log, newest first: of one model (a catalog id or a path; its path and its
/// content), or all of it.
pub fn audit_log(
    catalog: &Catalog,
    model: Option<&str>,
) -> Result<Vec<crate::catalog::registry::AuditEntry>, RegistryError> {
    let mut entries = match model {
        Some(reference) => {
            let model = super::model::resolve(catalog, reference)?;
            catalog.audit_log(Some(&model.subject()), Some(&model.content_hash))?
        }
        None => catalog.audit_log(None, None)?,
    };
    entries.reverse();
    Ok(entries)
}

/// A model's status from the audit log.
pub fn status(catalog: &Catalog, content_hash: &str) -> Result<ModelStatus, RegistryError> {
    let log = catalog.audit_log(None, Some(content_hash))?;
    let mut approval = None;
    let mut publications = Vec::new();
    for entry in log
        .iter()
        .filter(|e| e.content_hash.as_deref() == Some(content_hash))
    {
        match entry.action.as_str() {
            "approve" | "reject" => {
                approval = Some(Approval {
                    decision: if entry.action == "approve" {
                        "approved".into()
                    } else {
                        "rejected".into()
                    },
                    actor: entry.actor.clone(),
                    at_ms: entry.at_ms,
                    note: entry.note.clone().unwrap_or_default(),
                    override_note: entry.details["override_note"].as_str().map(String::from),
                    content_hash: content_hash.to_string(),
                })
            }
            "publish" => {
                let d = &entry.details;
                let field = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                let publication = Publication {
                    registry: field("registry"),
                    name: field("name"),
                    version: field("version"),
                    url: field("url"),
                    at_ms: entry.at_ms,
                };
                publications.retain(|p: &Publication| {
                    !(p.registry == publication.registry
                        && p.name == publication.name
                        && p.version == publication.version)
                });
                publications.push(publication);
            }
            _ => {}
        }
    }
    let status = match (&approval, publications.is_empty()) {
        (Some(a), _) if a.decision == "rejected" => "rejected",
        (_, false) => "published",
        (Some(_), true) => "approved",
        (None, true) => "candidate",
    };
    Ok(ModelStatus {
        status,
        approval,
        publications,
    })
}

/// Records a decision on `model` as it is now. The note is required; approving with a failed
/// or unevaluated check requires `override_note`.
pub fn decide(
    catalog: &mut Catalog,
    model: &ModelRef,
    checklist: &Checklist,
    decision: Decision,
    note: &str,
    override_note: Option<&str>,
    now_ms: i64,
) -> Result<ModelStatus, RegistryError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(RegistryError::Invalid(
            "a decision needs a note (--note TEXT): say why".into(),
        ));
    }
    let failed: Vec<&str> = checklist
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| c.id.as_str())
        .collect();
    let override_note = override_note.map(str::trim).filter(|n| !n.is_empty());
    if decision == Decision::Approve && !failed.is_empty() && override_note.is_none() {
        return Err(RegistryError::Invalid(format!(
            "{} check{} did not pass ({}): approving anyway needs an override note (--override-note TEXT) saying why",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", ")
        )));
    }
    let details = json!({
        "model_path": model.subject(),
        "model_id": model.id,
        "format": model.format,
        "policy": checklist.policy,
        "failed_checks": failed,
        "override_note": if decision == Decision::Approve { override_note } else { None },
    });
    catalog.append_audit(
        now_ms,
        &super::actor(),
        match decision {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
        },
        &model.subject(),
        Some(&model.content_hash),
        Some(note),
        &details,
    )?;
    status(catalog, &model.content_hash)
}
