//! What crosses the IPC boundary: DTOs converted from engine values, and errors as `{code, message}`.
//! The UI branches on `code`, never on `message`.

use driftdeck::catalog::{CatalogError, ErrorKind, Project};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ErrorDto {
    /// One of `bad_input`, `not_found`, `catalog`, `internal`.
    pub code: &'static str,
    pub message: String,
}

impl From<&CatalogError> for ErrorDto {
    fn from(err: &CatalogError) -> ErrorDto {
        let code = match err {
            CatalogError::NewerSchema { .. }
            | CatalogError::NotADatabase { .. }
            | CatalogError::Open { .. }
            | CatalogError::CreateDir { .. }
            | CatalogError::NoDataDir => "catalog",
            _ => match err.kind() {
                ErrorKind::BadInput => "bad_input",
                ErrorKind::NotFound => "not_found",
                ErrorKind::Internal => "internal",
            },
        };
        ErrorDto {
            code,
            message: err.to_string(),
        }
    }
}

impl From<CatalogError> for ErrorDto {
    fn from(err: CatalogError) -> ErrorDto {
        ErrorDto::from(&err)
    }
}

#[derive(Debug, Serialize)]
pub struct ProjectDto {
    pub id: i64,
    pub path: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub added_at: String,
    pub exists: bool,
}

impl From<&Project> for ProjectDto {
    fn from(p: &Project) -> ProjectDto {
        ProjectDto {
            id: p.id,
            path: p.path.display().to_string(),
            name: p.name.clone(),
            added_at: driftdeck::time::rfc3339_ms(p.added_at_ms),
            exists: p.exists_on_disk(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AppInfoDto {
    pub version: &'static str,
    pub catalog_path: String,
    pub schema_version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn errors_map_to_stable_codes() {
        let cases = [
            (
                CatalogError::NoSuchFolder {
                    path: PathBuf::from("/x"),
                },
                "bad_input",
            ),
            (
                CatalogError::NoSuchProject {
                    what: "project 7".into(),
                },
                "not_found",
            ),
            (
                CatalogError::NewerSchema {
                    path: PathBuf::from("/c.sqlite"),
                    found: 9,
                    supported: 1,
                },
                "catalog",
            ),
        ];
        for (err, code) in cases {
            let dto = ErrorDto::from(&err);
            assert_eq!(dto.code, code, "{err}");
            assert_eq!(dto.message, err.to_string());
        }
    }

    #[test]
    fn error_serialises_as_code_and_message() {
        let dto = ErrorDto {
            code: "bad_input",
            message: "project folder /x does not exist".into(),
        };
        assert_eq!(
            serde_json::to_value(&dto).unwrap(),
            serde_json::json!({"code": "bad_input", "message": "project folder /x does not exist"})
        );
    }
}
