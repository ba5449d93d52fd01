//! Where labtui keeps its files: data (progress, logs) and config.

use std::path::{Path, PathBuf};

/// Environment variable that puts every labtui file under one directory (tests, demos).
pub const HOME_ENV: &str = "LABTUI_HOME";

/// The directories labtui reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    #[error(
        "could not find a home directory for labtui's data; set {HOME_ENV}=/some/dir to choose one"
    )]
    NoHome,
}

impl Paths {
    /// `LABTUI_HOME` when set (data and config both live there), else the platform dirs.
    pub fn resolve() -> Result<Self, PathsError> {
        match std::env::var_os(HOME_ENV) {
            Some(home) if !home.is_empty() => Ok(Self::under(Path::new(&home))),
            _ => {
                let dirs = directories::ProjectDirs::from("dev", "labtui", "labtui")
                    .ok_or(PathsError::NoHome)?;
                Ok(Self {
                    data_dir: dirs.data_dir().to_path_buf(),
                    config_dir: dirs.config_dir().to_path_buf(),
                })
            }
        }
    }

    /// Everything under one directory.
    pub fn under(home: &Path) -> Self {
        Self {
            data_dir: home.to_path_buf(),
            config_dir: home.to_path_buf(),
        }
    }

    pub fn progress_file(&self) -> PathBuf {
        self.data_dir.join("progress.json")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn log_file_name() -> &'static str {
        "labtui.log"
    }
}
