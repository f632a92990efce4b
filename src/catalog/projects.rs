//! Projects: the folders a team adds to Driftdeck.

use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};

use super::{Catalog, CatalogError};

/// A project folder in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    /// Absolute and canonical when it was added; the folder may have gone since.
    pub path: PathBuf,
    /// The folder's own name, for display.
    pub name: String,
    pub added_at_ms: i64,
    /// Whether the catalog keeps this project live while the app runs.
    pub watch: bool,
}

impl Project {
    /// Whether the folder is still there.
    pub fn exists_on_disk(&self) -> bool {
        self.path.is_dir()
    }
}

impl Catalog {
    /// Adds the folder at `path` as a project, or returns the existing project for that folder.
    ///
    /// The path is made canonical first, so `./demo`, `demo/` and a symlink to it are one project.
    pub fn add_project(&mut self, path: &Path, now_ms: i64) -> Result<Project, CatalogError> {
        let path = canonical_folder(path)?;
        if let Some(existing) = self.project_by_path(&path)? {
            return Ok(existing);
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        self.conn.execute(
            "INSERT INTO projects (path, name, added_at_ms) VALUES (?1, ?2, ?3)",
            params![path_text(&path), name, now_ms],
        )?;
        Ok(Project {
            id: self.conn.last_insert_rowid(),
            path,
            name,
            added_at_ms: now_ms,
            watch: true,
        })
    }

    /// All projects, by name then path.
    pub fn projects(&self) -> Result<Vec<Project>, CatalogError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, path, name, added_at_ms, watch FROM projects ORDER BY name COLLATE NOCASE, path",
        )?;
        let rows = stmt.query_map([], row_to_project)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The project with this id.
    pub fn project(&self, id: i64) -> Result<Project, CatalogError> {
        self.conn
            .query_row(
                "SELECT id, path, name, added_at_ms, watch FROM projects WHERE id = ?1",
                [id],
                row_to_project,
            )
            .optional()?
            .ok_or_else(|| CatalogError::NoSuchProject {
                what: format!("project {id}"),
            })
    }

    /// Turns keeping a project live on or off (the app's watcher skips unwatched projects; they
    /// stay in the catalog as they were last indexed).
    pub fn set_project_watch(&mut self, id: i64, watch: bool) -> Result<Project, CatalogError> {
        let changed = self.conn.execute(
            "UPDATE projects SET watch = ?2 WHERE id = ?1",
            rusqlite::params![id, watch],
        )?;
        if changed == 0 {
            return Err(CatalogError::NoSuchProject {
                what: format!("project {id}"),
            });
        }
        self.project(id)
    }

    /// Removes a project and everything indexed from it. Nothing on disk is touched.
    pub fn remove_project(&mut self, id: i64) -> Result<Project, CatalogError> {
        let project = self.project(id)?;
        self.conn
            .execute("DELETE FROM projects WHERE id = ?1", [id])?;
        Ok(project)
    }

    /// The project whose folder is `path`. The folder may no longer exist: then `path` is
    /// matched as given (made absolute against the working directory).
    pub fn project_at(&self, path: &Path) -> Result<Project, CatalogError> {
        let key = std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_path_buf());
        self.project_by_path(&key)?
            .ok_or_else(|| CatalogError::NoSuchProject {
                what: format!("project folder {}", path.display()),
            })
    }

    /// Removes the project whose folder is `path` (see [`Catalog::project_at`]).
    pub fn remove_project_at(&mut self, path: &Path) -> Result<Project, CatalogError> {
        let id = self.project_at(path)?.id;
        self.remove_project(id)
    }

    fn project_by_path(&self, path: &Path) -> Result<Option<Project>, CatalogError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, path, name, added_at_ms, watch FROM projects WHERE path = ?1",
                [path_text(path)],
                row_to_project,
            )
            .optional()?)
    }
}

fn canonical_folder(path: &Path) -> Result<PathBuf, CatalogError> {
    let canonical = std::fs::canonicalize(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => CatalogError::NoSuchFolder {
            path: path.to_path_buf(),
        },
        _ => CatalogError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if !canonical.is_dir() {
        return Err(CatalogError::NotAFolder {
            path: path.to_path_buf(),
        });
    }
    // A folder we cannot list is one we could never index: say so now, not at the first scan.
    std::fs::read_dir(&canonical).map_err(|source| CatalogError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(canonical)
}

/// Paths are stored as text; a non-UTF-8 path is stored lossily (rare, and display-only here).
fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn row_to_project(row: &rusqlite::Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: row.get(0)?,
        path: PathBuf::from(row.get::<_, String>(1)?),
        name: row.get(2)?,
        added_at_ms: row.get(3)?,
        watch: row.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Classify, ErrorCode};

    fn scratch() -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("catalog.sqlite")).unwrap();
        (dir, catalog)
    }

    #[test]
    fn add_is_idempotent_and_canonical() {
        let (dir, mut catalog) = scratch();
        let folder = dir.path().join("churn");
        std::fs::create_dir(&folder).unwrap();
        let first = catalog.add_project(&folder, 10).unwrap();
        let again = catalog
            .add_project(&dir.path().join("churn/../churn/"), 20)
            .unwrap();
        assert_eq!(first, again);
        assert_eq!(first.name, "churn");
        assert_eq!(first.added_at_ms, 10);
        assert_eq!(catalog.projects().unwrap().len(), 1);
    }

    #[test]
    fn watching_is_on_by_default_and_can_be_turned_off_and_on() {
        let (dir, mut catalog) = scratch();
        let project = catalog.add_project(dir.path(), 10).unwrap();
        assert!(project.watch);
        let off = catalog.set_project_watch(project.id, false).unwrap();
        assert!(!off.watch);
        assert!(!catalog.projects().unwrap()[0].watch);
        // Adding it again keeps the choice.
        assert!(!catalog.add_project(dir.path(), 20).unwrap().watch);
        assert!(catalog.set_project_watch(project.id, true).unwrap().watch);
        let err = catalog
            .set_project_watch(project.id + 1, false)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }

    #[test]
    fn missing_folder_and_plain_file_are_bad_input_naming_the_path() {
        let (dir, mut catalog) = scratch();
        let missing = dir.path().join("no-such-dir");
        let err = catalog.add_project(&missing, 0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::BadInput);
        assert!(err.to_string().contains("no-such-dir"), "{err}");

        let file = dir.path().join("data.csv");
        std::fs::write(&file, "a,b\n").unwrap();
        let err = catalog.add_project(&file, 0).unwrap_err();
        assert!(matches!(err, CatalogError::NotAFolder { .. }), "{err:?}");
        assert!(catalog.projects().unwrap().is_empty());
    }

    #[test]
    fn remove_by_path_works_after_the_folder_is_gone() {
        let (dir, mut catalog) = scratch();
        let folder = dir.path().join("gone");
        std::fs::create_dir(&folder).unwrap();
        let project = catalog.add_project(&folder, 0).unwrap();
        std::fs::remove_dir(&folder).unwrap();
        assert!(!catalog.project(project.id).unwrap().exists_on_disk());
        let removed = catalog.remove_project_at(&project.path).unwrap();
        assert_eq!(removed.id, project.id);
        let err = catalog.remove_project_at(&project.path).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }

    #[test]
    fn removing_a_project_removes_what_was_indexed_from_it() {
        let (dir, mut catalog) = scratch();
        let project = catalog.add_project(dir.path(), 0).unwrap();
        catalog
            .conn
            .execute_batch(&format!(
                "INSERT INTO units (project_id, reader, key, fingerprint, indexed_at_ms)
                 VALUES ({id}, 'mlflow', 'mlruns/1/r1', '', 0);
                 INSERT INTO runs (unit_id, project_id, source, external_id)
                 VALUES (last_insert_rowid(), {id}, 'mlflow', 'r1');",
                id = project.id
            ))
            .unwrap();
        catalog.remove_project(project.id).unwrap();
        let runs: i64 = catalog
            .conn
            .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 0);
    }

    #[test]
    fn projects_are_listed_by_name() {
        let (dir, mut catalog) = scratch();
        for name in ["zeta", "Alpha", "mid"] {
            let folder = dir.path().join(name);
            std::fs::create_dir(&folder).unwrap();
            catalog.add_project(&folder, 0).unwrap();
        }
        let names: Vec<String> = catalog
            .projects()
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["Alpha", "mid", "zeta"]);
    }
}
