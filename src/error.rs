//! What kind of failure an engine error is: one closed set of codes that the CLI's exit codes and
//! the app's `{code, message}` errors both come from.
//!
//! Every engine error type says its [`ErrorCode`] through [`Classify`] (each module decides for
//! its own errors, next to their definitions). The edges never inspect an error's variants or
//! message: the CLI maps the code to an exit status ([`ErrorCode::exit_status`]), the desktop
//! shell sends `{code, message}` ([`Error`]), and the UI branches on `code` alone.

use std::fmt;

/// The closed set of error codes. Adding one is a change of the app's IPC contract (the UI's
/// `AppError.code`) and of the CLI's exit codes: say so in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The user gave something that cannot work: a missing or malformed file, an unknown column,
    /// a bad option, an unapproved model.
    BadInput,
    /// A runs filter that does not parse (the UI shows it under the filter field).
    BadFilter,
    /// What was asked for is not in the catalog (or no longer in the app's memory).
    NotFound,
    /// The catalog itself cannot be used: a file of a newer Driftdeck, not a database, no data
    /// folder.
    Catalog,
    /// A registry or server refused, or could not be reached.
    Remote,
    /// Driftdeck failed (the database, a crash in a reader, a bug): not the user's doing.
    Internal,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 6] = [
        ErrorCode::BadInput,
        ErrorCode::BadFilter,
        ErrorCode::NotFound,
        ErrorCode::Catalog,
        ErrorCode::Remote,
        ErrorCode::Internal,
    ];

    /// The name the UI sees.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadInput => "bad_input",
            ErrorCode::BadFilter => "bad_filter",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Catalog => "catalog",
            ErrorCode::Remote => "remote",
            ErrorCode::Internal => "internal",
        }
    }

    /// The `driftdeck` exit status for a command that failed with this code: 3 for a remote
    /// failure, 2 for everything else (1 is a check that ran and failed, which is no error).
    pub fn exit_status(self) -> u8 {
        match self {
            ErrorCode::Remote => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that knows its code. Implemented by every public error type of the engine.
pub trait Classify: fmt::Display {
    fn code(&self) -> ErrorCode;
}

/// Any engine error as the edges report it: its code and its whole message (with its causes).
/// The desktop shell returns it from every command, so it crosses IPC as `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
        }
    }

    /// A bad-input error (the most common one the edges make themselves).
    pub fn bad_input(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::BadInput, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `?` turns any engine error into an [`Error`]; this is the one place the code is taken.
/// (`Error` itself is not [`Classify`], so this does not overlap with `From<T> for T`.)
impl<E: Classify> From<E> for Error {
    fn from(err: E) -> Error {
        Error {
            code: err.code(),
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_names_and_remote_exits_3() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert_eq!(
                code.exit_status(),
                if code == ErrorCode::Remote { 3 } else { 2 }
            );
        }
        let err = Error::bad_input("project folder /x does not exist");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            serde_json::json!({"code": "bad_input", "message": "project folder /x does not exist"})
        );
    }
}
