//! Why a drift comparison could not be made: the file or column at fault, and what was expected.

use std::path::PathBuf;

use crate::data::DataError;
use crate::error::{Classify, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(
        "the two files have no column in common: the reference has {}, the current has {}",
        list(.reference), list(.current)
    )]
    NoCommonColumns {
        reference: Vec<String>,
        current: Vec<String>,
    },
    #[error("{side} file {path} has no rows: expected a header and at least one row")]
    NoRows { side: &'static str, path: PathBuf },
    #[error("column '{column}' is not in the {side} file{}", hint(.suggestions))]
    UnknownColumn {
        column: String,
        side: &'static str,
        suggestions: Vec<String>,
    },
    #[error("{0}")]
    BadOption(String),
}

impl Classify for DriftError {
    fn code(&self) -> ErrorCode {
        match self {
            DriftError::Data(e) => e.code(),
            _ => ErrorCode::BadInput,
        }
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    let more = names.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}
