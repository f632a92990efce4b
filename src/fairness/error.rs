//! Why a fairness check could not run: [`FairnessError`] when the numeric core refuses its input
//! (lengths, codes, classes, options), [`FairnessFailure`] when a check of a file does (a column
//! missing or incomplete, a file that cannot be read), naming the file and column at fault.

use std::fmt;
use std::path::PathBuf;

use crate::data::DataError;
use crate::error::{Classify, ErrorCode};

use super::MAX_INTERSECTIONS;

/// Why a fairness check could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum FairnessError {
    /// The dataset has no rows.
    EmptyInput,
    /// No sensitive column was given.
    NoSensitiveColumn,
    /// A column's length differs from the label column's.
    LengthMismatch {
        column: String,
        expected: usize,
        found: usize,
    },
    /// A count table built by hand whose number of cells is not the product of its columns'
    /// numbers of values.
    MalformedCounts { cells: usize, combinations: usize },
    /// A sensitive column's code does not index its value table.
    CodeOutOfRange {
        column: String,
        row: usize,
        code: u32,
        values: usize,
    },
    /// The sensitive columns have more combinations of values than [`MAX_INTERSECTIONS`].
    TooManyIntersections {
        columns: Vec<String>,
        intersections: u128,
    },
    /// A column that must be binary holds a third value (the first three distinct values).
    NotBinary { column: String, values: Vec<String> },
    /// The positive label is not among the column's values.
    UnknownPositiveLabel {
        column: String,
        positive: String,
        values: Vec<String>,
    },
    /// A score, label or prediction is NaN or infinite where a number is needed.
    NonFinite {
        column: String,
        row: usize,
        value: f64,
    },
    /// An option is out of its range.
    InvalidOption {
        option: &'static str,
        reason: String,
    },
}

impl fmt::Display for FairnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FairnessError::EmptyInput => write!(f, "the dataset has no rows"),
            FairnessError::NoSensitiveColumn => write!(f, "no sensitive column was given"),
            FairnessError::LengthMismatch {
                column,
                expected,
                found,
            } => write!(
                f,
                "column {column} has {found} rows where the labels have {expected}"
            ),
            FairnessError::MalformedCounts {
                cells,
                combinations,
            } => write!(
                f,
                "the count table has {cells} cells but its columns' values make {combinations} combinations"
            ),
            FairnessError::CodeOutOfRange {
                column,
                row,
                code,
                values,
            } => write!(
                f,
                "sensitive column {column}: row {row} has code {code}, but the column has only {values} values"
            ),
            FairnessError::TooManyIntersections {
                columns,
                intersections,
            } => write!(
                f,
                "sensitive columns {} have {intersections} combinations of values; at most {MAX_INTERSECTIONS} are supported",
                columns.join(", ")
            ),
            FairnessError::NotBinary { column, values } => write!(
                f,
                "column {column} must hold two classes but holds at least three: {}",
                values.join(", ")
            ),
            FairnessError::UnknownPositiveLabel {
                column,
                positive,
                values,
            } => write!(
                f,
                "positive label {positive} does not occur in column {column} (its values: {})",
                values.join(", ")
            ),
            FairnessError::NonFinite { column, row, value } => {
                write!(
                    f,
                    "column {column}: row {row} holds {value}, not a finite number"
                )
            }
            FairnessError::InvalidOption { option, reason } => {
                write!(f, "option {option}: {reason}")
            }
        }
    }
}

impl std::error::Error for FairnessError {}

/// Why a check of a file could not run.
#[derive(Debug, thiserror::Error)]
pub enum FairnessFailure {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("column '{column}' is not in {path}: its columns are {available}")]
    UnknownColumn {
        column: String,
        path: PathBuf,
        available: String,
    },
    #[error(
        "the {role} column '{column}' has {count} missing values in {path}: expected a value on every row"
    )]
    Missing {
        role: &'static str,
        column: String,
        count: usize,
        path: PathBuf,
    },
    #[error("{0}")]
    Metrics(#[from] FairnessError),
    #[error("{0}")]
    BadOption(String),
}

impl Classify for FairnessFailure {
    fn code(&self) -> ErrorCode {
        match self {
            FairnessFailure::Data(e) => e.code(),
            _ => ErrorCode::BadInput,
        }
    }
}
