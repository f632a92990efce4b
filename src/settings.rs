//! The user's settings file (`~/.config/driftdeck/settings.toml` on Linux): where the catalog is
//! and the app's theme. The CLI and the app read the same file, so a catalog moved in the app's
//! Settings is the one `driftdeck` uses too.
//!
//! ```toml
//! catalog = "/data/team/driftdeck/catalog.sqlite"   # absent: the default location
//! theme = "dark"                                     # system (default) | light | dark
//! ```
//!
//! `DRIFTDECK_CONFIG` names another file (tests use it). A missing file means the defaults; a
//! file that cannot be parsed is an error naming it, never silently replaced.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Names a settings file to use instead of the default one.
pub const CONFIG_ENV: &str = "DRIFTDECK_CONFIG";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the settings file {path} is not valid: {message} (fix it or delete it to go back to the defaults)"
    )]
    Invalid { path: PathBuf, message: String },
    #[error("cannot save the settings file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no user configuration directory is known on this system; set {CONFIG_ENV}")]
    NoConfigDir,
}

impl crate::error::Classify for SettingsError {
    fn code(&self) -> crate::error::ErrorCode {
        match self {
            SettingsError::Invalid { .. } | SettingsError::NoConfigDir => {
                crate::error::ErrorCode::BadInput
            }
            SettingsError::Read { .. } | SettingsError::Write { .. } => {
                crate::error::ErrorCode::Internal
            }
        }
    }
}

/// The app's colour theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the operating system's light/dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The settings file's contents. Unknown keys are refused, so a typo is reported, not ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The catalog file; `None` for the default location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<PathBuf>,
    #[serde(default)]
    pub theme: Theme,
}

/// Where the settings file is: `$DRIFTDECK_CONFIG`, else `driftdeck/settings.toml` in the user's
/// configuration directory.
pub fn path() -> Result<PathBuf, SettingsError> {
    if let Some(path) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    dirs::config_dir()
        .map(|d| d.join("driftdeck").join("settings.toml"))
        .ok_or(SettingsError::NoConfigDir)
}

/// The settings file's path and what it holds now.
pub fn current() -> Result<(PathBuf, Settings), SettingsError> {
    let path = path()?;
    let settings = Settings::load(&path)?;
    Ok((path, settings))
}

/// Changes the settings file with `change` (read, changed, written to a temporary file and
/// renamed); returns its path and the saved settings.
pub fn update(change: impl FnOnce(&mut Settings)) -> Result<(PathBuf, Settings), SettingsError> {
    let (path, mut settings) = current()?;
    change(&mut settings);
    settings.save(&path)?;
    Ok((path, settings))
}

impl Settings {
    /// Reads the settings at `path`; the defaults when there is no file.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let settings: Settings = toml::from_str(&text).map_err(|e| SettingsError::Invalid {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        if let Some(catalog) = &settings.catalog
            && !catalog.is_absolute()
        {
            return Err(SettingsError::Invalid {
                path: path.to_path_buf(),
                message: format!("catalog = {:?} must be an absolute path", catalog.display()),
            });
        }
        Ok(settings)
    }

    /// Writes the settings to `path` (a temporary file renamed over it, so a crash never leaves
    /// half a file), creating its folder.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let write = |source| SettingsError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write)?;
        }
        let text = toml::to_string(self).map_err(|e| write(std::io::Error::other(e)))?;
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(
            &tmp,
            format!("# Driftdeck settings (written by Driftdeck; you may edit it)\n{text}"),
        )
        .map_err(write)?;
        std::fs::rename(&tmp, path).map_err(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(&dir.path().join("nope.toml")).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.theme, Theme::System);
    }

    #[test]
    fn settings_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.toml");
        let settings = Settings {
            catalog: Some(dir.path().join("elsewhere/catalog.sqlite")),
            theme: Theme::Dark,
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), settings);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("theme = \"dark\""), "{text}");
        assert!(!path.with_extension("toml.tmp").exists());
    }

    #[test]
    fn bad_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        for (text, expect) in [
            ("theme = \"purple\"", "unknown variant"),
            ("colour = \"dark\"", "unknown field"),
            ("catalog = \"relative/catalog.sqlite\"", "absolute"),
            ("theme = ", "settings.toml"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Settings::load(&path).unwrap_err().to_string();
            assert!(err.contains("settings.toml"), "{err}");
            assert!(err.contains(expect), "{text}: {err}");
        }
    }
}
