//! Where the catalog lives, and moving it: `--db`, then `$DRIFTDECK_DB`, then the settings
//! file, then the user's data folder. The CLI and the app read the same settings file, so a
//! catalog moved in the app is the one `driftdeck` uses.

use std::path::{Path, PathBuf};

use super::{Catalog, CatalogError, DB_ENV};
use crate::settings::{self, Settings};

/// Where the catalog's location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationSource {
    /// `--db FILE`.
    Explicit,
    /// `$DRIFTDECK_DB`.
    Env,
    /// `catalog` in the settings file (see [`crate::settings`]).
    Settings,
    /// The user's data directory.
    Default,
}

impl LocationSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationSource::Explicit => "explicit",
            LocationSource::Env => "env",
            LocationSource::Settings => "settings",
            LocationSource::Default => "default",
        }
    }
}

/// Where the catalog lives: `explicit` if given, else `$DRIFTDECK_DB`, else `catalog` in the
/// settings file, else the user's data dir (`~/.local/share/driftdeck/catalog.sqlite` on Linux).
pub fn location(explicit: Option<&Path>) -> Result<PathBuf, CatalogError> {
    locate(explicit).map(|(path, _)| path)
}

/// [`location`], and which of the four places it came from. The settings file is only read when
/// neither `--db` nor `$DRIFTDECK_DB` decide, so a broken settings file can be worked around.
pub fn locate(explicit: Option<&Path>) -> Result<(PathBuf, LocationSource), CatalogError> {
    if let Some(path) = explicit {
        return Ok((path.to_path_buf(), LocationSource::Explicit));
    }
    if let Some(path) = std::env::var_os(DB_ENV).filter(|v| !v.is_empty()) {
        return Ok((PathBuf::from(path), LocationSource::Env));
    }
    let settings = crate::settings::Settings::load(&crate::settings::path()?)?;
    if let Some(path) = settings.catalog {
        return Ok((path, LocationSource::Settings));
    }
    default_location()
        .map(|p| (p, LocationSource::Default))
        .ok_or(CatalogError::NoDataDir)
}

/// The catalog's default path in the user's data directory, if the system has one.
pub fn default_location() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("driftdeck").join("catalog.sqlite"))
}

/// The catalog file a chosen location means: a folder gets `catalog.sqlite` in it; a path that
/// names a `.sqlite`/`.db` file (and is not a folder) is used as it is.
pub fn catalog_file(chosen: &Path) -> PathBuf {
    let is_file = chosen
        .extension()
        .is_some_and(|e| e == "sqlite" || e == "db" || e == "sqlite3");
    if is_file && !chosen.is_dir() {
        chosen.to_path_buf()
    } else {
        chosen.join("catalog.sqlite")
    }
}

/// The catalog a [`relocate`] moved to, open.
#[derive(Debug)]
pub struct Relocated {
    pub path: PathBuf,
    pub source: LocationSource,
    pub catalog: Catalog,
}

/// Moves to the catalog in `chosen` (an absolute folder, or a `.sqlite` file; `None`: the default
/// location) and records it in the settings file. With `copy`, a location without a catalog first
/// gets a copy of `current`; a catalog already there is opened as it is, never overwritten.
///
/// Returns `None` when `chosen` is where the catalog already is. The new catalog is opened before
/// the settings are saved, so a location that cannot hold a catalog is never recorded; nothing
/// changes when this fails (a copy already made stays, as a file of its own).
pub fn relocate(
    current: Option<&Catalog>,
    current_source: LocationSource,
    chosen: Option<&Path>,
    copy: bool,
) -> Result<Option<Relocated>, CatalogError> {
    if matches!(
        current_source,
        LocationSource::Env | LocationSource::Explicit
    ) {
        return Err(CatalogError::LocationFixed);
    }
    let target = match chosen {
        Some(path) if !path.is_absolute() => {
            return Err(CatalogError::NotAbsolute {
                path: path.to_path_buf(),
            });
        }
        Some(path) => catalog_file(path),
        None => default_location().ok_or(CatalogError::NoDataDir)?,
    };
    if current.is_some_and(|c| c.path() == target) {
        return Ok(None);
    }
    if copy
        && !target.exists()
        && let Some(current) = current
    {
        current.copy_to(&target)?;
    }
    let catalog = Catalog::open(&target)?;
    let settings_path = settings::path()?;
    let mut settings = Settings::load(&settings_path)?;
    settings.catalog = chosen.is_some().then(|| target.clone());
    settings.save(&settings_path)?;
    Ok(Some(Relocated {
        path: target,
        source: if chosen.is_some() {
            LocationSource::Settings
        } else {
            LocationSource::Default
        },
        catalog,
    }))
}
