//! `down`, `status` and per-component control (stop/start/restart/kill/pause/resume) of native processes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::NativeRuntime;
use super::launch::{self, Launch};
use super::up::alive;
use crate::lab::stack::health;
use crate::lab::stack::state::{ComponentRecord, LabState, PidFile};
use crate::lab::stack::types::{ComponentState, ComponentStatus, ControlAction, DownReport};
use crate::lab::stack::{StackError, http, proc, shared};

/// How long a component gets to exit after SIGTERM before SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// A process to stop: name, pid (= its process group), binary and start time.
struct Target {
    name: String,
    pid: u32,
    binary: PathBuf,
    start_ticks: Option<u64>,
}

impl Target {
    fn ours(&self) -> bool {
        proc::is_ours(self.pid, &self.binary, self.start_ticks)
    }
}

/// Wait until none of `targets` is alive or `within` passes; returns those still alive.
/// (By pid and start time only: an exiting process loses its argv before it is gone.)
async fn wait_gone(targets: Vec<Target>, within: Duration) -> Vec<Target> {
    let deadline = Instant::now() + within;
    let mut left = targets;
    loop {
        left.retain(|t| !proc::is_gone(t.pid, t.start_ticks));
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// SIGTERM the groups (SIGCONT too, so a paused one can act on it), wait `STOP_GRACE`,
/// SIGKILL what is left. Returns (stopped cleanly, needed SIGKILL).
async fn terminate(targets: Vec<Target>) -> (Vec<String>, Vec<String>) {
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    for t in &targets {
        let _ = proc::signal_group(t.pid, libc::SIGTERM);
        let _ = proc::signal_group(t.pid, libc::SIGCONT);
    }
    let stubborn = wait_gone(targets, STOP_GRACE).await;
    let killed: Vec<String> = stubborn.iter().map(|t| t.name.clone()).collect();
    for t in &stubborn {
        let _ = proc::signal_group(t.pid, libc::SIGKILL);
    }
    let _ = wait_gone(stubborn, Duration::from_secs(2)).await;
    let stopped = names.into_iter().filter(|n| !killed.contains(n)).collect();
    (stopped, killed)
}

pub(super) async fn down(rt: &NativeRuntime, state: &LabState) -> Result<DownReport, StackError> {
    let dirs = rt.dirs();
    let mut report = DownReport::default();
    let mut candidates: Vec<Target> = state
        .components
        .iter()
        .rev()
        .filter_map(|r| {
            Some(Target {
                name: r.name.clone(),
                pid: r.pid?,
                binary: r.binary.clone()?,
                start_ticks: r.start_ticks,
            })
        })
        .collect();
    for pf in PidFile::read_all(dirs) {
        if !candidates.iter().any(|t| t.pid == pf.pid) {
            candidates.push(Target {
                name: pf.component,
                pid: pf.pid,
                binary: pf.binary,
                start_ticks: pf.start_ticks,
            });
        }
    }
    // A process started just before labtui was killed may have no pid file yet: its
    // environment still names this lab.
    for (pid, argv0) in proc::marked_with(&dirs.root) {
        if !candidates.iter().any(|t| t.pid == pid) {
            let binary = PathBuf::from(&argv0);
            candidates.push(Target {
                name: binary.file_name().map_or_else(
                    || format!("pid {pid}"),
                    |n| n.to_string_lossy().into_owned(),
                ),
                pid,
                binary,
                start_ticks: proc::info(pid).map(|i| i.start_ticks),
            });
        }
    }
    let mut targets = Vec::new();
    for t in candidates {
        if t.ours() {
            targets.push(t);
        } else if proc::info(t.pid).is_some_and(|i| !matches!(i.state, 'Z' | 'X')) {
            report.not_ours.push((t.name, t.pid));
        } else {
            report.already_gone.push(t.name);
        }
    }
    let (stopped, killed) = terminate(targets).await;
    report.stopped = stopped;
    report.killed = killed;
    for file in std::iter::once(dirs.state_file()).chain(
        PidFile::read_all(dirs)
            .iter()
            .map(|p| dirs.pid_file(&p.component)),
    ) {
        match std::fs::remove_file(&file) {
            Ok(()) => report.removed.push(file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StackError::io("could not remove", file, e)),
        }
    }
    Ok(report)
}

pub(super) async fn status(state: &LabState) -> Vec<ComponentStatus> {
    let client = http::client().ok();
    let rows = futures::future::join_all(
        state
            .components
            .iter()
            .map(|r| one_status(client.as_ref(), r)),
    )
    .await;
    rows.into_iter()
        .chain(health::skipped_rows(state))
        .collect()
}

async fn one_status(client: Option<&reqwest::Client>, record: &ComponentRecord) -> ComponentStatus {
    let mut row = shared::down_row(record);
    let log = record
        .log_file
        .as_ref()
        .map(|l| l.display().to_string())
        .unwrap_or_default();
    let Some(pid) = record.pid.filter(|_| alive(record)) else {
        row.detail = Some(match record.pid {
            None => "stopped; `labtui up` starts it again".to_string(),
            Some(_) => {
                format!("not running (exited or killed); `labtui up` starts it again; log: {log}")
            }
        });
        return row;
    };
    row.pid = Some(pid);
    row.rss_bytes = proc::rss_bytes(pid);
    row.uptime = (Utc::now() - record.started_at).to_std().ok();
    if proc::is_stopped(pid) {
        row.state = ComponentState::Paused;
        row.detail =
            Some("paused (SIGSTOP): it accepts connections but does not answer".to_string());
        return row;
    }
    health::probe_row(client, record, &mut row).await;
    row
}

pub(super) async fn control(
    rt: &NativeRuntime,
    state: &LabState,
    component: &str,
    action: ControlAction,
) -> Result<LabState, StackError> {
    let dirs = rt.dirs();
    let mut state = state.clone();
    let record = state
        .component_mut(component)
        .ok_or_else(|| StackError::NotInLab {
            component: component.to_string(),
        })?;
    let target = || {
        Some(Target {
            name: record.name.clone(),
            pid: record.pid?,
            binary: record.binary.clone()?,
            start_ticks: record.start_ticks,
        })
        .filter(Target::ours)
    };
    match action {
        ControlAction::Stop => {
            if let Some(t) = target() {
                terminate(vec![t]).await;
            }
            record.pid = None;
            record.start_ticks = None;
            let _ = std::fs::remove_file(dirs.pid_file(component));
        }
        ControlAction::Kill => {
            if let Some(t) = target() {
                let _ = proc::signal_group(t.pid, libc::SIGKILL);
                let _ = wait_gone(vec![t], Duration::from_secs(2)).await;
            }
        }
        ControlAction::Pause | ControlAction::Resume => {
            let signal = if action == ControlAction::Pause {
                libc::SIGSTOP
            } else {
                libc::SIGCONT
            };
            match target() {
                Some(t) => proc::signal_group(t.pid, signal).map_err(|e| {
                    StackError::io("could not signal", format!("process group {}", t.pid), e)
                })?,
                None => {
                    return Err(StackError::NotReady {
                        component: component.to_string(),
                        reason: "it is not running; start it first".to_string(),
                    });
                }
            }
        }
        ControlAction::Start | ControlAction::Restart => {
            if let Some(t) = target() {
                if action == ControlAction::Start {
                    return Ok(state);
                }
                terminate(vec![t]).await;
            }
            start_again(rt, record).await?;
        }
    }
    state.save(dirs)?;
    Ok(state)
}

/// Spawn a recorded component with its recorded command and wait until it is ready.
async fn start_again(rt: &NativeRuntime, record: &mut ComponentRecord) -> Result<(), StackError> {
    let log = record
        .log_file
        .clone()
        .unwrap_or_else(|| rt.dirs().log_file(&record.name));
    let launch = Launch {
        command: record.command.clone(),
        env: record.env.clone(),
        workdir: record
            .workdir
            .clone()
            .unwrap_or_else(|| rt.dirs().config_dir(&record.name)),
        log: log.clone(),
    };
    let binary = record.binary.clone().unwrap_or_default();
    let (pid, start_ticks) = launch::spawn(&record.name, &launch, &rt.dirs().root)?;
    record.pid = Some(pid);
    record.start_ticks = start_ticks;
    record.started_at = Utc::now();
    PidFile {
        component: record.name.clone(),
        pid,
        binary: binary.clone(),
        start_ticks,
    }
    .write(rt.dirs())?;
    let client = http::client()?;
    launch::wait_ready(
        &client,
        &record.ready_url,
        pid,
        &binary,
        start_ticks,
        Duration::from_secs(record.ready_timeout_s),
        &log,
    )
    .await
    .map(|_| ())
    .map_err(|reason| StackError::NotReady {
        component: record.name.clone(),
        reason,
    })
}
