//! The persisted ledger of injected faults: {data_dir}/lab/faults.json, written atomically,
//! so any later labtui (the CLI, the console, `up` after a crash, `down`) knows what is active.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ActiveFault, FaultError};
use crate::lab::stack::LabDirs;

const SCHEMA: u32 = 1;

/// The ledger file of a lab.
pub fn path(dirs: &LabDirs) -> PathBuf {
    dirs.root.join("faults.json")
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    schema: u32,
    faults: Vec<ActiveFault>,
}

/// Every recorded fault (none when there is no ledger).
pub fn load(dirs: &LabDirs) -> Result<Vec<ActiveFault>, FaultError> {
    let file = path(dirs);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ledger_error(&file, e.to_string())),
    };
    let parsed: File =
        serde_json::from_str(&text).map_err(|e| ledger_error(&file, e.to_string()))?;
    Ok(parsed.faults)
}

/// Replace the ledger with `faults` (write a temp file, fsync, rename).
pub fn save(dirs: &LabDirs, faults: &[ActiveFault]) -> Result<(), FaultError> {
    let file = path(dirs);
    std::fs::create_dir_all(&dirs.root).map_err(|e| ledger_error(&dirs.root, e.to_string()))?;
    let body = File {
        schema: SCHEMA,
        faults: faults.to_vec(),
    };
    let text =
        serde_json::to_string_pretty(&body).map_err(|e| ledger_error(&file, e.to_string()))?;
    let tmp = file.with_extension(format!("json.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut out = std::fs::File::create(&tmp)?;
        out.write_all(text.as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&tmp, &file)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        ledger_error(&file, e.to_string())
    })
}

fn ledger_error(path: &Path, message: String) -> FaultError {
    FaultError::Ledger {
        path: path.to_path_buf(),
        message,
    }
}

/// Serialises read-modify-write of the ledger between labtui processes (flock on a side file).
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    pub fn take(dirs: &LabDirs) -> Result<Self, FaultError> {
        use std::os::fd::AsRawFd as _;
        std::fs::create_dir_all(&dirs.root).map_err(|e| ledger_error(&dirs.root, e.to_string()))?;
        let lock_path = dirs.root.join("faults.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| ledger_error(&lock_path, e.to_string()))?;
        // SAFETY: flock on a valid fd we own; released when the file is closed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            return Err(ledger_error(
                &lock_path,
                std::io::Error::last_os_error().to_string(),
            ));
        }
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::paths::Paths;

    /// A ledger written before faults had an owner, as an older labtui wrote it.
    const OLD_LEDGER: &str = r#"{
  "schema": 1,
  "faults": [
    {
      "id": "latency-00a1b2",
      "name": "latency",
      "target": "payments",
      "component": "shop-payments",
      "mechanism": "request",
      "params": { "ms": 900.0, "probability": 0.6, "route": "" },
      "injected_at": "2030-01-01T10:00:00Z",
      "expires_at": "2030-01-01T10:10:00Z",
      "symptom_query": "up == 0",
      "owner_pid": 4242
    }
  ]
}"#;

    #[test]
    fn a_ledger_without_owners_loads_and_the_owner_round_trips() {
        let home = tempfile::tempdir().expect("home");
        let dirs = LabDirs::new(&Paths::under(home.path()));
        std::fs::create_dir_all(&dirs.root).expect("lab dir");
        std::fs::write(path(&dirs), OLD_LEDGER).expect("write");
        let mut faults = load(&dirs).expect("an old ledger loads");
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].owner, None);
        assert_eq!(faults[0].owner_pid, 4242);

        faults[0].owner = Some("challenge:slow-checkout".into());
        save(&dirs, &faults).expect("save");
        let text = std::fs::read_to_string(path(&dirs)).expect("read");
        assert!(
            text.contains(r#""owner": "challenge:slow-checkout""#),
            "{text}"
        );
        assert_eq!(load(&dirs).expect("load"), faults);

        // A fault without an owner is written exactly as before (no `owner` key).
        faults[0].owner = None;
        save(&dirs, &faults).expect("save");
        let text = std::fs::read_to_string(path(&dirs)).expect("read");
        assert!(!text.contains("\"owner\""), "{text}");
    }
}
