//! Rendering one component's configs and command, spawning it detached, waiting for readiness.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::ResolvedBinary;
use crate::lab::stack::error::StackError;
use crate::lab::stack::plan::{Addressing, Plan};
use crate::lab::stack::spec::Component;
use crate::lab::stack::state::LabDirs;
use crate::lab::stack::{http, proc, render};

/// Everything needed to (re)start a component process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Launch {
    pub command: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub workdir: PathBuf,
    pub log: PathBuf,
}

fn create_dir(dir: &Path) -> Result<(), StackError> {
    std::fs::create_dir_all(dir).map_err(|e| StackError::io("could not create", dir, e))
}

/// Render `component`'s configs into its config dir and build its command line.
pub(super) fn prepare(
    plan: &Plan,
    dirs: &LabDirs,
    component: &Component,
    binary: &ResolvedBinary,
    present: &BTreeSet<String>,
) -> Result<Launch, StackError> {
    let config_dir = dirs.config_dir(&component.name);
    let data_dir = dirs.data_dir(&component.name);
    for dir in [&config_dir, &data_dir, &dirs.logs_dir(), &dirs.run_dir()] {
        create_dir(dir)?;
    }
    let loopback = |_: &str| "127.0.0.1".to_string();
    let addressing = Addressing {
        listen: "127.0.0.1".to_string(),
        host_of: &loopback,
        container_ports: false,
        config_dir: config_dir.display().to_string(),
        data_dir: data_dir.display().to_string(),
        bin_home: Some(binary.home.display().to_string()),
    };
    let rendered = render::render_component(plan, dirs, component, &addressing, present)?;
    let mut command = vec![binary.path.display().to_string()];
    command.extend(binary.pre_args.iter().cloned());
    command.extend(rendered.args);
    let mut env = BTreeMap::new();
    env.insert(
        "GOMEMLIMIT".to_string(),
        format!("{}MiB", component.memory_mb),
    );
    env.extend(rendered.env);
    Ok(Launch {
        command,
        env,
        workdir: config_dir,
        log: dirs.log_file(&component.name),
    })
}

/// Spawn detached: own process group, stdin closed, output appended to the log. Returns
/// the pid and its start time. The child is not waited for: it outlives this process.
/// Start `component` in its own process group, marked as the lab's (`lab_root`, see
/// [`proc::LAB_MARKER_ENV`]), with stdout and stderr appended to its log.
pub(super) fn spawn(
    component: &str,
    launch: &Launch,
    lab_root: &Path,
) -> Result<(u32, Option<u64>), StackError> {
    let Some((program, args)) = launch.command.split_first() else {
        return Err(StackError::Spawn {
            component: component.to_string(),
            program: String::new(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"),
        });
    };
    if let Some(dir) = launch.log.parent() {
        create_dir(dir)?;
    }
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&launch.log)
        .map_err(|e| StackError::io("could not open the log", &launch.log, e))?;
    let header = format!(
        "\n--- {} labtui starting {component}: {}\n",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        launch.command.join(" ")
    );
    log.write_all(header.as_bytes())
        .map_err(|e| StackError::io("could not write the log", &launch.log, e))?;
    let stderr = log
        .try_clone()
        .map_err(|e| StackError::io("could not open the log", &launch.log, e))?;
    let child = Command::new(program)
        .args(args)
        .envs(&launch.env)
        .env(proc::LAB_MARKER_ENV, proc::lab_marker(lab_root))
        .current_dir(&launch.workdir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .map_err(|source| StackError::Spawn {
            component: component.to_string(),
            program: program.clone(),
            source,
        })?;
    let pid = child.id();
    // Dropping the handle neither kills nor waits: the process keeps running after we exit.
    drop(child);
    Ok((pid, proc::info(pid).map(|i| i.start_ticks)))
}

/// Poll `url` until it answers 2xx, the process dies, or `timeout` passes.
pub(super) async fn wait_ready(
    client: &reqwest::Client,
    url: &str,
    pid: u32,
    binary: &Path,
    start_ticks: Option<u64>,
    timeout: Duration,
    log: &Path,
) -> Result<Duration, String> {
    let started = Instant::now();
    loop {
        let last = match http::probe(client, url).await {
            Ok(()) => return Ok(started.elapsed()),
            Err(reason) => reason,
        };
        if !proc::is_ours(pid, binary, start_ticks) {
            return Err(format!(
                "the process exited while starting; last lines of {}:\n{}",
                log.display(),
                log_tail(log, 15)
            ));
        }
        if started.elapsed() >= timeout {
            return Err(format!(
                "not ready at {url} after {}s ({last}); last lines of {}:\n{}",
                timeout.as_secs(),
                log.display(),
                log_tail(log, 15)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The last `lines` lines of a log file (reads at most the final 16 KiB).
pub(crate) fn log_tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = std::fs::File::open(path) else {
        return "(no log)".to_string();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(16 * 1024)));
    let mut buf = Vec::new();
    let _ = file.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
