//! The session file `{data_dir}/challenge.json`, written atomically like progress.

use std::path::{Path, PathBuf};

use super::{ChallengeError, Session};
use crate::lab::paths::Paths;
use crate::lab::progress::write_atomic;

/// Where the current (or last) challenge session is kept.
pub fn session_file(paths: &Paths) -> PathBuf {
    paths.data_dir.join("challenge.json")
}

/// The session on disk; None when no challenge was ever started.
pub fn load(file: &Path) -> Result<Option<Session>, ChallengeError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(file, e.to_string())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| fail(file, e.to_string()))
}

/// Replace the session file (temp file, fsync, rename).
pub fn save(file: &Path, session: &Session) -> Result<(), ChallengeError> {
    let mut bytes = serde_json::to_vec_pretty(session).map_err(|e| fail(file, e.to_string()))?;
    bytes.push(b'\n');
    write_atomic(file, &bytes).map_err(|e| fail(file, e.to_string()))
}

fn fail(path: &Path, message: String) -> ChallengeError {
    ChallengeError::Session {
        path: path.to_path_buf(),
        message,
    }
}
