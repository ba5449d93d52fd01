//! Reading and writing the progress file: atomic saves, corrupt files set aside, export/import.
//!
//! Saves go to a temp file in the same directory, are fsynced, then renamed over the real
//! file, and the directory is fsynced, so a crash leaves either the old or the new file and
//! never half of one. A temp file found at load time is the remains of a torn save and is
//! deleted unread. A file that cannot be read as progress is renamed aside (never deleted)
//! and the learner starts fresh with a notice; only real I/O failures are errors.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{CURRENT_SCHEMA, Progress};

/// What [`load`] found: the progress plus, when the file had to be set aside, a line
/// telling the learner what happened and where the old file went.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub progress: Progress,
    pub notice: Option<String>,
}

/// Why progress could not be read or written; each message names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("could not read {}: {source}; check that the file exists and is readable", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "could not write progress to {}: {source}; check that its directory is writable and the disk is not full",
        path.display()
    )]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "progress file {} is unreadable ({reason}) and could not be moved aside to {}: {source}; move or delete it yourself",
        path.display(),
        aside.display()
    )]
    SetAside {
        path: PathBuf,
        aside: PathBuf,
        reason: String,
        source: io::Error,
    },
    #[error("cannot import {}: {reason}; {fix}", path.display())]
    Import {
        path: PathBuf,
        reason: String,
        fix: String,
    },
}

/// Read progress from `path`, starting fresh when there is none or it is unreadable.
///
/// Leftover temp files from a torn save are removed unread. A corrupt file, or one written
/// by a newer labtui, is renamed to `<name>.corrupt-<UTC timestamp>` and reported in
/// [`Loaded::notice`]; that is not an error, so a bad file can never stop labtui starting.
pub fn load(path: &Path) -> Result<Loaded, ProgressError> {
    remove_leftover_temps(path);
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Loaded {
                progress: Progress::default(),
                notice: None,
            });
        }
        Err(source) => {
            return Err(ProgressError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    match parse(&bytes) {
        Ok(progress) => Ok(Loaded {
            progress,
            notice: None,
        }),
        Err(problem) => {
            let reason = problem.to_string();
            let aside = set_aside(path, Utc::now(), &reason)?;
            tracing::warn!(path = %path.display(), aside = %aside.display(), %reason, "progress file set aside");
            Ok(Loaded {
                progress: Progress::default(),
                notice: Some(format!(
                    "progress file {} was unreadable ({reason}); moved it to {} and started fresh",
                    path.display(),
                    aside.display()
                )),
            })
        }
    }
}

/// Write progress to `path` atomically, creating its directory if needed.
pub fn save(path: &Path, progress: &Progress) -> Result<(), ProgressError> {
    let write_error = |source| ProgressError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = serde_json::to_vec_pretty(progress).map_err(|e| write_error(e.into()))?;
    bytes.push(b'\n');
    write_atomic(path, &bytes).map_err(write_error)
}

/// Replace `path` with `bytes` so a crash leaves the old file or the new one, never half:
/// a temp file beside it (`<name>.tmp.<pid>`), fsync, rename, fsync of the directory.
/// Other small state files (the challenge session) are written the same way.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir)?;
    let tmp = temp_path(path);
    if let Err(source) = write_synced(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)) {
        // Best effort: a temp left behind is removed by the next load anyway.
        let _ = fs::remove_file(&tmp);
        return Err(source);
    }
    sync_dir(dir)
}

/// Write progress to a file the learner can carry to another machine (same format as the
/// progress file, written just as safely).
pub fn export(progress: &Progress, path: &Path) -> Result<(), ProgressError> {
    save(path, progress)
}

/// Read a file written by [`export`], refusing anything that is not readable progress.
///
/// Unlike [`load`], nothing is set aside or defaulted: the learner picked this file and
/// needs to hear what is wrong with it. Combine the result with [`super::merge_import`].
pub fn import(path: &Path) -> Result<Progress, ProgressError> {
    let bytes = fs::read(path).map_err(|source| ProgressError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&bytes).map_err(|problem| ProgressError::Import {
        path: path.to_path_buf(),
        reason: problem.to_string(),
        fix: problem.fix().to_owned(),
    })
}

/// Why bytes are not readable progress.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("not valid JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("it has no `schema` number")]
    NoSchema,
    #[error("`schema` is {0}, which is not a schema number")]
    BadSchema(serde_json::Value),
    #[error(
        "it was written by a newer labtui (schema {0}; this version reads schema {CURRENT_SCHEMA})"
    )]
    NewerSchema(u64),
    #[error("not a labtui progress file: {0}")]
    Shape(serde_json::Error),
}

impl Unreadable {
    fn fix(&self) -> &'static str {
        match self {
            Unreadable::NewerSchema(_) => "upgrade labtui to read it",
            _ => "pick a file written by labtui's progress export",
        }
    }
}

/// Parse and check progress bytes; the result always carries the current schema, ready to
/// be saved again. Public so the bytes of a file can be checked (and fuzzed) without one.
pub fn parse(bytes: &[u8]) -> Result<Progress, Unreadable> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(Unreadable::NotJson)?;
    let schema = value.get("schema").ok_or(Unreadable::NoSchema)?;
    match schema.as_u64() {
        Some(n) if n > u64::from(CURRENT_SCHEMA) => return Err(Unreadable::NewerSchema(n)),
        Some(n) if n >= 1 => {}
        _ => return Err(Unreadable::BadSchema(schema.clone())),
    }
    // Parsed again from the bytes (not the Value) so errors carry a line and column.
    let mut progress: Progress = serde_json::from_slice(bytes).map_err(Unreadable::Shape)?;
    progress.schema = CURRENT_SCHEMA;
    Ok(progress)
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "progress.json".to_owned())
}

/// `<name>.tmp.<pid>`: one temp per process, so two labtui processes saving at once
/// never write into the same temp file.
fn temp_path(path: &Path) -> PathBuf {
    path.with_file_name(format!("{}.tmp.{}", file_name(path), std::process::id()))
}

/// Delete every `<name>.tmp*` beside `path`: they are torn saves and never trusted.
fn remove_leftover_temps(path: &Path) {
    let prefix = format!("{}.tmp", file_name(path));
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let leftover = entry.path();
            match fs::remove_file(&leftover) {
                Ok(()) => {
                    tracing::warn!(path = %leftover.display(), "removed a temp file left by an interrupted save");
                }
                Err(e) => {
                    tracing::warn!(path = %leftover.display(), error = %e, "could not remove a leftover temp file; ignoring it");
                }
            }
        }
    }
}

/// Rename an unreadable file to `<name>.corrupt-<UTC timestamp>[-n]`, never overwriting.
fn set_aside(path: &Path, now: DateTime<Utc>, reason: &str) -> Result<PathBuf, ProgressError> {
    let base = format!(
        "{}.corrupt-{}",
        file_name(path),
        now.format("%Y%m%dT%H%M%SZ")
    );
    let mut aside = path.with_file_name(&base);
    let mut n = 1;
    while fs::symlink_metadata(&aside).is_ok() {
        n += 1;
        aside = path.with_file_name(format!("{base}-{n}"));
    }
    fs::rename(path, &aside).map_err(|source| ProgressError::SetAside {
        path: path.to_path_buf(),
        aside: aside.clone(),
        reason: reason.to_owned(),
        source,
    })?;
    Ok(aside)
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Make the rename itself durable (on unix a directory can be opened and fsynced).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_progress_and_names_what_is_wrong_with_the_rest() {
        let p = parse(br#"{"schema":1,"items":{}}"#).expect("progress");
        assert_eq!(p.schema, CURRENT_SCHEMA);
        assert!(matches!(parse(b"{"), Err(Unreadable::NotJson(_))));
        assert!(matches!(parse(b"{}"), Err(Unreadable::NoSchema)));
        assert!(matches!(
            parse(br#"{"schema":"1"}"#),
            Err(Unreadable::BadSchema(_))
        ));
        assert!(matches!(
            parse(br#"{"schema":99999}"#),
            Err(Unreadable::NewerSchema(99999))
        ));
        assert!(matches!(
            parse(br#"{"schema":1,"items":7}"#),
            Err(Unreadable::Shape(_))
        ));
    }
}
