//! Walking a project folder: every file a reader might want, with its size and mtime.
//!
//! The walk is parallel (the `ignore` crate) and never follows symlinks (W&B leaves dangling
//! ones, and `latest-run` would count a run twice). What it skips:
//! - hidden files and folders (`.git`, `.dvc/cache`, `.venv`, `mlruns/.trash`, ...) and a few
//!   folders that never hold ML results (`node_modules`, `__pycache__`, `venv`, `site-packages`);
//! - whatever `.driftdeckignore` files say (gitignore syntax, anywhere in the project);
//! - files the project's `.gitignore` files ignore, **except** the files data scientists
//!   gitignore on purpose because another tool tracks them: DVC outputs (from `*.dvc` files and
//!   `dvc.lock`) and the stores of MLflow, W&B, DVCLive and TensorBoard. Without that exception a
//!   DVC project would show no data and no model at all.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{WalkBuilder, WalkState};

use super::WalkedFile;
use crate::record::Problem;

/// The project's own ignore file (gitignore syntax).
pub const IGNORE_FILE: &str = ".driftdeckignore";

/// Folders that never hold ML results and can be huge: pruned without looking inside.
const PRUNED_DIRS: &[&str] = &["node_modules", "__pycache__", "venv", "site-packages"];

/// Path components of tool stores that are kept even when gitignored.
const TOOL_STORES: &[&str] = &["mlruns", "mlartifacts", "wandb", "dvclive"];

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("project folder {path} does not exist or cannot be read: {source}")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the walk of {path} was cancelled")]
    Cancelled { path: PathBuf },
}

/// The result of a walk.
#[derive(Debug, Default)]
pub struct Walk {
    /// In path order.
    pub files: Vec<WalkedFile>,
    /// Folders or files that could not be read (permissions, vanished mid-walk).
    pub problems: Vec<Problem>,
}

/// Walks `root`. Stops early with [`WalkError::Cancelled`] when `cancel` is set.
pub fn walk(root: &Path, cancel: &AtomicBool) -> Result<Walk, WalkError> {
    std::fs::read_dir(root).map_err(|source| WalkError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    let found = Mutex::new(Walk::default());
    let gitignores = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false) // hidden entries are filtered below, but .gitignore files are read
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if entry.depth() == 0 {
                return true;
            }
            if name == ".gitignore" {
                return true;
            }
            !(name.starts_with('.') || is_dir && PRUNED_DIRS.contains(&name.as_ref()))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if cancel.load(Ordering::Relaxed) {
                    return WalkState::Quit;
                }
                match entry {
                    Ok(entry) => {
                        let Some(file_type) = entry.file_type() else {
                            return WalkState::Continue;
                        };
                        if !file_type.is_file() {
                            return WalkState::Continue; // folders, and symlinks (not followed)
                        }
                        let Some(rel) = relative(root, entry.path()) else {
                            return WalkState::Continue;
                        };
                        if entry.file_name() == ".gitignore" {
                            gitignores.lock().unwrap().push(rel);
                            return WalkState::Continue;
                        }
                        match entry.metadata() {
                            Ok(meta) => found.lock().unwrap().files.push(WalkedFile {
                                path: rel,
                                size: meta.len(),
                                mtime_ns: mtime_ns(&meta),
                            }),
                            Err(err) => found.lock().unwrap().problems.push(Problem {
                                path: rel,
                                message: format!("cannot read file metadata: {err}"),
                            }),
                        }
                    }
                    Err(err) => {
                        let path = error_path(&err)
                            .and_then(|p| relative(root, &p))
                            .unwrap_or_default();
                        found.lock().unwrap().problems.push(Problem {
                            path,
                            message: format!("cannot read: {}", strip_path(&err.to_string())),
                        });
                    }
                }
                WalkState::Continue
            })
        });
    if cancel.load(Ordering::Relaxed) {
        return Err(WalkError::Cancelled {
            path: root.to_path_buf(),
        });
    }
    let mut walk = found.into_inner().unwrap();
    let gitignores = gitignores.into_inner().unwrap();
    if !gitignores.is_empty() {
        let rules = GitRules::load(root, &gitignores, &mut walk.problems);
        let kept = tracked_elsewhere(root, &walk.files);
        walk.files.retain(|f| {
            !rules.ignores(&f.path)
                || kept.iter().any(|k| covers(k, &f.path))
                || in_tool_store(&f.path)
        });
    }
    walk.files.sort_by(|a, b| a.path.cmp(&b.path));
    walk.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(walk)
}

/// The `.gitignore` files of a project, deepest first per path.
struct GitRules {
    /// (folder, its rules), sorted so that deeper folders come first.
    by_dir: Vec<(String, Gitignore)>,
}

impl GitRules {
    fn load(root: &Path, files: &[String], problems: &mut Vec<Problem>) -> GitRules {
        let mut by_dir = Vec::new();
        for rel in files {
            let (dir, _) = super::split_parent(rel);
            let mut builder = GitignoreBuilder::new(root.join(dir));
            if let Some(err) = builder.add(root.join(rel)) {
                problems.push(Problem {
                    path: rel.clone(),
                    message: format!("cannot read .gitignore: {err}"),
                });
            }
            match builder.build() {
                Ok(rules) => by_dir.push((dir.to_string(), rules)),
                Err(err) => problems.push(Problem {
                    path: rel.clone(),
                    message: format!("invalid .gitignore: {err}"),
                }),
            }
        }
        by_dir.sort_by(|a, b| {
            b.0.matches('/')
                .count()
                .cmp(&a.0.matches('/').count())
                .then(b.0.len().cmp(&a.0.len()))
        });
        GitRules { by_dir }
    }

    /// Whether git would ignore the file at `rel` (a deeper .gitignore wins over a shallower one).
    fn ignores(&self, rel: &str) -> bool {
        for (dir, rules) in &self.by_dir {
            let inside = dir.is_empty()
                || rel.starts_with(dir.as_str()) && rel.as_bytes().get(dir.len()) == Some(&b'/');
            if !inside {
                continue;
            }
            let local = if dir.is_empty() {
                rel
            } else {
                &rel[dir.len() + 1..]
            };
            let m = rules.matched_path_or_any_parents(local, false);
            if m.is_ignore() {
                return true;
            }
            if m.is_whitelist() {
                return false;
            }
        }
        false
    }
}

/// Paths (files or folders, project-relative) that DVC tracks: the `outs` of `*.dvc` files and
/// of `dvc.lock` stages. Git ignores them because DVC versions them.
fn tracked_elsewhere(root: &Path, files: &[WalkedFile]) -> Vec<String> {
    let mut outs = Vec::new();
    for f in files {
        let (dir, name) = super::split_parent(&f.path);
        if !(name.ends_with(".dvc") || name == "dvc.lock") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&f.path)) else {
            continue; // the DVC reader reports unreadable files
        };
        for path in dvc_out_paths(&text) {
            let joined = if dir.is_empty() {
                path
            } else {
                format!("{dir}/{path}")
            };
            outs.push(normalize(&joined));
        }
    }
    outs
}

/// The `path:` of every `outs` entry in a `.dvc` file or `dvc.lock`.
pub fn dvc_out_paths(yaml: &str) -> Vec<String> {
    let Ok(docs) = yaml_rust2::YamlLoader::load_from_str(yaml) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for doc in &docs {
        collect_outs(doc, &mut paths);
    }
    paths
}

fn collect_outs(node: &yaml_rust2::Yaml, paths: &mut Vec<String>) {
    use yaml_rust2::Yaml;
    if let Yaml::Hash(map) = node {
        for (k, v) in map {
            if k.as_str() == Some("outs") {
                if let Yaml::Array(items) = v {
                    for item in items {
                        if let Some(p) = item["path"].as_str() {
                            paths.push(p.to_string());
                        }
                    }
                }
            } else {
                collect_outs(v, paths);
            }
        }
    }
}

/// Resolves `.` and `..` in a relative path (lexically; DVC paths never go through symlinks).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether `tracked` (a file or folder) is `path` or contains it.
fn covers(tracked: &str, path: &str) -> bool {
    path == tracked
        || path.starts_with(tracked) && path.as_bytes().get(tracked.len()) == Some(&b'/')
}

fn in_tool_store(path: &str) -> bool {
    let (dir, name) = super::split_parent(path);
    dir.split('/').any(|c| TOOL_STORES.contains(&c))
        || name == "mlflow.db"
        || name.contains("tfevents")
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// `ignore` prefixes messages with the absolute path; problems carry the relative one already.
fn strip_path(message: &str) -> String {
    message.rsplit(": ").next().unwrap_or(message).to_string()
}

/// Modification time in ns since the epoch (0 where the platform has none).
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(root: &Path) -> Vec<String> {
        walk(root, &AtomicBool::new(false))
            .unwrap()
            .files
            .into_iter()
            .map(|f| f.path)
            .collect()
    }

    use crate::scan::testing::write;

    #[test]
    fn skips_hidden_and_noise_folders_but_keeps_everything_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "data/train.csv",
            "mlruns/1/abc/meta.yaml",
            ".git/config",
            ".venv/lib/x.py",
            "node_modules/pkg/index.js",
            "src/__pycache__/m.pyc",
            "mlruns/.trash/old",
        ] {
            write(root, rel, "x");
        }
        assert_eq!(paths(root), ["data/train.csv", "mlruns/1/abc/meta.yaml"]);
    }

    #[test]
    fn gitignored_files_are_skipped_unless_dvc_or_a_tool_store_tracks_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, text) in [
            (".gitignore", "scratch/\nmlruns/\n*.log\n"),
            ("data/.gitignore", "/train.csv\n/prepared\n"),
            (
                "data/train.csv.dvc",
                "outs:\n- md5: abc\n  path: train.csv\n",
            ),
            (
                "dvc.lock",
                "schema: '2.0'\nstages:\n  prepare:\n    outs:\n    - path: data/prepared\n",
            ),
        ] {
            write(root, rel, text);
        }
        for rel in [
            "data/train.csv",
            "data/prepared/test.csv",
            "scratch/tmp.csv",
            "train.log",
            "mlruns/0/meta.yaml",
            "data/other.csv",
        ] {
            write(root, rel, "x");
        }
        assert_eq!(
            paths(root),
            [
                "data/other.csv",
                "data/prepared/test.csv",
                "data/train.csv",
                "data/train.csv.dvc",
                "dvc.lock",
                "mlruns/0/meta.yaml"
            ]
        );
    }

    #[test]
    fn driftdeckignore_is_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, IGNORE_FILE, "big/\n");
        write(root, "big/huge.parquet", "x");
        write(root, "small.csv", "x");
        assert_eq!(paths(root), ["small.csv"]);
    }

    #[test]
    fn symlinks_are_not_followed_and_dangling_ones_are_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "wandb/run-1/files/config.yaml", "x");
        std::os::unix::fs::symlink(root.join("wandb/run-1"), root.join("wandb/latest-run"))
            .unwrap();
        std::os::unix::fs::symlink("/no/such/target.log", root.join("wandb/debug.log")).unwrap();
        let walk = walk(root, &AtomicBool::new(false)).unwrap();
        assert!(walk.problems.is_empty(), "{:?}", walk.problems);
        let paths: Vec<_> = walk.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["wandb/run-1/files/config.yaml"]);
    }

    #[test]
    fn a_missing_root_is_an_error_naming_it() {
        let err = walk(Path::new("/no/such/project"), &AtomicBool::new(false)).unwrap_err();
        assert!(err.to_string().contains("/no/such/project"), "{err}");
    }

    #[test]
    fn cancel_stops_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.csv", "x");
        let err = walk(dir.path(), &AtomicBool::new(true)).unwrap_err();
        assert!(matches!(err, WalkError::Cancelled { .. }));
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("data/./x/../train.csv"), "data/train.csv");
        assert_eq!(normalize("./models/model.joblib"), "models/model.joblib");
    }
}
