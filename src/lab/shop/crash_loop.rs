//! The crash fault's loop mode (`restart=loop`): the service crashes, comes back after a
//! back-off that doubles each time (1 s, 2 s, 4 s ... 16 s), serves for `up_s` seconds and
//! crashes again, until the fault is cleared or its TTL passes.
//!
//! The lab's runtimes do not supervise the shop (no process supervisor natively, no
//! restart policy on containers), so the service restarts itself: it replaces its own
//! process image with a fresh run of the same command (`exec`), which waits the back-off
//! before it listens. Everything in memory is lost, counters start from zero, the port
//! refuses connections during the back-off and the log shows each start: what a crash
//! loop under a supervisor looks like from outside, with the same pid.
//!
//! The loop lives in a marker file in the shop's data folder, so a fresh process image
//! knows it is in a loop, `labtui fault clear` (or `down`) ends it by removing the file,
//! and it ends by itself at the fault's TTL.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Service;

/// Carries the back-off into the re-executed process, which sleeps it before listening.
pub const BACKOFF_ENV: &str = "LABTUI_CRASH_BACKOFF_MS";
/// The longest wait between two runs (a lab-sized CrashLoopBackOff).
const MAX_BACKOFF: Duration = Duration::from_secs(16);

/// One service's crash loop, as written to `lab/shop/crash-loop-<service>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrashLoop {
    /// The fault's id in the ledger.
    pub id: String,
    pub expires_at: DateTime<Utc>,
    /// How long each run serves before it crashes again.
    pub up_s: f64,
    /// Crashes so far; the back-off doubles with each.
    pub crashes: u32,
}

pub fn path(data_dir: &Path, service: Service) -> PathBuf {
    data_dir
        .join("lab")
        .join("shop")
        .join(format!("crash-loop-{}.json", service.as_str()))
}

impl CrashLoop {
    /// The service's loop, if one runs: None when there is no file, it cannot be read, or
    /// its TTL has passed (then the file is removed).
    pub fn read(data_dir: &Path, service: Service) -> Option<Self> {
        let file = path(data_dir, service);
        let text = std::fs::read_to_string(&file).ok()?;
        let found: Self = serde_json::from_str(&text).ok()?;
        if found.expires_at <= Utc::now() {
            let _ = std::fs::remove_file(&file);
            return None;
        }
        Some(found)
    }

    /// Written whole (temporary file, then rename), so a reader never sees half of it.
    pub fn write(&self, data_dir: &Path, service: Service) -> std::io::Result<()> {
        let file = path(data_dir, service);
        let tmp = file.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(&tmp, &file)
    }

    /// The wait before the next run, after `crashes` crashes.
    pub fn backoff(crashes: u32) -> Duration {
        let secs = 1u64 << crashes.saturating_sub(1).min(8);
        Duration::from_secs(secs).min(MAX_BACKOFF)
    }
}

/// End the service's loop (the fault was cleared); a missing file is fine.
pub fn end(data_dir: &Path, service: Service) -> std::io::Result<()> {
    match std::fs::remove_file(path(data_dir, service)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Replace this process with a fresh run of its own command line, told to wait `backoff`
/// before it listens. Returns only when `exec` failed.
pub fn reexec(backoff: Duration) -> std::io::Error {
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| OsString::from("labtui"));
    std::process::Command::new("/proc/self/exe")
        .arg0(arg0)
        .args(args)
        .env(BACKOFF_ENV, backoff.as_millis().to_string())
        .exec()
}

/// The back-off a previous run of this process asked for (none on a normal start).
pub fn pending_backoff() -> Option<Duration> {
    let ms = std::env::var(BACKOFF_ENV).ok()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_its_cap() {
        let waits: Vec<u64> = (1..=7).map(|n| CrashLoop::backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 16, 16]);
        assert_eq!(CrashLoop::backoff(0).as_secs(), 1);
        assert_eq!(CrashLoop::backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn a_loop_is_read_back_and_ends_at_its_ttl_or_when_cleared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("lab/shop")).unwrap();
        let live = CrashLoop {
            id: "crash-1".into(),
            expires_at: Utc::now() + chrono::Duration::minutes(5),
            up_s: 5.0,
            crashes: 2,
        };
        live.write(dir.path(), Service::Payments).unwrap();
        assert_eq!(
            CrashLoop::read(dir.path(), Service::Payments),
            Some(live.clone())
        );
        assert_eq!(CrashLoop::read(dir.path(), Service::Orders), None);
        end(dir.path(), Service::Payments).unwrap();
        assert_eq!(CrashLoop::read(dir.path(), Service::Payments), None);
        end(dir.path(), Service::Payments).unwrap();

        let old = CrashLoop {
            expires_at: Utc::now() - chrono::Duration::seconds(1),
            ..live
        };
        old.write(dir.path(), Service::Payments).unwrap();
        assert_eq!(CrashLoop::read(dir.path(), Service::Payments), None);
        assert!(
            !path(dir.path(), Service::Payments).exists(),
            "an expired loop is removed"
        );
    }
}
