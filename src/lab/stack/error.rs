//! Errors of the lab stack, each naming the file, line, component or port and what to do.

use std::path::PathBuf;

use super::docker::DockerError;
use super::ports::BusyPort;

/// Everything that can go wrong while reading the spec, planning, starting or stopping the lab.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("could not read the stack spec {path}: {source}")]
    SpecRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{file}:{line}: {key}: {message}")]
    Spec {
        file: String,
        line: usize,
        key: String,
        message: String,
    },

    #[error(
        "{file}: config `{config}` of component `{component}`, line {line}: placeholder `{{{placeholder}}}` is unknown; use one listed at the top of stack.toml or a port the spec declares"
    )]
    Placeholder {
        file: String,
        component: String,
        config: String,
        line: usize,
        placeholder: String,
    },

    #[error("{file}: config `{config}` of component `{component}`, line {line}: {message}")]
    Template {
        file: String,
        component: String,
        config: String,
        line: usize,
        message: String,
    },

    #[error("unknown component `{name}`; the spec has: {known}")]
    UnknownComponent { name: String, known: String },

    #[error(
        "unknown port `{name}` in a port override; ports are named like `prometheus` or `loki.grpc`, the spec has: {known}"
    )]
    UnknownPort { name: String, known: String },

    #[error(
        "port {port} is given to both {first} and {second}; choose another --port-base or override one of them"
    )]
    PortClash {
        port: u16,
        first: String,
        second: String,
    },

    #[error(
        "--port-base {base} is too high: {port_name} (offset {offset}) would be above 65535; use a base of at most {max_base}"
    )]
    PortBaseTooHigh {
        base: u16,
        port_name: String,
        offset: u16,
        max_base: u16,
    },

    #[error("{}", busy_message(.0))]
    PortsBusy(Vec<BusyPort>),

    #[error(
        "a lab is already running ({runtime}, started {started}) with different ports for {component}; run `labtui down` first or start with the same ports"
    )]
    AlreadyRunning {
        runtime: String,
        started: String,
        component: String,
    },

    #[error(
        "component `{component}` is not part of the running lab; run `labtui up` (the component may have been skipped: see `labtui status`)"
    )]
    NotInLab { component: String },

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "the lab state file {path} is unreadable ({message}); it was moved to {moved_to}. Processes an earlier run started are still found through their pid files by `labtui down`"
    )]
    CorruptState {
        path: PathBuf,
        moved_to: PathBuf,
        message: String,
    },

    #[error(
        "could not start {component} ({program}): {source}; check that the file is an executable binary"
    )]
    Spawn {
        component: String,
        program: String,
        source: std::io::Error,
    },

    #[error("{component} did not become ready: {reason}")]
    NotReady { component: String, reason: String },

    #[error("could not build an HTTP client: {0}")]
    Http(String),

    /// The Docker engine refused or failed; the message names the component and the fix.
    #[error(transparent)]
    Docker(#[from] DockerError),

    #[error(
        "a {runtime} lab started {started} is recorded in {dir}; run `labtui down` first, or use another LABTUI_HOME for a second lab"
    )]
    OtherLab {
        runtime: String,
        started: String,
        dir: PathBuf,
    },

    #[error(
        "attach needs the URL of at least one component: pass --prometheus-url (or --alertmanager-url, --loki-url, --tempo-url), set LABTUI_PROMETHEUS_URL, or set `prometheus` under [stack] in config.toml"
    )]
    NoAttachUrls,

    #[error("{origin}: {message}")]
    BadUrl { origin: String, message: String },

    #[error(
        "attach: labtui does not manage this stack, so it cannot {action} {component}; do that where the stack runs (kubectl, docker, systemctl), or start a lab of your own with `labtui up --runtime native`"
    )]
    NotManaged {
        action: &'static str,
        component: String,
    },

    #[error("the {runtime} runtime is unavailable: {reason}")]
    RuntimeUnavailable { runtime: String, reason: String },
}

fn busy_message(ports: &[BusyPort]) -> String {
    let list: Vec<String> = ports.iter().map(ToString::to_string).collect();
    format!(
        "cannot start the lab, ports in use: {}. Stop what holds them, or pick other ports with --port-base",
        list.join("; ")
    )
}

impl StackError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
