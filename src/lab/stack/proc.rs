//! Linux process facts from /proc (command line, state, start time, RSS) and signalling groups.

use std::path::{Path, PathBuf};

/// A process as /proc shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcInfo {
    pub argv: Vec<String>,
    /// R, S, D, T (stopped), Z (zombie), ...
    pub state: char,
    /// Start time in clock ticks since boot (with the pid, identifies the process).
    pub start_ticks: u64,
}

/// The process's argv and state, or None when it does not exist.
pub fn info(pid: u32) -> Option<ProcInfo> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // comm is in parentheses and may contain spaces: parse after the last ')'.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Field 22 of stat is starttime; `after` starts at field 3.
    let start_ticks = fields.get(19)?.parse().ok()?;
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv = raw
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    Some(ProcInfo {
        argv,
        state,
        start_ticks,
    })
}

/// The command line joined with spaces (shortened), for messages.
pub fn command_line(pid: u32) -> Option<String> {
    let argv = info(pid)?.argv;
    let mut line = argv.join(" ");
    if line.len() > 120 {
        let cut = (0..=117)
            .rev()
            .find(|i| line.is_char_boundary(*i))
            .unwrap_or(0);
        line.truncate(cut);
        line.push_str("...");
    }
    Some(line)
}

/// What [`reap`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reap {
    /// It was our exited child and is now gone.
    Reaped,
    /// It is our child and has not fully exited yet.
    Running,
    /// Not a child of this process (another labtui run started it): the OS reaps it.
    NotOurChild,
}

/// Collect the exit status of `pid` if it is our exited child, so it does not linger as a
/// zombie. Harmless for processes that are not our children.
pub fn reap(pid: u32) -> Reap {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return Reap::NotOurChild;
    };
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG only inspects/reaps the given child; no memory is shared.
    let rc = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    match rc {
        0 => Reap::Running,
        r if r == pid => Reap::Reaped,
        _ => Reap::NotOurChild,
    }
}

/// Whether `pid` (started at `start_ticks`, when known) has fully exited. Our own children
/// count as gone only once reaped, so none is left behind as a zombie.
pub fn is_gone(pid: u32, start_ticks: Option<u64>) -> bool {
    match reap(pid) {
        Reap::Reaped => true,
        Reap::Running => false,
        Reap::NotOurChild => info(pid).is_none_or(|i| {
            matches!(i.state, 'Z' | 'X' | 'x') || start_ticks.is_some_and(|t| t != i.start_ticks)
        }),
    }
}

/// Whether `pid` is alive and still the process labtui started: argv[0] names `binary`
/// and, when known, the start time matches (so a reused pid is not mistaken for it).
/// A process that is exiting (argv already gone) or a zombie counts as not alive.
pub fn is_ours(pid: u32, binary: &Path, start_ticks: Option<u64>) -> bool {
    reap(pid);
    let Some(info) = info(pid) else {
        return false;
    };
    if matches!(info.state, 'Z' | 'X' | 'x') || start_ticks.is_some_and(|t| t != info.start_ticks) {
        return false;
    }
    let Some(argv0) = info.argv.first() else {
        return false;
    };
    Path::new(argv0) == binary
        || Path::new(argv0)
            .file_name()
            .is_some_and(|n| Some(n) == binary.file_name())
}

/// The environment variable every process the native runtime starts carries, set to the
/// lab's root: `down` finds a process by it even when labtui was killed between starting
/// it and writing its pid file.
pub const LAB_MARKER_ENV: &str = "LABTUI_LAB_ROOT";

/// The marker's value for the lab at `lab_root`: its canonical path, so a relative or
/// symlinked LABTUI_HOME names the same lab from any directory (the root exists whenever
/// the lab has processes; otherwise the path as given, which then matches nothing).
pub fn lab_marker(lab_root: &Path) -> PathBuf {
    lab_root
        .canonicalize()
        .unwrap_or_else(|_| lab_root.to_path_buf())
}

/// The processes (pid, argv[0]) whose environment holds `LAB_MARKER_ENV=lab_root` exactly,
/// this process excepted. Only processes this user may read are seen.
pub fn marked_with(lab_root: &Path) -> Vec<(u32, String)> {
    let wanted = format!("{LAB_MARKER_ENV}={}", lab_marker(lab_root).display());
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|b| *b == 0)
                    .any(|entry| entry == wanted.as_bytes())
            })
        })
        .filter_map(|pid| {
            let i = info(pid)?;
            if matches!(i.state, 'Z' | 'X' | 'x') {
                return None;
            }
            Some((pid, i.argv.first().cloned().unwrap_or_default()))
        })
        .collect()
}

/// Whether the process is stopped (SIGSTOP, a paused component).
pub fn is_stopped(pid: u32) -> bool {
    info(pid).is_some_and(|i| matches!(i.state, 'T' | 't'))
}

/// Resident memory in bytes (VmRSS of /proc/<pid>/status).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Send `signal` to the whole process group `pgid` (components lead their own group).
pub fn signal_group(pgid: u32, signal: libc::c_int) -> std::io::Result<()> {
    let pgid = libc::pid_t::try_from(pgid)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "pid out of range"))?;
    if pgid <= 1 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "refusing to signal process group <= 1",
        ));
    }
    // SAFETY: kill() has no memory-safety preconditions; a negative pid targets the group.
    let rc = unsafe { libc::kill(-pgid, signal) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Free bytes for an unprivileged user on the filesystem holding `path`.
pub fn disk_free(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs writes into the zeroed struct we own; c_path is a valid C string.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    if rc != 0 {
        return None;
    }
    #[allow(
        clippy::unnecessary_cast,
        reason = "field widths differ between targets"
    )]
    Some(stat.f_bavail as u64 * stat.f_frsize as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        let info = info(me).unwrap();
        assert!(!info.argv.is_empty());
        assert!(info.start_ticks > 0);
        assert!(rss_bytes(me).unwrap() > 0);
        let exe = std::path::PathBuf::from(&info.argv[0]);
        assert!(is_ours(me, &exe, Some(info.start_ticks)));
        assert!(!is_ours(me, &exe, Some(info.start_ticks + 1)));
        assert!(!is_ours(
            me,
            Path::new("/usr/bin/definitely-not-this"),
            None
        ));
        assert!(disk_free(Path::new("/")).is_some());
    }
}
