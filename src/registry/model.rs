//! A model to approve and publish: a catalog model (by id) or a model file or folder (by path),
//! with its files and its content hash.
//!
//! The content hash is what approvals and publications are keyed by: the BLAKE3 of the file for
//! a one-file model; for a folder, the BLAKE3 of the sorted list of `relative path, size, file
//! hash` lines, so renaming, adding or changing any file changes it.

use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::catalog::query::{ModelRow, RunRow};

use super::RegistryError;

/// One file of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    /// Relative to the model's folder (the file name for a one-file model), `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub bytes: u64,
    pub blake3: String,
}

/// A model resolved for approval and publishing.
#[derive(Debug, Clone)]
pub struct ModelRef {
    /// The catalog id, when the catalog knows the model.
    pub id: Option<i64>,
    pub path: PathBuf,
    pub format: String,
    /// The project folder the model is in (where `driftdeck.toml` is looked up).
    pub project_root: Option<PathBuf>,
    /// The run that produced it, when the catalog knows.
    pub source_run: Option<RunRow>,
    /// A name from the catalog (e.g. the MLflow logged model's name).
    pub name: Option<String>,
    /// The name it is registered under in the project's own registry files, if any.
    pub registered_name: Option<String>,
    pub files: Vec<ModelFile>,
    pub content_hash: String,
    pub bytes: u64,
}

impl ModelRef {
    /// The subject of audit entries about this model.
    pub fn subject(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }

    /// The registered model name to use when none is given.
    pub fn default_name(&self) -> String {
        self.registered_name
            .clone()
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| {
                let stem = self
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "model".to_string());
                if stem == "artifacts" {
                    // An MLflow logged model's folder: name it after the model id folder.
                    self.path
                        .parent()
                        .and_then(|p| p.file_name())
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or(stem)
                } else {
                    stem
                }
            })
    }
}

/// Resolves `reference`: a catalog model id, or a path to a model file or folder (looked up in
/// the catalog by path; a model the catalog does not know is still usable, without a run).
pub fn resolve(catalog: &Catalog, reference: &str) -> Result<ModelRef, RegistryError> {
    let models = catalog.models(None)?;
    let row: Option<ModelRow> = if let Ok(id) = reference.trim().parse::<i64>() {
        let row = models.iter().find(|m| m.id == id).cloned();
        if row.is_none() && !Path::new(reference).exists() {
            return Err(RegistryError::Invalid(format!(
                "model {id} is not in the catalog (see `driftdeck models`)"
            )));
        }
        row
    } else {
        None
    };
    let (path, row) = match row {
        Some(row) => (row.project_path.join(&row.path), Some(row)),
        None => {
            let path = std::fs::canonicalize(reference).map_err(|e| {
                RegistryError::Invalid(format!(
                    "model `{reference}`: not a catalog model id and not a readable file or folder ({e})"
                ))
            })?;
            let row = models
                .iter()
                .find(|m| {
                    std::fs::canonicalize(m.project_path.join(&m.path))
                        .ok()
                        .as_deref()
                        == Some(path.as_path())
                })
                .cloned();
            (path, row)
        }
    };
    if !path.exists() {
        return Err(RegistryError::Invalid(format!(
            "model file {} no longer exists (re-index the project)",
            path.display()
        )));
    }
    let files = model_files(&path)?;
    let content_hash = content_hash(&path, &files);
    let bytes = files.iter().map(|f| f.bytes).sum();
    let projects = catalog.projects()?;
    let project_root = row
        .as_ref()
        .map(|r| r.project_path.clone())
        .or_else(|| {
            projects
                .iter()
                .map(|p| p.path.clone())
                .filter(|p| path.starts_with(p))
                .max_by_key(|p| p.as_os_str().len())
        })
        .or_else(|| policy_dir(&path));
    let source_run = match row.as_ref().and_then(|r| r.run_external_id.as_deref()) {
        Some(run) => catalog.find_run(run).ok(),
        None => None,
    };
    let registered_name = match (&row, catalog.registered_models(None)) {
        (Some(r), Ok(registered)) => registered.iter().find_map(|m| {
            m.versions
                .iter()
                .any(|v| v.model_external_id.is_some() && v.model_external_id == r.external_id)
                .then(|| m.name.clone())
        }),
        _ => None,
    };
    let format = row
        .as_ref()
        .map(|r| r.format.clone())
        .unwrap_or_else(|| guess_format(&path));
    Ok(ModelRef {
        id: row.as_ref().map(|r| r.id),
        path,
        format,
        project_root,
        source_run,
        name: row.as_ref().and_then(|r| r.name.clone()),
        registered_name,
        files,
        content_hash,
        bytes,
    })
}

/// The nearest folder above `path` with a `driftdeck.toml`.
fn policy_dir(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.join(crate::policy::POLICY_FILE).is_file())
        .map(Path::to_path_buf)
}

fn guess_format(path: &Path) -> String {
    if path.is_dir() {
        if path.join("MLmodel").is_file() {
            return "mlflow".to_string();
        }
        return "folder".to_string();
    }
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_else(|| "file".to_string())
}

/// The files of a model (sorted by relative path), each hashed.
pub fn model_files(path: &Path) -> Result<Vec<ModelFile>, RegistryError> {
    let unreadable = |p: &Path, e: std::io::Error| {
        RegistryError::Local(format!("cannot read model file {}: {e}", p.display()))
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    if meta.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".to_string());
        found.push((name, path.to_path_buf()));
    } else {
        let mut stack = vec![(String::new(), path.to_path_buf(), 0usize)];
        while let Some((rel, dir, depth)) = stack.pop() {
            if depth > 32 {
                return Err(RegistryError::Invalid(format!(
                    "model folder {} nests deeper than 32 folders (a symlink loop?)",
                    path.display()
                )));
            }
            for entry in std::fs::read_dir(&dir).map_err(|e| unreadable(&dir, e))? {
                let entry = entry.map_err(|e| unreadable(&dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let child_rel = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let child = entry.path();
                let meta = std::fs::metadata(&child).map_err(|e| unreadable(&child, e))?;
                if meta.is_dir() {
                    stack.push((child_rel, child, depth + 1));
                } else if meta.is_file() {
                    found.push((child_rel, child));
                }
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(RegistryError::Invalid(format!(
            "model folder {} has no files",
            path.display()
        )));
    }
    found
        .into_iter()
        .map(|(rel, abs)| {
            check_artifact_path(&rel)?;
            let (bytes, blake3) = hash_file(&abs)?;
            Ok(ModelFile {
                rel,
                abs,
                bytes,
                blake3,
            })
        })
        .collect()
}

/// Size and BLAKE3 (hex) of a model file.
pub fn hash_file(path: &Path) -> Result<(u64, String), RegistryError> {
    crate::hash::hash_file(path).map_err(|e| {
        RegistryError::Local(format!("cannot read model file {}: {e}", path.display()))
    })
}

/// The content hash of a model (see the module docs).
pub fn content_hash(path: &Path, files: &[ModelFile]) -> String {
    if files.len() == 1 && path.is_file() {
        return files[0].blake3.clone();
    }
    let mut hasher = blake3::Hasher::new();
    for f in files {
        hasher.update(format!("{}\t{}\t{}\n", f.rel, f.bytes, f.blake3).as_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

/// Refuses artifact paths the registry would refuse or resolve elsewhere: empty, absolute,
/// `.` or `..` segments, empty segments, backslashes and `#`.
pub fn check_artifact_path(rel: &str) -> Result<(), RegistryError> {
    let bad = |why: &str| {
        RegistryError::Invalid(format!(
            "artifact path `{rel}` cannot be uploaded: {why} (expected a relative path like `model/weights.bin`)"
        ))
    };
    if rel.is_empty() {
        return Err(bad("it is empty"));
    }
    if rel.starts_with('/') {
        return Err(bad("it is absolute"));
    }
    if rel.contains('\\') {
        return Err(bad("it contains a backslash"));
    }
    if rel.contains('#') {
        return Err(bad("it contains `#`"));
    }
    for segment in rel.split('/') {
        match segment {
            "" => return Err(bad("it has an empty segment (`//`)")),
            "." | ".." => return Err(bad("it has a `.` or `..` segment")),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_that_escape_or_mislead_are_refused() {
        for ok in ["MLmodel", "model/weights.bin", "模型 a.txt", "a..b"] {
            check_artifact_path(ok).unwrap();
        }
        for (bad, why) in [
            ("../evil.txt", ".."),
            ("a/../../evil.txt", ".."),
            ("/etc/evil", "absolute"),
            ("a//b", "empty segment"),
            ("a/./b", "`.`"),
            ("a\\b", "backslash"),
            ("a#b", "#"),
            ("", "empty"),
        ] {
            let err = check_artifact_path(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn a_folder_hash_changes_with_any_file_and_a_file_hash_is_its_blake3() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("m");
        std::fs::create_dir_all(m.join("sub")).unwrap();
        std::fs::write(m.join("MLmodel"), "flavors: {}\n").unwrap();
        std::fs::write(m.join("sub/w.bin"), [1u8, 2, 3]).unwrap();
        let files = model_files(&m).unwrap();
        assert_eq!(
            files.iter().map(|f| f.rel.as_str()).collect::<Vec<_>>(),
            ["MLmodel", "sub/w.bin"]
        );
        let before = content_hash(&m, &files);
        std::fs::write(m.join("sub/w.bin"), [1u8, 2, 4]).unwrap();
        let after = content_hash(&m, &model_files(&m).unwrap());
        assert_ne!(before, after);
        let one = m.join("MLmodel");
        let files = model_files(&one).unwrap();
        assert_eq!(
            content_hash(&one, &files),
            blake3::hash(b"flavors: {}\n").to_hex().to_string()
        );
    }
}
