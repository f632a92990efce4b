//! Approvals: a person approves or rejects a model's exact content, with a note; approving
//! past a failed check takes an explicit override note. Every decision is appended to the
//! catalog's audit log (who, when, the note, the checklist's failures); a model's status is
//! read back from the log for its content hash, so changed files are a new candidate.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::json;

use crate::catalog::Catalog;

use super::RegistryError;
use super::model::ModelRef;
use super::policy::{CheckStatus, Checklist};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// The latest decision on a content hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
pub struct Publication {
    pub registry: String,
    pub name: String,
    pub version: String,
    pub url: String,
    pub at_ms: i64,
}

/// Where a model stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelStatus {
    /// candidate | approved | rejected | published
    pub status: &'static str,
    pub approval: Option<Approval>,
    pub publications: Vec<Publication>,
}

/// The folder the evidence of one content hash is kept in (beside the catalog, never in the
/// project).
pub fn evidence_dir(catalog: &Catalog, content_hash: &str) -> PathBuf {
    catalog.cache_dir().join("evidence").join(content_hash)
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
