//! Model approval and publishing to a team's MLflow Model Registry.
//!
//! The flow (DESIGN.md, "Publish"): a model in the catalog gets a checklist from the project's
//! policy file ([`checklist`] over [`crate::policy`], `driftdeck.toml`); a person approves or rejects it with a note
//! ([`approval`], appended to the catalog's append-only audit log, keyed by the model's content
//! hash so an approval never carries over to changed files); publishing queues a job in the
//! catalog's outbox ([`publish`]) that a worker runs step by step against the MLflow REST API
//! ([`client`]): experiment, run (with the source run's params, metrics and tags), logged model,
//! streamed artifact uploads, the model version (tags and model card atomically with it), the
//! alias. Each step's result is saved in the job before the next, so a retry after a network
//! loss or a restart resumes; the version is searched by its content-hash tag before it is
//! created, so a publish never makes a second version of the same content. Deployment aliases
//! (promote, roll back) are in [`aliases`]; listing a registry into the catalog in [`remote`].
//!
//! Secrets live only in the OS keyring ([`secret`]); connections (URL, auth kind, username) are
//! in the catalog.

pub mod alias_names;
pub mod aliases;
pub mod approval;
pub mod checklist;
pub mod client;
pub mod connection;
pub mod model;
pub mod publish;
pub mod remote;
pub mod secret;

use crate::catalog::CatalogError;
use crate::error::{Classify, ErrorCode};

pub use client::RemoteError;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Bad usage or bad input (a malformed URL, a missing note, a path with `..`): exit 2.
    #[error("{0}")]
    Invalid(String),
    /// The registry answered with an error or could not be reached: exit 3.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The OS keyring failed.
    #[error("{0}")]
    Keyring(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    Local(String),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The user cancelled the job.
    #[error("cancelled")]
    Cancelled,
}

impl From<crate::policy::PolicyError> for RegistryError {
    fn from(err: crate::policy::PolicyError) -> RegistryError {
        RegistryError::Invalid(err.0)
    }
}

impl RegistryError {
    /// Whether trying again later may succeed (network loss, a 5xx, a timeout).
    pub fn is_transient(&self) -> bool {
        matches!(self, RegistryError::Remote(e) if e.transient)
    }
}

impl Classify for RegistryError {
    fn code(&self) -> ErrorCode {
        match self {
            RegistryError::Remote(_) => ErrorCode::Remote,
            RegistryError::Catalog(e) => e.code(),
            // A keyring that refuses, a model file that cannot be read, a job the user
            // cancelled: all about the user's machine or choice, not a bug.
            RegistryError::Invalid(_)
            | RegistryError::Keyring(_)
            | RegistryError::Local(_)
            | RegistryError::Cancelled => ErrorCode::BadInput,
        }
    }
}

/// Who is acting: `DRIFTDECK_USER`, else the login name, else the home folder's name.
pub fn actor() -> String {
    ["DRIFTDECK_USER", "USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .map(|v| v.trim().to_string())
        .or_else(|| {
            dirs::home_dir().and_then(|h| h.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "unknown".to_string())
}
