//! `driftdeck checks`, `approve`, `reject`, `audit`: a model's checklist from its project's
//! `driftdeck.toml`, decisions on it (audit-logged), and the audit log.

use std::path::Path;

use clap::Args;
use driftdeck::registry::approval::{self, Decision, DecisionForm, ModelReview};
use driftdeck::registry::checklist;
use serde_json::json;

use super::table::Table;
use super::{Failure, open_catalog, print_json};

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// A catalog model id, or the path of a model file or folder
    model: String,
    /// Why (required; goes into the audit log)
    #[arg(long)]
    note: String,
    /// Approve although a check failed: say why (required then)
    #[arg(long)]
    override_note: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries about this model (catalog id or path)
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    json: bool,
}

/// A model, its policy and its checklist (evidence written beside the catalog).
fn print_review(r: &ModelReview) {
    println!(
        "{} ({}, content {}): {}",
        r.path,
        r.format,
        &r.content_hash[..12],
        r.status
    );
    match &r.policy {
        Some(p) => println!("Policy: {p}"),
        None => println!("Policy: none (add driftdeck.toml to the project to gate approvals)"),
    }
    for c in &r.checks {
        let mark = match c.status {
            checklist::CheckStatus::Pass => "pass ",
            checklist::CheckStatus::Fail => "FAIL ",
            checklist::CheckStatus::Error => "ERROR",
        };
        println!(
            "  {mark} {}: expected {}, got {}{}",
            c.label,
            c.expected,
            c.actual.as_deref().unwrap_or("—"),
            c.detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
    }
    if let Some(a) = &r.approval {
        println!(
            "{} by {} at {}: {}{}",
            if a.decision == "approved" {
                "Approved"
            } else {
                "Rejected"
            },
            a.actor,
            driftdeck::time::rfc3339_ms(a.at_ms),
            a.note,
            a.override_note
                .as_deref()
                .map(|o| format!(" (override: {o})"))
                .unwrap_or_default()
        );
    }
    for p in &r.publications {
        println!("Published: {} version {} at {}", p.name, p.version, p.url);
    }
}

pub fn run_checks(args: ChecksArgs, db: Option<&Path>) -> Result<(), Failure> {
    let catalog = open_catalog(db)?;
    let review = approval::review(&catalog, &args.model)?;
    if args.json {
        return print_json(&review);
    }
    print_review(&review);
    Ok(())
}

pub fn run_decide(args: DecideArgs, decision: Decision, db: Option<&Path>) -> Result<(), Failure> {
    let mut catalog = open_catalog(db)?;
    let form = DecisionForm {
        decision,
        note: args.note.clone(),
        override_note: args.override_note.clone(),
    };
    let review =
        approval::decide_model(&mut catalog, &args.model, &form, driftdeck::time::now_ms())?;
    if args.json {
        return print_json(&review);
    }
    print_review(&review);
    Ok(())
}

pub fn run_audit(args: AuditArgs, db: Option<&Path>) -> Result<(), Failure> {
    let catalog = open_catalog(db)?;
    // Oldest first, as a log reads.
    let mut entries = approval::audit_log(&catalog, args.model.as_deref())?;
    entries.reverse();
    if args.json {
        return print_json(&json!({ "entries": entries }));
    }
    if entries.is_empty() {
        println!("The audit log is empty");
        return Ok(());
    }
    let mut table = Table::new(["WHEN", "WHO", "ACTION", "SUBJECT", "NOTE"]);
    for e in &entries {
        table.row([
            driftdeck::time::rfc3339_ms(e.at_ms),
            e.actor.clone(),
            e.action.clone(),
            e.subject.clone(),
            e.note.clone().unwrap_or_default(),
        ]);
    }
    table.write(&mut std::io::stdout().lock())?;
    Ok(())
}
